"""Bad inventories end in a positioned finding or a one-line error, never a traceback, and
no YAML tag is ever executed."""

import json

import pytest

CASES = {
    "syntax": (b"privlint: 1\norganization: {name: [x\n", 1, "PL000"),
    "tab-indent": (b"privlint: 1\norganization:\n\tname: x\n", 1, "PL000"),
    "empty": (b"", 1, "PL001"),
    "only-comment": (b"# nothing\n", 1, "PL001"),
    "scalar": (b"just a string\n", 1, "PL001"),
    "list": (b"- a\n- b\n", 1, "PL001"),
    "invalid-utf8": (b"privlint: 1\norganization: {name: \xff\xfe}\n", 1, "PL000"),
    "binary": (bytes(range(256)), 1, "PL000"),
    "wrong-types": (b"privlint: '1'\norganization: [a]\nsystems: {a: 1}\nflows: 3\n", 1, "PL001"),
    "unknown-reference": (b"privlint: 1\norganization: {name: A}\nflows:\n  - {from: a, to: b, data_categories: [user.name]}\n", 1, "PL002"),
    "unknown-taxonomy": (b"privlint: 1\norganization: {name: A}\nsystems:\n  - id: a\n    collects:\n      - data_categories: [user.nope]\n", 1, "PL004"),
    "deep-lists": (b"x: " + b"[" * 20000 + b"]" * 20000 + b"\n", 1, "PL000"),
    "deep-maps": (b"".join(b"  " * i + b"k:\n" for i in range(3000)), 1, "PL000"),
    "huge-int": (b"privlint: " + b"9" * 6000 + b"\norganization: {name: A}\n", 1, "PL001"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_a_positioned_finding(cli, tmp_path, name):
    content, code, rule = CASES[name]
    path = tmp_path / "inventory.yaml"
    path.write_bytes(content)
    result = cli("check", "--format", "json", str(path))
    assert "Traceback" not in result.stderr
    assert result.returncode == code, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert findings and {f["rule"] for f in findings} == {rule}
    assert all(f["line"] >= 1 and f["column"] >= 1 for f in findings)


def test_object_constructing_tags_are_never_executed(cli, tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "inventory.yaml"
    path.write_text(
        "privlint: 1\norganization:\n"
        f"  name: !!python/object/apply:os.system ['touch {marker}']\n"
    )
    result = cli("check", str(path))
    assert result.returncode == 1
    assert "PL000" in result.stdout and "tag" in result.stdout
    assert not marker.exists()


def test_billion_laughs_is_refused_quickly(cli, tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    path = tmp_path / "inventory.yaml"
    path.write_text("\n".join(lines) + "\n")
    result = cli("check", "--format", "json", str(path))
    assert result.returncode == 1
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["rule"] == "PL000" and "billion laughs" in finding["message"]


def test_symlink_loop_is_usage_error(cli, tmp_path):
    loop = tmp_path / "inventory.yaml"
    loop.symlink_to(loop)
    result = cli("check", str(loop))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_norway_is_not_false(cli, tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text("privlint: 1\norganization: {name: Acme, country: NO}\n")
    assert cli("check", str(path)).returncode == 0
