"""Messages that stay readable (and small) however long the lists they report."""

from __future__ import annotations

# A message names at most this many items of a list, then counts the rest.
LISTED = 10


def capped(items, more: str) -> list[str]:
    """The first LISTED of `items`, then 'and N more <more>' for the rest."""
    items = list(items)
    if len(items) <= LISTED:
        return items
    return items[:LISTED] + [f"and {len(items) - LISTED:,} more {more}"]
