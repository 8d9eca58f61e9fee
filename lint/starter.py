"""`privlint init`: a commented starter inventory.

The starter is a complete, clean inventory (`privlint check` reports nothing) that shows each
part of the format once: the policy's claims, a system that collects data, a catalog vendor as
recipient, and a flow with a per-origin transfer basis. It is canonically formatted, so
`privlint fmt --check` accepts it as written.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

STARTER = """\
# privlint inventory: your data map next to the claims of your published privacy policy.
# Check it with `privlint check inventory.yaml`; see every rule with `privlint rules`.
# Format reference: the JSON Schema that `privlint schema` prints (editors can use it for
# completion, see the README). Keys of categories, purposes and subjects are fideslang
# taxonomy keys; a key covers its descendants (`user.contact` covers `user.contact.email`).
privlint: 1

organization:
  name: Example Shop Ltd          # the controller
  country: IE                     # ISO 3166-1 alpha-2 code of its establishment

# What the PUBLISHED privacy policy says. Keep it in step with the policy text: privlint
# reports every flow, recipient or category the policy does not disclose.
policy:
  url: https://shop.example/privacy
  recipients: [Stripe]                          # recipients the policy names
  recipient_categories: [payment_processor]     # categories of recipients it discloses
  data_categories: [user.name, user.contact.email]
  not_collected: [user.biometric]               # what it says is NOT collected
  purposes: [essential]                         # disclosed uses of the data
  sells_personal_data: false                    # "we do not sell"
  shares_personal_data: false                   # "we do not share" (cross-context ads)
  sensitive_data: false                         # "we do not process sensitive data"
  collects_from_children: false
  transfer_mechanisms: [scc, idta]              # EU SCCs; the UK IDTA for UK data
  retention: P2Y                                # longest retention promised

# Systems you run: where personal data enters the map (`collects`) and is kept.
systems:
  - id: shop
    name: Web shop
    country: IE                   # where it is hosted
    retention: P1Y
    collects:
      - subjects: [customer]
        data_categories: [user.name, user.contact.email]
        origins: [EEA, UK]        # where those people are: EEA, UK, CH or ISO codes

# Outside parties that receive personal data. `vendor:` picks a built-in catalog entry
# (name, country, DPF status...); inline fields override it.
recipients:
  - id: stripe
    vendor: stripe
    role: processor               # processor | controller | joint_controller | third_party

# Disclosures between systems and recipients.
flows:
  - from: shop
    to: stripe
    data_categories: [user.name, user.contact.email]
    purposes: [essential.service.payment_processing]
    # Stripe is in the US: data of people in the EEA and the UK needs a transfer basis.
    transfer_basis: {EEA: scc, UK: idta}
"""


class Exists(Exception):
    pass


def write(path: Path | str) -> Path:
    """Create the starter inventory at `path` (in it, if `path` is a directory); never overwrite.

    A `path` ending in a slash names a directory: one that does not exist yet is created (its
    parent must exist), and the starter written in it. `init newdir/` wrote a FILE `newdir`."""
    if isinstance(path, str) and path.endswith(("/", os.sep)) and not os.path.isdir(path):
        try:
            os.mkdir(path)
        except FileExistsError:  # a file `newdir` where a directory was meant
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), path) from None
    path = Path(path)
    if path.is_dir():
        path = path / "inventory.yaml"
    try:
        # O_EXCL: fails if the file appeared meanwhile, so nothing is ever overwritten.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise Exists(str(path)) from None
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(STARTER)
    return path
