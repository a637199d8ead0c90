"""The live floor's benchmark (benchmarks/live_floor.py) at its smallest, against the test
server, so that it cannot rot unnoticed: its figures come out as numbers. They say nothing
about the target at this size."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgresql
def test_a_small_run_reports_the_hand_to_board_latency(postgres_url, tmp_path):
    out = tmp_path / "live.json"
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "live_floor.py"),
                          "--database-url", postgres_url, "--agents", "3", "--hands", "3",
                          "--publish-every", "0.5", "--out", str(out)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-4000:]
    results = json.loads(out.read_text(encoding="utf-8"))["live_floor"]
    assert results["agents"] == 3 and results["board_reads"] >= 3
    for figure in ("median", "p95", "max"):
        assert results["hand_to_board_ms"][figure] > 0
