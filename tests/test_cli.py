"""The real `privlint` console script: exit codes, formats, options, and no tracebacks."""

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

PL301 = ROOT / "tests/rules/PL301_sale-claim-conflict/fail.yaml"
CLEAN = ROOT / "inventories/reference"


def test_version(cli):
    result = cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == "privlint 0.1.0"


def test_clean_inventory_exits_0(cli):
    result = cli("check", str(CLEAN), "--as-of", "2026-11-01")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "No findings (1 inventory checked).\n"


def test_text_format_is_path_line_col_rule_severity_message_entity(cli):
    result = cli("check", "tests/rules/PL301_sale-claim-conflict/fail.yaml", cwd=ROOT)
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("tests/rules/PL301_sale-claim-conflict/fail.yaml:28:5: PL301 [error] ")
    assert first.endswith("(flow:web->ga)")
    assert result.stdout.splitlines()[-1] == "Found 2 errors (1 inventory checked)."


def test_json_format_has_stable_keys(cli):
    result = cli("check", "--format", "json", "tests/rules/PL301_sale-claim-conflict/fail.yaml", cwd=ROOT)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert list(report) == ["privlint", "summary", "findings"]
    assert report["summary"] == {"error": 2, "warning": 0, "info": 0}
    finding = report["findings"][0]
    assert list(finding) == ["rule", "name", "severity", "message", "path", "line", "column", "entity", "fingerprint"]
    assert (finding["rule"], finding["name"], finding["entity"], finding["line"], finding["column"]) == (
        "PL301", "sale-claim-conflict", "flow:web->ga", 28, 5)
    assert finding["path"] == "tests/rules/PL301_sale-claim-conflict/fail.yaml"


def test_fingerprint_survives_moved_lines(cli, tmp_path):
    original = PL301.read_text()
    (tmp_path / "a.yaml").write_text(original)
    (tmp_path / "b.yaml").write_text("# a comment\n# another\n" + original)
    prints = []
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / "inv.yaml").write_text((tmp_path / name).read_text())
        report = json.loads(cli("check", "--format", "json", "inv.yaml", cwd=tmp_path).stdout)
        prints.append([(f["line"], f["fingerprint"]) for f in report["findings"]])
    assert [p for _, p in prints[0]] == [p for _, p in prints[1]]
    assert [line + 2 for line, _ in prints[0]] == [line for line, _ in prints[1]]


@pytest.mark.parametrize("option, expected_rules", [
    (["--select", "PL302"], set()),
    (["--select", "sale-claim-conflict"], {"PL301"}),
    (["--ignore", "PL301"], set()),
    (["--select", "PL3"], {"PL301"}),
])
def test_select_and_ignore_take_ids_names_and_prefixes(cli, option, expected_rules):
    result = cli("check", "--format", "json", *option, str(PL301))
    assert {f["rule"] for f in json.loads(result.stdout)["findings"]} == expected_rules
    assert result.returncode == (1 if expected_rules else 0)


def test_unknown_rule_is_usage_error(cli):
    result = cli("check", "--select", "PL999", str(PL301))
    assert result.returncode == 2
    assert result.stderr.strip() == "privlint: error: unknown rule 'PL999' (see `privlint rules`)"


@pytest.mark.parametrize("text, rule", [
    ("privlint: 1\norganization: {name: [x\n", "PL000"), ("", "PL001"), ("privlint: 1\nsystems: 3\n", "PL001"),
])
@pytest.mark.parametrize("option", [["--select", "PL101"], ["--select", "PL3"], ["--ignore", "PL000,PL001"]])
def test_an_inventory_that_cannot_be_read_is_reported_whatever_is_selected(cli, tmp_path, text, rule, option):
    """`--select PL101` (or ignoring PL000/PL001) on a file that did not parse, or that was
    empty, said "No findings" and exited 0: no selected rule could judge it."""
    (tmp_path / "inventory.yaml").write_text(text)
    result = cli("check", "--format", "json", *option, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert {finding["rule"] for finding in json.loads(result.stdout)["findings"]} == {rule}


def test_ignoring_every_selected_rule_is_a_usage_error(cli):
    """A gate that checks nothing passes every inventory: `--select PL --ignore PL` exited 0."""
    result = cli("check", "--select", "PL3", "--ignore", "PL", str(PL301))
    assert result.returncode == 2
    assert result.stderr == "privlint: error: every selected rule is also ignored: nothing would be checked\n"


@pytest.mark.parametrize("fail_on, code", [("error", 1), ("warning", 1), ("never", 0)])
def test_fail_on(cli, fail_on, code):
    assert cli("check", "--fail-on", fail_on, str(PL301)).returncode == code


def test_fail_on_error_passes_warnings(cli, tmp_path):
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text("privlint: 1\norganization: {name: Acme}\nsystems:\n  - id: idle\n")
    assert cli("check", str(inventory)).returncode == 0
    assert cli("check", "--fail-on", "warning", str(inventory)).returncode == 1


def test_as_of_changes_dated_results(cli):
    case = ROOT / "tests/rules/PL202_invalid-dpf-basis/fail-before-programme.yaml"
    assert cli("check", "--as-of", "2023-09-01", str(case)).returncode == 1
    assert cli("check", "--as-of", "2023-10-12", str(case)).returncode == 0
    bad = cli("check", "--as-of", "yesterday", str(case))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_missing_path_exits_2(cli, tmp_path):
    result = cli("check", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"privlint: error: {tmp_path / 'nope.yaml'}: no such file or directory"


def test_default_path_is_inventory_yaml(cli, tmp_path):
    assert cli("check", cwd=tmp_path).returncode == 2
    (tmp_path / "inventory.yaml").write_text("privlint: 1\norganization: {name: Acme}\n")
    assert cli("check", cwd=tmp_path).returncode == 0


def test_directory_without_yaml_exits_2(cli, tmp_path):
    result = cli("check", str(tmp_path))
    assert result.returncode == 2
    assert "no *.yaml or *.yml inventory files" in result.stderr


@pytest.mark.parametrize("arguments", [["."], ["--recursive", "."], ["--changed-files", "inventory.yaml"]])
def test_hidden_files_and_directories_are_no_part_of_a_directory_inventory(cli, tmp_path, arguments):
    """`check .` beside `.privlint.yaml` failed with PL001 on the configuration's keys (so did
    the pre-commit hook when the configuration had `vendors:`), and `--recursive` checked
    `.github/workflows/*.yml` and `.pre-commit-config.yaml` as inventories."""
    shutil.copy(ROOT / "inventories/reference/inventory.yaml", tmp_path / "inventory.yaml")
    (tmp_path / ".privlint.yaml").write_text("fail-on: warning\nvendors:\n  acme: {name: Acme}\n")
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {}\n")
    result = cli("check", *arguments, cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "No findings (1 inventory checked).\n", "")
    named = cli("check", ".pre-commit-config.yaml", cwd=tmp_path)  # named on the command line: read
    assert named.returncode == 1 and "PL001" in named.stdout


@pytest.mark.parametrize("command, argument", [
    (["check"], "[PATHS]..."), (["check", "--changed-files"], "[PATHS]..."), (["fmt"], "[PATHS]..."),
    (["graph"], "[PATH]"), (["init"], "[PATH]"), (["diff", "HEAD"], "[PATH]"),
])
def test_an_empty_path_argument_is_a_usage_error(cli, tmp_path, command, argument):
    """'' (an unset shell variable) was the current directory to pathlib: `privlint fmt ""`
    rewrote every inventory file there, and `init ""` wrote ./inventory.yaml."""
    (tmp_path / "inventory.yaml").write_text("privlint: 1\norganization:   {name: Acme}\n")
    result = cli(*command, "", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", (
        f"privlint: error: Invalid value for '{argument}': an empty path (use . for the current directory) "
        f"(see 'privlint {command[0]} --help')\n"))
    assert (tmp_path / "inventory.yaml").read_text() == "privlint: 1\norganization:   {name: Acme}\n"


def test_a_size_limit_under_one_byte_is_refused_and_a_tiny_one_shown_in_bytes(cli, tmp_path):
    """PRIVLINT_MAX_INVENTORY_MB=0.0000001 was a limit of 0 bytes: "the file is 0.0 MB, more
    than the 0 MB privlint reads", blaming the inventory file for the variable's value."""
    (tmp_path / "inventory.yaml").write_text("privlint: 1\norganization: {name: Acme}\n")
    (tmp_path / ".privlint.yaml").write_text("fail-on: error\n")
    for command in (["check"], ["fmt", "--check"]):
        for variable in ("PRIVLINT_MAX_INVENTORY_MB", "PRIVLINT_MAX_FMT_MB"):
            result = cli(*command, cwd=tmp_path, env={variable: "0.0000001"})
            if command == ["check"] and variable == "PRIVLINT_MAX_FMT_MB":
                assert result.returncode == 0  # not read by check
                continue
            assert (result.returncode, result.stderr) == (2, (
                f"privlint: error: {variable}='0.0000001' is less than one byte; give a size in megabytes (e.g. 64)\n"))
    (tmp_path / ".privlint.yaml").unlink()
    result = cli("check", cwd=tmp_path, env={"PRIVLINT_MAX_INVENTORY_MB": "0.00001"})
    assert (result.returncode, result.stderr) == (2, (
        "privlint: error: inventory.yaml: the file is 39 bytes, more than the 10 bytes privlint reads for one "
        "inventory; split it into several inventories, or set PRIVLINT_MAX_INVENTORY_MB to raise the limit\n"))


def test_color_only_when_asked_for_a_terminal(cli):
    # Not a terminal here, so never colour; NO_COLOR and --no-color are honoured regardless.
    for extra, env in (([], None), (["--no-color"], None), ([], {"NO_COLOR": "1"})):
        result = cli("check", *extra, str(PL301), env=env)
        assert "\x1b[" not in result.stdout


def test_output_file(cli, tmp_path):
    out = tmp_path / "report.json"
    result = cli("check", "--format", "json", "--output", str(out), str(PL301))
    assert result.returncode == 1 and result.stdout == ""
    assert json.loads(out.read_text())["summary"]["error"] == 2


@pytest.mark.parametrize("output_format, shown", [
    ("text", "bad\\xff.yaml:28:5"), ("json", '"path": "bad\\\\xff.yaml"'), ("sarif", '"uri":"bad%5Cxff.yaml"'),
    ("junit", "bad\\xff.yaml"), ("github", "file=bad\\xff.yaml"), ("html", "bad\\xff.yaml"),
])
def test_a_file_name_that_is_not_utf8_is_shown_escaped(cli, tmp_path, output_format, shown):
    """Python keeps a name's byte 0xff as a lone surrogate, which no report can encode: an
    internal error in every format but text and junit on stdout, and in --write-baseline."""
    name = os.fsdecode(b"bad\xff.yaml")
    (tmp_path / name).write_text(PL301.read_text())
    for output in ([], ["--output", "report"]):
        result = cli("check", "--format", output_format, *output, name, cwd=tmp_path)
        assert result.returncode == 1 and result.stderr == "", result.stderr
        written = (tmp_path / "report").read_text("utf-8") if output else result.stdout
        assert shown in written
    result = cli("check", "--write-baseline", "baseline.json", name, cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert {entry["path"] for entry in json.loads((tmp_path / "baseline.json").read_text())["findings"]} == {
        "bad\\xff.yaml"}


def test_rules_and_explain(cli):
    listing = cli("rules")
    assert listing.returncode == 0
    assert "PL301  sale-claim-conflict" in listing.stdout
    for reference in ("PL301", "pl301", "sale-claim-conflict"):
        explained = cli("explain", reference)
        assert explained.returncode == 0
        assert "1798.140(ad)" in explained.stdout
    assert cli("explain", "nope").returncode == 2


def test_running_out_of_memory_is_one_line_and_exit_2():
    """A MemoryError anywhere ends in one preformatted line, not a traceback (formatting a
    message could itself fail while the data that filled memory is still referenced)."""
    import subprocess
    import sys

    code = (
        "import privlint.lint.engine as engine\n"
        "def exhausted(*args, **kwargs):\n    raise MemoryError\n"
        "engine.load_context = exhausted\n"
        "from privlint.lint.cli import main\nmain()\n"
    )
    result = subprocess.run([sys.executable, "-c", code, "check", "inventories/reference"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("privlint: error: out of memory checking this inventory;")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_report_stdout_cannot_take_is_one_line_and_exit_2():
    """stdout on a full device, or closed (`>&-`): once an internal error (OSError, or
    AttributeError from isatty on None), or a report silently dropped."""
    import subprocess
    import sys

    exe = [str(Path(sys.executable).with_name("privlint")), "check", str(PL301)]
    with open("/dev/full", "w") as full:
        result = subprocess.run(exe, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert (result.returncode, result.stderr) == (
        2, "privlint: error: cannot write the report to standard output (No space left on device)\n")
    # Python starts with sys.stdout None when descriptor 1 is closed.
    closed = [sys.executable, "-c", "import os, sys; os.close(1); os.execv(sys.argv[1], sys.argv[1:])", *exe]
    result = subprocess.run(closed, stderr=subprocess.PIPE, text=True, timeout=120)
    assert (result.returncode, result.stderr) == (
        2, "privlint: error: cannot write the report: standard output is closed; use --output FILE\n")


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "junit", "github", "html"])
def test_checking_an_absolute_path_from_a_deleted_directory(cli, tmp_path, output_format):
    """Path.cwd() raises there: the configuration search, relative display paths and SARIF's
    source root once made it an internal error. No configuration is looked for; paths are
    shown absolute."""
    gone = tmp_path / "gone"
    gone.mkdir()
    code = "import os, sys; os.chdir(sys.argv[1]); os.rmdir(sys.argv[1]); os.execv(sys.argv[2], sys.argv[2:])"
    exe = str(Path(sys.executable).with_name("privlint"))
    import subprocess

    result = subprocess.run([sys.executable, "-c", code, str(gone), exe, "check", "--format", output_format, str(PL301)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and result.stderr == "", result.stderr
    if output_format == "text":
        assert result.stdout.startswith(f"{PL301.as_posix()}:28:5: PL301 [error] ")
    if output_format == "sarif":
        location = json.loads(result.stdout)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].endswith(PL301.as_posix().lstrip("/"))


@pytest.mark.parametrize("command", [
    ["check", "../inventory.yaml"], ["check", "--changed-files", "../inventory.yaml"], ["graph", "../inventory.yaml"],
    ["fmt", "../inventory.yaml"], ["diff", "HEAD", "../inventory.yaml"], ["diff", "HEAD", "{absolute}"],
])
def test_a_relative_path_from_a_deleted_directory_is_a_usage_error(cli, tmp_path, command):
    """Resolving a relative path (or finding the git work tree) needs the working directory:
    once it was deleted, every command ended in 'internal error: FileNotFoundError'."""
    shutil.copy(PL301, tmp_path / "inventory.yaml")
    gone = tmp_path / "gone"
    gone.mkdir()
    code = "import os, sys; os.chdir(sys.argv[1]); os.rmdir(sys.argv[1]); os.execv(sys.argv[2], sys.argv[2:])"
    exe = str(Path(sys.executable).with_name("privlint"))
    import subprocess

    args = [arg.format(absolute=tmp_path / "inventory.yaml") for arg in command]
    result = subprocess.run([sys.executable, "-c", code, str(gone), exe, *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stdout == "", result.stdout
    assert result.stderr.count("\n") == 1 and "the working directory no longer exists" in result.stderr, result.stderr


@pytest.mark.parametrize("command", [
    ["rules"], ["schema"], ["explain", "PL101"], ["fmt", "--check", "inventory.yaml"], ["fmt", "--diff", "inventory.yaml"],
    ["init", "new.yaml"], ["--help"], ["--version"], ["check", "--help"], ["fmt", "-h"],
])
def test_what_other_commands_print_stdout_cannot_take_is_one_line_and_exit_2(tmp_path, command):
    """On a full device these ended in 'internal error: OSError'; with stdout closed they
    printed nothing and exited 0 (fmt --diff: the diff it was asked for, lost; --help and
    --version, which click printed, too)."""
    import subprocess

    (tmp_path / "inventory.yaml").write_text("privlint: 1\norganization:   {name: Acme}\n")  # fmt would change it
    exe = [str(Path(sys.executable).with_name("privlint")), *command]
    with open("/dev/full", "w") as full:
        result = subprocess.run(exe, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == "privlint: error: cannot write the report to standard output (No space left on device)"
    (tmp_path / "new.yaml").unlink(missing_ok=True)
    closed = [sys.executable, "-c", "import os, sys; os.close(1); os.execv(sys.argv[1], sys.argv[1:])", *exe]
    result = subprocess.run(closed, stderr=subprocess.PIPE, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == "privlint: error: cannot write the report: standard output is closed"


@pytest.mark.parametrize("command", [
    ["check", "--format", "json"], ["check", "--format", "sarif"], ["check", "--format", "junit"],
    ["check", "--format", "html"], ["graph", "--format", "json"], ["schema"],
])
@pytest.mark.parametrize("encoding", ["latin-1", "ascii", "utf-16"])
def test_documents_on_stdout_are_utf8_whatever_pythonioencoding_says(tmp_path, command, encoding):
    """JSON and SARIF must be UTF-8 and the JUnit XML and HTML page declare it, but they were
    written in the stream's encoding: under PYTHONIOENCODING=latin-1 a SARIF report's '§' (and
    a name's 'ü') was a byte no parser reads, and a UTF-16 JUnit report contradicted its own
    XML declaration."""
    import subprocess

    (tmp_path / "inventory.yaml").write_text(
        'privlint: 1\norganization: {name: Ácme}\npolicy: {recipients: ["Zürich Ltd ☃"]}\n', "utf-8")
    exe = str(Path(sys.executable).with_name("privlint"))
    args = [*command, "inventory.yaml"] if command != ["schema"] else command
    result = subprocess.run([exe, *args], capture_output=True, cwd=tmp_path, timeout=120,
                            env={**os.environ, "PYTHONIOENCODING": encoding})
    assert result.returncode == 0 and result.stderr == b"", result.stderr
    text = result.stdout.decode("utf-8")
    if "json" in command or "sarif" in command or command == ["schema"]:
        json.loads(text)
    if "junit" in command:
        import xml.etree.ElementTree as ET

        ET.fromstring(result.stdout)
    if command != ["schema"] and "graph" not in command:
        assert "Zürich Ltd ☃" in text


FORGED = "X\x1b]2;pwned\x07\x1b[2J\nfake.yaml:1:1: PL999 [error] forged"


@pytest.mark.parametrize("output_format", ["text", "github", "html"])
def test_control_characters_from_an_inventory_are_shown_escaped(cli, tmp_path, output_format):
    """A policy name or file name with ESC sequences and a newline reached the terminal raw:
    it set the window title, cleared the screen and printed a forged finding line."""
    name = "in\x1b[2Jv\nfake.yaml:1:1: PL999 [error] forged.yaml"
    (tmp_path / name).write_text(f"privlint: 1\norganization: {{name: Acme}}\npolicy: {{recipients: [{json.dumps(FORGED)}]}}\n")
    result = cli("check", "--format", output_format, name, cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert not {"\x1b", "\x07"} & set(result.stdout)
    assert "X\\x1b]2;pwned\\x07\\x1b[2J" in result.stdout  # GitHub and HTML keep the newline as theirs
    if output_format != "html":  # a line of the page source is not a line of the report
        assert not any(line.startswith("fake.yaml") for line in result.stdout.splitlines())
    if output_format == "text":
        assert "in\\x1b[2Jv\\nfake.yaml:1:1: PL999 [error] forged.yaml:3:" in result.stdout
        assert "\\x07\\x1b[2J\\nfake.yaml:1:1: PL999 [error] forged'" in result.stdout


@pytest.mark.parametrize("output_format", ["text", "github"])
def test_line_separators_from_an_inventory_are_shown_escaped(cli, tmp_path, output_format):
    """U+2028, U+2029 and U+0085 end a line for Python's splitlines, JavaScript and editors:
    raw in a policy name, they let it print what reads as a finding line of its own."""
    forged = "X\u2028fake.yaml:1:1: PL999 [error] one\u2029fake.yaml:2:1: PL999 [error] two\x85fake.yaml:3:1: three"
    (tmp_path / "inventory.yaml").write_text(
        f"privlint: 1\norganization: {{name: Acme}}\npolicy: {{recipients: [{json.dumps(forged)}]}}\n"
    )
    result = cli("check", "--format", output_format, "inventory.yaml", cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert not any(line.startswith("fake.yaml") for line in result.stdout.splitlines())
    assert "X\\u2028fake.yaml:1:1: PL999 [error] one\\u2029fake.yaml:2:1" in result.stdout
    assert "two\\x85fake.yaml:3:1: three" in result.stdout


def test_bidirectional_controls_from_an_inventory_are_shown_escaped(cli, tmp_path):
    """A right-to-left override in a name showed the finding's text in another order."""
    (tmp_path / "inventory.yaml").write_text(
        'privlint: 1\norganization: {name: Acme}\npolicy: {recipients: ["Ad\\u202eteN\\u2066x\\u2069"]}\n'
    )
    result = cli("check", "inventory.yaml", cwd=tmp_path)
    assert result.returncode == 0 and "Ad\\u202eteN\\u2066x\\u2069" in result.stdout
    assert not set("\u202e\u2066\u2069") & set(result.stdout)


@pytest.mark.parametrize("output_format", ["text", "github"])
def test_characters_that_show_as_nothing_are_shown_escaped(cli, tmp_path, output_format):
    """A zero width space before a key read "unknown field 'privlint' (did you mean
    'privlint'?)"; a byte order mark inside a value, a country code '"DE" is not valid'."""
    (tmp_path / "inventory.yaml").write_text("\u200bprivlint: 1\norganization: {name: Acme, country: \ufeffDE\u2060}\n")
    result = cli("check", "--format", output_format, "inventory.yaml", cwd=tmp_path)
    assert result.returncode == 1 and result.stderr == "", result.stderr
    assert "unknown field '\\u200bprivlint'" in result.stdout
    assert '"\\ufeffDE\\u2060" is not valid' in result.stdout
    assert not set("\u200b\ufeff\u2060") & set(result.stdout)


def test_control_characters_in_the_findings_of_an_unmappable_inventory_are_shown_escaped(cli, tmp_path):
    """`privlint graph` of an invalid inventory lists its PL000/PL001 findings on stderr: a
    file name or unknown key holding ESC sequences and a newline reached the terminal raw."""
    name = "in\x1b[2Jv\nfake.yaml:1:1: PL999 [error] forged.yaml"
    (tmp_path / name).write_text(f"privlint: 1\norganization: {{name: Acme}}\n{json.dumps(FORGED)}: 1\n")
    result = cli("graph", name, cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert not {"\x1b", "\x07"} & set(result.stderr)
    assert not any(line.startswith("fake.yaml") for line in result.stderr.splitlines()), result.stderr
    assert result.stderr.startswith("in\\x1b[2Jv\\nfake.yaml:1:1: PL999 [error] forged.yaml:3:1: PL001 [error] unknown field 'X\\x1b]2;pwned")


def test_control_characters_in_a_usage_error_are_shown_escaped(cli, tmp_path):
    result = cli("check", "no\x1b]2;x\x07\nfake.yaml", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        2, "privlint: error: no\\x1b]2;x\\x07\\nfake.yaml: no such file or directory\n")


def test_configuration_entries_are_deduplicated_and_its_size_bounded(cli, tmp_path):
    """A configuration listing one inventory 500,000 times (7.5 MB) resolved every entry
    (23 s); configuration files had no size limit. Entries are now taken once, before any is
    resolved, and a configuration is bounded like an inventory."""
    from privlint.lint import config

    shutil.copy(ROOT / "inventories/reference/inventory.yaml", tmp_path / "inventory.yaml")
    settings = tmp_path / ".privlint.yaml"
    settings.write_text("inventories: [" + ", ".join(["inventory.yaml"] * 1000 + ["./inventory.yaml"]) + "]\n")
    assert config.load(str(settings)).inventories == [str(tmp_path / "inventory.yaml"), str(tmp_path / "./inventory.yaml")]
    result = cli("check", cwd=tmp_path)
    assert result.returncode == 0 and "(1 inventory checked)" in result.stdout, result.stdout + result.stderr
    small = cli("check", cwd=tmp_path, env={"PRIVLINT_MAX_INVENTORY_MB": "0.01"})
    assert small.returncode == 2 and len(small.stderr.splitlines()) == 1, small.stderr
    assert small.stderr.startswith("privlint: error: ") and "/.privlint.yaml: the file is 0.0 MB, more than the " in small.stderr


@pytest.mark.parametrize("args, what", [
    (["check", "inventory.yaml", "--output", "inventory.yaml"], "report"),
    (["check", "inventory.yaml", "--output", "./link.yaml"], "report"),
    (["check", ".", "--format", "json", "--output", "inventory.yaml"], "report"),
    (["check", "inventory.yaml", "--write-baseline", "inventory.yaml"], "baseline"),
    (["check", "inventory.yaml", "--config", "config.yaml", "--output", "config.yaml"], "report"),
    (["check", "inventory.yaml", "--baseline", "baseline.json", "--output", "baseline.json"], "report"),
    (["check", "inventory.yaml", "--write-baseline", "new.json", "--output", "new.json"], "report"),
    (["graph", "inventory.yaml", "--output", "inventory.yaml"], "map"),
    (["diff", "HEAD", "inventory.yaml", "--output", "inventory.yaml"], "report"),
])
def test_a_report_is_never_written_over_a_file_the_command_reads(cli, tmp_path, args, what):
    """`check inventory.yaml --output inventory.yaml` replaced the inventory with its report
    and exited 0 (so did --write-baseline, graph and diff)."""
    import subprocess

    inventory = tmp_path / "inventory.yaml"
    shutil.copy(CLEAN / "inventory.yaml", inventory)
    (tmp_path / "link.yaml").symlink_to("inventory.yaml")
    (tmp_path / "config.yaml").write_text("fail-on: never\n")
    (tmp_path / "new.json").write_text("")
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "inventory.yaml"], check=True)
    subprocess.run([*git, "commit", "-qm", "inventory"], check=True)
    cli("check", "inventory.yaml", "--write-baseline", "baseline.json", cwd=tmp_path)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir() if path.is_file()}
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == "", result.stderr
    assert result.stderr.count("\n") == 1 and f"which this command reads or writes; write the {what} to another file" in result.stderr
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir() if path.is_file()} == before


def test_a_report_next_to_the_inventory_is_written(cli, tmp_path):
    shutil.copy(CLEAN / "inventory.yaml", tmp_path / "inventory.yaml")
    assert cli("check", "inventory.yaml", "--output", "report.txt", cwd=tmp_path).returncode == 0
    assert (tmp_path / "report.txt").read_text() == "No findings (1 inventory checked).\n"


@pytest.mark.parametrize("command", [
    ["check", "inventory.yaml", "--write-baseline", ""], ["check", "inventory.yaml", "--baseline", ""],
    ["check", "inventory.yaml", "--config", ""], ["graph", "inventory.yaml", "--config", ""],
    ["diff", "HEAD", "inventory.yaml", "--config", ""], ["check", "inventory.yaml", "--output", ""],
    ["graph", "inventory.yaml", "--output", ""], ["diff", "HEAD", "inventory.yaml", "--output", ""],
])
def test_an_empty_path_option_is_a_usage_error(cli, tmp_path, command):
    """'' was taken as not given: `--write-baseline ""` wrote nothing and exited 0. `--output
    ""` said "privlint: error: : cannot write the report", naming nothing."""
    shutil.copy(CLEAN / "inventory.yaml", tmp_path / "inventory.yaml")
    result = cli(*command, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "an empty path" in result.stderr, result.stderr


@pytest.mark.parametrize("args, error", [
    (["check", "inventory.yaml", "--output", "pipe"], "pipe: cannot write the report (a FIFO that no process reads)"),
    (["graph", "inventory.yaml", "--output", "pipe"], "pipe: cannot write the report (a FIFO that no process reads)"),
    (["check", "inventory.yaml", "--write-baseline", "pipe"], "pipe: cannot write the baseline (a FIFO that no process reads)"),
    (["check", "inventory.yaml", "--baseline", "pipe"], "pipe: not a privlint baseline"),
])
def test_a_fifo_with_no_other_end_is_not_waited_for(cli, tmp_path, args, error):
    """Opening a FIFO waits for its other end: each of these hung for ever."""
    shutil.copy(CLEAN / "inventory.yaml", tmp_path / "inventory.yaml")
    os.mkfifo(tmp_path / "pipe")
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"privlint: error: {error}") and result.stderr.count("\n") == 1, result.stderr


def test_a_report_is_written_to_a_fifo_that_is_read(cli, tmp_path):
    import subprocess

    shutil.copy(CLEAN / "inventory.yaml", tmp_path / "inventory.yaml")
    os.mkfifo(tmp_path / "pipe")
    reader = subprocess.Popen(["cat", str(tmp_path / "pipe")], stdout=subprocess.PIPE, text=True)
    try:
        import time

        for _ in range(100):  # until cat has opened it
            result = cli("check", "inventory.yaml", "--output", "pipe", cwd=tmp_path)
            if result.returncode == 0:
                break
            time.sleep(0.05)
        assert result.returncode == 0, result.stderr
        assert reader.communicate(timeout=60)[0] == "No findings (1 inventory checked).\n"
    finally:
        reader.kill()


@pytest.mark.parametrize("command", [["check"], ["check", "--format", "junit"], ["fmt", "--check"], ["graph"]])
def test_names_an_output_encoding_cannot_hold_are_escaped(tmp_path, command):
    """With PYTHONIOENCODING=latin-1, a snowman in a file name ended in 'internal error:
    UnicodeEncodeError'. (The JUnit report, which declares UTF-8, is written in it.)"""
    import subprocess

    name = "caf\u00e9 \u2603.yaml"
    (tmp_path / name).write_text("privlint: 1\norganization:   {name: Acme}\nsystems: 3\n")
    exe = str(Path(sys.executable).with_name("privlint"))
    result = subprocess.run([exe, *command, name], cwd=tmp_path, capture_output=True, timeout=120,
                            env={**os.environ, "PYTHONIOENCODING": "latin-1"})
    assert result.returncode == 1 and b"internal error" not in result.stderr, result.stderr
    shown = name.encode("utf-8") if "junit" in command else "caf\u00e9 \\u2603.yaml".encode("latin-1")
    assert shown in result.stdout + result.stderr
