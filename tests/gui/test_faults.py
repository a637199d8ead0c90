"""When the database cannot take a write — a lock, a full disk, a read-only folder — the
window says which, keeps what was typed and retries it: nothing is lost, nothing is stored
twice, and what is still waiting at quit comes back at the next start."""

import errno
import logging
import os
import shutil
import sqlite3
import subprocess

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from callhelper.core.session import CallState
from callhelper.store.engine import BUSY_TIMEOUT_MS
from callhelper.ui.start import build_call_window
from keyboard import type_text

CTRL = Qt.KeyboardModifier.ControlModifier
JOURNAL = "unsaved-writes.jsonl"
WORDS = ("一つ目", "二つ目", "三つ目")
#: The write queue's retry interval in these tests: a write is tried again soon after the
#: fault ends, rather than within the app's few seconds.
QUICK_RETRY_MS = 100



class Lock:
    """Another connection holding the write lock, as a backup tool or a second app might."""

    def __init__(self, path):
        self.connection = sqlite3.connect(path, isolation_level=None)
        self.connection.execute("BEGIN EXCLUSIVE")

    def release(self):
        self.connection.execute("ROLLBACK")
        self.connection.close()


def test_a_locked_database_keeps_the_notes_and_saves_them_in_order_later(qtbot, window,
                                                                          paths, db):
    window.controller.writes.retry_interval_ms = QUICK_RETRY_MS
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: db("SELECT count(*) FROM contact") == [(1,)])
    lock = Lock(paths.database_file)
    try:
        for words in ("一つ目", "二つ目", "三つ目"):
            type_text(window.note_entry, words)
            qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
        qtbot.keyClick(window.note_entry, Qt.Key.Key_1, CTRL)
        qtbot.waitUntil(lambda: "Not saved yet" in window.saved_label.text(),
                        timeout=BUSY_TIMEOUT_MS + 5000)
        assert "4 waiting" in window.saved_label.text()
        assert window.notes_model.rowCount() == 0
    finally:
        lock.release()
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == 3, timeout=10_000)
    qtbot.waitUntil(lambda: window.saved_label.text() == "✓ Everything is saved")
    assert db("SELECT text FROM note ORDER BY id") == [("一つ目",), ("二つ目",), ("三つ目",)]
    assert db("SELECT count(*) FROM step_event") == [(1,)]


def test_the_status_line_counts_the_waiting_notes_at_every_enter(qtbot, window, paths, db):
    """The count is the true one the moment a note is typed: before the database is known
    to refuse (the first try waits for the lock) and while it is named as refusing."""
    words = ["一つ目", "二つ目", "三つ目", "四つ目", "五つ目"]
    window.controller.writes.retry_interval_ms = QUICK_RETRY_MS
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: db("SELECT count(*) FROM contact") == [(1,)])
    qtbot.waitUntil(lambda: "waiting" not in window.saved_label.text())  # the call's start
    lock = Lock(paths.database_file)
    try:
        for count, text in enumerate(words, start=1):
            if count == 3:
                qtbot.waitUntil(lambda: "another program" in window.saved_label.text(),
                                timeout=BUSY_TIMEOUT_MS + 5000)
                assert "2 waiting" in window.saved_label.text()
            take_notes(qtbot, window, [text])
            assert f"{count} waiting" in window.saved_label.text()
        assert window.notes_model.rowCount() == 0
    finally:
        lock.release()
    qtbot.waitUntil(lambda: window.saved_label.text() == "✓ Everything is saved",
                    timeout=10_000)
    assert window.notes_model.rowCount() == 5
    assert db("SELECT text FROM note ORDER BY id") == [(text,) for text in words]


def test_notes_not_saved_at_quit_are_kept_and_saved_at_the_next_start(qtbot, open_window,
                                                                       paths, db):
    first = open_window()
    qtbot.keyClick(first.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: db("SELECT count(*) FROM contact") == [(1,)])
    lock = Lock(paths.database_file)
    try:
        type_text(first.note_entry, "閉じる直前の言葉")
        qtbot.keyClick(first.note_entry, Qt.Key.Key_Return)
        first.close()
    finally:
        lock.release()
    assert db("SELECT count(*) FROM note") == [(0,)]
    assert (paths.data_dir / "unsaved-writes.jsonl").exists()
    second = open_window()
    assert db("SELECT text FROM note") == [("閉じる直前の言葉",)]
    assert not (paths.data_dir / "unsaved-writes.jsonl").exists()
    assert second.notes_model.rowCount() == 1
    assert "kept from the last session" in second.saved_label.text()


def test_a_call_taken_while_the_database_opens_is_journalled_then_saved(qtbot, paths,
                                                                         settings, clock, db):
    """The window takes a call before its database is open: the call and its notes wait,
    journalled and in order, and are saved (and shown) once it is open."""
    window = build_call_window(paths, settings, clock)
    qtbot.addWidget(window)
    assert window.header.start_button.isEnabled()
    window.start_call("03-1234-5678")
    assert window.session.state is CallState.ACTIVE
    take_notes(qtbot, window)
    assert window.notes_model.rowCount() == 0, "a note is shown only once it is on disk"
    journal = paths.data_dir / JOURNAL
    assert journal.read_text(encoding="utf-8").count('"op": "add_note"') == len(WORDS)
    qtbot.waitSignal(window.ready).wait()
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == len(WORDS))
    assert db("SELECT text FROM note ORDER BY id") == [(text,) for text in WORDS]
    assert db("SELECT phone FROM contact") == [("03-1234-5678",)]
    qtbot.waitUntil(lambda: not journal.exists())


def test_nothing_can_start_when_the_database_cannot_be_opened(qtbot, paths, settings, clock):
    paths.database_file.parent.mkdir(parents=True, exist_ok=True)
    paths.database_file.write_bytes(b"not a database at all" * 100)
    window = build_call_window(paths, settings, clock)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: not window.header.start_button.isEnabled())
    window.start_call("03-1234-5678")
    assert window.session is None


def test_a_window_closed_before_its_database_is_open_closes_quietly(qtbot, paths, settings,
                                                                    clock, db):
    """Quitting at once (a session logging off, SIGTERM) while the database is still being
    opened: the opening's answer arrives after the store closed and starts nothing."""
    window = build_call_window(paths, settings, clock)
    qtbot.addWidget(window)
    window.show()
    window.close()
    assert not window.isVisible() and not window.status()["ready"]
    assert window.upkeep._thread is None, "no upkeep started after the close"
    assert db("SELECT count(*) FROM contact") == [(0,)]


def take_notes(qtbot, window, words=WORDS):
    for text in words:
        type_text(window.note_entry, text)
        qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)


class SmallDisk:
    """A real file system of a few megabytes (tmpfs) holding the data folder — and, if asked,
    the settings folder — that can be filled up to its last byte and emptied again.

    Mounting needs root (as the tests run in CI); elsewhere the tests that use it are
    skipped."""

    SIZE = "16m"

    def __init__(self, root):
        self.root = root
        self.filler = root / "filler"

    def mount(self):
        self.root.mkdir()
        if shutil.which("mount") is None or os.name != "posix":
            pytest.skip("filling a disk needs a small tmpfs, mounted with mount(8)")
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.SIZE},mode=0700",
                               "tmpfs", str(self.root)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs to fill (root is needed): {done.stderr}")

    def unmount(self):
        subprocess.run(["umount", "-l", str(self.root)], check=True)

    def fill(self):
        """Take every free byte, as a disk that has run full."""
        with open(self.filler, "wb", buffering=0) as filler:
            for size in (1 << 20, 4096, 1):
                try:
                    while True:
                        filler.write(b"\0" * size)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise

    def free(self):
        self.filler.unlink(missing_ok=True)


@pytest.fixture
def small_disk(tmp_path, monkeypatch, app_dirs):
    """The data folder on a SmallDisk (requested before the window, so the window opens on
    it)."""
    disk = SmallDisk(tmp_path / "disk")
    disk.mount()
    monkeypatch.setenv("CALLHELPER_DATA_DIR", str(disk.root / "data"))
    yield disk
    disk.free()
    disk.unmount()


@pytest.fixture
def all_on_small_disk(small_disk, monkeypatch):
    """The settings folder on the same SmallDisk too, as on a PC with one disk."""
    monkeypatch.setenv("CALLHELPER_CONFIG_DIR", str(small_disk.root / "config"))
    return small_disk


def test_a_full_disk_is_named_and_the_notes_are_saved_in_order_once_space_is_back(
        qtbot, small_disk, open_window, paths, db, caplog):
    caplog.set_level(logging.INFO, logger="callhelper.app.store_client")
    assert paths.data_dir == small_disk.root / "data"
    window = open_window()
    window.controller.writes.retry_interval_ms = QUICK_RETRY_MS

    def failures():
        return [record for record in caplog.records if "failed" in record.getMessage()]

    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: db("SELECT count(*) FROM contact") == [(1,)])
    small_disk.fill()
    try:
        take_notes(qtbot, window)
        qtbot.keyClick(window.note_entry, Qt.Key.Key_1, CTRL)
        qtbot.waitUntil(lambda: "the disk is full" in window.saved_label.text())
        assert "4 waiting" in window.saved_label.text()
        assert window.notes_model.rowCount() == 0
        tried = len(failures())
        qtbot.waitUntil(lambda: len(failures()) >= tried + 2)  # tried again, still full
        assert "the disk is full" in window.saved_label.text()
        assert "4 waiting" in window.saved_label.text()
        assert window.notes_model.rowCount() == 0
    finally:
        small_disk.free()
    qtbot.waitUntil(lambda: window.saved_label.text() == "✓ Everything is saved",
                    timeout=10_000)
    assert window.notes_model.rowCount() == 3
    assert db("SELECT text FROM note ORDER BY id") == [(text,) for text in WORDS]
    assert db("SELECT count(*) FROM step_event") == [(1,)]
    assert [bool(record.exc_info) for record in failures()] == [True] + [False] * (
        len(failures()) - 1), "one traceback for the fault, one line for each retry"


def test_notes_waiting_on_a_full_disk_at_quit_are_kept_elsewhere_and_saved_at_the_next_start(
        qtbot, small_disk, open_window, paths, db):
    first = open_window()
    qtbot.keyClick(first.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: db("SELECT count(*) FROM contact") == [(1,)])
    small_disk.fill()
    try:
        take_notes(qtbot, first, ["満杯のときの言葉"])
        qtbot.waitUntil(lambda: "the disk is full" in first.saved_label.text())
        first.close()
        assert not first.isVisible()
    finally:
        small_disk.free()
    assert db("SELECT count(*) FROM note") == [(0,)]
    second = open_window()
    assert db("SELECT text FROM note") == [("満杯のときの言葉",)]
    assert second.notes_model.rowCount() == 1
    assert "kept from the last session" in second.saved_label.text()
    assert not (paths.data_dir / JOURNAL).exists()
    assert not (paths.config_dir / JOURNAL).exists()


def test_the_window_stays_open_while_its_notes_can_be_neither_saved_nor_kept(
        qtbot, all_on_small_disk, open_window, paths, db):
    window = open_window()
    window.controller.writes.retry_interval_ms = QUICK_RETRY_MS
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: db("SELECT count(*) FROM contact") == [(1,)])
    all_on_small_disk.fill()
    try:
        take_notes(qtbot, window)
        qtbot.waitUntil(lambda: "the disk is full" in window.saved_label.text())
        window.close()
        assert window.isVisible()
        assert "Not closed" in window.saved_label.text()
        assert window.note_entry.isEnabled()
    finally:
        all_on_small_disk.free()
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == 3, timeout=10_000)
    window.close()
    assert not window.isVisible()
    assert db("SELECT text FROM note ORDER BY id") == [(text,) for text in WORDS]


class ReadOnlyFolder:
    """The data folder becoming unwritable while the window runs.

    The tests run as root, which file permissions do not stop, so the folder, the database
    and its write-ahead log get the immutable attribute (``chattr +i``): the system then
    refuses every write to them, through the files the app has open too, as a file system
    remounted read-only does. (The ``-shm`` index stays writable: SQLite maps it into
    memory, where a refused write would crash the process rather than fail a call.)
    Where ``chattr`` is missing or not allowed (not root, a file system without the
    attribute), the window's own database connection is put into SQLite's ``query_only``
    mode instead, which refuses writes with the error a read-only file gives — then only
    that connection is read-only, not the folder."""

    def __init__(self, folder, database):
        self.files = [folder, database, database.with_name(database.name + "-wal")]
        self.window = None

    def _chattr(self, flag):
        if shutil.which("chattr") is None:
            return False
        done = subprocess.run(["chattr", flag, *map(str, self.files)], capture_output=True)
        return done.returncode == 0

    def _query_only(self, qtbot, window, on):
        with qtbot.waitCallback() as done:
            window._store.submit(lambda session: session.connection().exec_driver_sql(
                f"PRAGMA query_only={'ON' if on else 'OFF'}"), done)

    def on(self, qtbot, window, folder_needed=False):
        if self._chattr("+i"):
            return
        if folder_needed:
            pytest.skip("making the folder itself read-only needs chattr +i (root, and a file "
                        "system with the immutable attribute)")
        self.window = window
        self._query_only(qtbot, window, True)

    def off(self, qtbot):
        if self.window is None:
            self._chattr("-i")
        elif not self.window._store.closed:
            self._query_only(qtbot, self.window, False)
        self.window = None


@pytest.fixture
def read_only(paths, qtbot):
    folder = ReadOnlyFolder(paths.data_dir, paths.database_file)
    yield folder
    folder.off(qtbot)


def test_a_read_only_folder_is_named_and_the_notes_are_saved_in_order_once_writable(
        qtbot, window, read_only, db):
    window.controller.writes.retry_interval_ms = QUICK_RETRY_MS
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: db("SELECT count(*) FROM contact") == [(1,)])
    read_only.on(qtbot, window)
    try:
        take_notes(qtbot, window)
        qtbot.keyClick(window.note_entry, Qt.Key.Key_1, CTRL)
        qtbot.waitUntil(lambda: "read-only" in window.saved_label.text())
        assert "4 waiting" in window.saved_label.text()
        assert window.notes_model.rowCount() == 0
    finally:
        read_only.off(qtbot)
    qtbot.waitUntil(lambda: window.saved_label.text() == "✓ Everything is saved",
                    timeout=10_000)
    assert window.notes_model.rowCount() == 3
    assert db("SELECT text FROM note ORDER BY id") == [(text,) for text in WORDS]
    assert db("SELECT count(*) FROM step_event") == [(1,)]


def test_notes_waiting_on_a_read_only_folder_at_quit_are_saved_at_the_next_start(
        qtbot, open_window, paths, read_only, db):
    first = open_window()
    qtbot.keyClick(first.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: db("SELECT count(*) FROM contact") == [(1,)])
    read_only.on(qtbot, first, folder_needed=True)
    try:
        take_notes(qtbot, first, ["書けないときの言葉"])
        qtbot.waitUntil(lambda: "read-only" in first.saved_label.text())
        first.close()
        assert not first.isVisible()
    finally:
        read_only.off(qtbot)
    assert db("SELECT count(*) FROM note") == [(0,)]
    second = open_window()
    assert db("SELECT text FROM note") == [("書けないときの言葉",)]
    assert second.notes_model.rowCount() == 1
    assert "kept from the last session" in second.saved_label.text()
    assert not (paths.data_dir / JOURNAL).exists()
    assert not (paths.config_dir / JOURNAL).exists()


def test_sigterm_closes_the_window_from_the_event_loop_not_in_the_middle_of_other_code(
        qtbot, window, qapp):
    """The handler runs between any two lines of Python, so it only asks for the close: a
    window handling its freshly opened database when the signal comes finishes that first
    (it once went on with a closed store)."""
    import signal

    from callhelper.app.bootstrap import close_on_termination

    before = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        close_on_termination(qapp)
        signal.getsignal(signal.SIGTERM)(signal.SIGTERM, None)  # as Python would call it
        assert window.isVisible(), "closed in the middle of the code that was running"
        qtbot.waitUntil(lambda: not window.isVisible())
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


@pytest.fixture
def read_only_at_start(paths):
    """The data folder and its database made read-only before the window starts, with the
    immutable attribute (the tests run as root, which file permissions do not stop)."""
    from callhelper.store.engine import Store

    Store(paths.capture_url).close()
    files = [str(paths.data_dir), str(paths.database_file)]
    if shutil.which("chattr") is None or subprocess.run(
            ["chattr", "+i", *files], capture_output=True).returncode != 0:
        pytest.skip("a read-only folder needs chattr +i (root, and a file system with the "
                    "immutable attribute)")

    class Folder:
        def writable(self):
            subprocess.run(["chattr", "-i", *files], check=True)

    yield Folder()
    subprocess.run(["chattr", "-i", *files], capture_output=True)


def test_a_database_read_only_at_start_is_named_and_what_is_typed_is_kept_then_saved(
        qtbot, paths, settings, clock, read_only_at_start, db):
    from callhelper.core.commands import Action, Command

    window = build_call_window(paths, settings, clock)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.ready, timeout=10_000):
        window.show()
    assert window.recovery.isVisible()
    banner = window.recovery.message.text()
    assert "cannot be written" in banner and str(paths.database_file) in banner
    assert str(paths.config_dir / JOURNAL) in banner, "where what is typed is kept"
    assert window.header.start_button.isEnabled()

    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    take_notes(qtbot, window)
    answers = []
    window.handle_command(Command(Action.NOTE, text="音声からの言葉", id="stt-1"),
                          answers.append)
    assert answers and answers[0]["status"] == "kept", "answered at once, no hang"
    assert str(paths.config_dir / JOURNAL) in answers[0]["unsaved"]
    status = window.status()
    assert status["writable"] is False and "cannot be written" in status["unsaved"]
    assert "read-only" in window.saved_label.text()
    kept = (paths.config_dir / JOURNAL).read_text(encoding="utf-8")
    assert all(words in kept for words in WORDS + ("音声からの言葉",)), \
        "each note is journalled as it is typed"

    read_only_at_start.writable()
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == 4, timeout=15_000)
    assert not window.recovery.isVisible()
    assert window.status()["writable"] is True
    assert db("SELECT text FROM note ORDER BY id") == \
        [(text,) for text in WORDS + ("音声からの言葉",)]
    assert db("SELECT count(*) FROM contact") == [(1,)]
    qtbot.waitUntil(lambda: window.saved_label.text() == "✓ Everything is saved")
    window.close()
    assert not (paths.config_dir / JOURNAL).exists()
    assert db("SELECT count(*) FROM note") == [(4,)], "nothing saved twice"


def test_notes_typed_while_read_only_from_the_start_survive_the_quit_and_are_saved_next_time(
        qtbot, paths, settings, clock, read_only_at_start, open_window, db):
    window = build_call_window(paths, settings, clock)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.ready, timeout=10_000):
        window.show()
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    take_notes(qtbot, window)
    window.close()
    assert not window.isVisible()
    assert (paths.config_dir / JOURNAL).exists()
    read_only_at_start.writable()
    assert db("SELECT count(*) FROM note") == [(0,)]

    second = open_window()
    assert db("SELECT text FROM note ORDER BY id") == [(text,) for text in WORDS]
    assert second.notes_model.rowCount() == 3, "the call is resumed with its notes"
    assert "kept from the last session" in second.saved_label.text()
    assert not (paths.config_dir / JOURNAL).exists()
