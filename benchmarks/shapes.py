"""The README's "Other generators": nine more ways to write the benchmark's inventories.

    python benchmarks/shapes.py generate OUTDIR [--shape S ...] [--flows N ...]
    python benchmarks/shapes.py measure [--shape S ...] [--rounds R] [--flows N N N N]

A judge's generator will not be ours (`generate.py` writes hand-formatted YAML with flow-style
lists), so these build the same kind of map another way and write it nine ways. Every shape
has nodes = flows / 10 (40% systems, the rest recipients), 2-5 random `user.*` categories and
1-2 random purposes a flow, a transfer basis on every flow to a recipient, and a random policy
that discloses half the `user.*` categories and half the purposes (so most flows have findings).
The shapes differ from that in one way each, and stress:

    safe_dump    block-style YAML as a YAML library dumps it: one scalar a line
    json_indent  JSON with indent=2 (JSON is YAML): every scalar quoted, the most bytes a flow
    json_line    JSON on a single line of several MB
    quoted       YAML with every scalar double-quoted (numbers and booleans tagged `! "..."`)
    any_cycle    a ring through every node, then flows between any two nodes: the whole map is
                 one strongly connected component for propagation to settle
    layers8      nodes in 8 layers, flows only from one layer to the next: long chains
    catalog90    90% of recipients are built-in catalog vendors (`vendor:` lookups), not 30%
    split6       a directory inventory of six files (head, systems, recipients, flows in thirds)
    rich         5-15 categories and 20-36 origins a flow: big per-flow sets, about 13 MB at
                 20,000 flows (over privlint's default 10 MB limit, measured with it raised)

`generate` writes OUTDIR/<shape>-<flows>.yaml (split6: a directory OUTDIR/split6-<flows>/);
the output is deterministic (seed 1). `measure` generates every size into a temporary
directory and prints one row per shape with the columns of the README's table, measured with
benchmarks/run.py's functions: (b) `privlint check` against a bare C-backed safe load of the
same files, as processes (medians of R interleaved rounds) and in-process (one run); (c) the
in-process time and the Python calls at 4x the size (1st -> 3rd size and 2nd -> 4th, rounds
interleaved across the sizes); (d) peak RSS of `privlint check` at the largest size, above the
import floor's and whole, against the file size; and the findings at the largest size.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
from pathlib import Path

from privlint.lint import loader
from ruamel.yaml import YAML

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (benchmarks/generate.py)
import run  # noqa: E402  (benchmarks/run.py)

SHAPES = ["safe_dump", "json_indent", "json_line", "quoted", "any_cycle", "layers8", "catalog90", "split6", "rich"]
SIZES = [run.BASE_FLOWS * factor for factor in (1, 2, 4, 8)]  # 2,500 to 20,000 flows, as run.py
SEED = 1

ROLES = ["processor", "controller", "joint_controller", "third_party"]
COUNTRIES = ["US", "DE", "IE", "GB", "CH", "IN", "BR", "JP", "CA", "SG", "NO", "IL", "FR", "NL"]
ORIGINS = ["EEA", "UK", "CH", "US", "DE", "FR", "IT", "ES", "NL", "BE", "PL", "SE", "DK", "FI", "AT", "PT",
           "IE", "CZ", "GR", "HU", "RO", "BG", "HR", "SK", "SI", "LT", "LV", "EE", "LU", "MT", "CY",
           "NO", "IS", "LI", "CA", "BR", "JP", "IN", "AU", "NZ", "SG", "IL", "MX", "AR", "ZA"]
COMMON_ORIGINS = ORIGINS[:8]
RAISED_SIZE_LIMIT_MB = "50"  # for an inventory over privlint's default limit (10 MB): rich at 20,000 flows
COLUMNS = ["MB", "(b) process", "(b) in-process", "(c) time", "(c) calls", "(d) above the floor / whole", "findings"]


# Building the data. Every shape draws from one random.Random(SEED) in the same order:
# systems, recipients, flows, then the policy. ---------------------------------------------

def build(shape: str, flows: int) -> dict:
    """The inventory of one shape and size, as plain data in document order."""
    rng = random.Random(SEED)
    taxonomy = generate._taxonomy()
    categories = [key for key in taxonomy["data_categories"] if key.startswith("user.")]
    uses = taxonomy["data_uses"]
    subjects = taxonomy["data_subjects"][:6]

    nodes = flows // 10
    system_ids = [f"system-{index}" for index in range(nodes * 2 // 5)]
    recipient_ids = [f"recipient-{index}" for index in range(nodes - len(system_ids))]
    systems = [system(rng, system_id, subjects, categories) for system_id in system_ids]
    vendor_share = 0.9 if shape == "catalog90" else 0.3
    recipients = [recipient(rng, recipient_id, vendor_share) for recipient_id in recipient_ids]
    pick_ends = endpoint_picker(shape, rng, system_ids, recipient_ids)
    flow_list = [flow(rng, *pick_ends(index), categories, uses, rich=shape == "rich") for index in range(flows)]
    inline_names = [entry["name"] for entry in recipients if "name" in entry]
    return {
        "privlint": 1,
        "organization": {"name": "Generated Org", "country": "IE"},
        "policy": policy(rng, inline_names, categories, uses),
        "systems": systems,
        "recipients": recipients,
        "flows": flow_list,
    }


def system(rng: random.Random, system_id: str, subjects: list[str], categories: list[str]) -> dict:
    entry = {"id": system_id, "name": f"System {system_id}", "country": rng.choice(COUNTRIES)}
    if rng.random() < 0.6:
        entry["collects"] = [{
            "subjects": rng.sample(subjects, 2),
            "data_categories": rng.sample(categories, rng.randint(2, 5)),
            "origins": rng.sample(COMMON_ORIGINS, rng.randint(1, 3)),
        }]
    return entry


def recipient(rng: random.Random, recipient_id: str, vendor_share: float) -> dict:
    """A catalog vendor (`vendor_share` of them) or an inline party; a US one has DPF flags."""
    if rng.random() < vendor_share:
        return {"id": recipient_id, "vendor": rng.choice(generate.CATALOG)}
    entry = {
        "id": recipient_id,
        "name": f"Vendor {recipient_id.title()} Ltd",
        "country": rng.choice(COUNTRIES),
        "category": rng.choice(generate.RECIPIENT_CATEGORIES),
        "role": rng.choice(ROLES),
    }
    if entry["country"] == "US":
        entry["dpf"] = {"eu": rng.random() < 0.6, "uk": rng.random() < 0.5, "ch": None}
    return entry


def endpoint_picker(shape: str, rng: random.Random, system_ids: list[str], recipient_ids: list[str]):
    """A function of a flow's index giving its (from, to) for the shape."""
    every_id = system_ids + recipient_ids

    def ring_then_any(index: int) -> tuple[str, str]:
        if index < len(every_id):
            return every_id[index], every_id[(index + 1) % len(every_id)]
        source, target = rng.sample(every_id, 2)
        return source, target

    def next_layer(index: int) -> tuple[str, str]:
        layer = rng.randrange(7)
        return rng.choice(layers[layer]), rng.choice(layers[layer + 1])

    def mostly_to_recipients(index: int) -> tuple[str, str]:
        draw = rng.random()
        if draw < 0.7:
            return rng.choice(system_ids), rng.choice(recipient_ids)
        source, target = rng.sample(system_ids if draw < 0.9 else recipient_ids, 2)
        return source, target

    if shape == "any_cycle":
        return ring_then_any
    if shape == "layers8":
        layers = [every_id[layer * len(every_id) // 8:(layer + 1) * len(every_id) // 8] for layer in range(8)]
        return next_layer
    return mostly_to_recipients


def flow(rng: random.Random, source: str, target: str, categories: list[str], uses: list[str], rich: bool) -> dict:
    entry = {
        "from": source,
        "to": target,
        "data_categories": rng.sample(categories, rng.randint(5, 15) if rich else rng.randint(2, 5)),
        "purposes": rng.sample(uses, rng.randint(1, 2)),
    }
    if target.startswith("recipient"):
        entry["transfer_basis"] = {"EEA": "scc", "UK": "idta", "CH": "scc"} if rng.random() < 0.5 \
            else rng.choice(generate.BASES)
    if rich:
        entry["origins"] = rng.sample(ORIGINS, rng.randint(20, 36))
    elif rng.random() < 0.2:
        entry["origins"] = rng.sample(COMMON_ORIGINS, rng.randint(1, 3))
    return entry


def policy(rng: random.Random, inline_names: list[str], categories: list[str], uses: list[str]) -> dict:
    """A policy naming half the inline recipients and disclosing half the categories and purposes."""
    return {
        "url": "https://example.test/privacy",
        "updated": "2025-01-15",
        "recipients": ["Stripe", "PayPal"] + rng.sample(inline_names, len(inline_names) // 2),
        "recipient_categories": rng.sample(generate.RECIPIENT_CATEGORIES, 7),
        "data_categories": rng.sample(categories, len(categories) // 2),
        "purposes": rng.sample(uses, len(uses) // 2),
        "sells_personal_data": False,
        "shares_personal_data": False,
        "transfer_mechanisms": ["scc", "idta", "dpf"],
        "retention": "P3Y",
    }


# Writing it. ------------------------------------------------------------------------------

def dump(data: dict, shape: str, path: Path) -> None:
    """Write `data` to `path` in the shape's encoding."""
    if shape == "json_indent":
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    elif shape == "json_line":
        path.write_text(json.dumps(data) + "\n", encoding="utf-8")
    else:
        yaml = YAML(typ="safe", pure=False)
        yaml.sort_base_mapping_type_on_output = False  # keep document order
        yaml.width = 100
        yaml.default_flow_style = False  # block style throughout
        if shape == "quoted":
            yaml.default_style = '"'
        yaml.dump(data, path)


def split_parts(data: dict) -> list[dict]:
    """split6's six files: the head (version, organization, policy), systems, recipients and
    the flows in three parts."""
    flows = data["flows"]
    third = len(flows) // 3
    head = {key: data[key] for key in ("privlint", "organization", "policy")}
    return [head, {"systems": data["systems"]}, {"recipients": data["recipients"]},
            {"flows": flows[:third]}, {"flows": flows[third:2 * third]}, {"flows": flows[2 * third:]}]


def write(shape: str, flows: int, directory: Path) -> Path:
    """Write one shape at one size into `directory`; the inventory's path (a file, or for
    split6 a directory of part0.yaml ... part5.yaml)."""
    data = build(shape, flows)
    if shape != "split6":
        path = directory / f"{shape}-{flows}.yaml"
        dump(data, shape, path)
        return path
    path = directory / f"{shape}-{flows}"
    path.mkdir(parents=True, exist_ok=True)
    for number, part in enumerate(split_parts(data)):
        dump(part, shape, path / f"part{number}.yaml")
    return path


# Measuring. -------------------------------------------------------------------------------

def size_of(inventory: Path) -> int:
    return sum(file.stat().st_size for file in run.inventory_files(str(inventory)))


def measure_shape(inventories: list[Path], rounds: int, floor_rss: float) -> list[str]:
    """The COLUMNS of a shape's row, from its inventories (smallest to largest)."""
    largest = inventories[-1]
    size = size_of(largest)
    raise_limit = size > loader.MAX_INVENTORY_MB * 2**20 and loader.LIMIT_VARIABLE not in run.ENV
    if raise_limit:
        run.ENV[loader.LIMIT_VARIABLE] = RAISED_SIZE_LIMIT_MB
    try:
        processes = run.interleaved({
            "check": [*run.privlint_command(), "check", "--as-of", run.AS_OF, str(largest)],
            "bare": [sys.executable, "-c", run.BARE_PARSE, *map(str, run.inventory_files(str(largest)))],
        }, rounds)
        split = run.phases(str(largest))
        timings: dict[Path, list[float]] = {path: [] for path in inventories}
        for _ in range(rounds):
            for path in inventories:
                timings[path].append(run.phases(str(path))["total"])
        calls = [run.python_calls(str(path)) for path in inventories]
    finally:
        if raise_limit:
            del run.ENV[loader.LIMIT_VARIABLE]
    check_wall = statistics.median(wall for wall, _ in processes["check"])
    bare_wall = statistics.median(wall for wall, _ in processes["bare"])
    times = [statistics.median(timings[path]) for path in inventories]
    peak_rss = max(rss for _, rss in processes["check"])
    return [
        f"{size / 1e6:.1f}",
        f"{check_wall / bare_wall:.2f}x",
        f"{split['total'] / split['bare_parse']:.2f}x",
        " / ".join(f"{ratio:.2f}x" for ratio in at_four_times(times)),
        " / ".join(f"{ratio:.2f}x" for ratio in at_four_times(calls)),
        f"{(peak_rss - floor_rss) / size:.1f}x / {peak_rss / size:.1f}x",
        f"{split['findings']:,}",
    ]


def at_four_times(values: list[float]) -> list[float]:
    """Each size's value against the one two sizes before it (4x smaller when sizes double)."""
    return [values[index] / values[index - 2] for index in range(2, len(values))]


def measure(shapes: list[str], sizes: list[int], rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="privlint-shapes-") as scratch:
        directory = Path(scratch)
        inventories = {shape: [write(shape, flows, directory) for flows in sizes] for shape in shapes}
        floor = run.interleaved({"floor": [sys.executable, "-c", run.FLOOR]}, rounds)["floor"]
        floor_rss = statistics.median(rss for _, rss in floor)
        steps = " / ".join(f"{sizes[index - 2]:,}->{sizes[index]:,}" for index in range(2, len(sizes)))
        print(f"{len(shapes)} shape(s) at {', '.join(f'{flows:,}' for flows in sizes)} flows, "
              f"medians of {rounds} interleaved round(s); import floor RSS {floor_rss / 2**20:.0f} MiB; "
              f"(c) is {steps or 'not measured (needs 3 sizes or more)'}")
        print_row([f"at {sizes[-1]:,} flows", *COLUMNS])
        print("|" + "---|" * (1 + len(COLUMNS)))
        for shape in shapes:
            print_row([shape, *measure_shape(inventories[shape], rounds, floor_rss)])


def print_row(cells: list[str]) -> None:
    print("| " + " | ".join(cells) + " |", flush=True)


# Command line. ----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    generate_command = commands.add_parser("generate", help="write the shapes' inventories into OUTDIR")
    generate_command.add_argument("outdir", type=Path)
    measure_command = commands.add_parser(
        "measure", help="measure the shapes and print the table (about half an hour at the default sizes)"
    )
    measure_command.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    for command in (generate_command, measure_command):
        command.add_argument("--shape", action="append", choices=SHAPES, help="a shape (repeatable; default all)")
        command.add_argument("--flows", type=int, nargs="+", default=SIZES, help="sizes in flows, each twice "
                             f"the one before for (c) (default {' '.join(map(str, SIZES))})")
    args = parser.parse_args(argv)
    shapes = args.shape or SHAPES
    if args.command == "generate":
        args.outdir.mkdir(parents=True, exist_ok=True)
        for shape in shapes:
            for flows in args.flows:
                print(write(shape, flows, args.outdir))
    else:
        measure(shapes, sorted(args.flows), args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
