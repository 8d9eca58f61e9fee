"""## PL003 duplicate-id

**What it does.** Reports a system or recipient whose `id` is already used by another node of
the same inventory, across all files of a directory inventory. The finding is on the later
declaration and says where the first one is.

**Why is this bad?** Flows refer to nodes by id. With two nodes under one id, privlint (and a
reader) cannot tell which one a flow feeds, so disclosures could be attributed to the wrong
party.

**Example**
```yaml
systems:
  - id: crm
recipients:
  - id: crm               # also a system
    vendor: hubspot
```

**Fix.** Give every node a unique id (`id: hubspot`) and update the flows that mean it.
"""

from privlint.lint.engine import Violation

ID = "PL003"
NAME = "duplicate-id"
SEVERITY = "error"
SUMMARY = "two nodes share an id, across all files of the inventory"


def check(context):
    first_seen = {}
    for node in context.inventory.nodes_in_file_order():
        first = first_seen.setdefault(node.id, node)
        if first is node:
            continue
        line, _ = first.location.position()
        message = (
            f"id '{node.id}' is already used by {first.kind} '{first.id}' at "
            f"{first.location.file}:{line}; ids must be unique across the inventory"
        )
        yield Violation.at(node.location, node.entity, message, "id")
