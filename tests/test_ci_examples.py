"""The CI examples in docs/ci/ (and the README) stay true without GitHub or GitLab: they are
valid YAML of the right shape, and every privlint command they run is run here, against a
clean and a failing change, in a real git clone with an `origin` like CI checkouts have."""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from .conftest import ROOT

GITHUB = ROOT / "docs/ci/github-actions.yml"
GITLAB = ROOT / "docs/ci/gitlab-ci.yml"
REFERENCE = ROOT / "inventories/reference/inventory.yaml"  # clean
UNDISCLOSED = """\
  - id: helpdesk
    name: Deskly Inc.
    country: US
    category: customer_support
    role: processor
"""
UNDISCLOSED_FLOW = """\
  - from: storefront
    to: helpdesk
    data_categories: [user.contact.email]
    purposes: [essential.service.operations.support]
    origins: [US]
"""
# What the CI services would put in the environment of the commands.
CI_ENV = {"BASE_REF": "main", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_PIPELINE_SOURCE": "merge_request_event"}


def load(path):
    return YAML(typ="safe").load(path.read_text())


def github_commands():
    workflow = load(GITHUB)
    return [line for job in workflow["jobs"].values() for step in job["steps"] if "run" in step
            for line in step["run"].splitlines()]


def gitlab_commands():
    config = load(GITLAB)
    return [line for job in config.values() if isinstance(job, dict) and "script" in job for line in job["script"]]


def privlint_commands(lines):
    return [line.strip() for line in lines if line.strip().startswith("privlint ")]


def test_github_workflow_shape():
    workflow = load(GITHUB)
    assert set(workflow["on"]) == {"push", "pull_request"}
    check, diff = workflow["jobs"]["check"], workflow["jobs"]["diff"]
    assert check["permissions"]["security-events"] == "write"
    assert diff["permissions"]["pull-requests"] == "write"
    assert diff["if"] == "github.event_name == 'pull_request'"
    for job in (check, diff):
        assert job["runs-on"] and all(("uses" in step) != ("run" in step) for step in job["steps"])
    upload = next(step for step in check["steps"] if step.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    sarif = next(line for line in privlint_commands(github_commands()) if "--format sarif" in line)
    assert f"--output {upload['with']['sarif_file']}" in sarif
    checkout = next(step for step in diff["steps"] if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # diff needs the base branch
    comment = next(step for step in diff["steps"] if "gh pr comment" in step.get("run", ""))
    diff_line = next(line for line in privlint_commands(github_commands()) if line.startswith("privlint diff"))
    assert "--format markdown" in diff_line and "--body-file privlint-diff.md" in comment["run"]
    assert "--output privlint-diff.md" in diff_line


def test_gitlab_job_shape():
    config = load(GITLAB)
    job = config["privlint"]
    junit = next(line for line in job["script"] if line.startswith("privlint check"))
    assert "--format junit" in junit and f"--output {job['artifacts']['reports']['junit']}" in junit
    assert job["artifacts"]["when"] == "always"
    assert config["privlint-diff"]["variables"]["GIT_DEPTH"] == 0


def test_privlint_commands_use_no_ci_expressions():
    for line in privlint_commands(github_commands() + gitlab_commands()):
        assert "${{" not in line, "pass CI expressions through env:, so the command runs anywhere"


@pytest.fixture
def clone(tmp_path):
    """A repository with a clean inventory on main, cloned as CI checks it out."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}

    def git(cwd, *args):
        subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)

    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    shutil.copy(REFERENCE, origin / "inventory.yaml")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "inventory")
    git(tmp_path, "clone", "-q", str(origin), "work")
    return tmp_path / "work"


def run_line(line, cwd):
    """One command line as the CI shell runs it: variables expanded, privlint on PATH."""
    assert shutil.which("bash"), "bash runs the CI lines"
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, **CI_ENV, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    return subprocess.run(["bash", "-c", line], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


ALL_COMMANDS = privlint_commands(github_commands()) + privlint_commands(gitlab_commands())


def test_every_privlint_command_is_exercised():
    assert len(ALL_COMMANDS) == 5
    assert {shlex.split(line)[1] for line in ALL_COMMANDS} == {"check", "diff"}


@pytest.mark.parametrize("line", ALL_COMMANDS)
def test_ci_commands_pass_on_a_clean_change(clone, line):
    result = run_line(line, clone)
    assert result.returncode == 0, f"{line}\n{result.stdout}{result.stderr}"
    for output in re.findall(r"--output (\S+)", line):
        assert (clone / output).stat().st_size > 0


@pytest.mark.parametrize("line", ALL_COMMANDS)
def test_ci_commands_on_a_change_that_adds_an_undisclosed_recipient(clone, line):
    path = clone / "inventory.yaml"
    text = path.read_text().replace("recipients:\n  - id: stripe", "recipients:\n" + UNDISCLOSED + "  - id: stripe")
    path.write_text(text.replace("flows:\n", "flows:\n" + UNDISCLOSED_FLOW, 1))
    result = run_line(line, clone)
    assert "Traceback" not in result.stderr and result.stderr == "", result.stderr
    outputs = re.findall(r"--output (\S+)", line)
    report = (clone / outputs[0]).read_text() if outputs else result.stdout
    if "--format sarif" in line:  # --fail-on never: uploads whatever it finds
        assert result.returncode == 0
        assert [r["ruleId"] for r in json.loads(report)["runs"][0]["results"]] == ["PL101"]
        return
    assert result.returncode == 1, line
    if "--format github" in line:
        assert report.startswith("::error file=inventory.yaml,line=")
    elif "--format junit" in line:
        assert 'failures="1"' in report and "PL101 undisclosed-recipient" in report
    elif "--format markdown" in line:
        assert "+ recipient:helpdesk" in report and "PL101 undisclosed-recipient" in report


def test_readme_shows_the_shipped_examples():
    readme = (ROOT / "README.md").read_text()
    for path in (GITHUB, GITLAB):
        assert str(path.relative_to(ROOT)) in readme
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.S)
    readme_commands = {line.strip().lstrip("- ") for block in blocks for line in block.splitlines()
                       if "privlint " in line and ("run:" in line or line.strip().startswith("- privlint"))}
    readme_commands = {line.split("run: ", 1)[-1] for line in readme_commands}
    assert readme_commands and readme_commands <= set(ALL_COMMANDS)
