"""privlint's benchmark: one table of measured ratios against the targets of the speed issue.

    python benchmarks/run.py            # full run (a few minutes on 2 cores)
    python benchmarks/run.py --smoke    # smallest size, one repeat: checks the script works

Sections (every ratio is measured in the same run, on the same machine):

(a) hook latency   `privlint check` of each example inventory in inventories/, as a whole
                   process, against the floor `python -c "import networkx, jsonschema, click,
                   ruamel.yaml"`; medians of interleaved runs.          target: <= 1.3x floor
(b) scale          2,000 nodes / 20,000 flows: total wall of `privlint check` against a bare
                   parse of the same file by ruamel.yaml's C-backed safe loader
                   (`YAML(typ="safe", pure=False).load`), both whole processes; and the split
                   between parse, validate, graph, rules and report (in-process, one run).
                                                                        target: <= 1.5x parse
(c) growth         1x, 2x, 4x, 8x sizes (8x = the scale inventory): in-process pipeline time
                   (medians of 11 rounds interleaved across the sizes), work (Python calls) and
                   whole-process time; 4x the size may cost at most
                   4.4x the time (1x->4x and 2x->8x).
(d) memory         peak RSS of `privlint check` per size, against the file size, judged at
                   the scale size (also shown above the import floor's RSS). target: <= 10x file
Run it from anywhere; it uses the Python it runs under, which must have privlint installed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (benchmarks/generate.py)

AS_OF = "2026-11-01"
FLOOR = "import networkx, jsonschema, click, ruamel.yaml"
BARE_PARSE = (  # every file named after it, one after the other
    "import sys\nfrom ruamel.yaml import YAML\n"
    "for path in sys.argv[1:]:\n"
    "    with open(path, 'rb') as handle:\n        YAML(typ='safe', pure=False).load(handle)\n"
)
BASE_NODES, BASE_FLOWS = 250, 2_500  # 1x; 8x is the 2,000-node / 20,000-flow scale inventory
SMOKE_NODES, SMOKE_FLOWS = 25, 250

TARGETS = {"hook": 1.3, "scale": 1.5, "growth": 4.4, "memory": 10.0}


def privlint_command() -> list[str]:
    script = Path(sys.executable).with_name("privlint")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from privlint.lint.cli import main; main()"]


# Measured processes may write bytecode caches, as an installed package has them: with
# PYTHONDONTWRITEBYTECODE set, every run would recompile privlint's modules (~60 ms) while
# the floor's packages came precompiled from pip.
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


# Linux carries a process's memory high-water mark over exec, and Python starts a child with
# vfork: the child's ru_maxrss is at least its parent's peak. shapes.py's parent peaks at
# 740 MiB while it generates the richest shape, and every process it measured "peaked" there.
# So each measured process is forked by a small launcher interpreter (about 9 MiB), which
# times it and reads its rusage.
_LAUNCHER = """
import json, os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        os.execvp(sys.argv[1], sys.argv[1:])
    except OSError as error:
        print(f"cannot start {sys.argv[1]}: {error.strerror}", file=sys.stderr)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
print(json.dumps([time.perf_counter() - start, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status)]))
"""


def run_process(command: list[str], timeout: float = 600) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in bytes, exit code) of one process, output discarded."""
    launcher = subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", _LAUNCHER, *command],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, start_new_session=True,
    )
    try:
        out, err = launcher.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(launcher.pid, signal.SIGKILL)  # the launcher and the process it forked
        launcher.communicate()
        raise RuntimeError(f"timed out: {' '.join(command)}") from None
    if launcher.returncode != 0:
        raise RuntimeError(f"could not run {' '.join(command)}: {err.decode('utf-8', 'replace').strip()}")
    wall, rss, code = json.loads(out)
    if code not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} exited {code}: {err.decode('utf-8', 'replace').strip()}")
    return wall, rss, code


def interleaved(commands: dict[str, list[str]], repeats: int) -> dict[str, list[tuple[float, int]]]:
    """Run every command once per round, `repeats` rounds: machine noise hits all alike.
    A first, unmeasured round warms the file cache and bytecode caches."""
    results: dict[str, list[tuple[float, int]]] = {name: [] for name in commands}
    for command in commands.values():
        run_process(command)
    for _ in range(repeats):
        for name, command in commands.items():
            wall, rss, _ = run_process(command)
            results[name].append((wall, rss))
    return results


def inventory_files(path: str) -> list[Path]:
    """The files `privlint check path` reads: the file itself, or a directory's YAML files."""
    from privlint.lint import discover

    return list(discover.targets([path])[0].files)


def median(values) -> float:
    return statistics.median(values)


def phases(path: str) -> dict[str, float]:
    """The pipeline's phases in a fresh interpreter: parse, validate, graph, rules, report;
    and a bare load of the same files. `path` is a file or a directory inventory."""
    code = f"import sys; sys.path.insert(0, {str(HERE)!r}); import run; run._phases_child({path!r})"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900, env=ENV)
    if output.returncode != 0:
        raise RuntimeError(f"phase measurement failed: {output.stderr.strip()}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def _phases_child(path: str) -> None:
    import datetime as dt
    import gc

    gc.disable()  # as the privlint CLI process runs (lint/cli.py main)

    from privlint.lint import engine, loader, report, schema

    spent = {"parse": 0.0, "validate": 0.0}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - start

        return wrapper

    loader.load = timed("parse", loader.load)
    loader.decode = timed("parse", loader.decode)
    schema.validate = timed("validate", schema.validate)
    files = inventory_files(path)
    start = time.perf_counter()
    context = engine.load_context(path, files, dt.date.fromisoformat(AS_OF))
    loaded = time.perf_counter()
    spent["validate"] += (loaded - start) - spent["parse"] - spent["validate"]  # reading, merging
    if context.valid:
        context.inventory, context.data_map  # noqa: B018 - built here to time it apart
    built = time.perf_counter()
    findings = engine.run(context)
    checked = time.perf_counter()
    report.json_report(findings)
    report.text(findings, 1)
    reported = time.perf_counter()
    bare_start = time.perf_counter()
    from ruamel.yaml import YAML

    for file in files:
        with open(file, "rb") as handle:
            YAML(typ="safe", pure=False).load(handle)
    bare = time.perf_counter() - bare_start
    result = {
        "parse": spent["parse"],
        "validate": spent["validate"],
        "graph": built - loaded,
        "rules": checked - built,
        "report": (reported - checked) / 2,  # two formats rendered: count one
        "total": (loaded - start) + (built - loaded) + (checked - built) + (reported - checked) / 2,
        "bare_parse": bare,
        "findings": len(findings),
    }
    print(json.dumps(result))


def python_calls(path: str) -> int:
    """Python function calls of one whole check of `path` (load, validate, map, rules, report),
    in a fresh interpreter after a warm-up: a measure of work that machine noise, caches and
    the memory hierarchy do not move."""
    code = f"import sys; sys.path.insert(0, {str(HERE)!r}); import run; run._calls_child({path!r})"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=1800, env=ENV)
    if output.returncode != 0:
        raise RuntimeError(f"call counting failed: {output.stderr.strip()}")
    return int(output.stdout.strip().splitlines()[-1])


def _calls_child(path: str) -> None:
    import datetime as dt
    import gc

    from privlint.lint import engine, report

    gc.disable()
    as_of = dt.date.fromisoformat(AS_OF)
    files = inventory_files(path)

    def check():
        report.text(engine.run(engine.load_context(path, files, as_of)), 1)

    check()  # warm-up: reference data, taxonomy and schema load once per process
    calls = [0]

    def profile(frame, event, arg):
        if event == "call":
            calls[0] += 1

    sys.setprofile(profile)
    check()
    sys.setprofile(None)
    print(calls[0])


def write_inventory(directory: Path, nodes: int, flows: int) -> Path:
    path = directory / f"inventory-{nodes}n-{flows}f.yaml"
    path.write_text(generate.generate(nodes, flows, seed=1), encoding="utf-8")
    return path


def verdict(ratio: float, target: float) -> str:
    return "met" if ratio <= target else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="privlint benchmark (see the module docstring)")
    parser.add_argument("--smoke", action="store_true", help="smallest size, one repeat: a quick check")
    parser.add_argument("--repeats", type=int, help="process runs per measurement (default 11, smoke 1)")
    parser.add_argument("--json", dest="json_path", help="also write the measurements as JSON to FILE")
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.smoke else 11)
    privlint = privlint_command()
    out: dict = {
        "machine": {
            "nproc": os.cpu_count(),
            "cpu": _cpu_model(),
            "python": platform.python_version(),
            "smoke": args.smoke,
            "repeats": repeats,
        }
    }
    print(f"privlint benchmark: {out['machine']['cpu']}, nproc {out['machine']['nproc']}, "
          f"Python {out['machine']['python']}, {repeats} repeat(s){' (smoke)' if args.smoke else ''}")
    if args.smoke:
        print("smoke run: the smallest size once; the verdicts below are not meaningful at this size")

    # (a) hook latency -------------------------------------------------------------------
    inventories = sorted(path for path in (ROOT / "inventories").iterdir() if path.is_dir())
    commands = {"floor": [sys.executable, "-c", FLOOR]}
    for inventory in inventories:
        commands[inventory.name] = [*privlint, "check", "--as-of", AS_OF, str(inventory)]
    runs = interleaved(commands, repeats)
    floor = median(wall for wall, _ in runs["floor"])
    hook = {name: median(wall for wall, _ in runs[name]) for name in commands if name != "floor"}
    worst = max(hook.values()) / floor
    out["hook"] = {"floor_s": floor, "check_s": hook, "worst_ratio": worst}
    print("\n(a) hook latency: whole `privlint check` process vs the import floor (medians)")
    print(f"    {'inventory':<14} {'median':>9} {'ratio':>7}")
    print(f"    {'floor':<14} {floor * 1000:>7.0f}ms {1:>6.2f}x")
    for name, seconds in hook.items():
        print(f"    {name:<14} {seconds * 1000:>7.0f}ms {seconds / floor:>6.2f}x")
    print(f"    worst {worst:.2f}x (target <= {TARGETS['hook']}x): {verdict(worst, TARGETS['hook'])}")

    with tempfile.TemporaryDirectory(prefix="privlint-bench-") as scratch:
        directory = Path(scratch)
        if args.smoke:
            sizes = [(SMOKE_NODES, SMOKE_FLOWS)]
        else:
            sizes = [(BASE_NODES * factor, BASE_FLOWS * factor) for factor in (1, 2, 4, 8)]
        files = [write_inventory(directory, nodes, flows) for nodes, flows in sizes]
        big = files[-1]
        big_nodes, big_flows = sizes[-1]

        # (b) scale ----------------------------------------------------------------------
        scale_repeats = max(1, min(repeats, 5))
        runs = interleaved(
            {
                "check": [*privlint, "check", "--as-of", AS_OF, str(big)],
                "bare": [sys.executable, "-c", BARE_PARSE, str(big)],
            },
            scale_repeats,
        )
        check_wall = median(wall for wall, _ in runs["check"])
        bare_wall = median(wall for wall, _ in runs["bare"])
        split = phases(str(big))
        ratio = check_wall / bare_wall
        out["scale"] = {
            "nodes": big_nodes, "flows": big_flows, "bytes": big.stat().st_size,
            "check_s": check_wall, "bare_parse_s": bare_wall, "ratio": ratio, "phases_s": split,
        }
        print(f"\n(b) scale: {big_nodes:,} nodes / {big_flows:,} flows ({big.stat().st_size / 1e6:.1f} MB), "
              f"medians of {scale_repeats}")
        print(f"    privlint check (process)   {check_wall:7.2f}s")
        print(f"    bare C-backed safe load    {bare_wall:7.2f}s   ratio {ratio:.2f}x "
              f"(target <= {TARGETS['scale']}x): {verdict(ratio, TARGETS['scale'])}")
        out["scale"]["in_process_ratio"] = split["total"] / split["bare_parse"]
        print("    in-process split: " + ", ".join(
            f"{name} {split[name]:.2f}s" for name in ("parse", "validate", "graph", "rules", "report")
        ) + f" = {split['total']:.2f}s ({split['findings']:,} findings); "
            f"bare load in-process {split['bare_parse']:.2f}s (ratio {split['total'] / split['bare_parse']:.2f}x; "
            "both without cyclic GC, as the privlint process runs)")

        # (c) growth and (d) memory ------------------------------------------------------
        growth = []
        # In-process timings of all sizes interleaved, as in (a): a slow spell of a shared
        # machine then slows every size alike instead of skewing one ratio.
        # As many rounds as (a) has: on a VM whose neighbours come and go, medians of 5 rounds
        # put the 5,000 -> 20,000 ratio anywhere from 4.0x to 4.8x on the same code.
        timings = {path: [] for path in files}
        for _ in range(max(1, repeats)):
            for path in files:
                timings[path].append(phases(str(path))["total"])
        for (nodes, flows), path in zip(sizes, files):
            processes = [run_process([*privlint, "check", "--as-of", AS_OF, str(path)])
                         for _ in range(1 if args.smoke else 3)]
            growth.append({
                "nodes": nodes, "flows": flows, "bytes": path.stat().st_size,
                "pipeline_s": median(timings[path]), "process_s": median(wall for wall, _, _ in processes),
                "peak_rss": max(rss for _, rss, _ in processes), "calls": python_calls(str(path)),
            })
        floor_rss = median(rss for _, rss in interleaved({"floor": [sys.executable, "-c", FLOOR]}, 1)["floor"])
        out["growth"] = growth
        out["floor_rss"] = floor_rss
        print("\n(c) growth: in-process pipeline time (median) and work (Python calls)   "
              "(d) memory: peak RSS of the process")
        print(f"    {'size':<22} {'MB':>5} {'time':>7} {'vs 1/4':>7} {'calls':>11} {'vs 1/4':>7} "
              f"{'process':>8} {'vs 1/4':>7} {'peak RSS':>9} {'xfile':>6} {'above floor':>12}")
        worst_growth = worst_work = worst_process = 0.0
        for index, row in enumerate(growth):
            quarter = growth[index - 2] if index >= 2 else None
            step = row["pipeline_s"] / quarter["pipeline_s"] if quarter else None
            work = row["calls"] / quarter["calls"] if quarter else None
            whole = row["process_s"] / quarter["process_s"] if quarter else None
            if step is not None:
                worst_growth = max(worst_growth, step)
                worst_work = max(worst_work, work)
                worst_process = max(worst_process, whole)
            rss_ratio = row["peak_rss"] / row["bytes"]
            above = (row["peak_rss"] - floor_rss) / row["bytes"]
            row.update({"growth_vs_quarter": step, "work_vs_quarter": work, "process_vs_quarter": whole,
                        "rss_ratio": rss_ratio, "rss_above_floor_ratio": above})
            label = f"{row['nodes']:,} n / {row['flows']:,} f"
            print(f"    {label:<22} {row['bytes'] / 1e6:>5.1f} {row['pipeline_s']:>6.2f}s "
                  f"{(f'{step:.2f}x' if step else '-'):>7} {row['calls']:>11,} {(f'{work:.2f}x' if work else '-'):>7} "
                  f"{row['process_s']:>7.2f}s {(f'{whole:.2f}x' if whole else '-'):>7} "
                  f"{row['peak_rss'] / 2**20:>7.0f}MB {rss_ratio:>5.1f}x {above:>11.1f}x")
        if len(growth) > 2:
            print(f"    4x the size costs at most {worst_growth:.2f}x the in-process time, {worst_work:.2f}x the work "
                  f"and {worst_process:.2f}x the whole process's time (target <= {TARGETS['growth']}x): "
                  f"time {verdict(worst_growth, TARGETS['growth'])}, work {verdict(worst_work, TARGETS['growth'])}, "
                  f"process {verdict(worst_process, TARGETS['growth'])}")
        # Judged at the scale size: at small sizes the import floor alone is many times the file.
        scale_rss, scale_above = growth[-1]["rss_ratio"], growth[-1]["rss_above_floor_ratio"]
        print(f"    import floor RSS {floor_rss / 2**20:.0f}MB; at {big_flows:,} flows peak RSS is "
              f"{scale_rss:.1f}x the file ({scale_above:.1f}x above the floor) "
              f"(target <= {TARGETS['memory']}x): {verdict(scale_rss, TARGETS['memory'])}, "
              f"above the floor {verdict(scale_above, TARGETS['memory'])}")
        out["worst_growth"] = worst_growth
        out["worst_work_growth"] = worst_work
        out["worst_process_growth"] = worst_process
        out["scale_rss_ratio"] = scale_rss
        out["scale_rss_above_floor_ratio"] = scale_above

    if args.json_path:
        Path(args.json_path).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


if __name__ == "__main__":
    sys.exit(main())
