"""An hour of calls in the real window, in a process of its own: nothing that a whole shift
would exhaust may run down.

The window is driven by ``benchmarks/probes.py shift`` (the benchmark's soak figure runs the
same for eight simulated hours): calls taken with the keys, the customer's words saved with
Enter, the call timer's tick run once for every second of a call (compressed, not waited
for) and the window painted after each note. A Qt binding that drops a reference to ``None``
or ``True`` on such common calls (PySide6 6.12.0 does, on ``QLabel.setText`` among others)
brings Python 3.11 to "Fatal Python error: none_dealloc" after an hour or two of real calls;
here the lost references show within the first calls, as counts that fall from one call to
the next. Python 3.12 and later make these objects immortal: there the counts are not
readable, and a lost reference cannot abort.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULT = "BENCH-RESULT "
#: How far a singleton's count may dip below its reading after the first call: objects
#: that hold it come and go. A leaking binding loses thousands per call.
REFCOUNT_SLACK = 100
#: Open files and threads may come and go by a few (the log, a backup); not grow with calls.
HANDLE_SLACK = 4
#: Memory after an hour of calls against after the first: a generous bound for the noise.
RSS_GROWTH_MB = 64


def run_shift(tmp_path, hours="1", notes_per_call="20", gap="3"):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               CALLHELPER_CONFIG_DIR=str(tmp_path / "config"),
               CALLHELPER_LOG_DIR=str(tmp_path / "logs"))
    env.pop("CALLHELPER_DATABASE_URL", None)
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "probes.py"), "shift", "--data-dir",
         str(tmp_path / "data"), "--hours", hours, "--notes-per-call", notes_per_call,
         "--gap", gap],
        capture_output=True, text=True, env=env, timeout=900)
    assert run.returncode != -signal.SIGABRT, f"the window aborted:\n{run.stderr[-3000:]}"
    assert run.returncode == 0, run.stderr[-3000:]
    line = [line for line in run.stdout.splitlines() if line.startswith(RESULT)][-1]
    return json.loads(line[len(RESULT):])


def test_an_hour_of_calls_loses_no_reference_handle_or_note(tmp_path):
    shift = run_shift(tmp_path)
    samples = shift["samples"]
    assert shift["calls"] == len(samples) == 60
    assert shift["notes_on_disk"] == shift["notes_typed"] == 60 * 20

    first, rest = samples[0], samples[1:]
    if first["refcounts"] is not None:  # Python 3.11: the counts are real
        for name, count in first["refcounts"].items():
            lowest = min(sample["refcounts"][name] for sample in rest)
            assert lowest >= count - REFCOUNT_SLACK, (
                f"references to {name} run down call by call: {count} after the first call, "
                f"{lowest} later — the Qt binding loses them, and Python aborts when none "
                f"are left ({[sample['refcounts'][name] for sample in samples[:8]]} …)")
    for what in ("handles", "threads"):
        assert max(sample[what] for sample in rest) <= first[what] + HANDLE_SLACK, (
            what, [sample[what] for sample in samples])
    assert samples[-1]["rss_mb"] - first["rss_mb"] < RSS_GROWTH_MB, [
        round(sample["rss_mb"]) for sample in samples]
