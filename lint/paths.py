"""Real paths, resolved once per directory."""

from __future__ import annotations

import os
from pathlib import Path

# Real paths of the directories and files met in this command, by absolute path as written.
# Path.resolve() makes a system call per directory of the path, each walking the path so far
# in the kernel: an inventory 1,000 directories deep cost a second per resolve, and a
# --recursive tree of them (1,500 deep, 1,500 inventories, 80 KB) took 76 s resolving the
# same directories again and again. Cleared when a command starts (cli), so a path that
# became a symlink between two in-process commands is not taken for what it was.
_REAL_PATHS: dict[str, str] = {}


def real_path(path) -> Path:
    """`Path(path).resolve()` (os.path.realpath), with one system call for each directory or
    file not met before: the real path of a name in a directory whose real path is known is
    that directory's real path and the name, unless the name is a symlink."""
    absolute = os.fspath(path)
    if not os.path.isabs(absolute):  # (a deleted working directory leaves absolute paths usable)
        absolute = os.path.join(os.getcwd(), absolute)
    missing = []
    current = absolute
    while current not in _REAL_PATHS:
        parent, name = os.path.split(current)
        if parent == current:  # the root (`/`, or `//`, which POSIX leaves to the system)
            _REAL_PATHS[current] = os.path.realpath(current)
            break
        missing.append((current, parent, name))
        current = parent
    for current, parent, name in reversed(missing):
        _REAL_PATHS[current] = _real_child(_REAL_PATHS[parent], name)
    return Path(_REAL_PATHS[absolute])


def _real_child(real_parent: str, name: str) -> str:
    if name in ("", os.curdir):  # `a/` or `a/.`: `a` itself
        return real_parent
    if name == os.pardir:  # the parent of a real path is its real parent
        return os.path.dirname(real_parent)
    child = os.path.join(real_parent, name)
    return os.path.realpath(child) if os.path.islink(child) else child


def forget_real_paths() -> None:
    _REAL_PATHS.clear()
