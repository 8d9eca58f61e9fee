"""Output is byte-identical across runs and PYTHONHASHSEED values, in every output format,
for single-file and multi-file (directory) inventories alike."""

import re
import shutil

import pytest

from .conftest import ROOT

SEEDS = ("0", "1", "4242", "random")
CHECK_FORMATS = ("text", "json", "sarif", "junit", "github", "html")
GRAPH_FORMATS = ("mermaid", "dot", "json")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """The example inventories, plus one of them split into a directory inventory of three
    files (policy / systems / recipients and flows), and a generated mid-size inventory."""
    root = tmp_path_factory.mktemp("determinism")
    shutil.copytree(ROOT / "inventories", root / "inventories")
    text = (ROOT / "inventories" / "calisone" / "inventory.yaml").read_text("utf-8")
    parts = re.split(r"(?m)^(?=systems:|recipients:)", text)
    assert len(parts) == 3, "the example is expected to have top-level systems: and recipients:"
    split = root / "split"
    split.mkdir()
    for name, part in zip(("a-policy.yaml", "b-systems.yaml", "c-recipients-and-flows.yaml"), parts):
        (split / name).write_text(part, encoding="utf-8")
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    (root / "generated.yaml").write_text(generate.generate(60, 400, seed=7), encoding="utf-8")
    return root


def _outputs(cli, args, cwd):
    outputs = {}
    for seed in SEEDS:
        env = {"PYTHONHASHSEED": seed} if seed != "random" else {"PYTHONHASHSEED": "random"}
        result = cli(*args, cwd=cwd, env=env)
        assert result.returncode in (0, 1), result.stderr
        assert "Traceback" not in result.stderr
        outputs[seed] = result.stdout
    return outputs


@pytest.mark.parametrize("output_format", CHECK_FORMATS)
def test_check_output_is_byte_identical(cli, workspace, output_format):
    args = ["check", "--format", output_format, "--as-of", "2026-11-01",
            "--recursive", "inventories", "split", "generated.yaml"]
    outputs = _outputs(cli, args, workspace)
    first = outputs[SEEDS[0]]
    assert first  # something was rendered
    assert all(output == first for output in outputs.values()), [seed for seed, out in outputs.items() if out != first]
    if output_format == "text":
        assert "split/" in first and "generated.yaml" in first  # both inventory kinds were checked


@pytest.mark.parametrize("output_format", GRAPH_FORMATS)
def test_graph_output_is_byte_identical(cli, workspace, output_format):
    outputs = _outputs(cli, ["graph", "--format", output_format, "--as-of", "2026-11-01", "split"], workspace)
    first = outputs[SEEDS[0]]
    assert first
    assert all(output == first for output in outputs.values())


def test_report_order_is_path_line_column_rule_entity_message():
    """Findings that tie on every field but the last are still put in one order, whatever
    order the rules made them in."""
    import itertools
    import random

    from privlint.lint.engine import Finding, in_report_order

    fields = itertools.product(("a.yaml", "b.yaml"), (2, 10), (1, 9), ("PL101", "PL201"), ("x", "y"), ("m", "n"))
    findings = [Finding(rule, "name", "error", message, path, line, column, entity)
                for path, line, column, rule, entity, message in fields]
    expected = sorted(findings, key=lambda f: (f.path, f.line, f.column, f.rule, f.entity, f.message))
    shuffled = findings[:]
    random.Random(7).shuffle(shuffled)
    assert in_report_order(shuffled) == expected
    assert in_report_order(reversed(expected)) == expected


def test_written_baselines_are_byte_identical(cli, workspace, tmp_path):
    written = {}
    for seed in SEEDS:
        baseline = tmp_path / f"baseline-{seed}.json"
        result = cli("check", "--as-of", "2026-11-01", "--write-baseline", str(baseline), "generated.yaml",
                     cwd=workspace, env={"PYTHONHASHSEED": seed})
        assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
        written[seed] = baseline.read_bytes()
    assert written[SEEDS[0]].count(b'"fingerprint"') > 10
    assert len(set(written.values())) == 1


def test_fmt_diff_is_byte_identical(cli, workspace):
    outputs = {seed: cli("fmt", "--diff", "split", "generated.yaml", cwd=workspace, env={"PYTHONHASHSEED": seed})
               for seed in SEEDS}
    assert all("Traceback" not in result.stderr for result in outputs.values())
    assert len({(result.returncode, result.stdout) for result in outputs.values()}) == 1


@pytest.mark.skipif(shutil.which("git") is None, reason="privlint diff needs git")
@pytest.mark.parametrize("output_format", ("text", "markdown", "json"))
def test_diff_output_is_byte_identical(cli, workspace, tmp_path, output_format):
    """`privlint diff` of a real git repository (the real git binary): an inventory changed
    since the last commit (three countries, and a flow that introduces two findings), reported
    the same under every hash seed."""
    import os
    import subprocess

    repo = tmp_path / "repo"
    shutil.copytree(workspace / "inventories" / "calisone", repo)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", *command], cwd=repo, env=env, check=True, capture_output=True)
    inventory = repo / "inventory.yaml"
    changed = inventory.read_text("utf-8").replace("country: US", "country: IN")
    changed += "  - from: storefront\n    to: newco\n    data_categories: [user.contact.email]\n"  # two findings
    inventory.write_text(changed, encoding="utf-8")
    outputs = _outputs(cli, ["diff", "main", "--format", output_format, "--as-of", "2026-11-01"], repo)
    first = outputs[SEEDS[0]]
    assert "storefront" in first and "PL002" in first and "PL105" in first  # changes and introduced findings
    assert all(output == first for output in outputs.values())
