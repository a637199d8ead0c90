"""The benchmark script (benchmarks/bench.py) at its smallest size, so that it cannot rot
unnoticed: every figure of docs/benchmarks.md must come out as a number. The figures of a
quick run on a tiny database say nothing about the targets; only that they are measured."""

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FIGURES = [
    "launch.app_s.median", "launch.bare_s.median", "launch.ratio",
    "launch.phases_median.db_open_s", "launch.phases_median.imports_s",
    "ring_paint.painted_ms.median", "ring_paint.painted_ms.p95",
    "ring_paint.launch_exit_ms.median",
    "write.app_ms.median", "write.app_ms.p99", "write.raw_ms.median", "write.raw_ms.p99",
    "write.ratio",
    "lookup.app_ms.median", "lookup.app_ms.p95", "lookup.like_ms.p95",
    "search.3plus.app_ms.median", "search.3plus.app_ms.p95", "search.3plus.like_ms.p95",
    "search.2.app_ms.median", "search.2.app_ms.p95", "search.2.like_ms.p95",
    "window.typing.max_gap_ms", "window.typing.bare.max_gap_ms", "window.rss_call_mb",
    "window.rss_ready_mb", "window.rss_bare_mb", "window.enter_to_shown_ms.median",
    "export.notes_per_s", "export.notes_per_s_writing", "export.peak_rss_mb",
    "export.raw_notes_per_s", "verify.s_per_100k_entries",
]


def figure(results: dict, path: str):
    node = results
    for key in path.split("."):
        node = node[key]
    return node


def test_a_quick_run_at_the_smallest_size_reports_every_figure(tmp_path):
    out = tmp_path / "results.json"
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--sizes", "2k",
                          "--quick", "--out", str(out), "--cache", str(tmp_path / "cache")],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-4000:]
    results = json.loads(out.read_text())
    assert results["sizes"] == ["2k"]
    measured = results["figures"]["2k"]
    assert 1500 < measured["dataset"]["notes"] < 2500
    for path in FIGURES:
        value = figure(measured, path)
        assert isinstance(value, (int, float)) and math.isfinite(value) and value > 0, path
    assert figure(results, "first_start.app_s.median") > 0
    shift = results["shift"]
    assert shift["aborts"] == 0 and shift["notes_on_disk"] == shift["notes"] > 0
    for path in ("shift.rss_last_call_mb", "shift.enter_to_shown_ms.first_call.median",
                 "shift.enter_to_shown_ms.last_notes_of_calls.median"):
        assert figure(results, path) > 0, path
    assert 0 <= results["detection"]["harassment_recall"] <= 1
    assert figure(results, "detection.analysis_ms.p99") > 0
    for path in ("ring.ring_s.median", "ring.bare_s.median", "ring.ratio"):
        assert figure(results, path) > 0, path
    assert len(results["targets"]) == 21
    judged = {(target["what"], target["target"]): target for target in results["targets"]}
    assert judged["Enter → note shown in the list", "p99 ≤ 16 ms (one frame)"]["measured"] > 0
    assert judged["Enter → note durable",
                  "≤ 1.3 × raw sqlite3 writing the same rows (median)"]["measured"] > 0
    assert all(target["met"] in (True, False, None) for target in results["targets"])
    assert "targets (docs/benchmarks.md)" in run.stdout
    assert "search 2 chars, p95" in run.stdout
    assert "a shift: " in run.stdout and "0 aborts" in run.stdout
    assert "demand detection, frozen evaluation set" in run.stdout


def test_a_ring_is_timed_through_each_step_until_the_callers_history_is_painted(tmp_path):
    """The ring-paint figure on its own: every ring reached the painted history of a caller
    with calls and open promises, and each step is timed from the one before it."""
    out = tmp_path / "results.json"
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--sizes", "2k",
                          "--quick", "--only", "ring-paint", "--out", str(out),
                          "--cache", str(tmp_path / "cache")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-4000:]
    ringing = json.loads(out.read_text())["figures"]["2k"]["ring_paint"]
    assert ringing["rings"] == ringing["painted_ms"]["n"] > 0
    assert ringing["callers"] and all(caller["contacts"] > 0 and caller["promises"] > 0
                                      for caller in ringing["callers"].values())
    steps = ringing["steps_median_ms"]
    assert list(steps) == ["launch_to_window", "socket_answered", "ringing_page", "to_worker",
                           "lookup", "back_to_gui", "controller", "panel_filled", "to_paint",
                           "paint"]
    assert all(math.isfinite(value) and value >= 0 for value in steps.values()), steps
    assert 0 < ringing["painted_ms"]["min"] <= ringing["painted_ms"]["median"]
    assert "ring → history painted, p95" in run.stdout
    assert "ring → caller's history painted: p95 ≤ 150 ms" in run.stdout
