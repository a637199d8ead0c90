"""What the benchmark measures in a process of its own: start-up, the open window, export.

``python benchmarks/probes.py PROBE [ARGS…]`` prints one line ``BENCH-RESULT {json}`` on
stdout. Times are ``time.perf_counter()`` readings, which on Linux (and macOS) is the
system-wide monotonic clock, so the parent compares them with the moment it started the
process.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # as early as the interpreter lets a script look at a clock

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

RESULT = "BENCH-RESULT "
HEARTBEAT_MS = 5


def emit(result: dict) -> None:
    print(RESULT + json.dumps(result), flush=True)


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def rss_mb() -> float:
    """Resident memory now (Linux: VmRSS; elsewhere the peak, the best there is)."""
    return _status_mb("VmRSS") or peak_rss_mb()


def peak_rss_mb() -> float:
    """The peak resident memory of this process. On Linux VmHWM: ``ru_maxrss`` of a
    process started by fork and exec starts at the RSS of the parent at the fork (the
    benchmark's own 110 MB), so it hides anything smaller."""
    peak = _status_mb("VmHWM")
    if peak is not None:
        return peak
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# ---------------------------------------------------------------- start-up


def launch_bare(_args) -> None:
    """The floor: a bare PySide6 window, shown, with its event loop turning."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    marks = {"interpreter": STARTED}
    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    window.setWindowTitle("bare")
    window.setCentralWidget(QLabel("bare"))
    window.show()

    def ready() -> None:
        marks["ready"] = time.perf_counter()
        emit({"marks": marks, "rss_mb": rss_mb()})
        app.quit()

    QTimer.singleShot(0, ready)
    app.exec()


def launch_app(args) -> None:
    """``callhelper`` as a user starts it (cli.main → ui.app.run), until the call window's
    ``ready`` signal: the database checked, opened and read. Then it closes as a user
    would. A few functions are wrapped to time the phases; nothing else changes."""
    marks = {"interpreter": STARTED}
    from callhelper import cli

    marks["cli_imported"] = time.perf_counter()
    import callhelper.ui.app as app_module
    from callhelper.store import engine, startup

    marks["ui_app_imported"] = time.perf_counter()
    phases: dict[str, float] = {}

    def timed(name, function):
        def wrapper(*a, **k):
            begun = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - begun
        return wrapper

    startup.set_aside_if_damaged = timed("db_quick_check", startup.set_aside_if_damaged)
    engine.upgrade_schema = timed("db_schema_upgrade", engine.upgrade_schema)
    startup.StartupOpener.__call__ = timed("db_open", startup.StartupOpener.__call__)
    build = app_module.build_call_window

    def build_and_watch(paths, settings, clock=None):
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        marks["build_start"] = time.perf_counter()
        window = build(paths, settings, clock)
        marks["built"] = time.perf_counter()

        def ready() -> None:
            marks["ready"] = time.perf_counter()
            emit({"marks": marks, "phases": phases, "rss_mb": rss_mb()})
            QTimer.singleShot(0, QApplication.instance().closeAllWindows)

        window.ready.connect(ready)
        return window

    app_module.build_call_window = build_and_watch
    sys.exit(cli.main(["--data-dir", args.data_dir]))


# ---------------------------------------------------------------- the open window


class Heartbeat:
    """A timer every few milliseconds on the GUI thread: the longest gap between its ticks
    is the longest time the GUI could not answer the user."""

    def __init__(self, interval_ms: int = HEARTBEAT_MS) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.gaps: list[float] = []
        self._last = 0.0
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._tick()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self._last) * 1000)
        self._last = now


def pump(ms: float) -> None:
    """Let the event loop run for ``ms`` milliseconds."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(max(0, int(ms)), loop.quit)
    loop.exec()


def pump_until(condition, timeout_s: float, step_ms: int = 2) -> bool:
    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            return False
        pump(step_ms)
    return True


def type_text(widget, text: str) -> None:
    """As tests/gui/keyboard.py: the input method commits the composed text at once."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def press_enter(widget) -> None:
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_Return,
                                                 Qt.KeyboardModifier.NoModifier))


#: What the agent types into the history search: each query as the input method commits
#: it (a word at a time), then Escape. Two-character words scan, longer ones use trigrams;
#: 解約 is in none of the demo notes, so its scan reads every row.
TYPED_QUERIES = [["返金"], ["解約"], ["折り", "返し"], ["土下座"], ["S", "N", "S"], ["異音"],
                 ["欠品"], ["冷蔵庫", "の"]]
KEY_GAP_MS = 100      # between commits of one query: faster than the search's delay
READ_PAUSE_MS = 300   # looking at the results before the next query
SEARCH_WAIT_MS = 250  # the floor's stand-in for waiting for results


def type_queries(box, rounds: int, queries: int, results_shown=None, list_shown=None
                 ) -> list[float]:
    """Type the queries into ``box`` as an agent would, each followed by a look at the
    results and Escape; returns the heartbeat's gaps (ms), sorted, over all of it.
    Without ``results_shown`` (the floor: a bare line edit) the same time passes."""
    heartbeat = Heartbeat()
    heartbeat.start()
    for _round in range(rounds):
        for commits in TYPED_QUERIES[:queries]:
            for index, commit in enumerate(commits):
                if index:
                    pump(KEY_GAP_MS)
                type_text(box, commit)
            typed = time.perf_counter()
            if results_shown is not None:
                results_shown("".join(commits), typed)
            else:
                pump(SEARCH_WAIT_MS)
            pump(READ_PAUSE_MS)
            box.clear()  # Escape
            if list_shown is not None:
                list_shown()
            pump(READ_PAUSE_MS)
    heartbeat.stop()
    return sorted(heartbeat.gaps)


def gap_summary(gaps: list[float]) -> dict:
    return {"heartbeat_ms": HEARTBEAT_MS, "ticks": len(gaps),
            "max_gap_ms": gaps[-1] if gaps else None,
            "p99_gap_ms": gaps[int(0.99 * (len(gaps) - 1))] if gaps else None,
            "gaps_over_50ms": sum(1 for gap in gaps if gap > 50)}


def typing_bare(args) -> None:
    """The floor of the typing stall: the same typing into a bare line edit, in a process
    with nothing else to do, on the same machine at the same time."""
    from PySide6.QtWidgets import QApplication, QLineEdit

    app = QApplication([sys.argv[0]])
    box = QLineEdit()
    box.show()
    pump(300)
    emit({"typing": gap_summary(type_queries(box, args.rounds, args.queries)),
          "rss_mb": rss_mb()})
    app.quit()


def window(args) -> None:
    """The real call window on a database: memory once it is ready, a call with notes
    (Enter → note shown), then the history browser driven by typed queries while a
    heartbeat timer measures how long the GUI thread is ever held up."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from callhelper.config import Settings, make_private_folders, resolve_paths
    from callhelper.ui.app import (build_call_window, create_application,
                                   freeze_start_up_when_ready, install_translators,
                                   ui_language)

    app = create_application([sys.argv[0]])
    paths = resolve_paths(args.data_dir)
    make_private_folders(paths)
    settings = Settings.for_paths(paths)
    install_translators(app, ui_language(settings))
    marks: dict[str, float] = {"start": time.perf_counter()}
    call_window = build_call_window(paths, settings)
    upkeep_done: list[float] = []

    def ready() -> None:
        marks["ready"] = time.perf_counter()
        call_window.upkeep.finished.connect(
            lambda *_: upkeep_done.append(time.perf_counter()))

    call_window.ready.connect(ready)
    freeze_start_up_when_ready(call_window)  # as the app's run() does
    call_window.show()
    if not pump_until(lambda: "ready" in marks, 600):
        raise SystemExit("the call window never became ready")
    pump_until(lambda: bool(upkeep_done), 600)  # the daily backup, on the store's worker
    marks["upkeep_done"] = upkeep_done[0] if upkeep_done else time.perf_counter()
    pump(500)
    rss_ready = rss_mb()

    # a call: the caller's history looked up, then notes typed and saved with Enter
    call_window.start_call(args.phone, "")
    pump_until(lambda: call_window._history_loaded, 30)  # noqa: SLF001 - the panel is filled
    entry, notes = call_window.note_entry, call_window.notes_model
    enter_ms = []
    for number in range(args.notes + args.warmup):
        before = notes.rowCount()
        type_text(entry, f"返金してほしい、もう{number}回目の電話です")
        begun = time.perf_counter()
        press_enter(entry)
        if not pump_until(lambda: notes.rowCount() > before, 30, step_ms=0):
            raise SystemExit("a note was never shown as saved")
        if number >= args.warmup:
            enter_ms.append((time.perf_counter() - begun) * 1000)
        pump(20)
    pump(300)
    rss_call = rss_mb()

    # the history browser: the case list first, then typing
    history = call_window.open_history()
    pump_until(lambda: history.cases_model.rowCount() > 0, 60)
    pump(300)
    resets: list[tuple[float, str, int]] = []
    history.search_model.modelReset.connect(lambda: resets.append(
        (time.perf_counter(), history.search_box.text(), history.search_model.rowCount())))
    latencies: dict[str, list[float]] = {}

    def results_shown(query: str, typed: float) -> None:
        if pump_until(lambda: any(at > typed and text == query for at, text, _ in resets),
                      30, step_ms=1):
            shown = min(at for at, text, _ in resets if at > typed and text == query)
            latencies.setdefault(query, []).append((shown - typed) * 1000)

    gaps = type_queries(history.search_box, args.rounds, args.queries, results_shown,
                        lambda: pump_until(
                            lambda: history.proxy.sourceModel() is history.cases_model, 30))
    emit({
        "ready_s": marks["ready"] - marks["start"],
        "upkeep_s": marks["upkeep_done"] - marks["ready"],
        "rss_ready_mb": rss_ready,
        "rss_call_mb": rss_call,
        "rss_end_mb": rss_mb(),
        "rss_peak_mb": peak_rss_mb(),
        "enter_to_shown_ms": enter_ms,
        "typing": {**gap_summary(gaps), "typed_to_results_ms": latencies},
    })
    call_window.close()  # as the agent quits: the store finishes its jobs
    pump(100)
    # PySide6 can crash while the interpreter tears its widgets down; the figures are out
    # and the database closed, so nothing is left to finish
    os._exit(0)


# ---------------------------------------------------------------- export and verify


def export(args) -> None:
    """``callhelper export`` run in this process (cli.main), with the CSV writing timed."""
    from callhelper import cli
    from callhelper.core import export as core_export

    spans = {}
    write_csv = core_export.write_csv

    def timed_write_csv(*a, **k):
        begun = time.perf_counter()
        try:
            return write_csv(*a, **k)
        finally:
            spans["write_csv_s"] = time.perf_counter() - begun

    core_export.write_csv = timed_write_csv
    before = peak_rss_mb()
    begun = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        stdout, stderr, sys.stdout, sys.stderr = sys.stdout, sys.stderr, quiet, quiet
        try:
            code = cli.main(["--data-dir", args.data_dir, "export", "--out", args.out])
        finally:
            sys.stdout, sys.stderr = stdout, stderr
    if code != 0:
        raise SystemExit(f"callhelper export failed with {code}")
    emit({"command_s": time.perf_counter() - begun, **spans,
          "peak_rss_before_command_mb": before, "peak_rss_mb": peak_rss_mb()})


#: The rows of the notes export, as export.note_rows selects them.
RAW_NOTES = ("SELECT k.case_id, k.caller_name, k.phone, k.started_at, n.offset_ms, n.kind, "
             "n.text, n.flags, n.requests, n.agent FROM note n JOIN contact k "
             "ON k.id = n.contact_id ORDER BY k.started_at, n.id")


def export_raw(args) -> None:
    """The floor of the export: the same rows read with ``sqlite3`` and written as they
    come with ``csv`` (no time zones, no labels, no neutralising), fsynced."""
    import csv
    import sqlite3

    begun = time.perf_counter()
    connection = sqlite3.connect(f"file:{args.database}?mode=ro", uri=True)
    rows = 0
    with open(args.out, "w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")
        cursor = connection.execute(RAW_NOTES)
        while batch := cursor.fetchmany(2000):
            writer.writerows(batch)
            rows += len(batch)
        stream.flush()
        os.fsync(stream.fileno())
    connection.close()
    emit({"command_s": time.perf_counter() - begun, "rows": rows,
          "peak_rss_mb": peak_rss_mb()})


def verify(args) -> None:
    """``callhelper verify FILE`` in this process, timed without the interpreter's start,
    and the check itself (``store.audit.verify``) on its own."""
    from callhelper import cli
    from callhelper.store import audit

    spans = {}
    check = audit.verify

    def timed_verify(*a, **k):
        begun = time.perf_counter()
        try:
            return check(*a, **k)
        finally:
            spans["verify_s"] = time.perf_counter() - begun

    audit.verify = timed_verify
    begun = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        stdout, sys.stdout = sys.stdout, quiet
        try:
            code = cli.main(["verify", args.database])
        finally:
            sys.stdout = stdout
    emit({"command_s": time.perf_counter() - begun, **spans, "exit_code": code})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    probes = parser.add_subparsers(dest="probe", required=True)
    probes.add_parser("launch-bare")
    app = probes.add_parser("launch-app")
    app.add_argument("--data-dir", required=True)
    open_window = probes.add_parser("window")
    open_window.add_argument("--data-dir", required=True)
    open_window.add_argument("--phone", required=True)
    open_window.add_argument("--notes", type=int, default=30)
    open_window.add_argument("--warmup", type=int, default=3)
    open_window.add_argument("--rounds", type=int, default=2)
    open_window.add_argument("--queries", type=int, default=len(TYPED_QUERIES))
    bare_typing = probes.add_parser("typing-bare")
    bare_typing.add_argument("--rounds", type=int, default=2)
    bare_typing.add_argument("--queries", type=int, default=len(TYPED_QUERIES))
    raw_csv = probes.add_parser("export-raw")
    raw_csv.add_argument("--database", required=True)
    raw_csv.add_argument("--out", required=True)
    csv = probes.add_parser("export")
    csv.add_argument("--data-dir", required=True)
    csv.add_argument("--out", required=True)
    check = probes.add_parser("verify")
    check.add_argument("--database", required=True)
    args = parser.parse_args()
    {"launch-bare": launch_bare, "launch-app": launch_app, "window": window,
     "typing-bare": typing_bare, "export": export, "export-raw": export_raw,
     "verify": verify}[args.probe](args)


if __name__ == "__main__":
    main()
