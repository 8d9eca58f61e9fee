"""Bad and hostile inputs (tests/robustness/expected.yaml): each ends in positioned findings,
a clean run, or a one-line usage error, within seconds and a memory limit; never a traceback,
never a hang. The real console script runs in a subprocess with a timeout and RLIMIT_AS."""

from __future__ import annotations

import ctypes
import datetime as dt
import ctypes.util
import json
import os
import random
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from ..countries import country_codes, outside_the_legal_areas

HERE = Path(__file__).resolve().parent
CASES = YAML(typ="safe", pure=True).load((HERE / "expected.yaml").read_text("utf-8"))
PRIVLINT = Path(sys.executable).with_name("privlint")
# "Within seconds": a run that has not ended by then is a hang, and the test fails with
# subprocess.TimeoutExpired. A bound against hangs, not a speed target (benchmarks/ measures
# speed), so it is far above any case's time, with room for a loaded 2-core CI machine.
SECONDS = 30
MEMORY = 1 << 30  # address space: a bomb must be refused, not absorbed
VALID = "privlint: 1\norganization: {name: Acme}\n"


# -- inputs made by code -------------------------------------------------------------------


def billion_laughs() -> bytes:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


def quadratic_aliases() -> bytes:
    big = "a: &a [" + ", ".join(["x"] * 10_000) + "]\n"
    return (big + "b: [" + ", ".join(["*a"] * 10_000) + "]\n").encode()


def deep_lists() -> bytes:
    return b"x: " + b"[" * 20_000 + b"]" * 20_000 + b"\n"


def deep_mappings() -> bytes:
    return b"".join(b"  " * depth + b"k:\n" for depth in range(3_000))


def deep_flow_mappings() -> bytes:
    return b"{a: " * 20_000 + b"b" + b"}" * 20_000 + b"\n"


def deep_list_in_a_checked_value(depth: int = 990) -> bytes:
    """Nesting the loader once allowed (1,000 levels) in a value jsonschema reports on: its
    message shows the value, and repr ran out of Python's stack."""
    return b"privlint: 1\norganization: {name: " + b"[" * depth + b"]" * depth + b"}\n"


def deep_list_at_the_limit() -> bytes:
    """The deepest value the loader accepts (root, organization and 98 lists: 100 levels)."""
    return deep_list_in_a_checked_value(98)


def huge_integer() -> bytes:
    return b"privlint: " + b"9" * 6_000 + b"\norganization: {name: Acme}\n"


def many_keys() -> bytes:
    return (VALID + "".join(f"k{index}: {index}\n" for index in range(100_000))).encode()


def many_invalid_recipients() -> bytes:
    return (VALID + "recipients:\n" + "".join(f"  - {{id: r{index}}}\n" for index in range(200_000))).encode()


def aliased_flows() -> bytes:
    flow = "  - &f {from: a, to: b, data_categories: [user]}\n"
    return (VALID + "systems:\n  - {id: a}\n  - {id: b}\nflows:\n" + flow + "  - *f\n" * 500_000).encode()


def many_unknown_categories() -> bytes:
    keys = ", ".join(f"x{index}" for index in range(300_000))
    return (VALID + f"systems:\n  - {{id: a}}\n  - {{id: b}}\nflows:\n  - {{from: a, to: b, data_categories: [{keys}]}}\n").encode()


def many_dangling_references() -> bytes:
    systems = "".join(f"  - {{id: system-number-{index}}}\n" for index in range(20_000))
    flows = "".join(
        f"  - {{from: systen-number-{index}, to: sistem-number-{index}, data_categories: [user]}}\n"
        for index in range(40_000)
    )
    return (VALID + "flows:\n" + flows + "systems:\n" + systems).encode()


def many_misspelt_categories() -> bytes:
    flows = "".join(
        f"  - {{from: a, to: b, data_categories: [user.contact.emial{index}, usr.nme{index}], purposes: [esential{index}]}}\n"
        for index in range(40_000)
    )
    return (VALID + "flows:\n" + flows + "systems:\n  - {id: a}\n  - {id: b}\n").encode()


def value_of_a_million_characters() -> bytes:
    return (VALID + "recipients:\n  - {id: r, name: " + "N" * 1_000_000 + "}\n").encode()


def long_values_named_in_every_finding(flows: int = 100, aliased: bool = False) -> bytes:
    """A name, two ids and an unknown key at the 10,000-character limit in every flow: each
    finding would carry all of them. Aliased into 20,000 flows they once made a 5 GB report
    from a 1 MB file; aliases are now counted in the characters they stand for, so that file
    is refused (aliased-long-values) and the values are written out here."""
    ids = {"w": "w" * 10_000, "r": "r" * 10_000, "k": "user." + "k" * 9_995}
    if aliased:
        anchor = {name: f"&{name} {value}" for name, value in ids.items()}
        use = {name: f"*{name}" for name in ids}
    else:
        anchor = use = ids
    lines = [
        "privlint: 1", "organization: {name: Acme, country: DE}",
        "policy: {sells_personal_data: false, shares_personal_data: false}",
        "systems:", f"  - id: {anchor['w']}",
        "    collects: [{data_categories: [user.contact.email], origins: [EEA]}]",
        "recipients:",
        f"  - {{id: {anchor['r']}, name: {'N' * 10_000}, country: US, category: advertising}}",
        f"  - {{id: {'r' * 9_999}s, name: {anchor['k']}}}",
        "flows:",
    ]
    flow = (
        f"  - {{from: {use['w']}, to: {use['r']}, data_categories: [user.contact.email, {use['k']}], "
        "purposes: [marketing.advertising.third_party.targeted], consideration: true}"
    )
    return ("\n".join(lines + [flow] * flows) + "\n").encode()


def aliased_long_values() -> bytes:
    return long_values_named_in_every_finding(flows=20_000, aliased=True)


def deep_unknown_key(flows: int = 300) -> bytes:
    """An unknown key of 5,000 parts in every flow: 'did you mean' looked for its deepest
    known ancestor by joining every prefix, for every flow (minutes for 2,000 flows)."""
    key = "user" + ".a" * 4_990
    lines = ["privlint: 1", "organization: {name: Acme, country: DE}", f"policy: {{data_categories: [{key}]}}",
             "systems:", f"  - {{id: w, collects: [{{data_categories: [{key}, user], origins: [EEA]}}]}}",
             "recipients: [{id: r, name: R, country: DE}]", "flows:"]
    flow = f"  - {{from: w, to: r, data_categories: [{key}, user.contact]}}"
    return ("\n".join(lines + [flow] * flows) + "\n").encode()


def wide_provenance(flows: int = 9_000) -> bytes:
    """A system collecting every category from every origin and every kind of data subject:
    provenance masks of 3,300 bits (10,000 before origins had to be countries), one per category, sent over thousands of flows (each
    flow's masks were copies, 1.4 KB each, until the end of propagation: 6 GB at 10 MB).
    Each flow names the two top-level categories, so it carries all 85."""
    from privlint.lint import taxonomy

    categories = ", ".join(sorted(taxonomy.keys("data_categories")))
    subjects = ", ".join(sorted(taxonomy.keys("data_subjects")))
    origins = ["EEA", "UK", *outside_the_legal_areas()]
    return (
        "privlint: 1\norganization: {name: Acme}\npolicy: {recipients: [a]}\n"
        f"systems:\n  - id: s\n    collects:\n      - data_categories: [{categories}]\n"
        f"        origins: [{', '.join(origins)}]\n        subjects: [{subjects}]\n"
        "recipients:\n  - {id: r, name: R, country: US}\nflows:\n"
        + "  - {from: s, to: r, data_categories: [system, user]}\n" * flows
    ).encode()


def many_wide_provenances(flows: int = 16_000) -> bytes:
    """Masks of 3,300 (origin, subject) bits, as in wide_provenance, and flows each carrying
    three different leaf categories, each leaf with a pair of its own: a distinct mask per
    flow, and reading a mask's origins and subjects pair by pair took 5 ms each."""
    from itertools import combinations

    from privlint.lint import taxonomy

    keys = sorted(taxonomy.keys("data_categories"))
    leaves = [key for key in keys if key.startswith("user") and not any(other.startswith(key + ".") for other in keys)]
    subjects = sorted(taxonomy.keys("data_subjects"))
    origins = ["EEA", "UK", *outside_the_legal_areas()]
    shared, own = origins[:-40], [(origin, subject) for origin in origins[-40:] for subject in subjects]
    lines = ["privlint: 1", "organization: {name: Acme}", "systems:", "  - id: s", "    collects:",
             f"      - data_categories: [{', '.join(leaves)}]",
             f"        origins: [{', '.join(shared)}]", f"        subjects: [{', '.join(subjects)}]"]
    lines += [f"      - {{data_categories: [{leaf}], origins: [{origin}], subjects: [{subject}]}}"
              for leaf, (origin, subject) in zip(leaves, own)]
    lines += ["recipients:", "  - {id: r, name: R, country: US}", "flows:"]
    for _, combination in zip(range(flows), combinations(leaves, 3)):
        lines.append(f"  - {{from: s, to: r, data_categories: [{', '.join(combination)}]}}")
    return ("\n".join(lines) + "\n").encode()


def repeated_origins_and_subjects() -> bytes:
    return (VALID + "systems:\n  - id: s0\n    collects:\n      - data_categories: [user.contact.email]\n"
            + "        subjects: [" + ", ".join(["customer"] * 100_000) + "]\n"
            + "        origins: [" + ", ".join(["US"] * 100_000) + "]\n").encode()


def reversed_ring() -> bytes:
    """756 systems in a ring declared against its direction, each collecting from another
    (country, kind of person), each flow listing `user` 200 times: every node ends up holding
    every origin."""
    codes = [(code, kind) for kind in ("customer", "employee", "visitor") for code in country_codes()]
    systems = "".join(
        f"  - {{id: s{index}, collects: [{{data_categories: [user.name, user.contact.email], origins: [{code}],"
        f" subjects: [{kind}]}}]}}\n"
        for index, (code, kind) in enumerate(codes)
    )
    listed = ", ".join(["user"] * 200)
    flows = "".join(
        f"  - {{from: s{(index + 1) % len(codes)}, to: s{index}, data_categories: [{listed}]}}\n"
        for index in range(len(codes))
    )
    return (VALID + "systems:\n" + systems + "flows:\n" + flows).encode()


def ring_passing_everything_on() -> bytes:
    """10,000 systems in a ring whose flows list only `user`, the first collecting every
    category under it: every node would hold all 83 (830,000 holdings; a 10 MB ring of
    150,000 took minutes and gigabytes). Refused past the map's holdings limit."""
    from privlint.lint import taxonomy

    categories = ", ".join(sorted(key for key in taxonomy.keys("data_categories") if key.startswith("user.")))
    systems = "".join(f"  - {{id: s{index}}}\n" for index in range(1, 10_000))
    flows = "".join(f"  - {{from: s{index}, to: s{(index + 1) % 10_000}, data_categories: [user]}}\n" for index in range(10_000))
    return (VALID + f"systems:\n  - {{id: s0, collects: [{{data_categories: [{categories}]}}]}}\n" + systems
            + "flows:\n" + flows).encode()


def star_passing_everything_on() -> bytes:
    """One system collecting every category under `user` sends `user` to 20,000 recipients:
    1.6 million holdings at recipients that pass nothing on, which the holdings limit (made
    for rings) refused, where they take about a second."""
    from privlint.lint import taxonomy

    categories = ", ".join(sorted(key for key in taxonomy.keys("data_categories") if key.startswith("user.")))
    recipients = "".join(f"  - {{id: r{index}, name: R{index}}}\n" for index in range(20_000))
    flows = "".join(f"  - {{from: s, to: r{index}, data_categories: [user]}}\n" for index in range(20_000))
    return (VALID + f"systems:\n  - {{id: s, collects: [{{subjects: [customer], data_categories: [{categories}]}}]}}\n"
            + "recipients:\n" + recipients + "flows:\n" + flows).encode()


def star() -> bytes:
    """One collecting system sending to 30,000 recipients the policy does not name."""
    recipients = "".join(f"  - {{id: r{index}, name: R{index}}}\n" for index in range(30_000))
    flows = "".join(f"  - {{from: s, to: r{index}, data_categories: [user.contact.email]}}\n" for index in range(30_000))
    return (
        VALID + "policy: {recipients: [], data_categories: [user]}\n"
        "systems: [{id: s, collects: [{data_categories: [user.contact.email]}]}]\n"
        "recipients:\n" + recipients + "flows:\n" + flows
    ).encode()


def huge_hexadecimal() -> bytes:
    return b"privlint: 1\norganization: {name: 0x" + b"f" * 9_000 + b"}\n"


def hexadecimal_over_the_decimal_limit() -> bytes:
    """4,000 hex digits: under Python's 4,300-digit limit as text, but an int of 4,817 decimal
    digits that neither jsonschema's message nor the JSON report could print."""
    return b"privlint: 0x" + b"f" * 4_000 + b"\norganization: {name: Acme}\n"


def huge_retention() -> bytes:
    years = "9" * 5_000
    return (VALID + "policy: {retention: P2Y, data_categories: [user]}\nsystems:\n"
            f"  - {{id: a, retention: P{years}Y, collects: [{{data_categories: [user.name]}}]}}\n").encode()


def contradictions_times_disclosures() -> bytes:
    denied = ", ".join(["user"] * 100_000)
    disclosed = ", ".join(["user.name", "user.contact.email"] * 50_000)
    return (VALID + f"policy: {{not_collected: [{denied}], data_categories: [{disclosed}]}}\n").encode()


def wrong_values_in_one_list() -> bytes:
    values = ",".join(["1"] * 1_000_000)
    return (VALID + f"systems: [{{id: a}}]\nflows:\n  - {{from: a, to: a, data_categories: [{values}]}}\n").encode()


def expanding_name() -> bytes:
    """A 9,000-character name whose compatibility decomposition is 18 times longer."""
    name = "\ufdfa" * 9_000
    return (VALID + f"policy: {{recipients: ['{name}']}}\n").encode()


def _chain_with_returns(back_to) -> bytes:
    """A chain of 3,000 systems, each collecting people of its own (country, kind), each
    also sending back to the system `back_to(index)`."""
    from privlint.lint import taxonomy

    codes, kinds = country_codes(), sorted(taxonomy.keys("data_subjects"))
    systems = "".join(
        f"  - {{id: c{index}, collects: [{{data_categories: [user.name], origins: [{codes[index % len(codes)]}],"
        f" subjects: [{kinds[index // len(codes)]}]}}]}}\n"
        for index in range(3_000)
    )
    flows = "".join(
        f"  - {{from: c{index}, to: c{index + 1}, data_categories: [user]}}\n"
        f"  - {{from: c{index + 1}, to: c{back_to(index)}, data_categories: [user]}}\n"
        for index in range(2_999)
    )
    return (VALID + "systems:\n" + systems + "flows:\n" + flows).encode()


def chain_with_back_edges() -> bytes:
    """Each system also sends to the first: whatever comes back travels the chain again."""
    return _chain_with_returns(lambda index: 0)


def two_way_chain() -> bytes:
    """Flows both ways between neighbours: data must travel to both ends."""
    return _chain_with_returns(lambda index: index)


def long_route_to_many() -> bytes:
    """A chain of 10,000 systems, then 10,000 undisclosed recipients at its end."""
    systems = "".join(f"  - {{id: s{index}}}\n" for index in range(1, 10_000))
    recipients = "".join(f"  - {{id: r{index}, name: R{index}}}\n" for index in range(10_000))
    chain = "".join(f"  - {{from: s{index}, to: s{index + 1}, data_categories: [user.name]}}\n" for index in range(9_999))
    fan = "".join(f"  - {{from: s9999, to: r{index}, data_categories: [user.name]}}\n" for index in range(10_000))
    return (
        VALID + "policy: {recipients: [], data_categories: [user]}\n"
        "systems:\n  - {id: s0, collects: [{data_categories: [user.name]}]}\n" + systems
        + "recipients:\n" + recipients + "flows:\n" + chain + fan
    ).encode()


def vendor_with_many_aliases() -> bytes:
    """A vendor listing 10,000 aliases, and 2,000 recipients of it the policy does not name."""
    aliases = ", ".join(f"Alias {index}" for index in range(10_000))
    recipients = "".join(f"  - {{id: r{index}, vendor: v}}\n" for index in range(2_000))
    flows = "".join(f"  - {{from: s, to: r{index}, data_categories: [user.name]}}\n" for index in range(2_000))
    return (
        VALID + "policy: {recipients: [], data_categories: [user]}\n"
        f"vendors:\n  v: {{name: Vendor, aliases: [{aliases}]}}\n"
        "systems: [{id: s, collects: [{data_categories: [user.name]}]}]\n"
        "recipients:\n" + recipients + "flows:\n" + flows
    ).encode()


def repeated_recipient_categories() -> bytes:
    """A policy listing one category 400,000 times before the one its 15,000 recipients have."""
    categories = ", ".join(["crm"] * 400_000 + ["hosting"])
    recipients = "".join(f"  - {{id: r{index}, name: Host, category: hosting}}\n" for index in range(15_000))
    flows = "".join(f"  - {{from: s, to: r{index}, data_categories: [user.name]}}\n" for index in range(15_000))
    return (
        VALID + f"policy: {{recipient_categories: [{categories}], data_categories: [user]}}\n"
        "systems: [{id: s, collects: [{data_categories: [user.name]}]}]\n"
        "recipients:\n" + recipients + "flows:\n" + flows
    ).encode()


def long_name_with_dpf_basis() -> bytes:
    """15,000 flows with a `dpf` basis to a recipient of 9,990 characters, carrying EEA, UK and
    Swiss employee data: PL202's reasons name the recipient up to three times per area."""
    return (
        VALID + "systems:\n  - id: s\n    collects: [{data_categories: [user], origins: [EEA, UK, CH], subjects: [employee]}]\n"
        + f"recipients:\n  - {{id: r, name: {'N' * 9_990}}}\nflows:\n"
        + "  - {from: s, to: r, data_categories: [user], transfer_basis: dpf}\n" * 15_000
    ).encode()


def long_line() -> bytes:
    return b"privlint: 1\norganization: {name: Acme}\npolicy: {data_categories: [" + b"user, " * 200_000 + b"user]}\n"


def binary_garbage() -> bytes:
    return random.Random(20261122).randbytes(64 * 1024)


def every_byte() -> bytes:
    return bytes(range(256))


def _flows(megabytes: float) -> bytes:
    block = (
        "  - from: web\n    to: stripe\n    data_categories: [user.name, user.contact.email]\n"
        "    purposes: [essential.service.payment_processing]\n    transfer_basis: {EEA: scc, UK: idta}\n"
    )
    header = VALID + "systems:\n  - {id: web}\nrecipients:\n  - {id: stripe, vendor: stripe}\nflows:\n"
    return (header + block * int(megabytes * 2**20 / len(block))).encode()


def thirty_megabytes() -> bytes:
    return _flows(30)


def ten_megabytes_of_tiny_values() -> bytes:
    """Under the size limit, but 5 million values (`[a,a,…]`): 20 s to read for one finding."""
    head = VALID + "junk: ["
    return (head + ",".join(["a"] * ((10 * 2**20 - len(head) - 2) // 2)) + "]\n").encode()


# -- filesystem situations -----------------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def setup_many_invalid_files(tmp: Path):
    """1,000 files of 1,001 invalid systems each: a file's first 1,000 problems were explained
    for every file (3,450 such files: 69 s and 1.8 GB); now an inventory's first 1,000. (More
    files would pass the inventory's value limit, 2,000,000 values here.)"""
    _write(tmp / "inv" / "main.yaml", VALID)
    for index in range(1_000):
        _write(tmp / "inv" / f"part{index:04d}.yaml", "systems: [" + ",".join(["{}"] * 1_001) + "]\n")
    return [str(tmp / "inv")], []


def setup_deep_vendor_in_configuration(tmp: Path):
    """`.privlint.yaml` is read by the same loader: its vendors are checked by jsonschema too."""
    _write(tmp / ".privlint.yaml", "vendors: {acme: " + "[" * 990 + "]" * 990 + "}\n")
    return [str(_write(tmp / "inventory.yaml", VALID))], []


def setup_directory_name_not_utf8(tmp: Path):
    """A directory named with the byte 0xfe: its name reached the JSON report as a lone
    surrogate (an internal error); it is shown as `d\\xfe`."""
    _write(tmp / os.fsdecode(b"d\xfe") / "inventory.yaml", VALID + "systems: [{id: a}]\n")
    return [str(tmp)], ["--recursive", "--fail-on", "warning"]


def setup_deep_baseline(tmp: Path):
    """A baseline of [[[...]]] 50,000 deep: json.loads raises RecursionError."""
    (tmp / "baseline.json").write_text("[" * 50_000 + "]" * 50_000)
    return [str(_write(tmp / "inventory.yaml", VALID))], ["--baseline", str(tmp / "baseline.json")]


def setup_deep_toml_configuration(tmp: Path):
    """tomllib parses nested arrays recursively: 50,000 deep raise RecursionError."""
    _write(tmp / "pyproject.toml", "[tool.privlint]\nselect = " + "[" * 50_000 + "]" * 50_000 + "\n")
    return [str(_write(tmp / "inventory.yaml", VALID))], []


def setup_deep_toml_vendor(tmp: Path):
    """300 levels tomllib parses, too deep for the jsonschema check of vendors after it."""
    _write(tmp / "pyproject.toml", "[tool.privlint.vendors]\nacme = " + "[" * 300 + "]" * 300 + "\n")
    return [str(_write(tmp / "inventory.yaml", VALID))], []


def setup_missing(tmp: Path):
    return [str(tmp / "nope.yaml")], []


def setup_empty_directory(tmp: Path):
    (tmp / "empty").mkdir()
    (tmp / "empty" / "notes.txt").write_text("not an inventory\n")
    return [str(tmp / "empty")], []


def setup_symlink_loop(tmp: Path):
    loop = tmp / "inventory.yaml"
    loop.symlink_to(loop)
    return [str(loop)], []


def setup_directory_symlink_loop(tmp: Path):
    _write(tmp / "root" / "a" / "inventory.yaml", VALID)
    (tmp / "root" / "a" / "up").symlink_to("..")
    (tmp / "root" / "a" / "self").symlink_to(".")
    return [str(tmp / "root")], []


def setup_fifo(tmp: Path):
    os.mkfifo(tmp / "inventory.yaml")
    return [str(tmp / "inventory.yaml")], []


def setup_fifo_in_directory(tmp: Path):
    (tmp / "inv").mkdir()
    os.mkfifo(tmp / "inv" / "inventory.yaml")
    return [str(tmp / "inv")], []


def setup_broken_symlink_in_directory(tmp: Path):
    _write(tmp / "inv" / "inventory.yaml", VALID + "systems: [{id: a}, {id: b}]\n")
    (tmp / "inv" / "flows.yaml").symlink_to("moved/flows.yaml")
    return [str(tmp / "inv")], []


def setup_device_in_directory(tmp: Path):
    _write(tmp / "inv" / "inventory.yaml", VALID)
    (tmp / "inv" / "flows.yaml").symlink_to("/dev/zero")
    return [str(tmp / "inv")], []


def setup_directory_named_yaml(tmp: Path):
    _write(tmp / "inventory.yaml" / "part.yaml", "privlint: 1\norganization: {name: Acme}\nsystems: 3\n")
    return [str(tmp / "inventory.yaml")], []


def setup_output_directory(tmp: Path):
    (tmp / "report").mkdir()
    return [str(_write(tmp / "inventory.yaml", VALID))], ["--output", str(tmp / "report")]


def setup_big_directory(tmp: Path):
    (tmp / "inv").mkdir()
    (tmp / "inv" / "a.yaml").write_bytes(_flows(9))
    (tmp / "inv" / "b.yaml").write_bytes(_flows(9).replace(b"privlint: 1\norganization: {name: Acme}\n", b""))
    return [str(tmp / "inv")], []


def setup_unreadable_file(tmp: Path):
    path = _write(tmp / "inventory.yaml", VALID)
    path.chmod(0)
    return [str(path)], []


def setup_unreadable_directory(tmp: Path):
    _write(tmp / "inv" / "inventory.yaml", VALID)
    (tmp / "inv").chmod(0)
    return [str(tmp / "inv")], []


def setup_unreadable_subdirectory(tmp: Path):
    _write(tmp / "root" / "ok" / "inventory.yaml", VALID)
    _write(tmp / "root" / "secret" / "inventory.yaml", VALID)
    (tmp / "root" / "secret").chmod(0)
    return [str(tmp / "root")], []


def setup_unsearchable_parent(tmp: Path):
    _write(tmp / "inv" / "inventory.yaml", VALID)
    (tmp / "inv").chmod(0)
    return [str(tmp / "inv" / "inventory.yaml")], []


def setup_changed_file_in_unsearchable_directory(tmp: Path):
    _write(tmp / "inv" / "inventory.yaml", VALID)
    (tmp / "inv").chmod(0)
    return ["inv/inventory.yaml"], ["--changed-files"]


def setup_unsearchable_working_directory(tmp: Path):
    """Run from a directory privlint may not search (tests run in `tmp`): looking for a
    configuration there stat()s in it."""
    tmp.chmod(0)
    return [str(HERE / "cases" / "utf8-bom.yaml")], []


NEEDS_UNPRIVILEGED = {
    "unreadable_file", "unreadable_directory", "unreadable_subdirectory", "unsearchable_parent",
    "changed_file_in_unsearchable_directory", "unsearchable_working_directory",
}


# -- running -------------------------------------------------------------------------------

_LIBC = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _PR_CAPBSET_DROP = 1, 2, 24


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _drop_file_permission_override() -> None:
    """In the child, as root: give up the capabilities that let root read any file, so that
    permission bits apply (tests run as root, where chmod 000 alone changes nothing)."""
    if os.geteuid() != 0:
        return
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if _LIBC.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    if _LIBC.capget(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capget")
    keep = ~((1 << _CAP_DAC_OVERRIDE) | (1 << _CAP_DAC_READ_SEARCH)) & 0xFFFFFFFF
    data[0].effective &= keep
    data[0].permitted &= keep
    data[0].inheritable &= keep
    if _LIBC.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")


def _limits(unprivileged: bool):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
        resource.setrlimit(resource.RLIMIT_CPU, (SECONDS * 2, SECONDS * 2))
        if unprivileged:
            _drop_file_permission_override()

    return apply


def run_bounded(args: list[str], cwd: Path, unprivileged: bool = False) -> subprocess.CompletedProcess:
    """privlint with `args`, under the memory limit, failing the test if it runs past SECONDS."""
    return subprocess.run(
        [str(PRIVLINT), *args], cwd=cwd, capture_output=True, text=True, timeout=SECONDS,
        preexec_fn=_limits(unprivileged), env={**os.environ, "NO_COLOR": "1"},
    )


def _permissions_apply(tmp: Path) -> bool:
    probe = _write(tmp / "probe" / "secret.txt", "x")
    probe.chmod(0)
    try:
        result = subprocess.run(
            [sys.executable, "-c", f"open({str(probe)!r}).read()"], capture_output=True,
            preexec_fn=_drop_file_permission_override, timeout=30,
        )
        return result.returncode != 0
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        probe.chmod(0o600)


def _restore(tmp: Path) -> None:
    for path in [tmp, *tmp.rglob("*")]:
        if not path.is_symlink():
            try:
                path.chmod(0o700 if path.is_dir() else 0o600)
            except OSError:
                pass


@pytest.mark.parametrize("case", CASES, ids=[case["case"] for case in CASES])
def test_bad_input(case, tmp_path):
    extra: list[str] = []
    setup = case.get("setup")
    if "file" in case:
        target = tmp_path / case["file"]
        target.write_bytes((HERE / "cases" / case["file"]).read_bytes())
        paths = [str(target)]
    elif "make" in case:
        target = tmp_path / "inventory.yaml"
        target.write_bytes(globals()[case["make"]]())
        paths = [str(target)]
    else:
        if setup in NEEDS_UNPRIVILEGED and not _permissions_apply(tmp_path):
            pytest.skip("file permissions cannot be enforced here (root without dropping capabilities)")
        paths, extra = globals()[f"setup_{setup}"](tmp_path)
    try:
        result = run_bounded(
            ["check", "--format", "json", *case.get("args", []), *extra, *paths],
            cwd=tmp_path, unprivileged=setup in NEEDS_UNPRIVILEGED,
        )
    finally:
        _restore(tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == case["exit"], (result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    if case["exit"] == 2:
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("privlint: error: "), result.stderr
        assert case["usage"] in result.stderr, result.stderr
        return
    assert result.stderr == ""
    findings = json.loads(result.stdout)["findings"]
    if case["exit"] == 0:  # clean, or only the warnings the case lists
        assert sorted({finding["rule"] for finding in findings}) == sorted(case.get("rules", [])), findings
        assert all(finding["severity"] != "error" for finding in findings)
        return
    assert findings
    assert {finding["rule"] for finding in findings} == set(case["rules"])
    assert all(finding["line"] >= 1 and finding["column"] >= 1 for finding in findings)
    if "file" in case:  # a finding on a line past the file's end is one no editor can show
        lines = len((HERE / "cases" / case["file"]).read_bytes().splitlines()) or 1
        assert all(finding["line"] <= lines for finding in findings), (lines, findings)
    first = findings[0]
    if "at" in case:
        assert [first["line"], first["column"]] == case["at"], first
    if "message" in case:
        assert case["message"] in first["message"], first["message"]


def test_object_constructing_tags_are_never_executed(tmp_path):
    path = tmp_path / "inventory.yaml"
    marker = tmp_path / "pwned"
    path.write_text(f"privlint: 1\norganization:\n  name: !!python/object/apply:os.system ['touch {marker}']\n")
    result = run_bounded(["check", str(path)], cwd=tmp_path)
    assert result.returncode == 1 and "the tag !!python/object/apply:os.system is not allowed" in result.stdout
    assert not marker.exists()


def test_every_case_file_is_in_the_table():
    listed = {case["file"] for case in CASES if "file" in case}
    assert listed == {path.name for path in (HERE / "cases").iterdir()}


def test_invalid_items_past_the_first_thousand_are_counted_not_explained(tmp_path):
    target = tmp_path / "inventory.yaml"
    target.write_bytes(many_invalid_recipients())
    result = run_bounded(["check", "--format", "json", str(target)], cwd=tmp_path)
    findings = json.loads(result.stdout)["findings"]
    assert len(findings) == 1_001
    counted = [finding for finding in findings if "more systems, recipients or flows" in finding["message"]]
    assert [(f["entity"], f["line"], f["column"]) for f in counted] == [("recipient:r1000", 1_004, 5)]
    assert counted[0]["message"].startswith("199,000 more")


def test_long_values_named_in_every_finding_keep_the_report_small(tmp_path):
    """Messages are cut to MESSAGE_MAX characters (start and end kept) and an id longer than
    ID_SHOWN is named by its start and a digest: a finding stays short however long the values
    it names, and ids that differ only in their last character stay two entities."""
    from privlint.lint.wording import ID_SHOWN, MESSAGE_MAX

    target = tmp_path / "inventory.yaml"
    target.write_bytes(long_values_named_in_every_finding())
    result = run_bounded(["check", "--format", "json", str(target)], cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert len(findings) > 600  # six for each of the 100 flows
    assert max(len(finding["message"]) for finding in findings) <= MESSAGE_MAX + 40
    assert max(len(finding["entity"]) for finding in findings) <= 2 * ID_SHOWN + 10
    cut = next(finding["message"] for finding in findings if finding["rule"] == "PL201")
    assert "characters left out)… " in cut and cut.endswith("declare transfer_basis per origin (e.g. {EEA: scc, UK: idta})")
    recipients = {finding["entity"] for finding in findings if finding["entity"].startswith("recipient:")}
    assert len(recipients) == 2  # 'rrr…r' and 'rrr…rs': same start, different digests


def test_the_value_limit_is_for_the_files_of_an_inventory_together(tmp_path, monkeypatch):
    """Each file of a directory inventory is under the limit; together they are not. The
    file where the inventory passes it is refused, and each file after it at its start."""
    from privlint.lint import engine, loader

    monkeypatch.setenv(loader.LIMIT_VARIABLE, "1")  # 262,144 values
    files = []
    for number in range(4):
        path = tmp_path / f"part{number}.yaml"
        path.write_text(f"part{number}: [" + ",".join(["x"] * 100_000) + "]\n")  # 200 KB
        files.append(path)
    context = engine.load_context("inventory", files, dt.date(2026, 11, 1))
    assert [document.path.rsplit("/", 1)[-1] for document in context.documents] == ["part0.yaml", "part1.yaml"]
    refused = [(shown.rsplit("/", 1)[-1], error.line, error.column) for shown, error in context.yaml_errors]
    assert refused[0][:2] == ("part2.yaml", 1) and 100_000 < refused[0][2] < 400_000
    assert refused[1:] == [("part3.yaml", 1, 1)]
    assert all("more than 262,144 YAML values" in error.message for _, error in context.yaml_errors)


def test_a_raised_size_limit_is_not_allocated_before_reading(tmp_path, monkeypatch):
    """A read allocates what it asks for: asking for the limit's bytes made a 40-byte file
    under PRIVLINT_MAX_INVENTORY_MB=100000 run out of memory (here: the 1 GB address space)."""
    from privlint.lint import loader

    (tmp_path / "inventory.yaml").write_text(VALID)
    monkeypatch.setenv(loader.LIMIT_VARIABLE, "100000")
    result = run_bounded(["check", "--format", "json", "inventory.yaml"], cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert json.loads(result.stdout)["findings"] == []


def test_a_stream_is_read_to_the_limit_and_no_further(tmp_path, monkeypatch):
    from privlint.lint import loader

    assert loader.read_bounded("/proc/self/status", 1 << 20).startswith(b"Name:")
    with pytest.raises(loader.TooLarge, match="over 1 MB"):
        loader.read_bounded("/dev/zero", 1 << 20)


def test_a_long_number_is_shown_cut_without_a_quote(tmp_path):
    target = tmp_path / "inventory.yaml"
    target.write_bytes((HERE / "cases" / "long-octal-version.yaml").read_bytes())
    result = run_bounded(["check", "--format", "json", str(target)], cwd=tmp_path)
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["message"].endswith("369765...") and '"' not in finding["message"], finding["message"]
