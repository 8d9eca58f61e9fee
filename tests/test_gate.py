"""The CI gate: configuration files, inline suppressions and baselines, through the real CLI."""

import json
import shutil

import pytest

from privlint import __version__

from .conftest import ROOT

SALE = ROOT / "tests/rules/PL301_sale-claim-conflict/fail.yaml"  # PL301 at lines 28 and 32
SUPPRESSED = ROOT / "tests/rules/PL006_invalid-suppression/pass.yaml"


def findings(result):
    return [(f["rule"], f["entity"], f["line"], f.get("suppressed")) for f in json.loads(result.stdout)["findings"]]


@pytest.fixture
def project(tmp_path):
    shutil.copy(SALE, tmp_path / "inventory.yaml")
    return tmp_path


# -- configuration -----------------------------------------------------------------------

def test_pyproject_config_sets_inventories_severity_and_fail_on(cli, project):
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.privlint]\ninventories = ["inventory.yaml"]\n'
        'severity = { sale-claim-conflict = "warning" }\nfail-on = "error"\n'
    )
    result = cli("check", "--format", "json", cwd=project)
    assert result.returncode == 0, result.stderr
    assert {f["severity"] for f in json.loads(result.stdout)["findings"]} == {"warning"}
    assert cli("check", "--fail-on", "warning", cwd=project).returncode == 1  # the command line wins


def test_privlint_yaml_config_select_and_ignore(cli, project):
    (project / ".privlint.yaml").write_text("ignore: [PL301]\n")
    assert cli("check", cwd=project).returncode == 0
    assert cli("check", "--select", "PL301", cwd=project).returncode == 1


def test_config_is_found_from_a_subdirectory(cli, project):
    (project / ".privlint.yaml").write_text("inventories: [inventory.yaml]\nignore: [PL3]\n")
    sub = project / "sub"
    sub.mkdir()
    assert cli("check", cwd=sub).returncode == 0


def test_explicit_config_file(cli, project):
    (project / "gate.yaml").write_text("fail-on: never\n")
    assert cli("check", "--config", "gate.yaml", cwd=project).returncode == 0
    missing = cli("check", "--config", "nope.yaml", cwd=project)
    assert missing.returncode == 2 and "nope.yaml: no such configuration file" in missing.stderr


@pytest.mark.parametrize("name, content, message", [
    (".privlint.yaml", "fail_on: warning\n", "unknown configuration key 'fail_on' (did you mean 'fail-on'?)"),
    ("pyproject.toml", "[tool.privlint]\nselekt = ['PL1']\n", "unknown configuration key 'selekt'"),
    (".privlint.yaml", "severity: {PL999: error}\n", "'severity' names unknown rule 'PL999'"),
    (".privlint.yaml", "fail-on: sometimes\n", "'fail-on' must be one of"),
    (".privlint.yaml", "vendors: {acme: {country: DE}}\n", "vendors.acme: missing the required field 'name'"),
    (".privlint.yaml", "vendors: {acme: {name: Acme, country: DW}}\n",
     'vendors.acme.country: "DW" is not valid: expected an ISO 3166-1 alpha-2 country code'),
])
def test_bad_config_is_exit_2_naming_file_and_key(cli, project, name, content, message):
    (project / name).write_text(content)
    result = cli("check", cwd=project)
    assert result.returncode == 2
    assert name in result.stderr and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("name, content, message", [
    # Python reprs and jsonschema's own wording were shown: not '['error']', None is not of
    # type 'object', datetime.date(1979, 5, 27) is not of type 'string' (an internal error
    # now: the date did not serialise), Additional properties are not allowed ('extra' ...).
    (".privlint.yaml", "severity: {PL101: [error]}\n", "severity of PL101 must be error, warning or info; got list"),
    (".privlint.yaml", "vendors: {stripe: null}\n", "vendors.stripe: expected a mapping, got null"),
    (".privlint.yaml", "vendors: {acme: {name: A, extra: 1}}\n",
     "vendors.acme: unknown field 'extra'; allowed: aliases, category, country, dpf, legal_entity, name, role"),
    (".privlint.yaml", "vendors: {acme: {name: A, aliases: [1]}}\n", "vendors.acme.aliases[0]: expected a string, got number 1"),
    ("pyproject.toml", "[tool.privlint.vendors.acme]\nname = 'A'\ncountry = 1979-05-27\n",
     "vendors.acme.country: expected a string, got date 1979-05-27"),
    # Plain jsonschema read `pattern` as Python does: "DE\n" passed ^[A-Z]{2}$ (the same value
    # in the inventory is PL001), and the rules then said "Acme CRM is in DE\n".
    (".privlint.yaml", 'vendors: {acme-crm: {name: Acme CRM, country: "DE\\n"}}\n',
     'vendors.acme-crm.country: "DE\\n" is not valid: expected an ISO 3166-1 alpha-2 country code'),
    (".privlint.yaml", 'vendors: {"acme\\n": {name: Acme}}\n', 'vendors: "acme\\n" is not valid'),
])
def test_config_errors_read_like_the_inventory_s(cli, project, name, content, message):
    (project / name).write_text(content)
    result = cli("check", cwd=project)
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert result.stderr.startswith(f"privlint: error: {project / name}: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_config_vendor_extension_feeds_the_catalog(cli, tmp_path):
    (tmp_path / "inventory.yaml").write_text(
        "privlint: 1\norganization: {name: Acme, country: DE}\n"
        "policy: {recipients: [Acme CRM], data_categories: [user], purposes: [essential]}\n"
        "systems:\n  - id: shop\n    collects:\n      - {subjects: [customer], data_categories: [user.name], origins: [EEA]}\n"
        "recipients:\n  - {id: crm, vendor: acme-crm}\n"
        "flows:\n  - {from: shop, to: crm, data_categories: [user.name], purposes: [essential]}\n"
    )
    assert "PL002" in cli("check", cwd=tmp_path).stdout  # unknown vendor key without the extension
    (tmp_path / ".privlint.yaml").write_text(
        "vendors:\n  acme-crm: {name: Acme CRM, country: DE, category: crm, role: processor}\n"
    )
    result = cli("check", cwd=tmp_path)
    assert result.returncode == 0, result.stdout


# -- inline suppressions -----------------------------------------------------------------

def test_suppression_with_reason_silences_exactly_its_finding(cli, tmp_path):
    text = SALE.read_text().replace(
        "  - from: web\n    to: ga\n",
        "  # privlint: ignore[PL301] reason: GA runs under restricted data processing since 2024-01-01\n"
        "  - from: web\n    to: ga\n",
    )
    (tmp_path / "inventory.yaml").write_text(text)
    result = cli("check", "--format", "json", "inventory.yaml", cwd=tmp_path)
    assert result.returncode == 1  # the other flow's PL301 still fails
    assert findings(result) == [
        ("PL301", "flow:web->ga", 29, {"reason": "GA runs under restricted data processing since 2024-01-01"}),
        ("PL301", "flow:web->partner", 33, None),
    ]


def test_text_that_reads_like_a_suppression_inside_a_value_suppresses_nothing(cli):
    """`name: "AdNet # privlint: ignore[PL101] reason: …"` suppressed AdNet's finding (exit 0):
    only comments suppress, not a quoted value or a line of a block scalar, even one on the
    line above an entity."""
    result = cli("check", "--format", "json", str(ROOT / "tests/data/suppression-look-alikes.yaml"))
    assert result.returncode == 1
    assert findings(result) == [
        ("PL101", "recipient:adnet", 7, None),
        ("PL101", "recipient:adnet2", 8, {"reason": "a real comment"}),
        ("PL101", "recipient:adnet3", 12, None),
        ("PL101", "recipient:adnet4", 15, None),
    ]


def test_suppression_on_the_entity_line_and_text_summary(cli, tmp_path):
    text = SALE.read_text().replace("  - from: web\n    to: ga\n", "  - from: web  # privlint: ignore[sale-claim-conflict] reason: ok\n    to: ga\n")
    (tmp_path / "inventory.yaml").write_text(text)
    result = cli("check", "inventory.yaml", cwd=tmp_path)
    assert "flow:web->ga" not in result.stdout
    assert result.stdout.splitlines()[-1] == "Found 1 error (1 inventory checked, 1 suppressed)."


def test_suppression_without_reason_is_pl006_and_does_not_suppress(cli, tmp_path):
    text = SALE.read_text().replace("  - from: web\n    to: ga\n", "  # privlint: ignore[PL301]\n  - from: web\n    to: ga\n")
    (tmp_path / "inventory.yaml").write_text(text)
    result = cli("check", "--format", "json", "inventory.yaml", cwd=tmp_path)
    assert ("PL006", "flow:web->ga", 28, None) in findings(result)
    assert ("PL301", "flow:web->ga", 29, None) in findings(result)


def test_a_suppression_names_each_unknown_or_idle_rule_once_and_ten_at_most(cli, tmp_path):
    unknown = ", ".join(["PL999"] * 3 + [f"PL9{number:02d}" for number in range(12)])
    text = SALE.read_text().replace(
        "  - from: web\n    to: ga\n",
        f"  # privlint: ignore[{unknown}, PL101, PL101, PL102] reason: r\n  - from: web\n    to: ga\n",
    )
    (tmp_path / "inventory.yaml").write_text(text)
    messages = [
        finding["message"] for finding in json.loads(cli("check", "--format", "json", cwd=tmp_path).stdout)["findings"]
        if finding["rule"] == "PL006"
    ]
    assert messages == [
        "this suppression names unknown rules PL999, PL900, PL901, PL902, PL903, PL904, PL905, PL906, PL907, "
        "PL908, and 3 more unknown rules; suppresses nothing: flow:web->ga has no PL101, PL102 finding"
    ]


def test_suppression_of_an_unselected_rule_is_not_reported_as_unused(cli):
    result = cli("check", "--select", "PL1", "--format", "json", str(SUPPRESSED))
    assert findings(result) == []


# -- baselines ---------------------------------------------------------------------------

def test_baseline_survives_inserted_lines_and_catches_a_new_finding(cli, project):
    assert cli("check", "--write-baseline", "baseline.json", cwd=project).returncode == 0
    recorded = json.loads((project / "baseline.json").read_text())
    assert [entry["entity"] for entry in recorded["findings"]] == ["flow:web->ga", "flow:web->partner"]

    moved = "# a new header comment\n# and another\n" + (project / "inventory.yaml").read_text()
    (project / "inventory.yaml").write_text(moved)
    result = cli("check", "--baseline", "baseline.json", "--format", "json", cwd=project)
    assert result.returncode == 0
    assert [(rule, line, reason) for rule, _, line, reason in findings(result)] == [
        ("PL301", 30, {"reason": "baseline"}), ("PL301", 34, {"reason": "baseline"})]

    with_new_flow = moved.replace(
        "flows:\n", "  - {id: broker, name: Data Partner Two, country: US, category: data_broker, role: controller}\nflows:\n"
    ) + (
        "  - from: web\n    to: broker\n    data_categories: [user.device.cookie_id]\n"
        "    purposes: [marketing.advertising.third_party.targeted]\n"
    )
    (project / "inventory.yaml").write_text(with_new_flow)
    result = cli("check", "--baseline", "baseline.json", "--format", "json", cwd=project)
    assert result.returncode == 1
    new = [f for f in findings(result) if f[3] is None]
    assert [(rule, entity) for rule, entity, _, _ in new] == [("PL101", "recipient:broker"), ("PL301", "flow:web->broker")]


def test_bad_baseline_is_usage_error(cli, project):
    (project / "baseline.json").write_text("not json")
    result = cli("check", "--baseline", "baseline.json", cwd=project)
    assert result.returncode == 2 and "not a privlint baseline" in result.stderr


@pytest.mark.parametrize("document", [
    '{"findings": [{"fingerprint": 1}]}', '{"findings": [{"fingerprint": ["x"]}]}', '{"findings": "abc"}',
    '{"findings": [["fingerprint"]]}', '{"findings": {"fingerprint": "x"}}', '[]',
])
def test_a_baseline_of_the_wrong_shape_is_a_usage_error(cli, project, document):
    """A fingerprint that is not a string matches no finding: such a baseline accepted
    nothing, silently, where a broken baseline is refused."""
    (project / "baseline.json").write_text(document)
    result = cli("check", "--baseline", "baseline.json", cwd=project)
    assert result.returncode == 2 and "not a privlint baseline" in result.stderr, result.stderr


def test_a_baseline_that_never_ends_is_refused_at_a_size(cli, project):
    """`--baseline /dev/zero` was read until memory ran out (3.8 GB): a baseline may be
    twice the inventory size limit (20 MB by default; 2 MB here)."""
    result = cli("check", "--baseline", "/dev/zero", cwd=project, env={"PRIVLINT_MAX_INVENTORY_MB": "1"})
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        "privlint: error: /dev/zero: the baseline is larger than the 2 MB privlint reads for one "
        "(2 times the inventory size limit; PRIVLINT_MAX_INVENTORY_MB raises both)\n"
    )


@pytest.mark.parametrize("text, error", [
    ('[tool]\nprivlint = 3\n', "[tool.privlint] must be a table of settings"),
    ('[[tool.privlint]]\nfail-on = "never"\n', "[tool.privlint] must be a table of settings"),
    ('tool = 5  # [tool.privlint]\n', None),  # no [tool.privlint]: nothing configured
])
def test_a_tool_section_that_is_not_a_table_is_a_usage_error(cli, project, text, error):
    """`tool` or `tool.privlint` holding a number ended in an internal error (AttributeError)."""
    (project / "pyproject.toml").write_text(text)
    result = cli("check", "--config", "pyproject.toml", cwd=project)
    if error is None:
        assert result.returncode == 1 and result.stderr == "", result.stderr
    else:
        assert result.returncode == 2 and result.stderr == f"privlint: error: pyproject.toml: {error}\n"


def test_a_configuration_that_is_a_directory_is_named_as_such(cli, project):
    (project / "settings").mkdir()
    result = cli("check", "--config", "settings", cwd=project)
    assert (result.returncode, result.stderr) == (
        2, "privlint: error: settings: not a configuration file (a directory, FIFO or device)\n")
    result = cli("check", "--config", "missing.yaml", cwd=project)
    assert (result.returncode, result.stderr) == (2, "privlint: error: missing.yaml: no such configuration file\n")


def test_a_baseline_is_written_one_entry_a_line_only_when_it_can_be_read_back(cli, tmp_path):
    """A baseline of 170,000 findings (a 2.6 MB inventory) was written, 23.5 MB, and then
    refused by --baseline (over its 20 MB): written now only when --baseline reads it."""
    systems = "".join(f"  - {{id: unused-system-{index}}}\n" for index in range(2_000))
    (tmp_path / "inventory.yaml").write_text("privlint: 1\norganization: {name: Acme}\nsystems:\n" + systems)
    assert cli("check", "--write-baseline", "baseline.json", "inventory.yaml", cwd=tmp_path).returncode == 0
    written = (tmp_path / "baseline.json").read_text()
    lines = written.splitlines()
    assert len(lines) == 2_002 and lines[0] == f'{{"privlint": "{__version__}", "findings": [' and lines[-1] == "]}"
    first = json.loads(lines[1].rstrip(","))
    assert first == {"fingerprint": first["fingerprint"], "rule": "PL005", "entity": "system:unused-system-0",
                     "path": "inventory.yaml"}
    result = cli("check", "--baseline", "baseline.json", "inventory.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout.splitlines()[-1]) == (0, "No findings (1 inventory checked, 2000 suppressed).")

    (tmp_path / "baseline.json").unlink()
    small = {"PRIVLINT_MAX_INVENTORY_MB": "0.0625"}  # the inventory fits; baselines up to 0.125 MB
    result = cli("check", "--write-baseline", "baseline.json", "inventory.yaml", cwd=tmp_path, env=small)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"privlint: error: baseline.json: 2,000 findings make a baseline of {len(written) / 2**20:.1f} MB, more "
        "than the 0.125 MB privlint reads for one; fix or suppress some of them first, or raise "
        "PRIVLINT_MAX_INVENTORY_MB (the baseline may be 2 times the inventory size limit)\n"
    )
    assert not (tmp_path / "baseline.json").exists()


def test_a_baseline_refused_under_a_tiny_limit_is_measured_in_bytes(cli, tmp_path):
    """"a baseline of 0.0 MB, more than the 0.00399971 MB": under 0.01 MB, bytes."""
    (tmp_path / "inventory.yaml").write_text("privlint: 1\norganization: {name: Acme}\nsystems:\n  - {id: a}\n  - {id: b}\n")
    result = cli("check", "--write-baseline", "b.json", "inventory.yaml", cwd=tmp_path,
                 env={"PRIVLINT_MAX_INVENTORY_MB": "0.0001"})
    assert result.returncode == 2 and result.stderr.startswith(
        "privlint: error: b.json: 2 findings make a baseline of 2"), result.stderr
    assert " bytes, more than the 208 bytes privlint reads for one;" in result.stderr


def test_a_file_that_does_not_parse_is_never_accepted_by_a_baseline(cli, project):
    """A PL000 fingerprint (rule, "file", path) does not change with the error: a baseline
    written while the file was broken passed it, broken in any way, with exit 0."""
    (project / "inventory.yaml").write_text("privlint: 1\norganization: {name: [x\n")
    result = cli("check", "--write-baseline", "baseline.json", cwd=project)
    assert result.returncode == 1 and "PL000" in result.stdout
    assert json.loads((project / "baseline.json").read_text())["findings"] == []
    (project / "inventory.yaml").write_text("privlint: 1\norganization: {name: x\n  - y\n")  # broken otherwise
    accepting = cli("check", "--format", "json", cwd=project).stdout
    (project / "baseline.json").write_text(json.dumps({"findings": json.loads(accepting)["findings"]}))
    result = cli("check", "--baseline", "baseline.json", "--format", "json", cwd=project)
    assert result.returncode == 1
    assert [(rule, reason) for rule, _, _, reason in findings(result)] == [("PL000", None)]


@pytest.mark.parametrize("name, text", [
    (".privlint.yaml", "vendors: {acme: {name: Acme, aliases: [" + ",".join(["a"] * 150_000) + "]}}\n"),
    ("pyproject.toml", "[tool.privlint.vendors.acme]\nname = 'Acme'\naliases = [" + ",".join(["'a'"] * 150_000) + "]\n"),
    ("pyproject.toml", "[tool.privlint]\nselect = [" + ",".join(["'PL1'"] * 150_000) + "]\n"),
])
def test_a_configuration_of_too_many_values_is_refused_before_it_is_checked(cli, project, name, text):
    """A 10 MB configuration listing 4.9 million vendor aliases took 24 s (YAML; TOML 2.4
    million: 11 s) before anything was checked: a configuration holds at most 100,000 values."""
    (project / name).write_text(text)
    result = cli("check", cwd=project)
    assert result.returncode == 2 and result.stdout == ""
    assert "the configuration holds more than 100,000 values" in result.stderr and result.stderr.count("\n") == 1


def test_a_pyproject_counts_only_privlint_settings(cli, project):
    (project / "pyproject.toml").write_text(
        "[tool.other]\nwords = [" + ",".join(["'a'"] * 150_000) + "]\n[tool.privlint]\nfail-on = 'never'\n"
    )
    assert cli("check", cwd=project).returncode == 0


@pytest.mark.parametrize("text, error", [
    ("[tool.privlint.vendors.acme]\nname = '" + "N" * 4_000_000 + "'\n",
     "vendors.acme.name: a value of 4,000,000 characters; a value in a configuration has at most 10,000: shorten it"),
    ("[tool.privlint]\nselect = ['PL1', '" + "P" * 10_001 + "']\n",
     "select[1]: a value of 10,001 characters; a value in a configuration has at most 10,000: shorten it"),
    ("[tool.privlint.vendors]\n" + "a" * 10_001 + " = {name = 'A'}\n",
     "vendors has a key of 10,001 characters; a key in a configuration has at most 10,000: shorten it"),
])
def test_a_toml_configuration_holds_strings_of_at_most_10_000_characters(cli, project, text, error):
    """tomllib has no cap on a string, where the YAML loader caps every scalar at 10,000
    characters: a 4 MB vendor name was formatted into every finding about that vendor, and a
    check of 20,000 recipients of it ran past 30 s."""
    (project / "pyproject.toml").write_text(text)
    result = cli("check", cwd=project)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"privlint: error: {project / 'pyproject.toml'}: {error}\n"
    (project / "pyproject.toml").write_text("[tool.privlint.vendors.acme]\nname = '" + "N" * 10_000 + "'\n")
    assert cli("check", cwd=project).returncode == 1  # 10,000 is allowed: PL301 as without it


@pytest.mark.parametrize("text", [
    '[tool.privlint]\nfail-on = "never"\n',
    '[tool]\nprivlint = {fail-on = "never"}\n',
    'tool.privlint.fail-on = "never"\n',
    '[ tool.privlint ]\nfail-on = "never"\n',
    '["tool".privlint]\nfail-on = "never"\n',
    '[tool."privlint"]\nfail-on = "never"\n',
])
def test_a_pyproject_is_read_in_every_toml_spelling_of_its_table(cli, project, text):
    """Only the text "[tool.privlint" was looked for: the other spellings were ignored without
    a word, and the gate failed (PL301 here) on the defaults."""
    (project / "pyproject.toml").write_text(text)
    result = cli("check", cwd=project)
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize("raw, error", [
    (b"\xff[tool.privlint]\nfail-on = 'never'\n", "not UTF-8 text (byte 0xff at offset 0); save it as UTF-8"),
    (b'[project]\ndependencies = ["privlint\n', "invalid TOML: Illegal character '\\n' (at line 2, column 26)"),
])
def test_a_pyproject_that_mentions_privlint_and_does_not_parse_is_a_usage_error(cli, project, raw, error):
    """One that was not UTF-8 was skipped without a word: the gate used the defaults."""
    (project / "pyproject.toml").write_bytes(raw)
    result = cli("check", cwd=project)
    assert (result.returncode, result.stderr) == (2, f"privlint: error: {project / 'pyproject.toml'}: {error}\n")


def test_a_pyproject_without_privlint_settings_is_passed_over(cli, project):
    """Parsed only when it mentions privlint; then a table under `tool` decides. A broken one
    that never mentions privlint is not privlint's to judge; one with privlint only as a
    dependency leaves the .privlint.yaml above it in charge."""
    sub = project / "sub"
    sub.mkdir()
    shutil.copy(project / "inventory.yaml", sub / "inventory.yaml")
    (project / ".privlint.yaml").write_text("fail-on: never\n")
    (sub / "pyproject.toml").write_text("[project]\ndependencies = ['privlint']\n")
    assert cli("check", cwd=sub).returncode == 0
    (sub / "pyproject.toml").write_bytes(b"\xff[tool.black\n")
    assert cli("check", cwd=sub).returncode == 0


def test_a_baseline_is_written_from_a_template_as_json_dumps_writes_each_entry(monkeypatch, tmp_path):
    """Each entry is written from a template, sorted as a plain tuple (a dict, a key tuple
    and json.dumps per entry: 3.9 s of 632,000 findings; 1.6 s), byte for byte what
    json.dumps writes of the entry's dict, in (path, rule, entity) order."""
    from privlint.lint import baseline
    from privlint.lint.engine import Finding

    names = ["z", "a\x1b\u202e", 'q"\\', "é☃", "a"]
    findings = [Finding(rule, "n", "error", "m", path, 1, 1, entity)
                for rule in ("PL101", "PL005") for path in names[:3] for entity in names]
    findings.append(Finding("PL000", "n", "error", "m", "x", 1, 1, "file"))  # never accepted
    monkeypatch.setattr(json, "dumps", lambda *args, **kwargs: pytest.fail("json.dumps per entry"))
    baseline.write(str(tmp_path / "baseline.json"), findings)
    monkeypatch.undo()
    lines = (tmp_path / "baseline.json").read_text(encoding="ascii").splitlines()[1:-1]
    expected = sorted(({"fingerprint": f.fingerprint, "rule": f.rule, "entity": f.entity, "path": f.path}
                       for f in findings if f.rule != "PL000"), key=lambda entry: (entry["path"], entry["rule"], entry["entity"]))
    assert [line.rstrip(",") for line in lines] == [json.dumps(entry) for entry in expected]


def test_a_baseline_too_large_to_write_is_refused_without_being_made(monkeypatch, tmp_path):
    """The size of a baseline is counted entry by entry; its text is made only when it will be
    written. 1.2 million findings of a 10 MB inventory made a 137 MB text before it was
    refused, at a peak of 1.1 GB. The message still gives the whole size."""
    import tracemalloc

    from privlint.lint import baseline, loader
    from privlint.lint.engine import Finding, UsageError

    findings = [Finding("PL005", "n", "warning", "m", "inventory.yaml", 1, 1, f"system:s{index:06d}")
                for index in range(20_000)]
    monkeypatch.setattr(loader, "size_limit", lambda: 50_000)  # baselines up to 100,000 bytes
    tracemalloc.start()
    try:
        with pytest.raises(UsageError) as refused:
            baseline.write(str(tmp_path / "baseline.json"), findings)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = 41 + sum(len(f'{{"fingerprint": "{f.fingerprint}", "rule": "PL005", "entity": "{f.entity}", '
                        '"path": "inventory.yaml"}') + 2 for f in findings)
    assert f"20,000 findings make a baseline of {size / 2**20:.1f} MB, more than the 0.0953674 MB" in str(refused.value)
    assert peak < 5_000_000, peak  # the sorted entries; with the lines and the text, 10.5 MB
    assert not (tmp_path / "baseline.json").exists()
