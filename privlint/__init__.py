"""privlint: a compliance linter for data inventories."""

import os as _os

__version__ = "0.1.0"

# A source checkout keeps the engine, the rules and the data in top-level folders (lint/,
# rules/, data/) that the build installs under this package (pyproject.toml,
# [tool.setuptools.package-dir]). When this file is imported from the checkout itself — as
# `python -m pytest` in the repository root does, since it puts the checkout first on sys.path
# — map them the same way, so that `privlint.lint` resolves instead of shadowing the installed
# copy with an incomplete package. An installed copy has no such folders beside it.
_checkout = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
if _os.path.isfile(_os.path.join(_checkout, "pyproject.toml")) and _os.path.isfile(
    _os.path.join(_checkout, "lint", "cli.py")
):
    __path__.append(_checkout)
del _checkout
