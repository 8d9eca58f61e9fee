"""privlint: a compliance linter for data inventories."""

__version__ = "0.1.0"
