"""`privlint fmt`: canonical key order and indentation, every comment and value kept, atomic."""

import os
import re
import shutil
import stat
from collections import Counter
from pathlib import Path

import pytest

from privlint.lint import fmt, loader

from .conftest import ROOT, lint, triples

INVENTORY_FILES = sorted((ROOT / "inventories").rglob("*.yaml"))


def _parses(path: Path) -> bool:
    try:
        loader.load(str(path), loader.decode(path.read_bytes()))
    except loader.YamlError:
        return False
    return True


FIXTURES = sorted(path for path in (ROOT / "tests/rules").rglob("*.y*ml") if _parses(path))
UNPARSEABLE = sorted(path for path in (ROOT / "tests/rules").rglob("*.y*ml") if not _parses(path))


def _data(text: str):
    return loader.load("x.yaml", text).data


def _comments(text: str) -> list[str]:
    """Comment texts, found independently of privlint's own scanner: '#' at the start of a
    line or after whitespace, outside quotes (the fixtures quote no '#')."""
    found = []
    for line in text.splitlines():
        match = re.search(r"(?:^|\s)(#.*)$", line)
        if match and not re.search(r"""['"][^'"]*#""", line[: match.start(1) + 1]):
            found.append(match.group(1).strip())
    return found


def _format(path: Path) -> tuple[str, str]:
    raw = path.read_bytes()
    return raw.decode("utf-8-sig"), fmt.format_bytes(raw, str(path)).decode("utf-8-sig")


@pytest.mark.parametrize("path", INVENTORY_FILES + FIXTURES, ids=lambda path: str(path.relative_to(ROOT)))
def test_fmt_keeps_data_and_comments_and_is_idempotent(path):
    before, after = _format(path)
    assert _data(after) == _data(before)
    assert Counter(_comments(after)) == Counter(_comments(before))
    assert fmt.format_text(after, str(path)) == after  # idempotent
    if path in INVENTORY_FILES:  # already in canonical key order: comments keep their order too
        assert _comments(after) == _comments(before)


def test_fmt_over_the_example_inventories_with_the_cli(cli, tmp_path):
    copy = tmp_path / "inventories"
    shutil.copytree(ROOT / "inventories", copy)
    findings_before = triples(lint(copy / "calisone")), triples(lint(copy / "reference"))
    result = cli("fmt", "--recursive", str(copy))
    assert result.returncode == 0, result.stderr
    again = cli("fmt", "--check", "--recursive", str(copy))
    assert again.returncode == 0 and again.stdout == "", again.stdout
    assert "0 files would be reformatted, 6 unchanged." in again.stderr
    # Formatting moves no finding's entity and no line a finding is reported on.
    assert (triples(lint(copy / "calisone")), triples(lint(copy / "reference"))) == findings_before


@pytest.mark.parametrize("path", UNPARSEABLE, ids=lambda path: path.name)
def test_fmt_refuses_files_that_do_not_parse_and_never_writes_them(cli, tmp_path, path):
    target = tmp_path / path.name
    shutil.copyfile(path, target)
    before = target.read_bytes()
    for args in (("fmt", str(target)), ("fmt", "--check", str(target))):
        result = cli(*args)
        assert result.returncode == 1
        first = result.stderr.splitlines()[0]
        assert re.match(rf"{re.escape(str(target))}:\d+:\d+: PL000 \[error\] .+ \(not formatted\)$", first), first
        assert "Traceback" not in result.stderr
    assert target.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == [path.name]  # no temporary file left


SCRAMBLED = """\
# Scrambled inventory: keys out of order, 4-space indentation.
flows:
    # the payment flow
    -   to: stripe   # the processor
        from: shop
        purposes: [essential.service.payment_processing]
        data_categories: [user.contact.email]
        transfer_basis: {UK: idta, EEA: scc}
recipients:
    - role: processor   # privlint: ignore[PL101] reason: named in the DPA annex
      vendor: stripe
      id: stripe
systems:
    -   collects:
            -   origins: [EEA, UK]   # people in Europe
                data_categories: [user.contact.email]
                subjects: [customer]
        # the shop itself
        id: shop
        country: IE
policy:
    # what the policy says
    recipient_categories: [crm]
    data_categories: [user.contact.email]
    purposes: [essential]
    transfer_mechanisms: [scc, idta]
    # end of policy
organization: {country: IE, name: Example}
privlint: 1   # format version
"""

CANONICAL = """\
# Scrambled inventory: keys out of order, 4-space indentation.
privlint: 1   # format version
organization: {name: Example, country: IE}
policy:
  # what the policy says
  recipient_categories: [crm]
  data_categories: [user.contact.email]
  purposes: [essential]
  transfer_mechanisms: [scc, idta]
  # end of policy
systems:
  # the shop itself
  - id: shop
    country: IE
    collects:
      - subjects: [customer]
        data_categories: [user.contact.email]
        origins: [EEA, UK]           # people in Europe
recipients:
  - id: stripe    # privlint: ignore[PL101] reason: named in the DPA annex
    vendor: stripe
    role: processor
flows:
  # the payment flow
  - from: shop
    to: stripe       # the processor
    data_categories: [user.contact.email]
    purposes: [essential.service.payment_processing]
    transfer_basis: {EEA: scc, UK: idta}
"""


def test_fmt_scrambled_inventory(cli, tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text(SCRAMBLED, encoding="utf-8")
    findings = triples(lint(path))
    assert findings == []  # the PL101 suppression on stripe's first line works
    check = cli("fmt", "--check", "inventory.yaml", cwd=tmp_path)
    assert check.returncode == 1 and check.stdout == "would reformat inventory.yaml\n"
    assert path.read_text(encoding="utf-8") == SCRAMBLED  # --check writes nothing
    diff = cli("fmt", "--diff", "inventory.yaml", cwd=tmp_path)
    assert diff.returncode == 1 and diff.stdout.startswith("--- a/inventory.yaml\n+++ b/inventory.yaml\n")
    result = cli("fmt", cwd=tmp_path)  # default: ./inventory.yaml
    assert result.returncode == 0 and result.stdout == "reformatted inventory.yaml\n"
    assert result.stderr == "1 file reformatted, 0 unchanged.\n"
    formatted = path.read_text(encoding="utf-8")
    assert formatted == CANONICAL
    assert _data(formatted) == _data(SCRAMBLED)
    assert Counter(_comments(formatted)) == Counter(_comments(SCRAMBLED))
    # Still suppressed: the comment moved to the entity's new first line.
    assert [(f.rule, f.entity, f.suppressed) for f in lint(path)] == [
        ("PL101", "recipient:stripe", "named in the DPA annex")]
    clean = cli("fmt", "--check", "inventory.yaml", cwd=tmp_path)
    assert clean.returncode == 0 and clean.stdout == ""
    assert clean.stderr == "0 files would be reformatted, 1 unchanged.\n"


def test_top_level_order_and_unknown_keys_last():
    text = "extra: 1\nvendors: {}\nflows: []\nrecipients: []\nsystems: []\npolicy: {}\norganization: {name: X}\nprivlint: 1\n"
    out = fmt.format_text(text)
    assert [line.split(":")[0] for line in out.splitlines()] == [
        "privlint", "organization", "policy", "systems", "recipients", "flows", "vendors", "extra"]


def test_newline_style_and_bom_are_kept(tmp_path, cli):
    text = SCRAMBLED.replace("\n", "\r\n")
    path = tmp_path / "crlf.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = cli("fmt", str(path))
    assert result.returncode == 0, result.stderr
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == raw.count(b"\n") == CANONICAL.count("\n")
    assert raw[3:].decode("utf-8") == CANONICAL.replace("\n", "\r\n")
    unix = tmp_path / "unix.yaml"
    unix.write_text(SCRAMBLED, encoding="utf-8")
    cli("fmt", str(unix))
    assert b"\r" not in unix.read_bytes() and not unix.read_bytes().startswith(b"\xef\xbb\xbf")


def test_fmt_writes_atomically_and_leaves_the_file_whole_when_interrupted(tmp_path, monkeypatch):
    path = tmp_path / "inventory.yaml"
    path.write_text(SCRAMBLED, encoding="utf-8")
    seen = []
    real_replace = os.replace

    def replace(source, destination):
        seen.append((Path(source).parent, Path(source).read_bytes()))
        raise KeyboardInterrupt  # the run is interrupted just before the rename

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        fmt.format_file(path, "inventory.yaml", check=False)
    assert path.read_text(encoding="utf-8") == SCRAMBLED  # untouched
    assert os.listdir(tmp_path) == ["inventory.yaml"]  # the temporary file is gone
    assert seen[0][0] == tmp_path and seen[0][1].decode() == CANONICAL  # complete, same directory

    def failing_fsync(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", real_replace)
    monkeypatch.setattr(os, "fsync", failing_fsync)
    result = fmt.format_file(path, "inventory.yaml", check=False)
    assert result.error is not None and "No space left on device" in result.error.message
    assert path.read_text(encoding="utf-8") == SCRAMBLED
    assert os.listdir(tmp_path) == ["inventory.yaml"]


def test_fmt_keeps_permissions_and_symlinks(tmp_path, cli):
    real = tmp_path / "real.yaml"
    real.write_text(SCRAMBLED, encoding="utf-8")
    os.chmod(real, 0o600)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    result = cli("fmt", str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and real.read_text(encoding="utf-8") == CANONICAL
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


def _refused(tmp_path, cli, text: str, *options: str):
    """Run `privlint fmt` on `text` that it must refuse: (the file, stderr); the file unchanged."""
    path = tmp_path / "inventory.yaml"
    path.write_text(text, encoding="utf-8")
    result = cli("fmt", *options, str(path))
    assert result.returncode == 1
    assert path.read_text(encoding="utf-8") == text
    return path, result.stderr


def test_fmt_refuses_what_it_cannot_keep(tmp_path, cli):
    # ruamel.yaml drops a comment inside a multi-line flow list: refuse rather than lose it.
    text = "privlint: 1\norganization: {name: X}\npolicy:\n  recipients: [Stripe,   # the processor\n     PayPal]\n"
    path, stderr = _refused(tmp_path, cli, text)
    assert stderr.startswith(
        f"{path}:4:26: [error] cannot be formatted without losing the comment `# the processor`: ruamel.yaml "
        "drops comments inside multi-line flow collections"
    ), stderr


@pytest.mark.parametrize("text, position, comment, cause", [
    ("privlint: 1\norganization: {name: A}\n...\n# trailer\n", (4, 1), "# trailer",
     "ruamel.yaml drops comments after the document end marker `...`"),
    ("privlint: 1\norganization:\n  name:\n    # between key and value\n    Acme\n", (4, 5),
     "# between key and value", "ruamel.yaml would drop it"),
])
def test_a_refusal_names_the_comment_that_would_be_lost(tmp_path, cli, text, position, comment, cause):
    """Every comment ruamel.yaml loses was blamed on multi-line flow collections, at 1:1, in
    files that have none."""
    path, stderr = _refused(tmp_path, cli, text, "--check")
    line, column = position
    assert f"{path}:{line}:{column}: [error] cannot be formatted without losing the comment `{comment}`: {cause};" in stderr
    assert "flow" not in stderr


def test_fmt_says_so_when_ruamel_cannot_read_the_file(tmp_path, cli):
    """ruamel.yaml reads `2025-02-30` as a timestamp and fails: the refusal blamed comments
    in multi-line flow collections, which the file does not have."""
    text = "privlint: 1\norganization: {name: X}\npolicy: {updated: 2025-02-30}\n"
    _, stderr = _refused(tmp_path, cli, text)
    assert "ruamel.yaml, which privlint fmt formats with, cannot read or write this file (day is out of range" in stderr
    assert "comments" not in stderr


def test_reordering_that_would_break_an_alias_is_not_done():
    # Reordering would put organization (holding the alias) before policy (holding the anchor).
    text = "privlint: 1\npolicy:\n  url: &site https://x.example\norganization:\n  name: *site\n"
    out = fmt.format_text(text)
    assert _data(out) == _data(text)
    assert out.index("policy:") < out.index("organization:")


def test_yaml_12_scalars_and_quotes_survive():
    text = (
        "privlint: 1\norganization:\n    name: 'NO'\n    country: NO\n    description: \"yes # not a comment\"\n"
        "policy:\n    updated: 2024-03-01\n    url: https://x.example/#privacy\n"
    )
    out = fmt.format_text(text)
    assert out == (
        "privlint: 1\norganization:\n  name: 'NO'\n  country: NO\n  description: \"yes # not a comment\"\n"
        "policy:\n  url: https://x.example/#privacy\n  updated: 2024-03-01\n"
    )
    assert _data(out) == _data(text)


def test_block_scalars_and_comment_lines_inside_them(tmp_path):
    text = (
        "privlint: 1\norganization:\n    description: |\n        line one\n        # not a comment\n\n"
        "        last\n    name: X\n"
    )
    out = fmt.format_text(text)
    assert _data(out) == _data(text)
    assert "  description: |\n    line one\n    # not a comment\n\n    last\n" in out
    assert out.index("name: X") < out.index("description")


def test_empty_and_comment_only_files_are_left_alone():
    assert fmt.format_text("") == ""
    assert fmt.format_text("# nothing yet\n") == "# nothing yet\n"


NESTED_FIRST_KEY = """\
privlint: 1
organization:
  # about country
  country: IE
  # about name
  name: Example
policy:
  # privlint: ignore[PL104] reason: Ghost is onboarded next quarter
  recipients: [Ghost]
  url: https://example.com/privacy
"""


def test_comments_above_the_first_key_of_a_nested_mapping_move_with_it(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text(NESTED_FIRST_KEY, encoding="utf-8")
    findings = [(f.rule, f.entity, f.suppressed) for f in lint(path)]
    assert ("PL104", "policy.recipients", "Ghost is onboarded next quarter") in findings
    out = fmt.format_text(NESTED_FIRST_KEY)
    assert out == (
        "privlint: 1\norganization:\n  # about name\n  name: Example\n  # about country\n  country: IE\n"
        "policy:\n  url: https://example.com/privacy\n"
        "  # privlint: ignore[PL104] reason: Ghost is onboarded next quarter\n  recipients: [Ghost]\n"
    )
    path.write_text(out, encoding="utf-8")
    assert [(f.rule, f.entity, f.suppressed) for f in lint(path)] == findings  # fmt changes no finding


def test_a_result_that_moves_a_comment_to_another_key_is_not_proved():
    # The same comments and data, but the suppression now stands above `url:`: refused.
    moved = NESTED_FIRST_KEY.replace(
        "  # privlint: ignore[PL104] reason: Ghost is onboarded next quarter\n  recipients: [Ghost]\n"
        "  url: https://example.com/privacy\n",
        "  # privlint: ignore[PL104] reason: Ghost is onboarded next quarter\n  url: https://example.com/privacy\n"
        "  recipients: [Ghost]\n",
    )
    assert _data(moved) == _data(NESTED_FIRST_KEY) and moved != NESTED_FIRST_KEY
    paths = {}
    before = fmt._attachments(NESTED_FIRST_KEY, fmt._tree(NESTED_FIRST_KEY, paths))
    assert not fmt._proved(_data(NESTED_FIRST_KEY), before, moved, paths, "x.yaml")
    assert fmt._proved(_data(NESTED_FIRST_KEY), before, fmt.format_text(NESTED_FIRST_KEY), paths, "x.yaml")


def test_a_suppression_at_the_end_of_a_policy_field_stays_on_that_field():
    # Only an entity's first line (a `- ` line) hands its suppression to the new first key.
    text = "privlint: 1\norganization: {name: X}\npolicy:\n  recipients: [Ghost]   # privlint: ignore[PL104] reason: later\n  url: https://x.example\n"
    assert fmt.format_text(text) == (
        "privlint: 1\norganization: {name: X}\npolicy:\n  url: https://x.example\n"
        "  recipients: [Ghost]   # privlint: ignore[PL104] reason: later\n"
    )


def test_fmt_refuses_a_file_over_its_size_or_value_limit_with_exit_2(tmp_path, cli):
    # ruamel.yaml's round trip costs ~60 us a value: 4.4 MB took 32 s, 500 KB of `[a,a,…]` 15 s.
    # Past 1 MB, or 100,000 values per MB (here 0.01 MB: 10,485 bytes, 1,000 values), refuse.
    big = tmp_path / "big.yaml"
    big.write_text("privlint: 1\norganization: {name: X}\npolicy:\n  url: '" + "x" * 11_000 + "'\n")
    dense = tmp_path / "dense.yaml"
    dense.write_text("privlint: 1\npolicy:\n  recipients: [" + ",".join(["a"] * 1_000) + "]\n")
    small = tmp_path / "small.yaml"
    small.write_text("policy: {url: x}\nprivlint: 1\n")
    limit = {"PRIVLINT_MAX_FMT_MB": "0.01"}
    for path, what in ((big, "is 0.0 MB"), (dense, "holds more than 1,000 values")):
        before = path.read_bytes()
        for args in (("fmt", str(path)), ("fmt", "--check", str(path))):
            result = cli(*args, env=limit)
            assert result.returncode == 2, result.stderr
            assert result.stderr.startswith(f"privlint: error: {path}: the file {what}, more than privlint fmt formats")
            assert len(result.stderr.splitlines()) == 1 and "PRIVLINT_MAX_FMT_MB" in result.stderr
        assert path.read_bytes() == before
    assert cli("fmt", str(small), env=limit).returncode == 0
    assert cli("fmt", "--check", str(dense), env={"PRIVLINT_MAX_FMT_MB": "0.02"}).returncode == 1  # raised: formatted
    assert fmt.MAX_FMT_MB == 1 and fmt.MAX_FMT_VALUES_PER_MB == 100_000


@pytest.mark.parametrize("character, name, escape", [
    ("\x85", "U+0085 NEXT LINE", "\\x85"),
    ("\u2028", "U+2028 LINE SEPARATOR", "\\u2028"),
    ("\u2029", "U+2029 PARAGRAPH SEPARATOR", "\\u2029"),
])
def test_a_unicode_line_break_is_refused_at_its_position(tmp_path, cli, character, name, escape):
    """libyaml (YAML 1.1, `check`) reads these as line breaks, ruamel.yaml's round trip (YAML
    1.2) as text: fmt refused the file at 1:1 with ruamel's parse error."""
    text = f"privlint: 1\norganization:\n  name: Acme{character}  country: XX\n"
    path, stderr = _refused(tmp_path, cli, text)
    assert stderr.startswith(
        f"{path}:3:13: PL000 [error] a raw {name}, which YAML 1.1 reads as a line break and YAML 1.2 as text; "
        f'write it as an escape in a double-quoted string ("{escape}"), or remove it'
    ), stderr


ESCAPED = r'''privlint: 1
organization:
    name: "Acme \u202e \x07 \U0001F600 Caf\xe9 \u200b \t"
    "k\u2066": ["\u2069y", 'z']
'''


def test_double_quoted_scalars_keep_their_escapes():
    """ruamel.yaml re-escaped double-quoted scalars: `"\\u202e"` became a raw, invisible
    RIGHT-TO-LEFT OVERRIDE in the file ("Trojan Source"), `"\\x07"` became `"\\a"`."""
    out = fmt.format_text(ESCAPED)
    assert out == ESCAPED.replace("\n    ", "\n  ")
    assert _data(out) == _data(ESCAPED)
    assert fmt.format_text(out) == out


@pytest.mark.parametrize("text", [
    'privlint: 1\norganization: {name: "A\\u00e9B", country: DE}   # org\n',
    'privlint: 1\norganization:\n  name: "A\\u00e9B" # org\n',
    'privlint: 1\norganization: {name: X}\nsystems:\n  - {id: s, name: "\\x41\\x42\\x43"}  # c\n',
])
def test_a_comment_after_an_escaped_scalar_stays_where_it_is(text):
    """Putting the escapes back pushed the comment after them right on every run (5 spaces
    for `\\u00e9`): `fmt --check` never passed."""
    assert fmt.format_text(text) == text
    assert fmt.format_text(fmt.format_text(text)) == fmt.format_text(text)


def test_fmt_never_writes_a_raw_bidi_control_or_format_character():
    """Where the original text of a double-quoted scalar cannot be kept (it spans lines),
    control and format characters are written as escapes, never raw."""
    text = 'privlint: 1\norganization:\n    name: "Caf\\xe9 \\u202e\n      \\u2066B\\u200d"\n'
    out = fmt.format_text(text)
    assert out == 'privlint: 1\norganization:\n  name: "Caf\\xE9 \\u202E \\u2066B\\u200D"\n'
    assert _data(out) == _data(text)
    assert not any(0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 or c in "\u200b\u200d" for c in out)


def test_fmt_refuses_a_run_over_its_budget_before_formatting_any_file(tmp_path, cli):
    """Each file was held to 1 MB, but not the run: six 0.95 MB files took 33 s and 20,000
    one-system files ~80 s. A run holds at most 1 MB, 35,000 values and 500 files per MB of
    PRIVLINT_MAX_FMT_MB (here 0.01: 10,485 bytes, 350 values, 5 files), refused up front."""
    limit = {"PRIVLINT_MAX_FMT_MB": "0.01"}
    unformatted = "policy: {url: x}\nprivlint: 1\n"
    many, big, dense = tmp_path / "many", tmp_path / "big", tmp_path / "dense"
    for directory in (many, big, dense):
        directory.mkdir()
    for index in range(6):
        (many / f"part{index}.yaml").write_text(unformatted)
    for index in range(2):
        (big / f"part{index}.yaml").write_text(unformatted + "# " + "x" * 6_000 + "\n")
        (dense / f"part{index}.yaml").write_text(unformatted + "systems: [" + ",".join(["{id: s}"] * 70) + "]\n")
    budget = ("privlint fmt formats at most 0.01 MB, 350 values and 5 files in one run (about 10 s): pass fewer "
              "files or directories per run, or set PRIVLINT_MAX_FMT_MB (default 1) to raise the limit\n")
    for args, what in (
        (("many",), "many: the run holds 6 files"),
        (("big",), "big: the run's 2 files hold 0.0115 MB"),
        (("dense/part0.yaml", "dense/part1.yaml"), "dense/part0.yaml, dense/part1.yaml: the run's 2 files hold more than 350 values"),
        (("--recursive", "."), ".: the run holds 10 files"),
    ):
        result = cli("fmt", *args, cwd=tmp_path, env=limit)
        assert (result.returncode, result.stdout, result.stderr) == (2, "", f"privlint: error: {what}; {budget}")
    assert all(path.read_text().startswith(unformatted) for path in tmp_path.rglob("*.yaml"))  # nothing written
    result = cli("fmt", "many/part0.yaml", "many/part1.yaml", "big/part0.yaml", cwd=tmp_path, env=limit)
    assert result.returncode == 0 and result.stderr == "3 files reformatted, 0 unchanged.\n"
    assert cli("fmt", "--check", "dense/part0.yaml", cwd=tmp_path, env=limit).returncode == 1  # alone: its own limit


@pytest.mark.parametrize("text, position", [
    ("privlint: 1\norganization:\n  name: A\n  country: US\t\n", "4:14"),  # a TAB ends the line
    ("privlint: 1\norganization:\n  name: A\t# the controller\n", "3:10"),  # a TAB before a comment
])
def test_a_file_ruamel_cannot_read_is_refused_at_the_position_it_gives(tmp_path, cli, text, position):
    """`check` reads these; ruamel.yaml's pure scanner does not, and fmt said 1:1 with no
    line ("format it by hand" for a one-character problem)."""
    path = tmp_path / "inventory.yaml"
    path.write_text(text)
    result = cli("fmt", "--check", "inventory.yaml", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        f"inventory.yaml:{position}: [error] ruamel.yaml, which privlint fmt formats with, cannot read or write "
        "this file (found character '\\t' that cannot start any token); format it by hand (not formatted)"
    )
