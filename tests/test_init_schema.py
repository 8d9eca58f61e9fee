"""`privlint schema` (the inventory JSON Schema for editors) and `privlint init` (a starter)."""

import json

import jsonschema

from privlint.lint import loader

from .conftest import ROOT


def test_schema_is_a_valid_draft_2020_12_schema(cli):
    result = cli("schema")
    assert result.returncode == 0 and result.stderr == ""
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert result.stdout == (ROOT / "data/inventory.schema.json").read_text(encoding="utf-8")
    # It is the schema `check` validates with: the example inventories conform to it.
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted((ROOT / "inventories").rglob("*.yaml")):
        data = loader.load(str(path), path.read_text(encoding="utf-8")).data
        assert list(validator.iter_errors(data)) == [], path
    bad = {"privlint": 2, "organization": {}}
    assert len(list(validator.iter_errors(bad))) == 2


def test_schema_redirected_to_a_file_is_what_the_readme_tells_editors_to_use(cli, tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Editor completion" in readme
    assert "privlint schema > privlint.schema.json" in readme
    assert "# yaml-language-server: $schema=./privlint.schema.json" in readme
    target = tmp_path / "privlint.schema.json"
    target.write_text(cli("schema").stdout, encoding="utf-8")
    jsonschema.Draft202012Validator.check_schema(json.loads(target.read_text(encoding="utf-8")))


def test_init_writes_a_clean_commented_canonical_starter(cli, tmp_path):
    result = cli("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Wrote inventory.yaml. Check it with: privlint check inventory.yaml\n"
    text = (tmp_path / "inventory.yaml").read_text(encoding="utf-8")
    assert text.startswith("# privlint inventory") and text.count("#") > 20
    check = cli("check", cwd=tmp_path)  # default ./inventory.yaml, judged as of today
    assert check.returncode == 0 and check.stdout == "No findings (1 inventory checked).\n", check.stdout
    for as_of in ("2024-01-01", "2030-01-01"):
        dated = cli("check", "--as-of", as_of, "--fail-on", "info", cwd=tmp_path)
        assert dated.returncode == 0 and dated.stdout.startswith("No findings"), dated.stdout
    assert cli("fmt", "--check", cwd=tmp_path).returncode == 0  # already canonical
    assert cli("graph", cwd=tmp_path).stdout.startswith("flowchart LR\n")


def test_init_never_overwrites(cli, tmp_path):
    existing = tmp_path / "inventory.yaml"
    existing.write_text("mine\n", encoding="utf-8")
    result = cli("init", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "privlint: error: inventory.yaml: already exists; not overwriting it\n"
    assert existing.read_text(encoding="utf-8") == "mine\n"


def test_init_path_argument_and_directories(cli, tmp_path):
    named = cli("init", "privacy/map.yaml", cwd=tmp_path)
    assert named.returncode == 2 and named.stderr.count("\n") == 1  # no such directory: one line
    (tmp_path / "privacy").mkdir()
    assert cli("init", "privacy/map.yaml", cwd=tmp_path).returncode == 0
    assert cli("check", "privacy/map.yaml", cwd=tmp_path).returncode == 0
    into_dir = cli("init", "privacy", cwd=tmp_path)
    assert into_dir.returncode == 0 and (tmp_path / "privacy/inventory.yaml").is_file()
    again = cli("init", "privacy", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_init_into_a_new_directory_named_with_a_slash_creates_it(cli, tmp_path):
    """`init newdir/` wrote a FILE named newdir ("Wrote newdir.")."""
    result = cli("init", "newdir/", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "Wrote newdir/inventory.yaml. Check it with: privlint check newdir/inventory.yaml\n"
    assert cli("check", "newdir/inventory.yaml", cwd=tmp_path).returncode == 0
    (tmp_path / "afile").write_text("")
    for path, error in (("afile/", "Not a directory"), ("missing/sub/", "No such file or directory")):
        result = cli("init", path, cwd=tmp_path)
        assert (result.returncode, result.stderr) == (
            2, f"privlint: error: {path}: cannot write the starter inventory ({error})\n")
    assert (tmp_path / "afile").read_text() == "" and not (tmp_path / "missing").exists()
