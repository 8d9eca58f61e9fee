"""The benchmark script runs (its smallest size, one repeat). Nothing here is about time:
timings on a shared CI machine are noise; benchmarks/run.py is run by hand for the figures."""

import json
import subprocess
import sys

from .conftest import ROOT


def test_benchmark_smoke_run(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke", "--json", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for section in ("(a) hook latency", "(b) scale", "(c) growth", "(d) memory"):
        assert section in result.stdout
    measured = json.loads(out.read_text())
    assert set(measured["hook"]["check_s"]) >= {"reference"}
    assert measured["scale"]["phases_s"]["findings"] > 0  # the generated inventory was really checked
    assert all(row["peak_rss"] > 0 for row in measured["growth"])


def test_generator_is_deterministic_and_valid(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    text = generate.generate(40, 300, seed=3)
    assert text == generate.generate(40, 300, seed=3)
    assert text.count("\n  - from: ") == 300
    path = tmp_path / "inventory.yaml"
    path.write_text(text)
    from privlint.lint import loader, schema

    assert schema.validate(loader.load(str(path), text)) == []


def test_every_shape_is_generated_and_checked(tmp_path, cli):
    """benchmarks/shapes.py writes each of the README's other shapes, and privlint checks each
    (the smallest size run.py's smoke run uses; nothing about time)."""
    shapes = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "shapes.py"), "generate", str(tmp_path), "--flows", "250"],
        capture_output=True, text=True, timeout=120,
    )
    assert shapes.returncode == 0, shapes.stdout + shapes.stderr
    inventories = shapes.stdout.split()
    assert len(inventories) == 9 and (tmp_path / "split6-250" / "part5.yaml").is_file(), shapes.stdout
    for inventory in inventories:
        result = cli("check", inventory)
        assert result.returncode in (0, 1), (inventory, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr


def test_a_measured_process_peak_memory_is_its_own_not_its_parents():
    """Linux keeps a process's peak RSS across exec, and a vfork'd child shares its parent's:
    measured from a parent that had peaked at 300 MiB, `python -c pass` "peaked" at 311 MiB.
    run_process forks each measured process from a small launcher instead."""
    parent = (
        "import sys; sys.path.insert(0, sys.argv[1]); import run\n"
        "ballast = bytearray(300 * 2**20); ballast[::4096] = b'x' * len(ballast[::4096]); del ballast\n"
        "wall, rss, code = run.run_process([sys.executable, '-c', 'pass'])\n"
        "print(rss, code)"
    )
    result = subprocess.run([sys.executable, "-c", parent, str(ROOT / "benchmarks")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    rss, code = map(int, result.stdout.split())
    assert code == 0
    assert 4 * 2**20 < rss < 64 * 2**20  # an interpreter's own ~11 MiB, not the parent's 300
