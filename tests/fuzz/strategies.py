"""Hypothesis strategies: valid-shaped inventories, YAML-ish text, and mutations."""

from __future__ import annotations

import io
import json

from hypothesis import strategies as st
from ruamel.yaml import YAML

# Ids collide on purpose (duplicate ids, flows to undeclared nodes, self-loops, cycles).
NODE_IDS = ["web", "db", "crm", "warehouse", "stripe", "ads", "mail", "x"]
CATEGORIES = [
    "user", "user.name", "user.contact", "user.contact.email", "user.contact.address",
    "user.device.cookie_id", "user.financial", "user.financial.credit_card",
    "user.behavior.purchase_history", "user.childrens", "user.health_and_medical",
    "user.location.precise", "user.biometric", "system.operations", "user.nope",
]
PURPOSES = [
    "essential", "essential.service.payment_processing", "analytics.reporting", "marketing.advertising",
    "marketing.advertising.third_party.targeted", "personalize", "third_party_sharing", "train_ai_system",
    "marketing.nope",
]
SUBJECTS = ["customer", "employee", "job_applicant", "prospect", "robot"]
ORIGINS = ["EEA", "UK", "CH", "US", "DE", "GB", "FR", "JP"]
COUNTRIES = ["US", "DE", "GB", "CH", "IE", "IN", "JP", "BR", "NO"]
VENDORS = ["stripe", "paypal", "google-analytics", "google-ads", "hubspot", "aws", "meta-pixel", "nope-vendor"]
BASES = ["dpf", "scc", "idta", "uk_addendum", "bcr", "adequacy", "derogation"]
ROLES = ["processor", "controller", "joint_controller", "third_party"]
RECIPIENT_CATEGORIES = ["advertising", "analytics", "payment_processor", "crm", "hosting"]
RETENTIONS = ["P30D", "P6M", "P1Y", "P2Y", "P10Y"]


def _some(options, most=3, least=0):
    return st.lists(st.sampled_from(options), min_size=least, max_size=most, unique=True)


@st.composite
def collections(draw):
    item = {"data_categories": draw(_some(CATEGORIES, 4, 1))}
    if draw(st.booleans()):
        item["subjects"] = draw(_some(SUBJECTS, 2))
    if draw(st.booleans()):
        item["origins"] = draw(_some(ORIGINS, 3))
    return item


@st.composite
def systems(draw):
    system = {"id": draw(st.sampled_from(NODE_IDS))}
    if draw(st.booleans()):
        system["country"] = draw(st.sampled_from(COUNTRIES))
    if draw(st.booleans()):
        system["retention"] = draw(st.sampled_from(RETENTIONS))
    if draw(st.booleans()):
        system["collects"] = draw(st.lists(collections(), min_size=1, max_size=2))
    return system


@st.composite
def recipients(draw):
    recipient = {"id": draw(st.sampled_from(NODE_IDS))}
    if draw(st.booleans()):
        recipient["vendor"] = draw(st.sampled_from(VENDORS))
    else:
        recipient["name"] = draw(st.sampled_from(["Acme Ads", "Stripe", "PayPal Inc.", "Mailer", "X"]))
    if draw(st.booleans()):
        recipient["country"] = draw(st.sampled_from(COUNTRIES))
    if draw(st.booleans()):
        recipient["role"] = draw(st.sampled_from(ROLES))
    if draw(st.booleans()):
        recipient["category"] = draw(st.sampled_from(RECIPIENT_CATEGORIES))
    if draw(st.booleans()):
        recipient["dpf"] = {
            programme: draw(st.sampled_from([True, False, None]))
            for programme in draw(_some(["eu", "uk", "ch", "hr"], 4))
        }
    if draw(st.booleans()):
        recipient["retention"] = draw(st.sampled_from(RETENTIONS))
    return recipient


@st.composite
def flows(draw):
    flow = {
        "from": draw(st.sampled_from(NODE_IDS)),
        "to": draw(st.sampled_from(NODE_IDS)),
        "data_categories": draw(_some(CATEGORIES, 3, 1)),
    }
    if draw(st.booleans()):
        flow["purposes"] = draw(_some(PURPOSES, 2))
    basis = draw(st.integers(0, 2))
    if basis == 1:
        flow["transfer_basis"] = draw(st.sampled_from(BASES))
    elif basis == 2:
        flow["transfer_basis"] = {area: draw(st.sampled_from(BASES)) for area in draw(_some(["EEA", "UK", "CH"], 3, 1))}
    if draw(st.integers(0, 4)) == 0:
        flow["consideration"] = True
    if draw(st.integers(0, 3)) == 0:
        flow["origins"] = draw(_some(ORIGINS, 2))
    return flow


@st.composite
def policies(draw):
    policy = {}
    if draw(st.booleans()):
        policy["recipients"] = draw(_some(["Stripe", "PayPal", "Google Analytics", "Acme Ads", "Nobody"], 4))
    if draw(st.booleans()):
        policy["recipient_categories"] = draw(_some(RECIPIENT_CATEGORIES, 3))
    if draw(st.booleans()):
        policy["data_categories"] = draw(_some(CATEGORIES, 4))
    if draw(st.booleans()):
        policy["not_collected"] = draw(_some(CATEGORIES, 2))
    if draw(st.booleans()):
        policy["purposes"] = draw(_some(PURPOSES, 3))
    for claim in ("sells_personal_data", "shares_personal_data", "sensitive_data", "collects_from_children"):
        if draw(st.booleans()):
            policy[claim] = draw(st.booleans())
    if draw(st.booleans()):
        policy["transfer_mechanisms"] = draw(_some(BASES, 3))
    if draw(st.booleans()):
        policy["retention"] = draw(st.sampled_from(RETENTIONS))
    return policy


@st.composite
def inventories(draw, max_nodes: int = 6, max_flows: int = 10):
    """A valid-shaped inventory as plain data (it may still have findings of every kind)."""
    inventory: dict = {"privlint": 1, "organization": {"name": "Acme"}}
    if draw(st.booleans()):
        inventory["organization"]["country"] = draw(st.sampled_from(COUNTRIES))
    if draw(st.integers(0, 3)):
        inventory["policy"] = draw(policies())
    inventory["systems"] = draw(st.lists(systems(), max_size=max_nodes // 2 + 1))
    inventory["recipients"] = draw(st.lists(recipients(), max_size=max_nodes // 2 + 1))
    inventory["flows"] = draw(st.lists(flows(), max_size=max_flows))
    return inventory


def render(data, style: str) -> str:
    """YAML text of `data`: JSON (a YAML subset), block style, or flow style."""
    if style == "json":
        return json.dumps(data, indent=2) + "\n"
    yaml = YAML(typ="safe", pure=True)
    yaml.sort_base_mapping_type_on_output = False  # keep the key order: file order matters (PL003)
    yaml.default_flow_style = style == "flow"
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


# YAML-ish token soup: most of it breaks the parser in interesting places.
TOKENS = [
    "privlint", ":", ": ", "-", "- ", "[", "]", "{", "}", ",", "\n", "\n  ", "  ", "\t", "'", '"', "#", "?", "|",
    ">", "---", "...", "&a", "*a", "&b ", "*b", "!!str ", "!!int ", "!!python/object ", "!x ", "%YAML 1.2\n",
    "organization", "systems", "flows", "id", "name", "Acme", "1", "0x1F", "1e3", ".inf", "~", "null", "true",
    "NO", "user.name", "é", "\u2028", "\x85", "\r\n", "\x00", "\x07", "\ufeff", "<<",
]
yaml_soup = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(alphabet="abcXYZ019.-_ ", min_size=1, max_size=8).map(str.strip).filter(bool),
)
keys = st.text(alphabet="abcdefgh", min_size=1, max_size=6)
plain_data = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)),
    max_leaves=25,
)
