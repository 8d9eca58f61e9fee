"""External programs that some tests drive for real (graphviz `dot`, headless Chromium,
mermaid.js).

They are not Python dependencies of privlint, so `pip install ".[test]"` cannot bring them.
When one is missing, `ensure_program` installs its Debian package with apt-get (the test
machines are Debian and the tests run as root); a test is skipped only when installing is
impossible (not root, no apt-get, no network, no such package). mermaid.js comes from npm's
registry the same way (`npm pack`, kept in a cache outside the test's temporary directory), and
so do the wheels that the real pre-commit installs the hook from (`pip wheel`, same cache).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest

APT_TIMEOUT = 1200  # seconds; Chromium is a large download


def _which(names: tuple[str, ...]) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def ensure_program(names: tuple[str, ...], package: str) -> str:
    """The path of the first of `names` on PATH, installing Debian `package` if none is."""
    found = _which(names)
    if found:
        return found
    if not shutil.which("apt-get"):
        pytest.skip(f"{names[0]} is not installed and there is no apt-get to install {package}")
    if os.geteuid() != 0:
        pytest.skip(f"{names[0]} is not installed and installing {package} needs root")
    lock_path = Path(tempfile.gettempdir()) / "privlint-tests-apt.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one apt-get at a time, even across test processes
        found = _which(names)
        if found:
            return found
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "--no-install-recommends", package]
        log = []
        for command in (install, ["apt-get", "update"], install):
            try:
                result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=APT_TIMEOUT)
            except (OSError, subprocess.TimeoutExpired) as exc:
                log.append(f"{' '.join(command)}: {exc}")
                continue
            log.append(f"{' '.join(command)}: exit {result.returncode}\n{result.stderr[-2000:]}")
            if command is install and result.returncode == 0 and _which(names):
                break
    found = _which(names)
    if not found:
        pytest.skip(f"could not install {package} for {names[0]}:\n" + "\n".join(log))
    return found


def dot() -> str:
    return ensure_program(("dot",), "graphviz")


def chromium() -> str:
    return ensure_program(("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"), "chromium")


MERMAID_VERSION = "11.17.2"


def mermaid_js() -> Path:
    """mermaid's self-contained dist/mermaid.min.js: PRIVLINT_MERMAID_JS when set, else the npm
    package, fetched once with `npm pack` into a cache shared by test runs."""
    if os.environ.get("PRIVLINT_MERMAID_JS"):
        return Path(os.environ["PRIVLINT_MERMAID_JS"])
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "privlint-tests" / f"mermaid-{MERMAID_VERSION}"
    script = cache / "package" / "dist" / "mermaid.min.js"
    if script.exists():
        return script
    npm = ensure_program(("npm",), "npm")
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one download at a time, even across test processes
        if not script.exists():
            try:
                packed = subprocess.run(
                    [npm, "pack", f"mermaid@{MERMAID_VERSION}", "--pack-destination", str(cache), "--silent"],
                    capture_output=True, text=True, timeout=APT_TIMEOUT,
                )
                if packed.returncode == 0:
                    subprocess.run(["tar", "-xzf", str(cache / f"mermaid-{MERMAID_VERSION}.tgz"), "-C", str(cache),
                                    "package/dist/mermaid.min.js"], capture_output=True, timeout=300)
            except (OSError, subprocess.TimeoutExpired) as exc:
                pytest.skip(f"could not fetch mermaid@{MERMAID_VERSION} with npm: {exc}")
    if not script.exists():
        pytest.skip(f"could not fetch mermaid@{MERMAID_VERSION} with npm (no network or registry?)")
    return script


def python_calls(function) -> int:
    """How many Python function calls `function()` makes: a machine-independent measure of work
    (deterministic, unlike time), that counts whatever functions the code under test uses."""
    calls = [0]

    def profile(frame, event, arg):
        if event == "call":
            calls[0] += 1

    sys.setprofile(profile)
    try:
        function()
    finally:
        sys.setprofile(None)
    return calls[0]


def _cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "privlint-tests"


def hook_wheelhouse(pyproject: Path) -> Path:
    """A folder of wheels of all that `pip install .` of the project at `pyproject` needs
    besides the project itself: its build backend and its runtime dependencies, with theirs.
    Built once with `pip wheel` (from the package index) into a cache shared by test runs, keyed
    on those requirements and this Python, so that pre-commit can install the hook with
    `PIP_NO_INDEX` and `PIP_FIND_LINKS` pointing here: offline, and without asking the index
    about each dependency on every run. A changed dependency list makes a new wheelhouse."""
    project = tomllib.loads(pyproject.read_text())
    requirements = [*project["build-system"]["requires"], *project["project"]["dependencies"]]
    key = json.dumps([requirements, sys.implementation.cache_tag, platform.machine()])
    cache = _cache_root() / f"wheels-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    complete = cache / ".complete"
    if complete.exists():
        return cache
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time, even across test processes
        if not complete.exists():
            for old in cache.glob("*.whl"):  # a build that was interrupted
                old.unlink()
            command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", str(cache), *requirements]
            try:
                built = subprocess.run(command, capture_output=True, text=True, timeout=APT_TIMEOUT)
            except (OSError, subprocess.TimeoutExpired) as exc:
                pytest.skip(f"could not build the wheels pre-commit installs privlint from ({', '.join(requirements)}): {exc}")
            if built.returncode != 0:
                pytest.skip(f"could not build the wheels pre-commit installs privlint from ({', '.join(requirements)}) "
                            f"with `pip wheel` (no network or package index?):\n{built.stderr[-3000:]}")
            complete.write_text("\n".join(requirements) + "\n")
    return cache
