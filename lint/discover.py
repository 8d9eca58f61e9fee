"""Which inventories a command line names (SPEC §1).

A file argument is one inventory. A directory argument is one inventory made of the `*.yaml`
and `*.yml` files directly in it; with `recursive`, every directory below it that holds such
files is an inventory of its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .engine import UsageError, display_path

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Target:
    name: str
    files: tuple[Path, ...]


def yaml_files(directory: Path) -> list[Path]:
    try:
        entries = sorted(directory.iterdir())
    except OSError as exc:
        raise UsageError(f"{display_path(directory)}: cannot read the directory ({exc.strerror or exc})") from None
    return [entry for entry in entries if entry.suffix in YAML_SUFFIXES and entry.is_file()]


def targets(paths: list[str], recursive: bool = False) -> list[Target]:
    found: list[Target] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise UsageError(f"{raw}: no such file or directory")
        if path.is_file():
            found.append(Target(display_path(path), (path,)))
            continue
        if not path.is_dir():
            raise UsageError(f"{raw}: not a file or directory")
        directories = _walk(path) if recursive else [path]
        before = len(found)
        for directory in directories:
            files = yaml_files(directory)
            if files:
                found.append(Target(display_path(directory), tuple(files)))
        if len(found) == before:
            where = "in or below" if recursive else "directly in"
            raise UsageError(f"{raw}: no *.yaml or *.yml inventory files {where} this directory")
    unique: dict[tuple[Path, ...], Target] = {}
    for target in found:
        unique.setdefault(tuple(file.resolve() for file in target.files), target)
    return list(unique.values())


def _walk(root: Path) -> list[Path]:
    """Directories below `root`, sorted, following no symlinks (so no loops)."""
    directories = []
    for current, subdirectories, _ in os.walk(root, followlinks=False):
        subdirectories.sort()
        directories.append(Path(current))
    return directories
