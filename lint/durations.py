"""ISO 8601 durations (P2Y, P18M, P90D, PT12H) compared by length."""

from __future__ import annotations

import math
import re

_DURATION = re.compile(
    r"^P(?:(?P<Y>\d+)Y)?(?:(?P<M>\d+)M)?(?:(?P<W>\d+)W)?(?:(?P<D>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$"
)
_DAYS_PER_YEAR = 365.2425  # Gregorian mean, so P1Y == P12M
_DAYS = {"Y": _DAYS_PER_YEAR, "M": _DAYS_PER_YEAR / 12, "W": 7, "D": 1, "h": 1 / 24, "m": 1 / 1440, "s": 1 / 86400}


def days(duration: str) -> float | None:
    """Length in days, or None when `duration` is not an ISO 8601 duration."""
    match = _DURATION.match(duration or "")
    if not match or duration in ("P", "PT"):
        return None
    values = {unit: value for unit, value in match.groupdict().items() if value}
    if any(len(value.lstrip("0")) > _MAX_DIGITS for value in values.values()):
        return math.inf  # longer than any retention worth comparing (and than a float holds)
    return sum(_DAYS[unit] * int(value) for unit, value in values.items())


_MAX_DIGITS = 15
