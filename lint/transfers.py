"""Restricted transfers and their bases (SPEC §2; EDPB Guidelines 05/2021, GDPR Ch. V,
UK GDPR Ch. V, Swiss FADP Art. 16-17), judged as of an evaluation date.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from . import reference
from .graph import DataMap
from .model import Flow, Node

EMPLOYEE_SUBJECTS = frozenset({"employee", "job_applicant"})


def dpf_certified(recipient: Node, area: str, as_of: dt.date, hr_data: bool = False) -> bool:
    """Certified under the area's DPF programme, in force on `as_of`, and for HR data when
    the data is HR data (unknown is not certified): no failure (see dpf_failures)."""
    return next(_dpf_failures(recipient, area, as_of, hr_data), None) is None


def dpf_failures(recipient: Node, area: str, as_of: dt.date, hr_data: bool = False) -> list[str]:
    """Why the recipient is not certified for data of `area` on `as_of` (HR data when
    `hr_data`); empty when it is. PL202 gives these reasons; adequacy (PL201, PL205) asks
    whether there are none, so the two never disagree."""
    return list(_dpf_failures(recipient, area, as_of, hr_data))


def _dpf_failures(recipient: Node, area: str, as_of: dt.date, hr_data: bool) -> Iterator[str]:
    programme = reference.DPF_PROGRAMMES[area]
    name = reference.programme_name(programme)
    if recipient.country is None:
        yield f"{recipient.name}'s country is unknown, and the DPF covers only US organisations"
    elif recipient.country != "US":
        yield f"{recipient.name} is in {recipient.country}, and the DPF covers only US organisations"
    certified = recipient.dpf.get(programme)
    if certified is None:
        yield f"{recipient.name}'s {name} certification is unknown (not verified)"
    elif certified is not True:
        yield f"{recipient.name} is not certified under the {name}"
    start = reference.programme_start(programme)
    if start is None:
        yield f"the {name}'s start date is not verified in privlint's reference data"
    elif as_of < start:
        yield f"the {name} applies only from {start.isoformat()} (evaluated as of {as_of.isoformat()})"
    if hr_data and recipient.dpf.get("hr") is not True:
        yield f"the flow carries HR data and {recipient.name}'s certification does not cover HR data"


def destination(recipient: Node) -> str:
    """The recipient's name and country, for messages."""
    return f"{recipient.name} ({recipient.country or 'country unknown'})"


def adequate(area: str, recipient: Node, as_of: dt.date, hr_data: bool = False) -> bool:
    """The destination is adequate for data of `area` on `as_of`. For the US that takes a DPF
    certification, covering HR data when `hr_data` (employees', job applicants' data)."""
    country = reference.iso_country(recipient.country)
    if country is None:
        return False
    if reference.legal_area(country) == area:
        return True
    for entry in reference.adequacy(area):
        if entry.country != country or not entry.applies_on(as_of):
            continue
        if entry.requires_dpf:
            return dpf_certified(recipient, area, as_of, hr_data)
        return True
    return False


@dataclass(frozen=True, slots=True)  # slots: one per flow and legal area
class Transfer:
    """Data of one legal area disclosed over one flow to a recipient."""

    flow: Flow
    area: str
    recipient: Node
    restricted: bool  # the destination is neither inside the area nor adequate for it
    basis: str | None


def transfers(data_map: DataMap, as_of: dt.date) -> list[Transfer]:
    """Every (flow, legal area) where EEA, UK or Swiss data is disclosed to a recipient.

    A recipient whose country is unknown cannot be shown to be inside the area or adequate,
    so data sent to it is treated as restricted (an unverified fact is never assumed true).
    Computed once per data map and date: several rules ask.
    """
    return list(data_map.derived(("transfers", as_of), lambda: _find_transfers(data_map, as_of)))


def _find_transfers(data_map: DataMap, as_of: dt.date) -> list[Transfer]:
    found = []
    judged: dict[tuple, bool] = {}  # adequacy depends on the recipient, area and HR data only
    for flow in data_map.disclosures():
        recipient = data_map.node(flow.target)
        hr_data = bool(data_map.subjects(flow) & EMPLOYEE_SUBJECTS)
        for area in sorted(data_map.origins(flow) & set(reference.LEGAL_AREAS)):
            key = (id(recipient), area, hr_data)
            if key not in judged:
                judged[key] = adequate(area, recipient, as_of, hr_data)
            restricted = not judged[key]
            found.append(Transfer(flow, area, recipient, restricted, flow.basis_for(area)))
    return found


def by_flow(pairs: Iterable[tuple[Transfer, object]]) -> Iterator[tuple[str, tuple[Transfer, list]]]:
    """Group (transfer, reason) pairs by flow entity, in order: one finding per flow. The
    transfers of a flow come together (`transfers` lists them flow by flow), so each group is
    yielded as soon as it is complete: from a generator of pairs, only one flow's reasons are
    held at a time (PL202's name a recipient up to nine times: 90 KB per flow for a name of
    10,000 characters)."""
    for entity, group in itertools.groupby(pairs, key=lambda pair: pair[0].flow.entity):
        pairs_of_flow = list(group)
        yield entity, (pairs_of_flow[0][0], [reason for _, reason in pairs_of_flow])


def declared_bases(flow: Flow, data_map: DataMap) -> list[tuple[str | None, str]]:
    """The bases a flow really relies on: (origin area, basis), area None for a single basis.

    A per-origin entry for an origin the flow never carries is dead configuration and is left
    out, unless no origin of the flow is known at all.
    """
    declared = flow.transfer_basis
    if declared is None:
        return []
    if isinstance(declared, str):
        return [(None, declared)]
    carried = data_map.origins(flow)
    return [(area, basis) for area, basis in declared.items() if not carried or area in carried]


def basis_member(flow: Flow, area: str | None) -> tuple[str, ...]:
    """Where to point at a flow's basis for `area`: its per-origin entry, else the key."""
    if area is not None and isinstance(flow.transfer_basis, dict) and area in flow.transfer_basis:
        return ("transfer_basis", area)
    return ("transfer_basis",)


