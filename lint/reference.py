"""The reference data privlint ships: vendor catalog, adequacy table, sensitive-data map.

Each dated fact in the data files is `{value, source, verified_on}`. A fact without a
`verified_on` date, or with a null value, is unknown (None here) and never assumed true.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from typing import Any

from . import loader, names

LEGAL_AREAS = ("EEA", "UK", "CH")
DPF_PROGRAMMES = {"EEA": "eu", "UK": "uk", "CH": "ch"}


@cache
def _data(name: str) -> Any:
    text = resources.files("privlint.data").joinpath(name).read_text("utf-8")
    return loader.load(name, text).data


def fact(entry: Any) -> Any:
    """The value of a sourced fact, or None when it is unknown or unverified."""
    if isinstance(entry, dict) and "value" in entry:
        return entry["value"] if entry.get("verified_on") else None
    return entry


@dataclass(frozen=True)
class Vendor:
    key: str
    name: str
    aliases: tuple[str, ...]
    legal_entity: str | None
    country: str | None
    category: str | None
    role: str | None
    dpf: dict[str, bool | None]

    @cached_property
    def identities(self) -> frozenset[str]:
        """Name, aliases and legal entity, normalized once for all the vendor's recipients."""
        return names.identities(self.name, self.aliases, self.legal_entity)


def vendor_from(key: str, entry: dict) -> Vendor:
    dpf = entry.get("dpf") or {}
    return Vendor(
        key=key,
        name=fact(entry.get("name")) or key,
        aliases=tuple(fact(entry.get("aliases")) or ()),
        legal_entity=fact(entry.get("legal_entity")),
        country=fact(entry.get("country")),
        category=fact(entry.get("category")),
        role=fact(entry.get("role")),
        dpf={programme: fact(dpf.get(programme)) for programme in ("eu", "uk", "ch", "hr")},
    )


@cache
def catalog() -> dict[str, Vendor]:
    return {key: vendor_from(key, entry) for key, entry in _data("vendors.yaml").items()}


@cache
def eea_members() -> frozenset[str]:
    return frozenset(_data("adequacy.yaml")["EEA"]["members"])


# ISO 3166-1 codes "exceptionally reserved" for places the legal areas cover, as people
# write them: UK for the United Kingdom (GB), EL for Greece (GR; the EU's own code for it).
# Read as unknown places, a recipient in the UK looked restricted for UK data, and data of
# people in Greece was known as no area's.
_RESERVED = {"UK": "GB", "EL": "GR"}


def iso_country(code: str | None) -> str | None:
    """The assigned ISO 3166-1 code of a country written with a reserved one (UK -> GB)."""
    return _RESERVED.get(code, code)


def legal_area(origin: str | None) -> str | None:
    """EEA, UK or CH for data protected by those regimes; otherwise the code as given. EU
    (reserved for the European Union) is EEA data: the GDPR protects it."""
    if origin in LEGAL_AREAS or origin is None:
        return origin
    if origin == "EU":
        return "EEA"
    country = iso_country(origin)
    if country == "GB":
        return "UK"
    if country in eea_members():
        return "EEA"
    return origin


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class Adequacy:
    country: str
    in_force: dt.date | None
    expires: dt.date | None
    requires_dpf: str | None

    def applies_on(self, day: dt.date) -> bool:
        return (self.in_force is None or day >= self.in_force) and (self.expires is None or day <= self.expires)


@cache
def adequacy(area: str) -> tuple[Adequacy, ...]:
    """Countries adequate for data from `area`, with the date each decision took effect."""
    table = _data("adequacy.yaml")[area]
    entries = []
    for item in table.get("adequate", []):
        if not item.get("verified_on"):
            continue  # unverified: not adequate
        entries.append(
            Adequacy(
                item["country"], _date(item.get("in_force")), _date(item.get("expires")), item.get("requires_dpf")
            )
        )
    if table.get("includes") == "EEA" or "EEA" in (table.get("includes") or []):
        entries.extend(Adequacy(member, None, None, None) for member in eea_members())
    return tuple(entries)


@cache
def transfer_tools(area: str) -> frozenset[str]:
    """The declared bases that are transfer tools for data of `area` (verified ones only)."""
    entry = _data("transfer_tools.yaml")[area]
    return frozenset(entry["tools"]) if entry.get("verified_on") else frozenset()


@cache
def programme_name(programme: str) -> str:
    """The DPF programme's name ("EU-U.S. DPF"), for messages."""
    return _data("adequacy.yaml")["programmes"][programme]["name"]


@cache
def programme_start(programme: str) -> dt.date | None:
    entry = _data("adequacy.yaml")["programmes"][programme]
    return _date(entry["in_force"]) if entry.get("verified_on") else None


@cache
def sensitive_keys() -> tuple[tuple[str, str], ...]:
    """(taxonomy key, concept) pairs for sensitive personal information."""
    pairs = []
    for entry in _data("sensitive.yaml"):
        for key in entry.get("taxonomy_keys") or ():
            pairs.append((key, entry["concept"]))
    return tuple(pairs)
