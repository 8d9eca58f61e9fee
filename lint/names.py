"""Recipient identity: does a name written in a privacy policy denote a declared recipient?

SPEC §1: after case-folding and removing punctuation and corporate suffixes, a policy name
matches a recipient's name, an alias, or its catalog entry's name, aliases or legal entity.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

CORPORATE_SUFFIXES = frozenset(
    "inc incorporated llc ltd limited corp corporation co company plc gmbh ag sa sas sarl "
    "srl spa bv nv ab as asa oy oyj kk pty pte lp llp se sl sro kft".split()
)
MAX_NAME_LENGTH = 1_000
_JOINING = re.compile(r"[.'’‐-]")  # inside a word: 'Data-Corp' is one name, not 'Data' + suffix 'Corp'
_PUNCTUATION = re.compile(r"[^\w\s]|_")


@lru_cache(maxsize=8192)  # recipients often share names, and vendors aliases
def normalize(name: str) -> str:
    """'HubSpot, Inc.' -> 'hubspot'; 'Paypal' and 'PayPal' -> 'paypal'."""
    if len(name) > MAX_NAME_LENGTH:  # not a name: compatibility decomposition can grow it 18x
        return name.casefold()
    folded = _decompose(name)
    # Accents go. Decomposing and case-folding map each character on its own, so the marks of
    # the (up to 18 times longer) result are among those of the name's distinct characters.
    marks = [ch for ch in _decompose("".join(set(name))) if unicodedata.combining(ch)]
    if marks:
        folded = folded.translate(dict.fromkeys(map(ord, marks)))
    words = _PUNCTUATION.sub(" ", _JOINING.sub("", folded)).split()
    while len(words) > 1 and words[-1] in CORPORATE_SUFFIXES:
        words.pop()
    return "".join(words)


def _decompose(text: str) -> str:
    return unicodedata.normalize("NFKD", text).casefold()


def identities(name: str, aliases=(), legal_entity: str | None = None) -> frozenset[str]:
    """What a recipient or vendor answers to, normalized: its name, aliases and legal entity
    (each distinct one normalized once: a list may repeat an alias thousands of times)."""
    names = dict.fromkeys((name, *aliases, *([legal_entity] if legal_entity else ())))
    return frozenset(filter(None, map(normalize, names)))
