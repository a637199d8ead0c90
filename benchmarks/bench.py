"""CallHelper's benchmark: every target of docs/benchmarks.md, each beside its floor, at
several sizes.

    python benchmarks/bench.py [--sizes 10k 100k 1m] [--quick] [--out FILE] [--cache DIR]
    make bench [SIZES="10k 100k 1m"]

Sizes are numbers of notes (the demo generator writes about ten per case: 1m is 100k cases).
The demo databases are built once with ``callhelper demo`` and kept in ``--cache``
(datasets.py); each size then runs on a copy. What is measured, and against what:

- launch: process start until the call window is shown and takes keys (painted, its event
  loop turning) and until its ``ready`` (the database checked, opened and read), beside a
  bare PySide6 window launched the same way, alternately (probes.py);
- ring: ``callhelper NUMBER`` while the window runs, until the window has taken it, beside
  a bare ``python -c pass``, alternately;
- ring-paint: ``callhelper NUMBER`` while the window runs on the database, until the window
  has painted that caller's history (probes.py ``ring-window``), with the steps between;
- write: Enter's path to disk (the window's ``add_note`` operation in a unit of work, as its
  write queue runs it: ``operations.perform``, the real engine and
  pragmas), beside a raw ``sqlite3`` INSERT of the same row + COMMIT with the same pragmas;
- lookup and search: ``history.caller_history`` and ``history.search`` (queries of three
  characters or more, and of two), beside a plain ``LIKE '%…%'`` scan of the same rows;
- typing: the longest GUI-thread stall while queries are typed into the real history
  browser, from a heartbeat timer (probes.py), with the window's memory;
- export: ``callhelper export`` of every note, its rate and peak memory;
- verify: ``callhelper verify`` per 100k audit entries.

The table goes to stdout, everything measured to the JSON file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import datasets  # noqa: E402
import detection  # noqa: E402

PROBES = HERE / "probes.py"
DEFAULT_OUT = HERE / "results.json"
DEFAULT_SIZES = ["10k", "100k", "1m"]
SEARCH_LIMIT = 200  # what the history browser asks for
#: Queries over the demo data: frequent, rare and absent words (解約 and 解約手続き are in
#: no demo note, so a scan reads every row before it knows).
SEARCH_QUERIES = {
    "3plus": ["折り返し", "土下座", "異音がする", "交換品の発送", "解約手続き"],
    "2": ["返金", "異音", "欠品", "解約"],
}


class Plan:
    """How many times each thing is measured (after its warm-up runs)."""

    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.launches, self.launch_warmup = (1, 0) if quick else (10, 2)
        self.rings, self.ring_warmup = (4, 1) if quick else (40, 4)
        self.first_starts, self.first_start_warmup = (1, 0) if quick else (3, 1)
        self.writes, self.write_warmup = (30, 5) if quick else (300, 30)
        self.lookups, self.lookup_warmup = (30, 5) if quick else (300, 30)
        self.searches, self.search_warmup = (3, 1) if quick else (30, 3)
        # notes typed in the window: enough for a p99 that is not just the slowest one
        self.window_notes, self.window_rounds = (5, 1) if quick else (200, 2)
        self.window_queries = 3 if quick else None  # None: every query of probes.py
        # a shift: simulated hours, notes per call, simulated seconds between notes
        self.shift = (0.25, 20, 3) if quick else (8.0, 100, 1)

    def exports(self, notes: int) -> int:
        return 1 if self.quick or notes > 200_000 else 3


# ---------------------------------------------------------------- statistics


def percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def stats(values: list[float]) -> dict:
    return {"n": len(values), "median": statistics.median(values),
            "p95": percentile(values, 0.95), "p99": percentile(values, 0.99),
            "min": min(values), "max": max(values)}


def ms_since(begun: float) -> float:
    return (time.perf_counter() - begun) * 1000


# ---------------------------------------------------------------- child processes


def child_env(scratch: Path) -> dict:
    """Qt offscreen, CallHelper's folders in ``scratch``, byte code cached as installs have
    it (this machine's PYTHONDONTWRITEBYTECODE would have every start compile the app)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               CALLHELPER_CONFIG_DIR=str(scratch / "config"),
               CALLHELPER_LOG_DIR=str(scratch / "logs"))
    for name in ("PYTHONDONTWRITEBYTECODE", "CALLHELPER_DATA_DIR", "CALLHELPER_DATABASE_URL"):
        env.pop(name, None)
    return env


class ProbeFailed(RuntimeError):
    def __init__(self, name: str, returncode: int, stderr: str) -> None:
        super().__init__(f"probe {name} failed ({returncode}):\n{stderr[-3000:]}")
        self.returncode = returncode


def probe(name: str, *args: str, env: dict, timeout: float = 3600) -> tuple[dict, float, dict]:
    """Run a probe; returns its result, the moment it was started and its wall time."""
    command = [sys.executable, str(PROBES), name, *args]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env, text=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise RuntimeError(f"probe {name} took longer than {timeout} s")
    usage = {"wall_s": time.perf_counter() - started}
    if process.returncode != 0:
        raise ProbeFailed(name, process.returncode, stderr)
    lines = [line for line in stdout.splitlines() if line.startswith("BENCH-RESULT ")]
    if not lines:
        raise RuntimeError(f"probe {name} printed no result:\n{stdout[-2000:]}\n"
                           f"{stderr[-2000:]}")
    return json.loads(lines[-1][len("BENCH-RESULT "):]), started, usage


# ---------------------------------------------------------------- the measurements


def measure_launch(data_dir: Path, scratch: Path, plan: Plan, log) -> dict:
    """App and bare window alternately, so a passing load hits both alike."""
    env = child_env(scratch)
    app, shown, bare, phases = [], [], [], []
    for run in range(plan.launch_warmup + plan.launches):
        for kind in ("app", "bare"):
            if kind == "app":
                result, started, _ = probe("launch-app", "--data-dir", str(data_dir), env=env)
            else:
                result, started, _ = probe("launch-bare", env=env)
            if run < plan.launch_warmup:
                continue
            marks = result["marks"]
            (app if kind == "app" else bare).append(marks["ready"] - started)
            if kind == "app":
                shown.append(marks["shown"] - started)
                phases.append({
                    "interpreter_s": marks["interpreter"] - started,
                    "imports_s": marks["ui_app_imported"] - marks["interpreter"],
                    "qt_app_s": marks["build_start"] - marks["ui_app_imported"],
                    "window_built_s": marks["built"] - marks["build_start"],
                    "built_to_shown_s": marks["shown"] - marks["built"],
                    "shown_to_complete_s": marks["complete"] - marks["shown"],
                    "shown_to_ready_s": marks["ready"] - marks["shown"],
                    "store_import_s": marks["store_loaded"] - marks["store_loading"],
                    **{f"{name}_s": value for name, value in result["phases"].items()},
                    "rss_mb": result["rss_mb"]})
    app_stats, shown_stats, bare_stats = stats(app), stats(shown), stats(bare)
    log(f"    launch: app shown {shown_stats['median']:.2f} s, ready "
        f"{app_stats['median']:.2f} s, bare {bare_stats['median']:.2f} s")
    return {"app_s": app_stats, "shown_s": shown_stats, "bare_s": bare_stats,
            "ratio": app_stats["median"] / bare_stats["median"],
            "shown_ratio": shown_stats["median"] / bare_stats["median"],
            "phases_median": {key: statistics.median(p[key] for p in phases)
                              for key in phases[0]}}


def measure_first_start(plan: Plan, log) -> dict:
    """A first start: no database yet, so the schema is made by every migration."""
    times = []
    for _ in range(plan.first_start_warmup + plan.first_starts):
        with tempfile.TemporaryDirectory(prefix="callhelper-bench-") as folder:
            scratch = Path(folder)
            result, started, _ = probe("launch-app", "--data-dir", str(scratch / "data"),
                                       env=child_env(scratch))
            times.append(result["marks"]["ready"] - started)
    times = times[plan.first_start_warmup:]
    log(f"    first start (empty folder): {statistics.median(times):.2f} s")
    return {"app_s": stats(times)}


def measure_ring(plan: Plan, log) -> dict:
    """The ring path: ``callhelper NUMBER`` as a softphone runs it while the window runs, from
    process start until it exits (the window has taken the command), beside a bare
    ``python -c pass``, alternately; and the peak RSS of each, from GNU time where there is
    one (wait4's ru_maxrss would count the benchmark's own memory at the fork)."""
    with tempfile.TemporaryDirectory(prefix="callhelper-bench-") as folder:
        scratch = Path(folder)
        env = child_env(scratch)  # the config folder found as at a user's: platformdirs
        del env["CALLHELPER_CONFIG_DIR"]
        env["XDG_CONFIG_HOME"] = str(scratch / "config")
        app = [sys.executable, "-m", "callhelper", "--data-dir", str(scratch / "data")]
        commands = {"ring": [*app, "03-1234-5678"], "bare": [sys.executable, "-c", "pass"]}
        window = subprocess.Popen(app, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            if not _window_ready(app, env):
                raise RuntimeError("the window did not get ready for the ring path")
            times: dict[str, list[float]] = {"ring": [], "bare": []}
            for run in range(plan.launch_warmup + plan.launches * 3):
                for kind, command in commands.items():
                    started = time.perf_counter()
                    subprocess.run(command, env=env, check=True)
                    if run >= plan.launch_warmup:
                        times[kind].append(time.perf_counter() - started)
            peak = {kind: _peak_rss_mb(command, env) for kind, command in commands.items()}
        finally:
            window.terminate()
            window.wait(timeout=60)
    ring, bare = stats(times["ring"]), stats(times["bare"])
    log(f"ring path: {ring['median'] * 1000:.0f} ms, bare python {bare['median'] * 1000:.0f} ms;"
        f" peak RSS {peak['ring']} MB, {peak['bare']} MB")
    return {"ring_s": ring, "bare_s": bare, "ratio": ring["median"] / bare["median"],
            "peak_rss_mb": peak}


def _window_ready(app: list[str], env: dict, timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        asked = subprocess.run([*app, "call", "status", "--json"], env=env,
                               capture_output=True, text=True)
        if asked.returncode == 0 and json.loads(asked.stdout).get("ready"):
            return True
        time.sleep(0.2)
    return False


def _peak_rss_mb(command: list[str], env: dict) -> float | None:
    gnu_time = shutil.which("time", path="/usr/bin:/bin")
    if gnu_time is None:
        return None
    done = subprocess.run([gnu_time, "-f", "%M", *command], env=env, capture_output=True,
                          text=True, check=True)
    return round(int(done.stderr.split()[-1]) / 1024, 1)


#: What probes.py ring-window prints: once ready, and once per ring painted.
RING_READY, RING_PAINTED = "BENCH-READY", "BENCH-RING "
#: The steps of a ring until painted, each as the probe's mark that ends it and a name for
#: the time from the step before (the first: from the moment the launch was started).
RING_STEPS = (("received", "launch_to_window"), ("command", "socket_answered"),
              ("lookup_asked", "ringing_page"), ("lookup_begun", "to_worker"),
              ("lookup_done", "lookup"), ("answered", "back_to_gui"),
              ("drawing", "controller"), ("drawn", "panel_filled"),
              ("paint_begun", "to_paint"), ("painted", "paint"))
RING_GAP_S = 0.3  # between rings: calls ring seconds apart, and the window settles


def measure_ring_paint(data_dir: Path, scratch: Path, phones: list[str], plan: Plan,
                       log) -> dict:
    """A ring until the caller's history is on screen: the window started as a user starts
    it on the database (``probes.py ring-window``), ready and its daily upkeep done; then
    ``callhelper NUMBER`` as measure_ring runs it, for ``phones`` in turn (callers with prior
    contacts and open promises), from the moment the process is started until the window has
    painted that caller's history, with the time of each step between. The window is never
    answered, so each launch rings again; the launch's own exit is recorded too (it is
    answered before the window looks the caller up)."""
    env = child_env(scratch)  # the config folder found as at a user's, as in measure_ring
    del env["CALLHELPER_CONFIG_DIR"]
    env["XDG_CONFIG_HOME"] = str(scratch / "config")
    ring = [sys.executable, "-m", "callhelper", "--data-dir", str(data_dir)]
    errors = scratch / "ring-window.stderr"
    with open(errors, "w") as stderr:
        window = subprocess.Popen([sys.executable, str(PROBES), "ring-window", "--data-dir",
                                   str(data_dir)], stdout=subprocess.PIPE, stderr=stderr,
                                  env=env, text=True)
    said: queue.Queue[str | None] = queue.Queue()

    def read_window() -> None:
        for line in window.stdout:
            said.put(line)
        said.put(None)

    threading.Thread(target=read_window, daemon=True).start()

    def next_line(prefix: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = said.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is None:
                raise RuntimeError(f"the ring window said no {prefix.strip()} (within "
                                   f"{timeout:.0f} s):\n{errors.read_text()[-3000:]}")
            if line.startswith(prefix):
                return line[len(prefix):].strip()

    totals, exits, callers = [], [], {}
    steps: dict[str, list[float]] = {name: [] for _, name in RING_STEPS}
    try:
        next_line(RING_READY, 300)
        for number in range(plan.ring_warmup + plan.rings):
            phone = phones[number % len(phones)]
            started = time.perf_counter()
            subprocess.run([*ring, phone], env=env, check=True)
            exited = time.perf_counter()
            marks = json.loads(next_line(RING_PAINTED, 30))
            if _digits(marks["number"]) != _digits(phone) or not marks["contacts_shown"]:
                raise RuntimeError(f"the ring of {phone} painted something else: {marks}")
            if number >= plan.ring_warmup:
                totals.append((marks["painted"] - started) * 1000)
                exits.append((exited - started) * 1000)
                before = started
                for mark, name in RING_STEPS:
                    steps[name].append((marks[mark] - before) * 1000)
                    before = marks[mark]
                callers[phone] = {"contacts": marks["contacts"], "promises": marks["promises"]}
            time.sleep(RING_GAP_S)
    finally:
        window.terminate()
        window.wait(timeout=60)
    painted = stats(totals)
    result = {"painted_ms": painted, "launch_exit_ms": stats(exits), "rings": len(totals),
              "steps_median_ms": {name: statistics.median(values)
                                  for name, values in steps.items()},
              "steps_p95_ms": {name: percentile(values, 0.95) for name, values in steps.items()},
              "callers": callers}
    step = result["steps_median_ms"]
    log(f"    ring → history painted: median {painted['median']:.0f} ms, p95 "
        f"{painted['p95']:.0f} ms (the launch exits at {result['launch_exit_ms']['median']:.0f}"
        f" ms); medians: launch → window {step['launch_to_window']:.0f} ms, lookup "
        f"{step['to_worker'] + step['lookup'] + step['back_to_gui']:.1f} ms, panel filled "
        f"{step['panel_filled']:.1f} ms, paint {step['to_paint'] + step['paint']:.1f} ms")
    return result


def _digits(phone: str) -> str:
    return "".join(character for character in phone if character.isdigit())


def ringing_callers(raw: sqlite3.Connection, count: int = 4) -> list[str]:
    """Callers whose history fills the caller panel: customers with open promises first,
    those with the most calls first."""
    return [row[0] for row in raw.execute(
        "SELECT cu.phone FROM customer cu JOIN contact k ON k.customer_id = cu.id "
        "WHERE cu.phone != '' GROUP BY cu.id ORDER BY EXISTS (SELECT 1 FROM note n JOIN "
        "contact p ON p.id = n.contact_id WHERE p.customer_id = cu.id AND n.kind = 'promise' "
        "AND n.done_at IS NULL) DESC, count(*) DESC, cu.id LIMIT ?", (count,))]


def measure_shift(plan: Plan, log) -> dict:
    """The window through a shift of calls on a new database (``probes.py shift``): memory,
    open handles and threads after the first call and the last, Enter → note shown early and
    late (in the shift, and in each call), and whether the process aborted."""
    hours, notes_per_call, gap = plan.shift
    with tempfile.TemporaryDirectory(prefix="callhelper-bench-") as folder:
        scratch = Path(folder)
        try:
            result, _, usage = probe("shift", "--data-dir", str(scratch / "data"),
                                     "--hours", str(hours), "--notes-per-call",
                                     str(notes_per_call), "--gap", str(gap),
                                     env=child_env(scratch))
        except ProbeFailed as failed:
            if failed.returncode != -signal.SIGABRT:
                raise
            log(f"    shift: ABORTED ({failed})")
            return {"aborts": 1, "simulated_hours": hours}
    samples, calls = result["samples"], result["enter_to_shown_ms"]
    first, last = samples[0], samples[-1]
    edge = max(1, notes_per_call // 10)
    shift = {
        "aborts": 0, "simulated_hours": result["simulated_hours"], "calls": result["calls"],
        "notes": result["notes_typed"], "notes_on_disk": result["notes_on_disk"],
        "wall_s": usage["wall_s"],
        "rss_first_call_mb": first["rss_mb"], "rss_last_call_mb": last["rss_mb"],
        "rss_growth_mb": last["rss_mb"] - first["rss_mb"],
        "rss_mb_by_call": [[sample["call"], round(sample["rss_mb"], 1)]
                           for sample in samples[::max(1, len(samples) // 24)]],
        "handles": [first["handles"], last["handles"]],
        "threads": [first["threads"], last["threads"]],
        "refcount_loss": None if first["refcounts"] is None else {
            name: count - min(sample["refcounts"][name] for sample in samples)
            for name, count in first["refcounts"].items()},
        "enter_to_shown_ms": {
            "first_call": stats(calls[0]), "last_call": stats(calls[-1]),
            "first_notes_of_calls": stats([ms for call in calls for ms in call[:edge]]),
            "last_notes_of_calls": stats([ms for call in calls for ms in call[-edge:]])},
    }
    shown = shift["enter_to_shown_ms"]
    log(f"    shift: {shift['simulated_hours']:.1f} simulated hours, {shift['calls']} calls, "
        f"{shift['notes']} notes in {usage['wall_s']:.0f} s; RSS {first['rss_mb']:.0f} → "
        f"{last['rss_mb']:.0f} MB, handles {first['handles']} → {last['handles']}; Enter → "
        f"shown median {shown['first_call']['median']:.1f} ms in the first call, "
        f"{shown['last_call']['median']:.1f} ms in the last; 0 aborts")
    return shift


def measure_detection(log) -> dict:
    """The demand detector on the frozen evaluation statements (detection.py), and how long
    analysing one statement takes (after the rules and the model are read, as the store's
    worker reads them when the database opens), and reading the model."""
    from callhelper.config import resources_dir
    from callhelper.core.flags import analyze, load_rules

    rules = load_rules(resources_dir() / "rules" / "demands.toml")
    started = time.perf_counter()
    rules.prepare()
    model_read_ms = (time.perf_counter() - started) * 1000
    statements = detection.load(detection.SETS["eval"])
    figures = detection.measure(statements, rules)
    took = []
    for _ in range(3):
        for statement in statements:
            started = time.perf_counter()
            analyze(statement.text, rules)
            took.append((time.perf_counter() - started) * 1000)
    figures["analysis_ms"] = stats(took)
    figures["model_read_ms"] = model_read_ms
    log(f"detection (frozen evaluation set, {figures['lines']} statements): harassment found "
        f"{figures['harassment_recall']:.0%}, other lines flagged {figures['other_flagged']:.0%},"
        f" requests found {figures['request_recall']:.0%}; one statement "
        f"{figures['analysis_ms']['median']:.2f} ms (p99 {figures['analysis_ms']['p99']:.2f} ms),"
        f" reading the model {model_read_ms:.0f} ms")
    return figures


def _same_pragmas(store) -> list[str]:
    """The pragmas the app's own connections run with, read back from one of them."""
    names = ("journal_mode", "synchronous", "foreign_keys", "secure_delete", "busy_timeout",
             "cache_size", "temp_store", "mmap_size", "wal_autocheckpoint")
    with store.engine.connect() as connection:
        cursor = connection.connection.cursor()
        values = {name: cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in names}
        cursor.close()
    return [f"PRAGMA {name}={value}" for name, value in values.items()]


def raw_connection(path: Path, pragmas: list[str]) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in pragmas:
        connection.execute(pragma)
    return connection


def measure_writes(store, path: Path, pragmas: list[str], plan: Plan, rules, log) -> dict:
    """A note saved as Enter saves it, beside its floor, in turns: raw ``sqlite3``
    statements writing the same rows at the same durability — the record that the
    operation was applied, the note (and the trigram index its trigger keeps), its
    2-character index entry, the audit entry after reading the last one's hash, the commit,
    and the anchor file's record. The floor writes into a copy of the database made just
    before, so that its rows never enter the app's audit trail; its values (the index's
    words, the audit entry's texts and digests) are the app's own, made before the timing;
    the entry's own hash is a random one of the same length."""
    from callhelper.core.bigrams import bigram_words
    from callhelper.core.case import NoteKind
    from callhelper.store import repository
    from callhelper.store.anchor import RECORD_BYTES, anchor_file
    from callhelper.store.operations import Operation, perform
    from callhelper.store.repository import NewContact

    now = datetime.now(timezone.utc)
    text = "返金してほしい、先週買ったばかりなのに電源が入らない"

    def app_write(number: int) -> None:  # the write queue's job for a note
        with store.unit_of_work() as session:
            perform(session, Operation.of(
                "add_note", contact_uid=contact.uid, note_uid=uuid.uuid4().hex,
                kind=NoteKind.QUOTE, text=text, offset_ms=1000 * number, agent="bench",
                created_at=now), rules)

    contact = NewContact(uid=f"bench-{uuid.uuid4().hex}", agent="bench", playbook_id="complaint",
                         playbook_version=1, started_at=now, phone="03-0000-0000")
    with store.unit_of_work() as session:
        repository.start_contact(session, contact)
    app_write(0)
    copy = path.with_name(path.stem + "-floor.db")
    anchor = anchor_file(copy)
    source, target = sqlite3.connect(path), sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    raw = raw_connection(copy, pragmas)
    note_row = raw.execute("SELECT id, uid, created_at, flags, requests FROM note "
                           "ORDER BY id DESC LIMIT 1").fetchone()
    grams = bigram_words(text)  # the index keeps no copy to read back
    entry = raw.execute("SELECT at, before, after, before_digest, after_digest FROM audit_entry "
                        "ORDER BY id DESC LIMIT 1").fetchone()
    record = b"{}".ljust(RECORD_BYTES)

    def raw_write(number: int, note_uid: str, operation_uid: str, link: str) -> None:
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("INSERT INTO received_operation (uid, received_at) VALUES (?, ?) "
                    "ON CONFLICT (uid) DO NOTHING RETURNING uid",
                    (operation_uid, note_row[2])).fetchall()
        contact_id = raw.execute("SELECT id, case_id FROM contact WHERE uid = ?",
                                 (contact.uid,)).fetchall()[0][0]
        [(note_id,)] = raw.execute(
            "INSERT INTO note (uid, contact_id, kind, text, offset_ms, agent, created_at, "
            "masked_cards, flags, requests, due_at, done_at, done_by, edited_at) VALUES "
            "(?, ?, 'quote', ?, ?, 'bench', ?, 0, ?, ?, NULL, NULL, '', NULL) "
            "ON CONFLICT (uid) DO NOTHING RETURNING id",
            (note_uid, contact_id, text, 1000 * number, note_row[2], note_row[3],
             note_row[4])).fetchall()
        raw.execute("INSERT INTO note_bigram (rowid, grams) VALUES (?, ?)", (note_id, grams))
        previous = raw.execute("SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1"
                               ).fetchone()[0]
        raw.execute("INSERT INTO audit_entry (at, actor, action, entity, uid, before, after, "
                    "before_digest, after_digest, prev_hash, hash) VALUES "
                    "(?, 'bench', 'create', 'note', ?, ?, ?, ?, ?, ?, ?)",
                    (entry[0], note_uid, entry[1], entry[2], entry[3], entry[4], previous,
                     link))
        raw.execute("COMMIT")
        descriptor = os.open(anchor, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.pwrite(descriptor, record, 0)
        finally:
            os.close(descriptor)

    app, floor = [], []
    try:
        for number in range(plan.write_warmup + plan.writes):
            begun = time.perf_counter()
            app_write(number)
            app_ms = ms_since(begun)
            values = (number, f"bench-raw-{uuid.uuid4().hex}", uuid.uuid4().hex,
                      uuid.uuid4().hex * 2)
            begun = time.perf_counter()
            raw_write(*values)
            raw_ms = ms_since(begun)
            if number >= plan.write_warmup:
                app.append(app_ms)
                floor.append(raw_ms)
    finally:
        raw.close()
        for leftover in (copy, anchor, *copy.parent.glob(copy.name + "-*")):
            leftover.unlink(missing_ok=True)
    result = {"app_ms": stats(app), "raw_ms": stats(floor),
              "ratio": statistics.median(app) / statistics.median(floor),
              "p99_ratio": percentile(app, 0.99) / percentile(floor, 0.99)}
    log(f"    write: app {result['app_ms']['median']:.2f} ms (p99 "
        f"{result['app_ms']['p99']:.2f}), the same rows raw {result['raw_ms']['median']:.2f} ms")
    return result


def measure_lookups(store, raw: sqlite3.Connection, plan: Plan, log) -> dict:
    """Callers picked at random among the customers (some with several calls)."""
    from callhelper.store import history

    phones = [row[0] for row in raw.execute(
        "SELECT phone FROM customer cu WHERE phone != '' AND EXISTS "
        "(SELECT 1 FROM contact k WHERE k.customer_id = cu.id) ORDER BY id")]
    chosen = random.Random(8).choices(phones, k=plan.lookup_warmup + plan.lookups)
    app, floor = [], []
    for number, phone in enumerate(chosen):
        begun = time.perf_counter()
        with store.unit_of_work() as session:
            found = history.caller_history(session, phone, "JP")
        app_ms = ms_since(begun)
        begun = time.perf_counter()
        rows = raw.execute("SELECT k.id, c.subject, c.status FROM contact k JOIN support_case c "
                           "ON c.id = k.case_id WHERE k.phone LIKE ? ORDER BY k.started_at DESC "
                           "LIMIT 50", (f"%{phone}%",)).fetchall()
        raw_ms = ms_since(begun)
        if found.customer is None or not rows:
            raise RuntimeError(f"lookup of a known caller found nothing: {phone}")
        if number >= plan.lookup_warmup:
            app.append(app_ms)
            floor.append(raw_ms)
    result = {"app_ms": stats(app), "like_ms": stats(floor),
              "ratio_p95": percentile(app, 0.95) / percentile(floor, 0.95)}
    log(f"    lookup: app p95 {result['app_ms']['p95']:.2f} ms, LIKE p95 "
        f"{result['like_ms']['p95']:.2f} ms")
    return result


def measure_search(store, raw: sqlite3.Connection, plan: Plan, log) -> dict:
    from callhelper.store import history

    result = {}
    for group, queries in SEARCH_QUERIES.items():
        app, floor, per_query = [], [], {}
        for query in queries:
            like = f"%{query}%"
            app_q, floor_q = [], []
            for number in range(plan.search_warmup + plan.searches):
                begun = time.perf_counter()
                with store.unit_of_work() as session:
                    hits = history.search(session, query, SEARCH_LIMIT)
                app_ms = ms_since(begun)
                begun = time.perf_counter()
                notes = raw.execute("SELECT id, text FROM note WHERE text LIKE ? ORDER BY id "
                                    "DESC LIMIT ?", (like, SEARCH_LIMIT)).fetchall()
                cases = raw.execute("SELECT id, subject, fix, prevention FROM support_case "
                                    "WHERE subject LIKE ?1 OR fix LIKE ?1 OR prevention LIKE ?1 "
                                    "ORDER BY id DESC LIMIT ?2", (like, SEARCH_LIMIT)).fetchall()
                raw_ms = ms_since(begun)
                if number >= plan.search_warmup:
                    app_q.append(app_ms)
                    floor_q.append(raw_ms)
            per_query[query] = {"hits": len(hits), "like_rows": len(notes) + len(cases),
                                "app_p50_ms": statistics.median(app_q),
                                "like_p50_ms": statistics.median(floor_q)}
            app += app_q
            floor += floor_q
        result[group] = {"app_ms": stats(app), "like_ms": stats(floor),
                         "ratio_p95": percentile(app, 0.95) / percentile(floor, 0.95),
                         "queries": per_query}
        log(f"    search ({group} chars): app p95 {result[group]['app_ms']['p95']:.1f} ms, "
            f"LIKE p95 {result[group]['like_ms']['p95']:.1f} ms")
    return result


def busiest_caller(raw: sqlite3.Connection) -> str:
    return raw.execute("SELECT cu.phone FROM customer cu JOIN contact k ON k.customer_id = cu.id "
                       "GROUP BY cu.id ORDER BY count(*) DESC, cu.id LIMIT 1").fetchone()[0]


def measure_window(data_dir: Path, scratch: Path, phone: str, plan: Plan, log) -> dict:
    """The real window (memory, Enter → shown, typing in the history), then the floor: the
    same typing into a bare line edit."""
    typing_args = ["--rounds", str(plan.window_rounds)]
    if plan.window_queries is not None:
        typing_args += ["--queries", str(plan.window_queries)]
    env = child_env(scratch)
    result, _, _ = probe("window", "--data-dir", str(data_dir), "--phone", phone,
                         "--notes", str(plan.window_notes), *typing_args, env=env)
    floor, _, _ = probe("typing-bare", *typing_args, env=env)
    typing = result["typing"]
    typing["bare"] = floor["typing"]
    result["rss_bare_mb"] = floor["rss_mb"]
    log(f"    window: {result['rss_call_mb']:.0f} MB in a call (bare {floor['rss_mb']:.0f} MB); "
        f"typing: longest stall {typing['max_gap_ms']:.0f} ms (bare "
        f"{floor['typing']['max_gap_ms']:.0f} ms); Enter → shown median "
        f"{statistics.median(result['enter_to_shown_ms']):.1f} ms")
    result["enter_to_shown_ms"] = stats(result["enter_to_shown_ms"])
    typing["typed_to_results_ms"] = {query: statistics.median(values) for query, values
                                     in typing["typed_to_results_ms"].items()}
    return result


def measure_export(data_dir: Path, scratch: Path, notes: int, plan: Plan, log) -> dict:
    """``callhelper export`` of every note, after its floor (the raw read and write)."""
    runs, floors = [], []
    out = scratch / "export.csv"
    for _ in range(plan.exports(notes)):
        floor, _, _ = probe("export-raw", "--database", str(data_dir / "callhelper.db"),
                            "--out", str(out), env=child_env(scratch))
        out.unlink()
        floors.append(floor)
        result, _, _ = probe("export", "--data-dir", str(data_dir), "--out", str(out),
                             env=child_env(scratch))
        result["bytes"] = out.stat().st_size
        out.unlink()
        runs.append(result)
    best = min(runs, key=lambda run: run["command_s"])
    raw = min(floors, key=lambda run: run["command_s"])
    summary = {"notes": notes, "command_s": best["command_s"],
               "write_csv_s": best["write_csv_s"],
               "notes_per_s": notes / best["command_s"],
               "notes_per_s_writing": notes / best["write_csv_s"],
               "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
               "peak_rss_before_command_mb": best["peak_rss_before_command_mb"],
               "csv_bytes": best["bytes"], "runs": len(runs),
               "raw_notes_per_s": raw["rows"] / raw["command_s"],
               "raw_peak_rss_mb": max(run["peak_rss_mb"] for run in floors)}
    log(f"    export: {summary['notes_per_s']:,.0f} notes/s (raw "
        f"{summary['raw_notes_per_s']:,.0f}), peak {summary['peak_rss_mb']:.0f} MB")
    return summary


def measure_verify(database: Path, scratch: Path, entries: int, plan: Plan, log) -> dict:
    runs = []
    for _ in range(plan.exports(entries)):
        result, _, usage = probe("verify", "--database", str(database), env=child_env(scratch))
        if result["exit_code"] != 0:
            raise RuntimeError(f"callhelper verify found the trail broken ({result})")
        runs.append((result["verify_s"], result["command_s"], usage["wall_s"]))
    verify_s, command_s, wall_s = min(runs)
    summary = {"entries": entries, "verify_s": verify_s, "command_s": command_s,
               "process_wall_s": wall_s, "s_per_100k_entries": verify_s / entries * 100_000}
    log(f"    verify: {summary['s_per_100k_entries']:.2f} s per 100k entries")
    return summary


# ---------------------------------------------------------------- one size


def run_size(label: str, cache: Path, work: Path, plan: Plan, only: set[str], log) -> dict:
    from callhelper.config import resources_dir
    from callhelper.core.flags import load_rules
    from callhelper.store.engine import Store

    data = datasets.dataset(datasets.parse_size(label), cache, log=log)
    log(f"  {label}: {data.cases} cases, {data.notes} notes, {data.audit_entries} audit entries")
    scratch = work / label
    database = datasets.working_copy(data, scratch)
    data_dir = database.parent
    figures: dict = {"dataset": data.as_dict()}
    raw_reader = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    phone = busiest_caller(raw_reader)
    callers = ringing_callers(raw_reader)
    raw_reader.close()
    if "launch" in only:
        figures["launch"] = measure_launch(data_dir, scratch, plan, log)
    if "ring-paint" in only:  # before ``window``: with a call open, a ring would not ring
        figures["ring_paint"] = measure_ring_paint(data_dir, scratch, callers, plan, log)
    if "window" in only:  # after the launches: it leaves its call open, as an agent might
        figures["window"] = measure_window(data_dir, scratch, phone, plan, log)
    if only & {"write", "lookup", "search"}:
        store = Store(f"sqlite:///{database}")
        try:
            pragmas = _same_pragmas(store)
            figures["pragmas"] = pragmas
            raw = raw_connection(database, pragmas)
            try:
                if "write" in only:
                    rules = load_rules(resources_dir() / "rules" / "demands.toml")
                    figures["write"] = measure_writes(store, database, pragmas, plan, rules, log)
                if "lookup" in only:
                    figures["lookup"] = measure_lookups(store, raw, plan, log)
                if "search" in only:
                    figures["search"] = measure_search(store, raw, plan, log)
            finally:
                raw.close()
        finally:
            store.close()
    if "export" in only:
        figures["export"] = measure_export(data_dir, scratch, data.notes, plan, log)
    if "verify" in only:
        counting = sqlite3.connect(database)
        entries = counting.execute("SELECT count(*) FROM audit_entry").fetchone()[0]
        counting.close()
        figures["verify"] = measure_verify(database, scratch, entries, plan, log)
    shutil.rmtree(scratch, ignore_errors=True)
    return figures


# ---------------------------------------------------------------- targets and the table


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "×":
        return f"{value:.2f}×"
    if unit == "/s":
        return f"{value / 1000:.0f}k/s"
    return f"{value:.2f}"


def rows(results: dict) -> list[tuple[str, str, dict]]:
    """(what, unit, {size: (value, floor or None)}) for the table."""
    sizes = results["sizes"]

    def pick(path: list[str], floor: list[str] | None = None):
        found = {}
        for size in sizes:
            node = results["figures"].get(size, {})
            value, base = node, node if floor else None
            try:
                for key in path:
                    value = value[key]
                for key in floor or []:
                    base = base[key]
            except (KeyError, TypeError):
                continue
            found[size] = (value, base)
        return found

    return [
        ("launch → window shown, takes keys, median", "s",
         pick(["launch", "shown_s", "median"], ["launch", "bare_s", "median"])),
        ("launch → window ready (database open), median", "s",
         pick(["launch", "app_s", "median"], ["launch", "bare_s", "median"])),
        ("ring → history painted, median", "ms",
         pick(["ring_paint", "painted_ms", "median"])),
        ("ring → history painted, p95", "ms", pick(["ring_paint", "painted_ms", "p95"])),
        ("Enter → note on disk, median", "ms",
         pick(["write", "app_ms", "median"], ["write", "raw_ms", "median"])),
        ("Enter → note on disk, p99", "ms",
         pick(["write", "app_ms", "p99"], ["write", "raw_ms", "p99"])),
        ("Enter → note shown (GUI), median", "ms",
         pick(["window", "enter_to_shown_ms", "median"])),
        ("caller lookup, p50", "ms",
         pick(["lookup", "app_ms", "median"], ["lookup", "like_ms", "median"])),
        ("caller lookup, p95", "ms",
         pick(["lookup", "app_ms", "p95"], ["lookup", "like_ms", "p95"])),
        ("search 3+ chars, p50", "ms",
         pick(["search", "3plus", "app_ms", "median"], ["search", "3plus", "like_ms", "median"])),
        ("search 3+ chars, p95", "ms",
         pick(["search", "3plus", "app_ms", "p95"], ["search", "3plus", "like_ms", "p95"])),
        ("search 2 chars, p50", "ms",
         pick(["search", "2", "app_ms", "median"], ["search", "2", "like_ms", "median"])),
        ("search 2 chars, p95", "ms",
         pick(["search", "2", "app_ms", "p95"], ["search", "2", "like_ms", "p95"])),
        ("typing in history: longest stall", "ms",
         pick(["window", "typing", "max_gap_ms"], ["window", "typing", "bare", "max_gap_ms"])),
        ("CSV export (whole command)", "/s",
         pick(["export", "notes_per_s"], ["export", "raw_notes_per_s"])),
        ("CSV export, peak RSS", "MB",
         pick(["export", "peak_rss_mb"], ["export", "raw_peak_rss_mb"])),
        ("RSS, call window in a call", "MB",
         pick(["window", "rss_call_mb"], ["window", "rss_bare_mb"])),
        ("verify per 100k audit entries", "s", pick(["verify", "s_per_100k_entries"])),
    ]


def targets(results: dict) -> list[dict]:
    """Each target, judged at the largest size measured (where it names one)."""
    sizes = results["sizes"]
    figures = results["figures"]
    largest, smallest = sizes[-1], sizes[0]
    top = figures.get(largest, {})
    judged = []

    def judge(what: str, target: str, measured: float | None, limit: float, unit: str,
              higher_is_better: bool = False, size: str = largest, note: str = "") -> None:
        if measured is None:
            judged.append({"what": what, "target": target, "size": size, "measured": None,
                           "met": None, "by": "not measured", "note": note})
            return
        met = measured >= limit if higher_is_better else measured <= limit
        if unit == "×":
            by = f"{measured / limit:.1f}× the limit" if not met else "met"
        else:
            by = "met" if met else f"{_fmt(abs(measured - limit), unit)} over" if not \
                higher_is_better else f"{_fmt(limit - measured, unit)} short"
        judged.append({"what": what, "target": target, "size": size,
                       "measured": round(measured, 3), "unit": unit, "met": met, "by": by,
                       "note": note})

    def get(*path, node=None):
        node = top if node is None else node
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node

    judge("launch to call window shown, taking keys", "≤ 1.5 × bare PySide6 window",
          get("launch", "shown_ratio"), 1.5, "×")
    judge("ring path: callhelper NUMBER → command taken by the window",
          "≤ 2.5 × bare python -c pass", results.get("ring", {}).get("ratio"), 2.5, "×",
          size="ring")
    judge("ring → caller's history painted", "p95 ≤ 150 ms",
          get("ring_paint", "painted_ms", "p95"), 150, "ms")
    judge("Enter → note durable", "≤ 1.3 × raw sqlite3 writing the same rows (median)",
          get("write", "ratio"), 1.3, "×")
    judge("Enter → note durable", "p99 < 20 ms", get("write", "app_ms", "p99"), 20, "ms")
    judge("Enter → note shown in the list", "p99 ≤ 16 ms (one frame)",
          get("window", "enter_to_shown_ms", "p99"), 16, "ms")
    judge("caller lookup at 100k cases / 1M notes", "p95 < 10 ms",
          get("lookup", "app_ms", "p95"), 10, "ms")
    judge("search 3+ characters at 1M notes", "p95 < 50 ms",
          get("search", "3plus", "app_ms", "p95"), 50, "ms")
    judge("search 2 characters at 1M notes", "p95 < 50 ms",
          get("search", "2", "app_ms", "p95"), 50, "ms")
    judge("GUI never stalls while typing a search", "longest stall ≤ 50 ms",
          get("window", "typing", "max_gap_ms"), 50, "ms")
    judge("CSV export", "≥ 100k notes/s", get("export", "notes_per_s"), 100_000, "/s",
          higher_is_better=True)
    small_peak = get("export", "peak_rss_mb", node=figures.get(smallest, {}))
    big_peak = get("export", "peak_rss_mb")
    growth = None if small_peak is None or big_peak is None or smallest == largest \
        else big_peak - small_peak
    judge("CSV export memory flat", f"peak RSS grows ≤ 10 MB from {smallest} to {largest}",
          growth, 10, "MB", size=f"{smallest}→{largest}",
          note="" if growth is not None else "needs two sizes")
    judge("memory, call window open on 100k cases", "< 200 MB RSS",
          get("window", "rss_call_mb"), 200, "MB")
    shift = results.get("shift", {})
    hours = f"{shift.get('simulated_hours', 0):.0f} simulated hours"
    judge("a shift without an abort", f"0 aborts in {hours}", shift.get("aborts"), 0, "",
          size="shift")
    shown = get("enter_to_shown_ms", node=shift) or {}

    def drift(early: str, late: str) -> float | None:
        if early not in shown:
            return None
        return shown[late]["median"] / shown[early]["median"]

    judge("Enter → note shown flat through a shift", "last call ≤ 1.5 × first call (median)",
          drift("first_call", "last_call"), 1.5, "×", size="shift")
    judge("Enter → note shown flat through a call", "last notes ≤ 1.5 × first notes (median)",
          drift("first_notes_of_calls", "last_notes_of_calls"), 1.5, "×", size="shift")
    found = results.get("detection", {})
    judge("harassment found in natural speech", "recall ≥ 90 % on the frozen evaluation set",
          found.get("harassment_recall"), 0.9, "", higher_is_better=True, size="detection")
    judge("other lines flagged as harassment", "≤ 2 % of the frozen evaluation set's",
          found.get("other_flagged"), 0.02, "", size="detection")
    judge("requests found in natural speech", "≥ 90 % on the frozen evaluation set",
          found.get("request_recall"), 0.9, "", higher_is_better=True, size="detection")
    judge("analysing one statement", "p99 < 10 ms",
          found.get("analysis_ms", {}).get("p99"), 10, "ms", size="detection")
    judge("memory flat through a shift", "RSS grows ≤ 32 MB from the first call to the last",
          shift.get("rss_growth_mb"), 32, "MB", size="shift")
    return judged


def growth(results: dict) -> dict:
    """How the p95 of each lookup and search grows from the smallest size to the largest,
    for the app and for its plain scan."""
    sizes = results["sizes"]
    if len(sizes) < 2:
        return {}
    first, last = (results["figures"][size] for size in (sizes[0], sizes[-1]))
    found = {}
    for name, path in (("lookup", ["lookup"]), ("search_3plus", ["search", "3plus"]),
                       ("search_2", ["search", "2"])):
        try:
            small, big = first, last
            for key in path:
                small, big = small[key], big[key]
            floor = "like_ms"
            found[name] = {"app_p95": big["app_ms"]["p95"] / small["app_ms"]["p95"],
                           "like_p95": big[floor]["p95"] / small[floor]["p95"]}
        except KeyError:
            continue
    return {"from": sizes[0], "to": sizes[-1], **found}


def table(results: dict) -> str:
    sizes = results["sizes"]
    width = 22
    lines = ["", f"{'':36}" + "".join(f"{size:>{width}}" for size in sizes),
             f"{'':36}" + "".join(f"{'app (floor, ratio)':>{width}}" for _ in sizes)]
    for what, unit, values in rows(results):
        cells = []
        for size in sizes:
            if size not in values:
                cells.append(f"{'—':>{width}}")
                continue
            value, floor = values[size]
            text = _fmt(value, unit)
            if floor:
                ratio = value / floor
                digits = 1 if ratio >= 0.1 else 2
                text += f" ({_fmt(floor, unit).split()[0]}, {ratio:.{digits}f}×)"
            cells.append(f"{text:>{width}}")
        lines.append(f"{what:36}" + "".join(cells))
    grown = results.get("growth", {})
    if len(grown) > 2:
        lines += ["", f"p95 growth {grown['from']} → {grown['to']} (app, plain LIKE scan): " +
                  ", ".join(f"{name} {value['app_p95']:.1f}× / {value['like_p95']:.0f}×"
                            for name, value in grown.items() if isinstance(value, dict))]
    for size in sizes:
        ringing = results["figures"].get(size, {}).get("ring_paint")
        if ringing:
            lines += ["", f"ring → history painted at {size}, each step's median: " +
                      ", ".join(f"{name} {_fmt(value, 'ms')}"
                                for name, value in ringing["steps_median_ms"].items()) +
                      f"; the launch exits at {_fmt(ringing['launch_exit_ms']['median'], 'ms')}"]
    shift = results.get("shift")
    if shift and not shift["aborts"]:
        shown = shift["enter_to_shown_ms"]
        lines += ["", f"a shift: {shift['simulated_hours']:.1f} simulated hours, "
                      f"{shift['calls']} calls, {shift['notes']} notes ({shift['notes_on_disk']}"
                      f" on disk) in {shift['wall_s']:.0f} s; RSS {shift['rss_first_call_mb']:.0f}"
                      f" → {shift['rss_last_call_mb']:.0f} MB; handles {shift['handles'][0]} → "
                      f"{shift['handles'][1]}; threads {shift['threads'][0]} → "
                      f"{shift['threads'][1]}; 0 aborts",
                  f"  Enter → note shown, median (p95): first call "
                  f"{_fmt(shown['first_call']['median'], 'ms')} "
                  f"({_fmt(shown['first_call']['p95'], 'ms')}), last call "
                  f"{_fmt(shown['last_call']['median'], 'ms')} "
                  f"({_fmt(shown['last_call']['p95'], 'ms')}); first notes of calls "
                  f"{_fmt(shown['first_notes_of_calls']['median'], 'ms')}, last notes "
                  f"{_fmt(shown['last_notes_of_calls']['median'], 'ms')}"]
    elif shift:
        lines += ["", f"a shift: ABORTED within {shift['simulated_hours']:.1f} simulated hours"]
    if results.get("detection"):
        lines += ["", detection.report("demand detection, frozen evaluation set",
                                       results["detection"])]
    lines += ["", "targets (docs/benchmarks.md), judged at the largest size:"]
    for target in results["targets"]:
        state = {True: "met   ", False: "MISSED", None: "n/a   "}[target["met"]]
        measured = "—" if target["measured"] is None else _fmt(target["measured"],
                                                               target.get("unit", ""))
        lines.append(f"  {state} {target['what']}: {target['target']} — measured {measured} "
                     f"at {target['size']}" + ("" if target["met"] in (True, None)
                                               else f" ({target['by']})"))
    return "\n".join(lines)


# ---------------------------------------------------------------- the machine


def machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        from PySide6 import __version__ as pyside
        import sqlalchemy

        info.update(pyside6=pyside, sqlalchemy=sqlalchemy.__version__,
                    sqlite=sqlite3.sqlite_version)
    except ImportError:
        pass
    try:
        info["git"] = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                                     capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    return info


FIGURES = ("launch", "ring", "ring-paint", "window", "write", "lookup", "search", "export",
           "verify", "shift", "detection")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=DEFAULT_SIZES, metavar="SIZE",
                        help="numbers of notes, like 2k 10k 100k 1m (default: 10k 100k 1m)")
    parser.add_argument("--quick", action="store_true",
                        help="few repetitions: a smoke run, not figures to quote")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the JSON file to write")
    parser.add_argument("--cache", type=Path, default=datasets.DEFAULT_CACHE,
                        help="where the demo databases are kept (default benchmarks/.cache)")
    parser.add_argument("--only", default=",".join(FIGURES),
                        help=f"a comma-separated subset of {','.join(FIGURES)}")
    args = parser.parse_args(argv)
    sizes = sorted({datasets.size_label(datasets.parse_size(size)) for size in args.sizes},
                   key=datasets.parse_size)
    only = set(args.only.split(","))
    if only - set(FIGURES):
        parser.error(f"unknown figures: {', '.join(sorted(only - set(FIGURES)))}")
    plan = Plan(args.quick)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    results = {"started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "quick": args.quick, "sizes": sizes, "machine": machine(),
               "load_before": os.getloadavg(), "figures": {}}
    with tempfile.TemporaryDirectory(prefix="callhelper-bench-") as work:
        if "launch" in only:
            results["first_start"] = measure_first_start(plan, log)
        if "ring" in only:
            results["ring"] = measure_ring(plan, log)
        if "shift" in only:
            log("a shift:")
            results["shift"] = measure_shift(plan, log)
        if "detection" in only:
            results["detection"] = measure_detection(log)
        for size in sizes:
            log(f"{size}:")
            results["figures"][size] = run_size(size, args.cache, Path(work), plan, only, log)
    results["load_after"] = os.getloadavg()
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["targets"] = targets(results)
    results["growth"] = growth(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(table(results))
    print(f"\n{args.out} written in {results['seconds']:.0f} s; load average "
          f"{results['load_before'][0]:.1f} before, {results['load_after'][0]:.1f} after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
