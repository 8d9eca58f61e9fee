import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from privlint.lint import discover, engine

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 1)


def lint(path, as_of=AS_OF, rules=None):
    """All findings for one inventory path (file or directory), as the CLI would compute them."""
    findings = []
    for target in discover.targets([str(path)]):
        context = engine.load_context(target.name, list(target.files), as_of)
        findings.extend(engine.run(context, rules))
    return findings


def triples(findings):
    """(rule, entity, line) of the findings that are not suppressed."""
    return sorted((f.rule, f.entity, f.line) for f in findings if not f.suppressed)


def run_cli(*args, cwd=None, env=None):
    """Run the real `privlint` console script in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    exe = Path(sys.executable).with_name("privlint")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=cwd, env=full_env, timeout=120)


@pytest.fixture
def cli():
    return run_cli
