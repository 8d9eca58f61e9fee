"""## PL005 unused-node

**What it does.** Reports a system or recipient that takes part in no flow (neither sends
nor receives) and collects nothing.

**Why is this bad?** An inventory is only as useful as it is current (GDPR Art. 30 records
must reflect the processing actually carried out). A node nothing connects to is either stale
— a vendor no longer used — or a sign that its flows were never recorded, in which case
disclosures and transfers to it escape every other rule.

**Example**
```yaml
recipients:
  - id: zendesk
    vendor: zendesk        # no flow mentions it
```

**Fix.** Add the flows that really feed it, or remove the node.
"""

from privlint.lint.engine import Violation

ID = "PL005"
NAME = "unused-node"
SEVERITY = "warning"
SUMMARY = "a system or recipient takes part in no flow and collects nothing"


def check(context):
    inventory = context.inventory
    connected = {flow.source for flow in inventory.flows} | {flow.target for flow in inventory.flows}
    for node in inventory.nodes:
        if node.id not in connected and not node.collects:
            message = f"{node.kind} '{node.id}' takes part in no flow and collects nothing; add its flows or remove it"
            yield Violation.at(node.location, node.entity, message)
