"""The country codes an inventory may use, for tests that need many distinct origins."""

from __future__ import annotations

import re
from functools import cache
from string import ascii_uppercase


@cache
def country_codes() -> tuple[str, ...]:
    """Every two-letter code the inventory schema accepts as a country, in order."""
    from privlint.lint import schema

    pattern = re.compile(schema.schema()["$defs"]["country"]["pattern"])
    return tuple(a + b for a in ascii_uppercase for b in ascii_uppercase if pattern.fullmatch(a + b))


def outside_the_legal_areas() -> list[str]:
    """Country codes of no EEA state and not the UK (nor read as one): each an origin of its
    own, outside the legal areas."""
    from privlint.lint import reference

    eea = reference.eea_members()
    return [code for code in country_codes() if code not in eea and code not in ("GB", "UK", "EL")]
