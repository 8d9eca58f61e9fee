"""Positions the loader keeps, at the edges of how it stores them (32-bit slots, a table of
wide positions, runs of containers, aliases). The fuzz properties cover ordinary documents."""

from __future__ import annotations

from privlint.lint import loader

from .fuzz import reference


def assert_positions_match_ruamel(text: str) -> None:
    document = loader.load("x.yaml", text.encode())
    values, keys = reference.positions(text)
    assert document.positions == values
    assert document.key_positions == keys
    for path, position in values.items():
        assert document.position(path) == position, path
    for path, position in keys.items():
        assert document.key_position(path) == position, path


def test_positions_past_column_1023_are_exact():
    """A long flow list (a policy naming hundreds of recipients) puts values far to the right."""
    names = ", ".join(f"Recipient {number:04d}" for number in range(400))
    text = f"policy:\n  recipients: [{names}]\n  after: {{deep: [{names}, {{last: x}}]}}\nend: 1\n"
    assert max(column for _, column in loader.load("x.yaml", text).positions.values()) > 6_000
    assert_positions_match_ruamel(text)


def test_positions_past_line_half_a_million_are_exact():
    """A slot keeps lines up to 2**19 inline; later ones are wide, and still exact."""
    text = "first: 1\n" + "\n" * 600_000 + "flows:\n  - {from: a, to: b}\n  - from: c\n    to: [d, e]\n"
    document = loader.load("x.yaml", text)
    assert document.position(("flows", 1, "to", 1)) == (600_005, 13)
    assert document.key_position(("flows", 1, "to")) == (600_005, 5)
    assert_positions_match_ruamel(text)


def test_everything_inside_an_aliased_value_is_positioned_at_the_alias():
    spaces = " " * 2_000  # the alias at a wide column too
    text = "base: &b {a: [1, {c: 2}]}\nuse: *b\nwide:" + spaces + "*b\n"
    document = loader.load("x.yaml", text)
    assert document.position(("base", "a", 1, "c")) == (1, 22)
    assert document.position(("use", "a", 1, "c")) == (2, 6)
    assert document.key_position(("use", "a")) == (2, 6)
    assert document.position(("wide", "a", 0)) == (3, 2_006)
    assert document.positions[("use", "a", 1, "c")] == (2, 6)
    assert ("use", "a") not in document.key_positions


def test_a_path_that_leaves_the_data_gives_the_nearest_enclosing_value():
    document = loader.load("x.yaml", "a:\n  - {b: 1}\n  - 2\n")
    assert document.position(("a", 0, "b")) == (2, 9)
    assert document.key_position(("a", 0, "b")) == (2, 6)
    assert document.position(("a", 0, "missing")) == (2, 5)
    assert document.position(("a", 7)) == (2, 3)
    assert document.position(("a", 1, "b")) == (3, 5)
    assert document.position(("a", [1])) == (2, 3)  # an unhashable part names nothing
    assert document.key_position(("a", 0, "missing")) == (2, 5)


def test_members_of_a_large_mapping_are_found_by_key():
    """Mappings over 16 keys find a member through an index built once."""
    text = "".join(f"key{number}: {{value: [{number}, {number + 1}]}}\n" for number in range(40))
    document = loader.load("x.yaml", text)
    assert document.position(("key39", "value", 1)) == (40, 21)
    assert document.key_position(("key17",)) == (18, 1)
    assert_positions_match_ruamel(text)


def test_aliases_may_stand_for_as_many_characters_as_the_document_has():
    """The alias budget is counted in characters written out, not in values: short values
    elsewhere in the file cannot pay for aliases of long lists."""
    import pytest

    listed = "[" + ", ".join(f"user.contact.category_{number}" for number in range(100)) + "]"
    padding = "padding: [" + ",".join(["a"] * 20_000) + "]\n"  # 20,000 values in 40,000 characters
    head = f"anchor: &c {listed}\n" + padding + "uses:\n"

    def document(uses: int) -> str:
        return head + "  - *c\n" * uses

    def fits(uses: int) -> bool:
        return uses * len(listed) <= len(document(uses)) + loader.ALIAS_EXPANSION_ALLOWANCE

    most = max(uses for uses in range(200) if fits(uses))
    assert 40 < most < 60  # about 140,000 characters: far fewer than the 20,000 values the file has
    assert len(loader.load("x.yaml", document(most)).data["uses"]) == most
    with pytest.raises(loader.YamlError, match="billion laughs") as refused:
        loader.load("x.yaml", document(most + 10))
    assert (refused.value.line, refused.value.column) == (3 + most + 1, 5)  # the first alias too many


def test_a_nested_alias_counts_what_it_expands_to():
    """An anchored list of aliases stands for everything they stand for (billion laughs)."""
    import pytest

    levels = ["a: &a [" + ", ".join(["lol"] * 10) + "]"]
    levels += [f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]" for previous, name in zip("abcd", "bcde")]
    with pytest.raises(loader.YamlError, match="billion laughs") as refused:
        loader.load("x.yaml", "\n".join(levels) + "\n")
    assert refused.value.line == 5


def test_comments_after_an_anchored_block_are_not_what_its_aliases_stand_for():
    """A block list's end event comes at the next token, after any comments that follow it."""
    comment = "# " + "a long note on why these categories are collected " * 40 + "\n"  # ~2,000 characters
    block = "anchor: &c\n  - user.contact.email\n  - user.name\n" + comment * 50  # ~100,000 characters of notes
    text = block + "uses:\n" + "  - *c\n" * 2_000
    assert len(loader.load("x.yaml", text).data["uses"]) == 2_000
