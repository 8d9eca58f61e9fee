"""ISO 8601 durations (P2Y, P18M, P90D, PT12H) compared by length."""

from __future__ import annotations

import math
import re

_DURATION = re.compile(
    r"^P(?:(?P<Y>\d+)Y)?(?:(?P<M>\d+)M)?(?:(?P<W>\d+)W)?(?:(?P<D>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?\Z",
    re.ASCII,
)
# Seconds per unit, all whole numbers, so lengths compare exactly: a year is the Gregorian
# mean of 365.2425 days (P1Y == P12M), a month a twelfth of it. In days, as floats, PT60M
# came out longer than PT1H and P547DT20H43M48S longer than P18M.
_SECONDS = {"Y": 31_556_952, "M": 2_629_746, "W": 604_800, "D": 86_400, "h": 3_600, "m": 60, "s": 1}


def seconds(duration: str) -> int | float | None:
    """Length in seconds (exact), or None when `duration` is not an ISO 8601 duration."""
    match = _DURATION.match(duration or "")
    if not match or duration in ("P", "PT"):
        return None
    values = {unit: value for unit, value in match.groupdict().items() if value}
    if any(len(value.lstrip("0")) > _MAX_DIGITS for value in values.values()):
        return math.inf  # longer than any retention worth comparing (an int of 10,000 digits is slow to read)
    return sum(_SECONDS[unit] * int(value) for unit, value in values.items())


_MAX_DIGITS = 100
