"""Configuration: `--config FILE`, else `.privlint.yaml`, else `[tool.privlint]` in
pyproject.toml, looked up from the working directory upwards. Command-line options win.

    [tool.privlint]
    inventories = ["inventories/"]      # what `privlint check` lints with no PATH
    recursive = true
    select = ["PL1", "PL2"]             # rule IDs, names or ID prefixes
    ignore = ["PL104"]
    fail-on = "warning"                 # error | warning | info | never
    baseline = "privlint-baseline.json"
    severity = { PL104 = "warning", unused-node = "error" }
    [tool.privlint.vendors.acme-crm]    # vendor catalog extensions (same fields as `vendors:`)
    name = "Acme CRM"
    country = "DE"

Unknown keys are an error naming the file and the key (exit 2).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engine import UsageError
from .loader import MAX_DEPTH
from .registry import FAIL_ON, SEVERITIES

KEYS = ("inventories", "recursive", "select", "ignore", "fail-on", "baseline", "severity", "vendors")


@dataclass
class Config:
    path: str | None = None
    inventories: list[str] = field(default_factory=list)
    recursive: bool = False
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    fail_on: str | None = None
    baseline: str | None = None
    severity: dict[str, str] = field(default_factory=dict)
    vendors: dict[str, dict] = field(default_factory=dict)


def _find(start: Path) -> tuple[Path, dict[str, Any] | None] | None:
    """The configuration that applies from `start`, and its settings when already read."""
    for directory in (start, *start.parents):
        for name in (".privlint.yaml", "pyproject.toml"):
            candidate = directory / name
            if not _is_file(candidate):
                continue
            if name != "pyproject.toml":
                return candidate, None
            # Decided from the parsed TOML: the text "[tool.privlint" missed [tool] privlint =
            # {...}, tool.privlint.fail-on = ..., [ tool.privlint ] and ["tool".privlint]
            # (the gate quietly used defaults). Only a file that mentions privlint is parsed.
            if _mentions_privlint(candidate):
                settings = _read(candidate)  # exit 2 when it cannot be read or parsed
                if settings is not None:
                    return candidate, settings
    return None


def _is_file(candidate: Path, explicit: str | None = None) -> bool:
    """Whether `candidate` (the `explicit` --config, or one looked for) is a file; a usage
    error when a directory on its way may not be searched (run from there, the check was an
    internal error): a configuration looked for may be there, and a gate must not go on
    without it."""
    try:
        return candidate.is_file()
    except OSError as exc:
        if explicit:
            raise UsageError(f"{explicit}: cannot access ({exc.strerror or exc})") from None
        raise UsageError(
            f"{candidate}: cannot look for a configuration here ({exc.strerror or exc}); name one with --config"
        ) from None


_NAME = b"privlint"


def _mentions_privlint(path: Path) -> bool:
    """Whether the file's bytes contain "privlint", read a piece at a time (the TOML key can be
    spelled with escapes, "priv\\u006cint", but then it is not found: such a file is taken
    for one without privlint settings)."""
    tail = b""
    try:
        with open(path, "rb") as handle:
            while piece := handle.read(1 << 20):
                if _NAME in tail + piece:
                    return True
                tail = piece[-(len(_NAME) - 1):]
    except OSError:  # unreadable (another user's, above the project): not known to be privlint's
        pass
    return False


def load(explicit: str | None, cwd: Path | None = None) -> Config:
    if explicit:
        path = Path(explicit)
    else:
        try:
            start = (cwd or Path.cwd()).resolve()
        except FileNotFoundError:  # run from a deleted directory: there is nothing to look up from
            return Config()
        found = _find(start)
        if found is None:
            return Config()
        path, raw = found
        if raw is not None:
            return _parse(raw, path)
    if explicit and not _is_file(path, explicit):
        if path.exists():  # a directory or a FIFO: it is there, and "no such file" misled
            raise UsageError(f"{explicit}: not a configuration file (a directory, FIFO or device)")
        raise UsageError(f"{explicit}: no such configuration file")
    raw = _read(path)
    return _parse(raw or {}, path)


def _read(path: Path) -> dict[str, Any] | None:
    """The settings in `path`; None for a pyproject.toml without a `privlint` table under
    `tool`."""
    from .loader import TooLarge, read_bounded, size_limit

    try:
        limit = size_limit()
    except TooLarge as exc:  # the variable is wrong, not the configuration
        raise UsageError(str(exc)) from None
    try:  # bounded like an inventory: a configuration is read and parsed the same way
        text = read_bounded(path, limit).decode("utf-8")
    except TooLarge as exc:
        raise UsageError(f"{path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start:,}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the configuration ({exc.strerror or exc})") from None
    if path.suffix == ".toml":
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(f"{path}: invalid TOML: {exc}") from None
        except RecursionError:  # tomllib parses nested arrays recursively
            raise UsageError(f"{path}: {_TOO_DEEP}") from None
        # What tomllib parses may still be too deep for the jsonschema check of `vendors`
        # (its messages repr the value): the YAML loader's nesting limit applies to TOML too.
        if _deeper_than(data, MAX_DEPTH):
            raise UsageError(f"{path}: {_TOO_DEEP}")
        if path.name == "pyproject.toml":
            tool = data.get("tool", {})
            if not isinstance(tool, dict) or "privlint" not in tool:
                return None
            data = tool["privlint"]
            if not isinstance(data, dict):  # `privlint = 3` under [tool], or [[tool.privlint]]
                raise UsageError(f"{path}: [tool.privlint] must be a table of settings")
        if _more_values_than(data, MAX_VALUES):  # privlint's settings: other tools' are theirs
            raise UsageError(f"{path}: {_TOO_MANY}")
        _check_lengths(data, path)
        return data
    from .loader import TooManyValues, YamlError, load as load_yaml

    try:
        data = load_yaml(str(path), text, max_values=MAX_VALUES).data
    except TooManyValues as exc:
        raise UsageError(f"{path}:{exc.line}:{exc.column}: {_TOO_MANY}") from None
    except YamlError as exc:
        raise UsageError(f"{path}:{exc.line}:{exc.column}: {exc.message}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"{path}: the configuration must be a mapping of settings")
    _check_lengths(data, path)  # the YAML loader caps them already: the same rule, said once
    return data


def _check_lengths(data: dict, path: Path) -> None:
    """Every key and string of the settings holds at most loader.MAX_SCALAR_CHARACTERS, as in
    an inventory. tomllib has no such cap: a 4 MB vendor name in pyproject.toml was formatted
    into every finding about the vendor, and a 20,000-recipient check ran past 30 s."""
    from .loader import MAX_SCALAR_CHARACTERS
    from .schema import dotted

    pending: list[tuple[Any, tuple]] = [(data, ())]
    while pending:  # at most MAX_VALUES values, nested at most MAX_DEPTH deep (checked before)
        item, where = pending.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if isinstance(key, str) and len(key) > MAX_SCALAR_CHARACTERS:
                    raise UsageError(
                        f"{path}: {dotted(where) or 'the configuration'} has a key of {len(key):,} characters; "
                        f"a key in a configuration has at most {MAX_SCALAR_CHARACTERS:,}: shorten it"
                    )
                pending.append((value, (*where, key)))
        elif isinstance(item, list):
            pending.extend((value, (*where, index)) for index, value in enumerate(item))
        elif isinstance(item, str) and len(item) > MAX_SCALAR_CHARACTERS:
            raise UsageError(
                f"{path}: {dotted(where)}: a value of {len(item):,} characters; a value in a "
                f"configuration has at most {MAX_SCALAR_CHARACTERS:,}: shorten it"
            )


_TOO_DEEP = f"the configuration is nested more than {MAX_DEPTH} levels deep; it needs only a few"

# A configuration holds a few settings and perhaps a vendor catalog of some thousand values.
# The inventory's limits let a 10 MB one hold millions: 4.9 million vendor aliases took 24 s
# and 4.9 million `select` entries 7 s, before anything was checked.
MAX_VALUES = 100_000
_TOO_MANY = (
    f"the configuration holds more than {MAX_VALUES:,} values (keys, values and list items); "
    "a configuration needs far fewer: move what it lists into the inventory"
)


def _more_values_than(value: Any, limit: int) -> bool:
    """Whether `value` holds more than `limit` values (keys, scalars, lists and tables),
    counted without recursion, and no further than the limit."""
    pending, count = [value], 0
    while pending:
        item = pending.pop()
        count += 1
        if count > limit:
            return True
        if isinstance(item, dict):
            count += len(item)  # the keys
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and tables nest more than `limit` levels in `value` (walked without
    recursion: the point is to spare the recursive walks that follow)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            pending.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def _parse(raw: dict[str, Any], path: Path) -> Config:
    for key in raw:
        if key not in KEYS:
            close = difflib.get_close_matches(str(key), KEYS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise UsageError(f"{path}: unknown configuration key '{key}'{hint}; known keys: {', '.join(KEYS)}")
    config = Config(path=str(path))
    config.inventories = _strings(raw, "inventories", path)
    config.select = _strings(raw, "select", path)
    config.ignore = _strings(raw, "ignore", path)
    if "recursive" in raw:
        if not isinstance(raw["recursive"], bool):
            raise UsageError(f"{path}: 'recursive' must be true or false")
        config.recursive = raw["recursive"]
    if "fail-on" in raw:
        if raw["fail-on"] not in FAIL_ON:
            raise UsageError(f"{path}: 'fail-on' must be one of {', '.join(FAIL_ON)}")
        config.fail_on = raw["fail-on"]
    if "baseline" in raw:
        if not isinstance(raw["baseline"], str):
            raise UsageError(f"{path}: 'baseline' must be a file path")
        config.baseline = str((path.parent / raw["baseline"]))
    config.severity = _severities(raw.get("severity", {}), path)
    config.vendors = _vendors(raw.get("vendors", {}), path)
    if config.inventories:
        # Each entry once, before any is resolved: 500,000 copies of one entry were each
        # stat()ed and resolved (23 s) before the inventories were deduplicated.
        config.inventories = [str(path.parent / item) for item in dict.fromkeys(config.inventories)]
    return config


def _strings(raw: dict, key: str, path: Path) -> list[str]:
    value = raw.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise UsageError(f"{path}: '{key}' must be a list of strings")
    return value


def _severities(value: Any, path: Path) -> dict[str, str]:
    from .registry import lookup
    from .schema import got

    if not isinstance(value, dict):
        raise UsageError(f"{path}: 'severity' must map rules to error, warning or info")
    severities = {}
    for name, severity in value.items():
        rule = lookup(str(name))
        if rule is None:
            raise UsageError(f"{path}: 'severity' names unknown rule '{name}'")
        if severity not in SEVERITIES:
            raise UsageError(f"{path}: severity of {name} must be error, warning or info; got {got(severity)}")
        severities[rule.id] = severity
    return severities


def _vendors(value: Any, path: Path) -> dict[str, dict]:
    from .schema import first_problem

    # Checked as the inventory's `vendors:` is, with the same validator: plain jsonschema read
    # `pattern` as Python does, and accepted country: "DE\n" that the inventory refuses.
    problem = first_problem("vendors", value)
    if problem is not None:
        raise UsageError(f"{path}: {problem}")
    return value
