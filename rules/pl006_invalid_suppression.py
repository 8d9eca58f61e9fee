"""## PL006 invalid-suppression

**What it does.** Checks every inline suppression comment,
`# privlint: ignore[PL301] reason: …`, written on the line of an entity's first key or on the
line above it. Reports a suppression that has no reason, names an unknown rule, is not
attached to any entity, or suppresses nothing (the entity has no finding of that rule — for
example because the problem was fixed and the comment stayed). A suppression without a reason
does not suppress.

**Why is this bad?** A compliance gate is an audit trail: every accepted risk needs a recorded
justification that a reviewer or auditor can read (GDPR Art. 5(2) accountability, Art. 24).
Stale suppressions hide future regressions of the same rule on the same entity.

**Example**
```yaml
flows:
  # privlint: ignore[PL301]
  - from: storefront
    to: adnet
```

**Fix.** Give the reason and the date of the decision:
```yaml
  # privlint: ignore[PL301] reason: AdNet signed service-provider terms on 2024-05-01
```
or delete the comment when it no longer suppresses anything.
"""

from privlint.lint.engine import Violation

ID = "PL006"
NAME = "invalid-suppression"
SEVERITY = "warning"
SUMMARY = "a suppression has no reason, names an unknown rule, or suppresses nothing"
STAGE = "suppressions"


def check(context):
    for suppression in context.suppressions:
        problems = suppression.problems(context.rules_run)
        if problems:
            message = f"this suppression {'; '.join(problems)}"
            entity = suppression.entity or "file"
            yield Violation(entity, message, suppression.path, suppression.line, suppression.column)
