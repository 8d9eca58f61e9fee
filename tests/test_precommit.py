"""privlint as a pre-commit hook: `privlint check --changed-files` maps the files pre-commit
passes to the inventories they belong to (lint/discover.py `changed_targets`), and the hook
works end to end under the real `pre-commit`."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from . import tools
from .conftest import ROOT

REFERENCE = ROOT / "inventories/reference/inventory.yaml"  # clean
SALE = ROOT / "tests/rules/PL301_sale-claim-conflict/fail.yaml"  # PL301 at lines 28 and 32
WORKFLOW = "on: push\njobs:\n  check:\n    runs-on: ubuntu-latest\n    steps: [{run: make}]\n"
PRECOMMIT_CONFIG = "repos:\n  - repo: local\n    hooks: []\n"
AS_OF = ("--as-of", "2026-11-01")


def split_reference(directory):
    """The clean reference inventory as a directory inventory: main.yaml + flows.yaml."""
    directory.mkdir(parents=True, exist_ok=True)
    head, flows = REFERENCE.read_text().split("\nflows:\n")
    (directory / "main.yaml").write_text(head)
    (directory / "flows.yaml").write_text("flows:\n" + flows)


def changed(cli, cwd, *files, expect=None):
    result = cli("check", "--changed-files", "--format", "json", *AS_OF, *files, cwd=cwd)
    assert "Traceback" not in result.stderr
    if expect is not None:
        assert result.returncode == expect, result.stdout + result.stderr
    return result


def checked(cli, cwd, *files):
    """The text summary line: how many inventories the changed files selected."""
    return cli("check", "--changed-files", *AS_OF, *files, cwd=cwd).stdout.splitlines()[-1]


@pytest.fixture
def project(tmp_path):
    """A repository root holding a single-file inventory next to unrelated YAML files."""
    shutil.copy(SALE, tmp_path / "inventory.yaml")
    (tmp_path / ".pre-commit-config.yaml").write_text(PRECOMMIT_CONFIG)
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/workflows/ci.yml").write_text(WORKFLOW)
    (tmp_path / "docker-compose.yml").write_text("services: {db: {image: postgres}}\n")
    return tmp_path


def test_unrelated_yaml_files_are_skipped(cli, project):
    result = changed(cli, project, ".pre-commit-config.yaml", ".github/workflows/ci.yml", "docker-compose.yml",
                     "README.md", expect=0)
    assert json.loads(result.stdout)["findings"] == []
    assert checked(cli, project, ".github/workflows/ci.yml") == "No findings (0 inventories checked)."


def test_inventory_file_among_unrelated_files_is_linted_alone(cli, project):
    result = changed(cli, project, ".pre-commit-config.yaml", "inventory.yaml", "docker-compose.yml", expect=1)
    findings = json.loads(result.stdout)["findings"]
    assert {(f["rule"], f["path"]) for f in findings} == {("PL301", "inventory.yaml")}
    assert checked(cli, project, "inventory.yaml", "docker-compose.yml").endswith("(1 inventory checked).")


def test_without_changed_files_an_explicit_file_is_still_one_inventory(cli, project):
    result = cli("check", "--format", "json", ".pre-commit-config.yaml", cwd=project)
    assert result.returncode == 1
    assert {f["rule"] for f in json.loads(result.stdout)["findings"]} == {"PL001"}


def test_one_changed_file_of_a_directory_inventory_lints_the_whole_inventory_once(cli, tmp_path):
    split_reference(tmp_path / "privacy")
    assert checked(cli, tmp_path, "privacy/flows.yaml") == "No findings (1 inventory checked)."
    assert checked(cli, tmp_path, "privacy/flows.yaml", "privacy/main.yaml") == "No findings (1 inventory checked)."
    # a finding caused in one file is reported when only the other one changed
    flows = tmp_path / "privacy/flows.yaml"
    flows.write_text(flows.read_text().replace("to: hubspot", "to: hubspott", 1))
    result = changed(cli, tmp_path, "privacy/main.yaml", expect=1)
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["rule"], finding["path"]) == ("PL002", "privacy/flows.yaml")


def test_deleted_file_of_a_directory_inventory_lints_what_remains(cli, tmp_path):
    split_reference(tmp_path / "privacy")
    (tmp_path / "privacy/extra.yaml").write_text("systems: []\n")
    (tmp_path / "privacy/extra.yaml").unlink()
    assert checked(cli, tmp_path, "privacy/extra.yaml") == "No findings (1 inventory checked)."


def test_batches_each_lint_their_inventories(cli, tmp_path):
    """pre-commit may split the file list into several runs: each run is complete on its own."""
    split_reference(tmp_path / "a")
    shutil.copy(SALE, tmp_path / "b.yaml")
    first = changed(cli, tmp_path, "a/main.yaml", "b.yaml", expect=1)
    second = changed(cli, tmp_path, "a/flows.yaml", expect=0)
    assert {f["path"] for f in json.loads(first.stdout)["findings"]} == {"b.yaml"}
    assert json.loads(second.stdout)["findings"] == []


def test_unparseable_file_in_an_inventory_directory_is_reported(cli, project):
    (project / "notes.yaml").write_text("key: [unclosed\n")
    result = changed(cli, project, "notes.yaml", expect=1)
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["rule"], finding["path"], finding["line"]) == ("PL000", "notes.yaml", 1)  # the last line, not the one after it


def test_an_unparseable_hidden_file_beside_an_inventory_is_skipped(cli, project):
    """A broken `.pre-commit-config.yaml` next to an inventory was linted alone (PL000, exit
    1): hidden files are tools' settings, as in a directory inventory."""
    (project / ".pre-commit-config.yaml").write_text("repos: [\n")
    changed(cli, project, ".pre-commit-config.yaml", expect=0)
    assert checked(cli, project, ".pre-commit-config.yaml") == "No findings (0 inventories checked)."


def test_unparseable_yaml_outside_inventories_is_skipped(cli, tmp_path):
    (tmp_path / "broken.yml").write_text("key: [unclosed\n")
    changed(cli, tmp_path, "broken.yml", expect=0)


def test_unparseable_inventory_is_reported_even_alone(cli, tmp_path):
    (tmp_path / "inventory.yaml").write_text("privlint: 1\norganization: {name: [x\n")
    result = changed(cli, tmp_path, "inventory.yaml", expect=1)
    assert {f["rule"] for f in json.loads(result.stdout)["findings"]} == {"PL000"}


def test_configured_inventories_decide_what_a_changed_file_belongs_to(cli, tmp_path):
    split_reference(tmp_path / "inventories/shop")
    shutil.copy(SALE, tmp_path / "inventories/shop/sale.yaml")  # part of the shop directory inventory
    (tmp_path / "examples").mkdir()
    shutil.copy(SALE, tmp_path / "examples/sale.yaml")  # an inventory, but not a configured one
    (tmp_path / ".privlint.yaml").write_text("inventories: [inventories/]\nrecursive: true\n")
    assert checked(cli, tmp_path, "examples/sale.yaml", ".privlint.yaml") == "No findings (0 inventories checked)."
    result = changed(cli, tmp_path, "inventories/shop/flows.yaml", "examples/sale.yaml", expect=1)
    assert {f["path"] for f in json.loads(result.stdout)["findings"]} <= {
        f"inventories/shop/{name}" for name in ("main.yaml", "flows.yaml", "sale.yaml")}


def test_changed_files_rule_unit():
    """The rule as a function, on the repository's own files."""
    from privlint.lint.discover import changed_targets

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        found = changed_targets([
            ".pre-commit-hooks.yaml",                                   # not an inventory: skipped
            "pyproject.toml",                                           # not YAML: skipped
            "inventories/calisone/inventory.yaml",                      # single-file inventory
            "tests/rules/PL003_duplicate-id/fail-across-files/main.yaml",  # directory inventory
            "tests/rules/PL003_duplicate-id/fail-across-files/vendors.yaml",
            "tests/rules/PL003_duplicate-id/expected.yaml",             # a test expectation: skipped
        ])
    finally:
        os.chdir(cwd)
    assert [target.name for target in found] == [
        "inventories/calisone/inventory.yaml", "tests/rules/PL003_duplicate-id/fail-across-files"]


# -- the real pre-commit -----------------------------------------------------------------

HOOK_SOURCES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "privlint", "lint", "rules", "data")


def git(cwd, *args, env=None, check=True):
    env = {**os.environ, **(env or {}), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=check, capture_output=True, text=True)


def pre_commit_env(home, wheelhouse=None):
    """pre-commit's home in a temporary directory (its lock, database and hook environments);
    with a wheelhouse, the pip that installs the hook takes every wheel from it, and asks no index."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never",
           "VIRTUALENV_NO_PERIODIC_UPDATE": "1"}
    env.pop("VIRTUAL_ENV", None)
    if wheelhouse is not None:
        env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheelhouse))
    return env


def pre_commit(*args, cwd, env):
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=900)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    """This working tree's hook, committed in a scratch repository (pre-commit clones a hook
    repository at a commit, and the working tree may hold uncommitted or untracked work), and
    the wheels its dependencies install from."""
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None:
        pytest.skip("pre-commit needs git")
    wheelhouse = tools.hook_wheelhouse(ROOT / "pyproject.toml")
    source = tmp_path_factory.mktemp("hook-source")
    for name in HOOK_SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(origin, source / name)
    git(source, "init", "-q")
    git(source, "add", "-A")
    git(source, "commit", "-q", "-m", "hook")
    return source, git(source, "rev-parse", "HEAD").stdout.strip(), wheelhouse


def test_hook_manifest_is_valid(tmp_path):
    pytest.importorskip("pre_commit")
    # pre-commit keeps its lock and database in its home: a temporary one, not the checkout.
    result = pre_commit("validate-manifest", str(ROOT / ".pre-commit-hooks.yaml"), cwd=ROOT,
                        env=pre_commit_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_pre_commit_hook_end_to_end(hook_repo, tmp_path):
    """The hook as a user has it: a `.pre-commit-config.yaml` naming the hook repository at a
    commit, `pre-commit install`, and `git commit`. pre-commit makes the hook's environment
    once (`pip install .` of the hook repository) and runs every later call in it."""
    source, rev, wheelhouse = hook_repo
    env = pre_commit_env(tmp_path / "pre-commit-home", wheelhouse)
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q")
    (work / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {source}\n    rev: {rev}\n    hooks:\n      - id: privlint\n")
    shutil.copy(SALE, work / "inventory.yaml")
    (work / ".github/workflows").mkdir(parents=True)
    (work / ".github/workflows/ci.yml").write_text(WORKFLOW)
    split_reference(work / "privacy")
    git(work, "add", "-A")

    # a bad inventory (and an unrelated workflow file): the hook fails and shows the finding
    bad = pre_commit("run", "privlint", "--files", "inventory.yaml", ".github/workflows/ci.yml", cwd=work, env=env)
    assert "inventory.yaml:28:5: PL301 [error]" in bad.stdout, bad.stdout + bad.stderr
    assert bad.returncode == 1 and "ci.yml" not in bad.stdout.split("Failed")[-1]

    # a clean directory inventory with one changed file: the whole inventory passes
    good = pre_commit("run", "privlint", "--files", "privacy/flows.yaml", ".github/workflows/ci.yml", cwd=work, env=env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout

    # as a git hook: the commit of the bad inventory is refused, the commit without it is made
    installed = pre_commit("install", cwd=work, env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    refused = git(work, "commit", "-m", "bad", env=env, check=False)  # git shows a hook's output on stderr
    assert refused.returncode != 0 and "inventory.yaml:28:5: PL301 [error]" in refused.stderr, refused.stdout + refused.stderr
    assert git(work, "rev-parse", "--verify", "HEAD", check=False).returncode != 0  # nothing was committed
    git(work, "rm", "-qf", "inventory.yaml")
    made = git(work, "commit", "-m", "good", env=env, check=False)
    assert made.returncode == 0 and "privlint...." in made.stderr and "Passed" in made.stderr, made.stdout + made.stderr
    assert git(work, "ls-files").stdout.split() == [
        ".github/workflows/ci.yml", ".pre-commit-config.yaml", "privacy/flows.yaml", "privacy/main.yaml"]

    # --all-files: the clean directory inventory, the workflow and pre-commit's own config
    everything = pre_commit("run", "privlint", "--all-files", "--verbose", cwd=work, env=env)
    assert everything.returncode == 0, everything.stdout + everything.stderr
    assert "No findings (1 inventory checked)." in everything.stdout


def test_directory_arguments_keep_their_meaning_with_recursive(cli, tmp_path):
    split_reference(tmp_path / "inventories/a")
    (tmp_path / "inventories/c").mkdir()
    shutil.copy(SALE, tmp_path / "inventories/c/inventory.yaml")
    assert checked(cli, tmp_path, "--recursive", "inventories").endswith("(2 inventories checked).")
