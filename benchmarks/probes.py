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
    """``callhelper`` as a user starts it (launcher.main → ui.start.run): ``shown`` when the call
    window has painted and the event loop turns again (it takes keys), ``complete`` once the
    rest of the window is built after that (the keys typed meanwhile are handled then),
    ``ready`` at its ``ready`` signal (the database checked, opened and read). Then it closes
    as a user
    would. A few functions are wrapped to time the phases; nothing else changes (the store's
    modules are wrapped where the store's worker loads them, not before)."""
    marks = {"interpreter": STARTED}
    from callhelper import launcher

    marks["cli_imported"] = time.perf_counter()
    import callhelper.ui.start as app_module

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

    made = app_module.StartupOpenerLater.made

    def made_and_timed(opener):
        if opener._opener is None:  # on the store's worker, as it opens the database
            marks["store_loading"] = time.perf_counter()
            from callhelper.store import engine, startup

            marks["store_loaded"] = time.perf_counter()
            startup.set_aside_if_damaged = timed("db_quick_check", startup.set_aside_if_damaged)
            engine.upgrade_schema = timed("db_schema_upgrade", engine.upgrade_schema)
            startup.StartupOpener.__call__ = timed("db_open", startup.StartupOpener.__call__)
        return made(opener)

    app_module.StartupOpenerLater.made = made_and_timed
    build = app_module.build_call_window
    after_first_paint = app_module.after_first_paint

    def shown_then_the_rest(window, *rest):
        marks["shown"] = time.perf_counter()
        complete = window.complete

        def timed_complete():
            complete()
            marks["complete"] = time.perf_counter()

        window.complete = timed_complete
        after_first_paint(window, *rest)

    app_module.after_first_paint = shown_then_the_rest

    def build_and_watch(paths, settings, clock=None, **options):
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        marks["build_start"] = time.perf_counter()
        window = build(paths, settings, clock, **options)
        marks["built"] = time.perf_counter()

        def ready() -> None:
            marks["ready"] = time.perf_counter()
            emit({"marks": marks, "phases": phases, "rss_mb": rss_mb()})
            QTimer.singleShot(0, QApplication.instance().closeAllWindows)

        window.ready.connect(ready)
        return window

    app_module.build_call_window = build_and_watch
    sys.exit(launcher.main(["--data-dir", args.data_dir]))


# ---------------------------------------------------------------- a ring, until painted

READY = "BENCH-READY"
RING = "BENCH-RING "
#: Where the daily upkeep is waited for at most, once the window is ready.
UPKEEP_WAIT_MS = 120_000


def ring_window(args) -> None:
    """``callhelper`` as a user starts it (cli.main → ui.start.run, its single-instance
    server listening), for ``callhelper NUMBER`` until the caller's history is on screen.

    Once the window is ready and its daily upkeep (the backup) done, it prints
    ``BENCH-READY``. Then, for each ring a later launch hands over, once the caller panel has
    painted the history, one line ``BENCH-RING {json}``: the number and the moment of each
    step — ``received`` (the line read from the socket, GUI thread), ``command`` (the window
    handed the command, the launch answered), ``lookup_asked`` (submitted to the store's
    worker), ``lookup_begun`` and ``lookup_done`` (``history.caller_history`` on the worker),
    ``answered`` (the result back on the GUI thread), ``drawing`` and ``drawn``
    (``CallWindow._show_history``, connected to the controller's ``history_shown``: the panel
    filled), ``paint_begun`` (the first paint event of the panel or a widget in it after
    that) and ``painted`` (the event loop turning again after that paint: the frame is done,
    as the app's FirstPaint takes it). Functions are wrapped to take the moments; nothing
    else changes. It runs until it is terminated, and closes as the app does then."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QWidget

    from callhelper import cli
    from callhelper.app import instance_server as instance
    from callhelper.core.commands import Action
    from callhelper.ui import start as app_module
    from callhelper.ui.call_controller import CallController
    from callhelper.ui.call_window import CallWindow

    state: dict = {"ring": None, "received": None}

    def mark(name: str) -> None:
        ring = state["ring"]
        if ring is not None and name not in ring:
            ring[name] = time.perf_counter()

    handle_line = instance.InstanceServer._handle

    def handle_line_timed(self, socket, line):
        state["received"] = time.perf_counter()
        return handle_line(self, socket, line)

    instance.InstanceServer._handle = handle_line_timed
    handle_command = CallWindow.handle_command

    def handle_command_timed(self, command, reply=None):
        if command.action is Action.INCOMING:
            state["ring"] = {"number": command.number, "received": state["received"],
                             "command": time.perf_counter()}
        return handle_command(self, command, reply)

    CallWindow.handle_command = handle_command_timed
    lookup = CallController.lookup

    def lookup_timed(self, phone):
        mark("lookup_asked")
        return lookup(self, phone)

    CallController.lookup = lookup_timed
    on_history = CallController._on_history

    def on_history_timed(self, token, found, error):
        mark("answered")
        return on_history(self, token, found, error)

    CallController._on_history = on_history_timed

    class PaintWatch(QObject):
        """The first paint of the caller panel (or a widget in it) once armed, then the
        event loop's next turn."""

        def __init__(self, panel: QWidget) -> None:
            super().__init__(panel)
            self.armed = False
            self._panel = panel
            for widget in (panel, *panel.findChildren(QWidget)):
                widget.installEventFilter(self)

        def eventFilter(self, watched, event) -> bool:
            if self.armed and event.type() == QEvent.Type.Paint:
                self.armed = False
                mark("paint_begun")
                QTimer.singleShot(0, self._painted)
            return False

        def _painted(self) -> None:
            mark("painted")
            ring, state["ring"] = state["ring"], None
            if ring is not None:
                panel = self._panel
                ring.update(contacts_shown=panel.contacts_model.rowCount(),
                            promises_shown=panel.promises.isVisible())
                print(RING + json.dumps(ring), flush=True)

    show_history = CallWindow._show_history

    def show_history_timed(self, found):
        mark("drawing")
        try:
            return show_history(self, found)
        finally:
            if state["ring"] is not None and "drawn" not in state["ring"]:
                mark("drawn")
                state["ring"].update(customer=found is not None and found.customer is not None,
                                     contacts=len(found.contacts) if found else 0,
                                     promises=len(found.promises) if found else 0)
                self._paint_watch.armed = True

    CallWindow._show_history = show_history_timed
    build = app_module.build_call_window

    def build_and_watch(paths, settings, clock=None, **options):
        window = build(paths, settings, clock, **options)
        waited = {"ready": False, "upkept": False, "said": False}

        def ready_when_both(name: str) -> None:
            waited[name] = True
            if name == "ready":  # the store's modules are loaded now: time the lookup
                from callhelper.store import history

                # the caller panel exists once the window is complete, before it is ready
                window._paint_watch = PaintWatch(window.caller_panel)

                history.caller_history = timed_lookup(history.caller_history)
                QTimer.singleShot(UPKEEP_WAIT_MS, lambda: ready_when_both("upkept"))
            if waited["ready"] and waited["upkept"] and not waited["said"]:
                waited["said"] = True
                print(READY, flush=True)

        window.ready.connect(lambda: ready_when_both("ready"))
        window.upkeep.finished.connect(lambda *_: ready_when_both("upkept"))
        return window

    def timed_lookup(caller_history):
        def wrapper(*a, **k):
            mark("lookup_begun")
            try:
                return caller_history(*a, **k)
            finally:
                mark("lookup_done")
        return wrapper

    app_module.build_call_window = build_and_watch
    code = cli.main(["--data-dir", args.data_dir])
    sys.stdout.flush()
    # as in ``window``: PySide6 can crash while the interpreter tears its widgets down, and
    # the window has closed (its writes finished) by now
    os._exit(code)


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


def wait_for_rows(model, before: int, timeout_s: float) -> bool:
    """Wait in the event loop, idle as the app waits, until ``model`` holds more than
    ``before`` rows. Polling instead would keep the GUI thread busy holding Python's lock,
    and the store's worker would wait for it: the figure would be the poll's, not the app's."""
    from PySide6.QtCore import QEventLoop, QTimer

    if model.rowCount() > before:
        return True
    loop = QEventLoop()
    quit_when_more = lambda *_: loop.quit() if model.rowCount() > before else None  # noqa: E731
    model.rowsInserted.connect(quit_when_more)
    model.modelReset.connect(quit_when_more)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    model.rowsInserted.disconnect(quit_when_more)
    model.modelReset.disconnect(quit_when_more)
    return model.rowCount() > before


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
    from callhelper.app.bootstrap import create_application, install_translators, ui_language
    from callhelper.config import Settings, make_private_folders, resolve_paths
    from callhelper.ui.start import build_call_window, freeze_start_up_when_ready

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
    pump_until(lambda: call_window.controller.history_loaded, 30)  # the panel is filled
    entry, notes = call_window.note_entry, call_window.notes_model
    enter_ms = []
    for number in range(args.notes + args.warmup):
        before = notes.rowCount()
        type_text(entry, f"返金してほしい、もう{number}回目の電話です")
        begun = time.perf_counter()
        press_enter(entry)
        if not wait_for_rows(notes, before, 30):
            raise SystemExit("a note was never shown as saved")
        if number >= args.warmup:
            enter_ms.append((time.perf_counter() - begun) * 1000)
        pump(20)
    pump(300)
    rss_call = rss_mb()

    # the history browser: the case list first, then typing
    history = call_window.windows.open_history()
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


# ---------------------------------------------------------------- a shift


#: What the customer says in the simulated calls: complaints, flagged statements, a card
#: number to mask, facts; long enough to wrap in the notes list.
SHIFT_WORDS = [
    "先週買ったばかりなのに電源が入らない",
    "明日の会議で使うのに、本当に困るんですよ",
    "誠意を見せろ、慰謝料を払え",
    "カード番号は4111 1111 1111 1111です",
    "返金してほしい。もう三回目の電話です",
    "ネットに晒すぞ、覚えておけ",
    "箱を開けたら画面にひびが入っていて、説明書も入っていなかった",
    "上の者を出してください",
]
#: Objects every C extension hands back and forth; a binding that drops a reference to one
#: on a common call takes its count to zero after hours, and Python aborts
#: ("Fatal Python error: none_dealloc").
SINGLETONS = {"None": None, "True": True, "False": False, "Ellipsis": Ellipsis,
              "NotImplemented": NotImplemented, "()": ()}


def singleton_refcounts() -> dict[str, int] | None:
    """The singletons' reference counts, or None where Python makes them immortal (3.12
    and later: their count never changes, so it cannot be lost)."""
    if sys.version_info >= (3, 12):
        return None
    return {name: sys.getrefcount(value) for name, value in SINGLETONS.items()}


def _entries(folder: str) -> int:
    try:
        return len(os.listdir(folder))
    except OSError:
        return -1


def open_handles() -> int:
    """File descriptors open in this process (Linux), or -1 where that cannot be read."""
    return _entries("/proc/self/fd")


def thread_count() -> int:
    """Threads of this process, Qt's and the interpreter's (Linux), or -1."""
    return _entries("/proc/self/task")


def key_click(widget, key, modifiers=None) -> None:
    """A key as the keyboard sends it, through Qt's shortcut map (unlike ``press_enter``)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    QTest.keyClick(widget, key, modifiers or Qt.KeyboardModifier.NoModifier)


def take_call(call_window, clock, number: int, notes: int, gap_s: int) -> list[float]:
    """One call as an agent takes it: the number, F7, the customer's words (Enter after
    each) with the timer ticking ``gap_s`` seconds between them and the window painted,
    F9, a subject, Ctrl+S. Returns Enter → note shown (ms) for each note."""
    from PySide6.QtCore import Qt

    call_window.number_input.setText(f"03-5555-{number % 10000:04d}")
    key_click(call_window.number_input, Qt.Key.Key_F7)
    if not pump_until(lambda: call_window.session is not None, 30):
        raise SystemExit(f"call {number} did not start")
    entry, shown = call_window.note_entry, call_window.notes_model
    latencies = []
    for index in range(notes):
        for _second in range(gap_s):
            clock.advance(1)
            call_window.refresh()  # what the window's one-second timer runs
        if index % 10 == 9:
            key_click(entry, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)  # a fact
        type_text(entry, f"{SHIFT_WORDS[(number + index) % len(SHIFT_WORDS)]} ({index + 1})")
        before = shown.rowCount()
        begun = time.perf_counter()
        key_click(entry, Qt.Key.Key_Return)
        if not wait_for_rows(shown, before, 60):
            raise SystemExit(f"note {index + 1} of call {number} was never shown as saved")
        latencies.append((time.perf_counter() - begun) * 1000)
        call_window.grab()  # every widget painted, the notes list included
    key_click(entry, Qt.Key.Key_F9)
    if not pump_until(lambda: call_window.wrap_up.isVisible(), 30):
        raise SystemExit(f"call {number} did not end")
    type_text(call_window.wrap_up.subject, f"シフト試験 {number}")
    key_click(call_window.wrap_up.subject, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    if not pump_until(lambda: call_window.session is None, 60):
        raise SystemExit(f"the wrap-up of call {number} was not saved")
    return latencies


def shift(args) -> None:
    """The call window through a shift: ``--hours`` of calls with the clock compressed (each
    second of a call is one run of the window's timer, not a second of waiting), notes typed
    and saved, the window painted. After each call: the singletons' reference counts, memory,
    open handles and threads; at the end, the notes on disk."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import gc
    import sqlite3

    from callhelper.app.bootstrap import create_application
    from callhelper.config import Settings, make_private_folders, resolve_paths
    from callhelper.core.clock import ManualClock
    from callhelper.ui.start import build_call_window, freeze_start_up_when_ready

    app = create_application([sys.argv[0]])
    paths = resolve_paths(args.data_dir)
    make_private_folders(paths)
    settings = Settings.for_paths(paths)
    settings.set("language", "en")
    clock = ManualClock()
    call_window = build_call_window(paths, settings, clock)
    freeze_start_up_when_ready(call_window)
    ready: list[bool] = []
    call_window.ready.connect(lambda: ready.append(True))
    call_window.show()
    if not pump_until(lambda: bool(ready), 120):
        raise SystemExit("the call window never became ready")
    pump(300)
    calls = max(1, round(args.hours * 3600 / (args.notes_per_call * args.gap)))
    samples, latencies = [], []
    begun = time.perf_counter()
    for number in range(calls):
        latencies.append(take_call(call_window, clock, number, args.notes_per_call, args.gap))
        clock.advance(args.gap)
        call_window.refresh()
        pump(5)
        gc.collect()
        samples.append({"call": number + 1, "refcounts": singleton_refcounts(),
                        "rss_mb": rss_mb(), "handles": open_handles(),
                        "threads": thread_count(),
                        "wall_s": time.perf_counter() - begun})
    connection = sqlite3.connect(paths.database_file)
    on_disk = connection.execute("SELECT count(*) FROM note").fetchone()[0]
    connection.close()
    emit({"python": sys.version.split()[0], "calls": calls,
          "notes_per_call": args.notes_per_call, "gap_s": args.gap,
          "simulated_hours": calls * args.notes_per_call * args.gap / 3600,
          "notes_typed": sum(len(call) for call in latencies), "notes_on_disk": on_disk,
          "enter_to_shown_ms": latencies, "samples": samples,
          "wall_s": time.perf_counter() - begun})
    call_window.close()
    pump(100)
    os._exit(0)  # as in ``window``: the figures are out and the database closed


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
    ringing = probes.add_parser("ring-window")
    ringing.add_argument("--data-dir", required=True)
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
    soak = probes.add_parser("shift")
    soak.add_argument("--data-dir", required=True)
    soak.add_argument("--hours", type=float, default=8.0, help="simulated hours of calls")
    soak.add_argument("--notes-per-call", type=int, default=120)
    soak.add_argument("--gap", type=int, default=2, help="simulated seconds between notes")
    check = probes.add_parser("verify")
    check.add_argument("--database", required=True)
    args = parser.parse_args()
    {"launch-bare": launch_bare, "launch-app": launch_app, "ring-window": ring_window,
     "window": window, "typing-bare": typing_bare, "export": export,
     "export-raw": export_raw, "verify": verify, "shift": shift}[args.probe](args)


if __name__ == "__main__":
    main()
