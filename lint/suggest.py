"""'Did you mean …?' for names that refer to nothing."""

from __future__ import annotations

import difflib


def did_you_mean(wrong: str, candidates) -> str:
    close = difflib.get_close_matches(wrong, sorted(candidates), n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""
