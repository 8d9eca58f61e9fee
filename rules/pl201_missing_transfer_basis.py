"""## PL201 missing-transfer-basis

**What it does.** For every flow that discloses personal data of people in the EEA, the UK or
Switzerland to a recipient outside that area, checks — per origin — that the destination is
adequate on the evaluation date (`--as-of`), or that the flow declares a transfer tool valid
for that origin: `scc`, `bcr` or `derogation` for EEA data; `idta`, `uk_addendum`, `bcr` or
`derogation` for UK data (EU SCCs alone do not cover UK data); `scc`, `bcr` or `derogation` for
Swiss data. A US recipient certified under the origin's DPF programme is adequate with no
declared basis — for employee data (`employee`, `job_applicant`) only if the certification
covers HR data. Declared `dpf` and `adequacy` bases are judged by PL202 and PL205. Origins
travel along flows (through own systems and other recipients), narrowed by a flow's `origins`
(a flow declaring `[UK]` from a source holding only EEA and US people's data carries no UK
data); where no collection with known origins reaches a category the flow lists, the flow's
`origins` say whose data it is.
A recipient whose country is unknown (not declared, or not verified in the catalog) cannot be
shown to be adequate, so data sent to it needs a basis too.

**Why is this bad?** GDPR Art. 44-46 (and UK GDPR Art. 44-46, Swiss FADP Art. 16) forbid a
transfer to a third country without an adequacy decision (Art. 45) or appropriate safeguards
(Art. 46) — a restricted transfer per EDPB Guidelines 05/2021. Art. 13(1)(f) requires the
notice to state the safeguards relied on.

**Example**
```yaml
flows:
  - from: storefront          # collects from origins [EEA, UK]
    to: hubspot               # US
    data_categories: [user.contact.email]
    transfer_basis: scc       # covers the EEA data, not the UK data
```

**Fix.** Declare a valid basis per origin: `transfer_basis: {EEA: scc, UK: uk_addendum}`, or
rely on the recipient's verified DPF certification.
"""

from privlint.lint import reference
from privlint.lint.engine import Violation
from privlint.lint.transfers import by_flow, destination, transfers

ID = "PL201"
NAME = "missing-transfer-basis"
SEVERITY = "error"
SUMMARY = "a restricted transfer (per origin) has no basis"


def check(context):
    missing = [
        (transfer, _reason(transfer))
        for transfer in transfers(context.data_map, context.as_of)
        if _lacks_basis(transfer)
    ]
    for entity, (transfer, reasons) in by_flow(missing):
        message = (
            f"restricted transfer to {destination(transfer.recipient)}: {'; '.join(reasons)}; "
            "declare transfer_basis per origin (e.g. {EEA: scc, UK: idta})"
        )
        yield Violation.at(transfer.flow.location, entity, message)


def _lacks_basis(transfer) -> bool:
    """Restricted, with no declared tool valid for its origin (dpf/adequacy: PL202/PL205)."""
    if not transfer.restricted or transfer.basis in ("dpf", "adequacy"):
        return False
    return transfer.basis not in reference.transfer_tools(transfer.area)


def _reason(transfer) -> str:
    if transfer.basis is None:
        return f"{transfer.area} data has no transfer basis"
    return f"{transfer.area} data: '{transfer.basis}' is not a transfer tool for {transfer.area} data"
