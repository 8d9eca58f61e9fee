"""## PL001 schema-violation

**What it does.** Checks every file against the inventory JSON Schema (`privlint schema`
prints it): required fields, field names, types, enumerations (roles, recipient categories,
transfer bases), country codes, ISO 8601 retention periods. Each problem is reported at the
offending key or value, with a plain-English explanation and, for a misspelt field, the
closest valid name. Problems are grouped into one finding per entity.

**Why is this bad?** The other rules can only judge what they can read. A misspelt
`transfer_bases:` would silently drop a transfer basis; `role: vendor` says nothing a rule
can use. The other rules still judge the rest of the inventory, with each invalid value set
aside; what they would say about an entity with a schema problem is withheld (beyond
PL002-PL004) until it is fixed, as it would rest on the values set aside. Nothing else is
judged when a file is not a mapping, declares another format version, or has more invalid
systems, recipients or flows than privlint explains one by one.

**Example**
```yaml
recipients:
  - id: stripe
    vendor: stripe
    role: vendor          # not a role
```

**Fix.**
```yaml
    role: processor       # processor | controller | joint_controller | third_party
```
"""

from privlint.lint.engine import Violation
from privlint.lint.model import entity_of

ID = "PL001"
NAME = "schema-violation"
SEVERITY = "error"
SUMMARY = "the inventory does not match the JSON Schema"
STAGE = "document"


def check(context):
    grouped: dict[tuple[str, str], list] = {}
    for document, problem in context.schema_problems:
        entity = entity_of(context.documents, document, problem.path)
        grouped.setdefault((document.path, entity), []).append(problem)
    for (path, entity), problems in grouped.items():
        first = min(problems, key=lambda problem: (problem.line, problem.column))
        message = "; ".join(dict.fromkeys(problem.message for problem in problems))
        yield Violation(entity, message, path, first.line, first.column)
