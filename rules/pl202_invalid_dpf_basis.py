"""## PL202 invalid-dpf-basis

**What it does.** Checks every flow whose basis for EEA, UK or Swiss data is `dpf`: the
recipient must be in the US, certified under that origin's programme (EU-US DPF, UK Extension,
Swiss-US DPF) according to the vendor catalog or the inventory, the evaluation date (`--as-of`)
must be on or after the programme's start (2023-07-10, 2023-10-12, 2024-09-15), and a flow
carrying employee data (`employee`, `job_applicant` subjects) needs HR coverage. A
certification the catalog could not verify counts as not certified, and so does any
certification under a programme whose start date privlint's reference data has not verified.

**Why is this bad?** The DPF adequacy decisions (Commission Implementing Decision (EU)
2023/1795; the UK's Data Protection (Adequacy) (United States of America) Regulations 2023;
the Swiss Federal Council's decision of 14 August 2024) cover only certified US organisations,
for the data types they certified: a `dpf` basis for anything else is no basis (GDPR Art. 44-45).

**Example**
```yaml
recipients:
  - {id: adnet, name: AdNet Inc., country: US, dpf: {eu: false}}
flows:
  - {from: storefront, to: adnet, data_categories: [user.device.cookie_id], transfer_basis: dpf}
```

**Fix.** Verify the recipient's certification on the DPF list and record it (`dpf: {eu: true}`),
or use another basis such as `scc`.
"""

from privlint.lint.engine import Violation
from privlint.lint.transfers import EMPLOYEE_SUBJECTS, basis_member, by_flow, dpf_failures, transfers

ID = "PL202"
NAME = "invalid-dpf-basis"
SEVERITY = "error"
SUMMARY = (
    "a `dpf` basis where the recipient is not a US organisation certified under the origin's DPF "
    "programme in force (with HR coverage for HR data)"
)


def check(context):
    # A generator: a flow's reasons repeat the recipient's name, so they are made flow by flow
    # as its finding is made (and bounded), not for every flow first.
    failures = (
        (transfer, f"{transfer.area} data: {', '.join(reasons)}")
        for transfer in transfers(context.data_map, context.as_of)
        if transfer.basis == "dpf" and (reasons := _failures(transfer, context))
    )
    for entity, (transfer, reasons) in by_flow(failures):
        message = f"the dpf basis is not valid: {'; '.join(reasons)}"
        yield Violation.at(transfer.flow.location, entity, message, *basis_member(transfer.flow, transfer.area))


def _failures(transfer, context) -> list[str]:
    hr_data = bool(context.data_map.subjects(transfer.flow) & EMPLOYEE_SUBJECTS)
    return dpf_failures(transfer.recipient, transfer.area, context.as_of, hr_data)
