"""`privlint diff BASE_REF [PATH]` against real git repositories (the real `git` binary)."""

import json
import os
import shutil
import subprocess

import pytest

from .conftest import ROOT

REFERENCE = ROOT / "inventories/reference/inventory.yaml"  # clean
SALE = ROOT / "tests/rules/PL301_sale-claim-conflict/fail.yaml"  # two PL301 findings
AS_OF = ("--as-of", "2026-11-01")

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="privlint diff needs git")

DESK_RECIPIENT = """\
  - id: helpdesk
    name: Deskly Inc.
    country: US
    category: customer_support
    role: processor
"""
DESK_FLOW = """\
  - from: storefront
    to: helpdesk
    data_categories: [user.contact.email]
    purposes: [essential.service.operations.support]
    origins: [US]
"""


def git(repo, *args):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    return tmp_path


def commit(repo, message="change"):
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def add_helpdesk(path):
    text = path.read_text()
    text = text.replace("recipients:\n  - id: stripe", "recipients:\n" + DESK_RECIPIENT + "  - id: stripe")
    text = text.replace("flows:\n", "flows:\n" + DESK_FLOW, 1)
    path.write_text(text)


@pytest.fixture
def shop(repo):
    """A committed clean inventory, then an undisclosed recipient with a flow added."""
    shutil.copy(REFERENCE, repo / "inventory.yaml")
    commit(repo, "clean inventory")
    add_helpdesk(repo / "inventory.yaml")
    return repo


def test_new_undisclosed_recipient_is_planned_and_fails(cli, shop):
    result = cli("diff", "main", *AS_OF, cwd=shop)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert "  + recipient:helpdesk  (Deskly Inc., customer_support, processor, US)" in lines
    flow = lines.index("  + flow:storefront->helpdesk")
    assert lines[flow + 1: flow + 4] == [
        "      data_categories: user.contact.email",
        "      purposes: essential.service.operations.support",
        "      origins: US",
    ]
    introduced = [line for line in lines if line.startswith("    + inventory.yaml:")]
    assert len(introduced) == 1 and " PL101 [error] " in introduced[0] and introduced[0].endswith("(recipient:helpdesk)")
    assert lines[-1] == "Plan: 2 to add, 0 to change, 0 to remove. Findings: 1 introduced (1 error), 0 resolved."


def test_default_path_and_explicit_path_agree(cli, shop):
    assert cli("diff", "main", *AS_OF, cwd=shop).stdout == cli("diff", "main", "inventory.yaml", *AS_OF, cwd=shop).stdout


def test_select_and_ignore_narrow_the_findings(cli, shop):
    result = cli("diff", "main", "--ignore", "PL101", *AS_OF, cwd=shop)
    assert result.returncode == 0
    assert "+ recipient:helpdesk" in result.stdout and "PL101" not in result.stdout
    assert cli("diff", "main", "--select", "PL1", *AS_OF, cwd=shop).returncode == 1


def test_change_that_only_resolves_findings_exits_0(cli, repo):
    shutil.copy(SALE, repo / "inventory.yaml")
    commit(repo)
    path = repo / "inventory.yaml"
    path.write_text(path.read_text().replace("sells_personal_data: false", "sells_personal_data: true"))
    result = cli("diff", "HEAD", *AS_OF, cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "  ~ policy.sells_personal_data: false -> true" in result.stdout.splitlines()
    assert "  Findings resolved (2):" in result.stdout and "introduced (" not in result.stdout
    assert result.stdout.count("    - inventory.yaml:") == 2
    assert result.stdout.endswith("Findings: 0 introduced, 2 resolved.\n")


def test_changed_flow_and_policy_claims(cli, repo):
    shutil.copy(REFERENCE, repo / "inventory.yaml")
    commit(repo)
    path = repo / "inventory.yaml"
    text = path.read_text()
    text = text.replace("recipients: [Stripe, PayPal, Google Analytics, HubSpot]",
                        "recipients: [Stripe, PayPal, Google Analytics, HubSpot, Mailchimp]")
    text = text.replace("    purposes: [marketing.communications.email]\n    transfer_basis: {EEA: scc, UK: idta}",
                        "    purposes: [marketing.communications.email, analytics]\n    transfer_basis: dpf")
    path.write_text(text)
    lines = cli("diff", "main", *AS_OF, "--fail-on", "never", cwd=repo).stdout.splitlines()
    assert "  + policy.recipients: Mailchimp" in lines
    at = lines.index("  ~ flow:storefront->hubspot")
    assert lines[at + 1: at + 3] == [
        "      + purposes: analytics",
        "      ~ transfer_basis: {EEA: scc, UK: idta} -> dpf",
    ]


def test_markdown_for_a_pull_request_comment(cli, shop):
    result = cli("diff", "main", "--format", "markdown", *AS_OF, cwd=shop)
    assert result.returncode == 1
    text = result.stdout
    assert text.startswith("<!-- privlint-diff -->\n### privlint diff against `main`\n")
    assert "**1 finding introduced** (1 error)" in text
    block = text.split("```diff\n", 1)[1].split("\n```", 1)[0].splitlines()
    assert "+ recipient:helpdesk  (Deskly Inc., customer_support, processor, US)" in block
    assert "+ flow:storefront->helpdesk" in block
    table = [line for line in text.splitlines() if line.startswith("| **error** |")]
    assert len(table) == 1 and "PL101 undisclosed-recipient" in table[0] and "`recipient:helpdesk`" in table[0]


def test_markdown_collapses_long_lists(cli, repo):
    (repo / "README.md").write_text("no inventory yet\n")
    commit(repo)
    shutil.copy(ROOT / "inventories/calisone/inventory.yaml", repo / "inventory.yaml")
    text = cli("diff", "main", "--format", "markdown", *AS_OF, cwd=repo).stdout
    assert "<details>\n<summary>Data map changes (" in text
    assert "<summary>Findings introduced (20)</summary>" in text


def test_json_format(cli, shop):
    result = cli("diff", "main", "--format", "json", *AS_OF, cwd=shop)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert list(report) == ["privlint", "base", "summary", "inventories"]
    assert report["base"]["ref"] == "main" and len(report["base"]["commit"]) == 40
    assert report["summary"] == {"added": 2, "changed": 0, "removed": 0,
                                 "introduced": {"error": 1, "warning": 0, "info": 0}, "resolved": 0, "failed": True}
    [inventory] = report["inventories"]
    assert inventory["name"] == "inventory.yaml" and inventory["comparable"]
    changes = {change["entity"]: change for change in inventory["changes"]}
    assert set(changes) == {"recipient:helpdesk", "flow:storefront->helpdesk"}
    assert {"field": "data_categories", "added": ["user.contact.email"], "removed": []} in \
        changes["flow:storefront->helpdesk"]["fields"]
    [finding] = inventory["introduced"]
    assert (finding["rule"], finding["entity"]) == ("PL101", "recipient:helpdesk")
    assert inventory["resolved"] == []


def test_inventory_absent_at_the_ref_is_all_added(cli, repo):
    (repo / "README.md").write_text("no inventory yet\n")
    commit(repo)
    shutil.copy(SALE, repo / "inventory.yaml")
    result = cli("diff", "main", *AS_OF, cwd=repo)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "  (new inventory: it does not exist at main)" in lines
    assert "  + organization.name: Acme" in lines and "  + policy.sells_personal_data: false" in lines
    assert "  + recipient:ga  (Google Analytics, analytics, third_party, US)" in lines
    assert "  + flow:web->partner" in lines
    assert not any(line.startswith("  - ") or line.startswith("  ~ ") for line in lines)
    assert "Findings introduced (2):" in result.stdout


def test_deleted_inventory_is_all_removed_and_passes(cli, repo):
    shutil.copy(SALE, repo / "inventory.yaml")
    commit(repo)
    (repo / "inventory.yaml").unlink()
    result = cli("diff", "main", "inventory.yaml", *AS_OF, cwd=repo)
    assert result.returncode == 0
    assert "  - flow:web->ga" in result.stdout and "Findings resolved (2):" in result.stdout


def test_directory_inventory_from_a_subdirectory(cli, repo):
    inventory = repo / "privacy" / "inventory"
    inventory.mkdir(parents=True)
    text = REFERENCE.read_text()
    head, flows = text.split("\nflows:\n")
    (inventory / "main.yaml").write_text(head)
    (inventory / "flows.yaml").write_text("flows:\n" + flows)
    commit(repo)
    (inventory / "main.yaml").write_text(head.replace("recipients:\n  - id: stripe",
                                                      "recipients:\n" + DESK_RECIPIENT + "  - id: stripe"))
    (inventory / "flows.yaml").write_text("flows:\n" + DESK_FLOW + flows)
    (repo / "privacy" / "notes").mkdir()
    result = cli("diff", "HEAD", "../inventory", *AS_OF, cwd=repo / "privacy" / "notes")
    assert result.returncode == 1, result.stderr
    assert "../inventory:" in result.stdout.splitlines()
    assert "  + recipient:helpdesk  (Deskly Inc., customer_support, processor, US)" in result.stdout
    assert "../inventory/main.yaml:" in result.stdout and " PL101 " in result.stdout


@pytest.mark.parametrize("arguments", [["inv"], ["--recursive", "."]])
def test_hidden_files_are_no_part_of_an_inventory_at_the_revision_either(cli, repo, arguments):
    """The working tree skipped `.privlint.yaml` in a directory inventory but the revision did
    not: an unchanged inventory "did not load" at HEAD, and a hidden file that did not parse
    made the inventory's own findings "introduced" (exit 1)."""
    inventory = repo / "inv"
    (inventory / ".hidden").mkdir(parents=True)
    head, flows = REFERENCE.read_text().split("\nflows:\n")
    (inventory / "main.yaml").write_text(head)
    (inventory / "flows.yaml").write_text("flows:\n" + flows)
    (inventory / ".privlint.yaml").write_text("select: [PL201]\n")
    (inventory / ".pre-commit-config.yaml").write_text("repos: [\n")
    (inventory / ".hidden" / "a.yaml").write_text("x: [\n")
    commit(repo)
    result = cli("diff", "HEAD", *arguments, *AS_OF, cwd=repo)
    assert (result.returncode, result.stderr) == (0, ""), result.stdout
    assert result.stdout.splitlines()[-1] == "Plan: 0 to add, 0 to change, 0 to remove. Findings: 0 introduced, 0 resolved."


def test_inventory_that_stops_loading_reports_findings_not_changes(cli, shop):
    (shop / "inventory.yaml").write_text((shop / "inventory.yaml").read_text() + "  - {broken\n")
    result = cli("diff", "main", *AS_OF, cwd=shop)
    assert result.returncode == 1
    assert "data map changes are not shown" in result.stdout and " PL000 " in result.stdout


@pytest.mark.parametrize("setup, args, message", [
    ("none", ("diff", "main"), "privlint: error: not inside a git work tree"),
    ("repo", ("diff", "no-such-branch"), "privlint: error: unknown git revision 'no-such-branch'"),
    ("repo", ("diff", "main", "missing.yaml"), "privlint: error: missing.yaml: no inventory here"),
])
def test_usage_errors_are_one_line_exit_2(cli, tmp_path, setup, args, message):
    if setup == "repo":
        git(tmp_path, "init", "-q", "-b", "main")
        shutil.copy(SALE, tmp_path / "inventory.yaml")
        commit(tmp_path)
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr


def test_markdown_is_cut_to_fit_a_comment(repo, monkeypatch):
    """GitHub refuses comments over 65,536 characters: long plans and tables are cut, saying so."""
    from privlint.lint import diff
    from privlint.lint.registry import all_rules

    (repo / "README.md").write_text("no inventory yet\n")
    commit(repo)
    shutil.copy(ROOT / "inventories/calisone/inventory.yaml", repo / "inventory.yaml")
    monkeypatch.chdir(repo)
    import datetime as dt

    report = diff.diff("main", ["inventory.yaml"], dt.date(2026, 11, 1), all_rules())
    full = diff.markdown_report(report)
    assert "not shown" not in full
    cut = diff.markdown_report(report, limit=4000)
    assert len(cut) <= 4000 and "more findings not shown" in cut and "more lines not shown" in cut
    assert cut.startswith(diff.MARKER) and "**20 findings introduced** (20 errors)" in cut


def test_reports_are_written_a_piece_at_a_time_with_the_bytes_json_dumps_writes(repo, monkeypatch):
    """450,000 introduced findings: the text and JSON reports held whole, and a comment too
    long to fit rendered whole before it was cut, took 2.6-3.4 GB."""
    import datetime as dt
    import json

    from privlint.lint import diff
    from privlint.lint.registry import all_rules

    (repo / "README.md").write_text("no inventory yet\n")
    commit(repo)
    shutil.copy(ROOT / "inventories/calisone/inventory.yaml", repo / "inventory.yaml")
    monkeypatch.chdir(repo)
    report = diff.diff("main", ["inventory.yaml"], dt.date(2026, 11, 1), all_rules())
    assert not isinstance(diff.json_report(report), str) and not isinstance(diff.text_report(report), str)
    text = "".join(diff.json_report(report))
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    assert len(json.loads(text)["inventories"][0]["introduced"]) == 20

    whole = []
    real = diff._markdown
    monkeypatch.setattr(diff, "_markdown", lambda report, cap: whole.append(cap) or real(report, cap))
    diff.markdown_report(report, limit=500)
    assert whole and None not in whole  # 20 rows cannot fit in 500 characters: never rendered uncut


def test_recursive_diff_holds_one_inventory_pair_at_a_time(repo, monkeypatch):
    """Memory is the largest inventory's, as for `check`: twelve 4.4 MB inventories held all
    24 loaded sides (934 MB) until the report was written. The report keeps what it shows. A
    side is freed before the other is loaded: holding both, a diff of two 10 MB inventories of
    1.2 million findings each took 1.8 GB (1.6 GB now; the findings stay)."""
    import datetime as dt
    import gc
    import weakref

    from privlint.lint import diff, engine
    from privlint.lint.registry import all_rules

    for number in range(3):
        (repo / f"inv{number}").mkdir()
        shutil.copy(REFERENCE, repo / f"inv{number}/inventory.yaml")
    commit(repo)
    for number in range(3):
        add_helpdesk(repo / f"inv{number}/inventory.yaml")
    monkeypatch.chdir(repo)
    loaded, alive_at_load = [], []
    real_load_context = engine.load_context

    def load_context(*args, **kwargs):
        gc.collect()
        alive_at_load.append(sum(1 for ref in loaded if ref() is not None))
        context = real_load_context(*args, **kwargs)
        loaded.append(weakref.ref(context))
        return context

    monkeypatch.setattr(diff, "load_context", load_context)
    report = diff.diff("main", ["."], dt.date(2026, 11, 1), all_rules(), recursive=True)
    gc.collect()
    assert alive_at_load == [0, 0] * 3  # each side alone: a base is freed before its head is loaded
    assert all(ref() is None for ref in loaded)  # the report holds no loaded inventory
    assert [inventory.name for inventory in report.inventories] == ["inv0", "inv1", "inv2"]
    assert all(inventory.comparable and len(inventory.introduced) == 1 for inventory in report.inventories)
    assert "+ recipient:helpdesk" in "".join(diff.text_report(report))


FORGED = "X\x1b]2;pwned\x07\x1b[2J\n+ recipient:forged\nfake.yaml:1:1: PL999 [error] forged"


@pytest.mark.parametrize("output_format", ["text", "markdown"])
def test_control_characters_from_an_inventory_are_shown_escaped(cli, shop, output_format):
    """A recipient's name holding ESC sequences and newlines reached the terminal raw in the
    text report, and started forged lines of the plan in both reports."""
    path = shop / "inventory.yaml"
    path.write_text(path.read_text().replace("name: Deskly Inc.", f"name: {json.dumps(FORGED)}"))
    result = cli("diff", "main", "--format", output_format, *AS_OF, cwd=shop)
    assert result.returncode == 1 and result.stderr == "", result.stderr
    assert not {"\x1b", "\x07"} & set(result.stdout)
    lines = result.stdout.splitlines()
    assert not any(line.lstrip().startswith(("fake.yaml", "+ recipient:forged")) for line in lines), result.stdout
    assert "X\\x1b]2;pwned\\x07\\x1b[2J" in result.stdout


@pytest.mark.parametrize("directory", [False, True])
def test_a_file_whose_object_is_missing_at_the_revision_is_a_usage_error(cli, repo, directory):
    """A blob the revision names but the repository lacks (a partial clone, a damaged one)
    was read as 'no inventory at the revision', making every finding 'introduced', or, in a
    directory, ended in an internal error (IndexError)."""
    folder = repo / "inv" if directory else repo
    folder.mkdir(exist_ok=True)
    shutil.copy(SALE, folder / "inventory.yaml")
    if directory:
        (folder / "more.yaml").write_text("systems: [{id: extra}]\n")
    commit(repo)
    name = "inv/more.yaml" if directory else "inventory.yaml"
    sha = git(repo, "rev-parse", f"HEAD:{name}").strip()
    (repo / ".git" / "objects" / sha[:2] / sha[2:]).unlink()
    result = cli("diff", "HEAD", "inv" if directory else "inventory.yaml", cwd=repo)
    assert result.returncode == 2 and result.stdout == "", result.stdout
    assert result.stderr.startswith("privlint: error: git object ") and "is missing from the repository" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_file_over_the_size_limit_at_the_revision_is_refused_before_it_is_read(cli, repo):
    """Every YAML blob of the revision was read (the whole batch, then copied) before the
    size limit was applied: a 1 GB file at the revision needed over 2 GB. Sizes are now
    asked first."""
    (repo / "inventory.yaml").write_text("privlint: 1\njunk: [" + ",".join(["x"] * 700_000) + "]\n")  # 1.4 MB
    commit(repo)
    (repo / "inventory.yaml").write_text("privlint: 1\n")
    result = cli("diff", "HEAD", "inventory.yaml", cwd=repo, env={"PRIVLINT_MAX_INVENTORY_MB": "1"})
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("privlint: error: inventory.yaml (at the revision): the file is 1.3 MB, more than the 1 MB")


@pytest.fixture
def linked(repo):
    """A directory inventory whose flows are a symbolic link to a file elsewhere in the repository."""
    head, flows = REFERENCE.read_text().split("\nflows:\n")
    (repo / "inv").mkdir()
    (repo / "shared").mkdir()
    (repo / "inv/main.yaml").write_text(head)
    (repo / "shared/flows.yaml").write_text("flows:\n" + flows)
    (repo / "inv/flows.yaml").symlink_to("../shared/flows.yaml")
    (repo / "inv/sub.yaml").symlink_to("../shared")  # a directory: not part of the inventory
    commit(repo)
    return repo


@pytest.mark.skipif(os.name == "nt", reason="symbolic links")
def test_a_symlinked_file_is_followed_at_the_revision_as_in_the_working_tree(cli, linked):
    """Links (git mode 120000) were skipped at the revision but followed in the working tree:
    an unchanged inventory came out as 12 to add and its findings as resolved or introduced."""
    result = cli("diff", "HEAD", "inv", *AS_OF, cwd=linked)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "Plan: 0 to add, 0 to change, 0 to remove. Findings: 0 introduced, 0 resolved."
    flows = linked / "shared/flows.yaml"
    flows.write_text(flows.read_text().replace("flows:\n", "flows:\n" + DESK_FLOW, 1))
    commit(linked)
    main = linked / "inv/main.yaml"
    main.write_text(main.read_text().replace("recipients:\n  - id: stripe", "recipients:\n" + DESK_RECIPIENT + "  - id: stripe"))
    result = cli("diff", "HEAD", "inv", *AS_OF, cwd=linked)
    assert result.returncode == 1, result.stderr
    assert "  + recipient:helpdesk  (Deskly Inc., customer_support, processor, US)" in result.stdout
    assert "+ flow:storefront->helpdesk" not in result.stdout  # the flow was there at the revision too
    # At the revision the flow's recipient was missing (a finding, resolved now).
    assert result.stdout.splitlines()[-1] == "Plan: 1 to add, 0 to change, 0 to remove. Findings: 1 introduced (1 error), 1 resolved."


@pytest.mark.skipif(os.name == "nt", reason="symbolic links")
@pytest.mark.parametrize("target, message", [
    ("../nothing.yaml", "inv/more.yaml (at the revision): a symbolic link that leads nowhere (broken, or a loop)"),
    ("more.yaml", "inv/more.yaml (at the revision): a symbolic link that leads nowhere (broken, or a loop)"),
    ("/etc/hostname", "inv/more.yaml (at the revision): a symbolic link to /etc/hostname, outside the git repository"),
    ("../../outside.yaml", "inv/more.yaml (at the revision): a symbolic link to ../outside.yaml, outside the git repository"),
])
def test_a_symlink_that_cannot_be_followed_at_the_revision_is_a_usage_error(cli, linked, target, message):
    """Never skipped: a link that leads nowhere is refused as `check` refuses it in the working
    tree; one that leads outside the repository has no content at the revision."""
    (linked / "inv/more.yaml").symlink_to(target)
    commit(linked)
    (linked / "inv/more.yaml").unlink()
    result = cli("diff", "HEAD", "inv", *AS_OF, cwd=linked)
    assert result.returncode == 2 and result.stdout == "", result.stdout
    assert result.stderr.startswith(f"privlint: error: {message}") and result.stderr.count("\n") == 1, result.stderr


@pytest.mark.skipif(os.name == "nt", reason="symbolic links")
def test_an_absolute_symlink_into_the_repository_is_followed_at_the_revision(cli, linked):
    (linked / "inv/flows.yaml").unlink()
    (linked / "inv/flows.yaml").symlink_to(linked.resolve() / "shared/flows.yaml")
    commit(linked)
    result = cli("diff", "HEAD", "inv", *AS_OF, cwd=linked)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "Plan: 0 to add, 0 to change, 0 to remove. Findings: 0 introduced, 0 resolved."
