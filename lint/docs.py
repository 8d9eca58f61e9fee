"""Rule documentation as text: the `privlint rules` table and the docs/rules.md reference."""

from __future__ import annotations

from .registry import all_rules


def rules_table() -> str:
    rules = all_rules()
    name_width = max(len(rule.name) for rule in rules)
    lines = [f"{'ID':<6} {'name':<{name_width}} {'severity':<8} summary"]
    for rule in rules:
        lines.append(f"{rule.id:<6} {rule.name:<{name_width}} {rule.severity:<8} {rule.summary}")
    return "\n".join(lines) + "\n"


def reference_page() -> str:
    """docs/rules.md, generated from the rules' docstrings (`python -m privlint.lint.docs`)."""
    parts = [
        "# privlint rules",
        "",
        "<!-- Generated from the rule modules' docstrings by `python -m privlint.lint.docs > docs/rules.md`."
        " Do not edit by hand. -->",
        "",
        "| ID | name | severity | summary |",
        "|---|---|---|---|",
    ]
    for rule in all_rules():
        summary = rule.summary.replace("|", "\\|")
        parts.append(f"| [{rule.id}](#{rule.id.lower()}-{rule.name}) | {rule.name} | {rule.severity} | {summary} |")
    for rule in all_rules():
        parts += ["", rule.docs, "", f"Default severity: **{rule.severity}**."]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    print(reference_page(), end="")
