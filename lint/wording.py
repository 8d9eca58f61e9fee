"""Messages that stay readable (and small) however long the lists they report."""

from __future__ import annotations

import functools
import hashlib
import re

# A message names at most this many items of a list, then counts the rest.
LISTED = 10
# A finding's message is at most this long (the longest rules write are under 800
# characters), and an id shown in an entity name at most ID_SHOWN characters. A name of a
# million characters, aliased into 5,000 flows, made a 1 MB file's report 5 GB.
MESSAGE_MAX = 1_000
ID_SHOWN = 100


def capped(items, more: str) -> list[str]:
    """The first LISTED of `items`, then 'and N more <more>' for the rest."""
    items = list(items)
    if len(items) <= LISTED:
        return items
    return items[:LISTED] + [f"and {len(items) - LISTED:,} more {more}"]


def bounded(message: str) -> str:
    """The message, or its start and end with the middle left out if over MESSAGE_MAX."""
    if len(message) <= MESSAGE_MAX:
        return message
    head, tail = message[: MESSAGE_MAX * 3 // 5], message[-(MESSAGE_MAX // 4):]
    return f"{head} …({len(message) - len(head) - len(tail):,} characters left out)… {tail}"


def shown_id(identifier: str) -> str:
    """An id as entity names show it: a long one by its start and a digest of the whole, so
    distinct ids stay distinct (suppressions, baselines and reports match by entity name)."""
    if len(identifier) <= ID_SHOWN:
        return identifier
    return _abridged_id(identifier)


@functools.lru_cache(maxsize=256)  # an id is named in every finding about it
def _abridged_id(identifier: str) -> str:
    digest = hashlib.sha256(identifier.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{identifier[: ID_SHOWN - 20]}…{digest}"


# C0 and C1 control characters, DEL, the line and paragraph separators and the bidirectional
# controls. A terminal obeys control characters (ESC sequences set the window title or clear
# the screen); a newline starts what reads as another finding (so do U+2028 and U+2029 for
# Python's splitlines, for JavaScript and for editors); a right-to-left override shows a
# finding's text in another order than it has ("Trojan Source"). Text that comes from an
# inventory or a file name must not reach a terminal, a log or a page raw. So must not the
# characters that show as nothing (zero width space, word joiner, a byte order mark inside
# the text): a key `\u200bprivlint` read "unknown field 'privlint' (did you mean
# 'privlint'?)". The zero width (non-)joiners, which some scripts' words need, are kept.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def visible(text: str, keep: str = "") -> str:
    """`text` with each control character but those in `keep` shown as its escape (`\\x1b`,
    `\\n`): for the text report, stderr, GitHub annotations and HTML (JSON, SARIF and JUnit
    encode them already)."""
    if not _CONTROL.search(text):  # the usual case, at the cost of one scan
        return text
    return _CONTROL.sub(
        lambda match: match[0] if match[0] in keep else match[0].encode("unicode_escape").decode("ascii"), text
    )
