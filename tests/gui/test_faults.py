"""When the database cannot take a write: nothing typed is lost, nothing is stored twice."""

import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from callhelper.core.session import CallState
from callhelper.store.engine import BUSY_TIMEOUT_MS
from callhelper.ui.app import build_call_window
from keyboard import type_text

CTRL = Qt.KeyboardModifier.ControlModifier



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


def test_nothing_can_start_before_the_database_is_open(qtbot, paths, settings, clock):
    window = build_call_window(paths, settings, clock)
    qtbot.addWidget(window)
    window.start_call("03-1234-5678")
    assert window.session is None
    assert not window.start_button.isEnabled()
    qtbot.waitSignal(window.ready).wait()
    assert window.start_button.isEnabled()
    window.start_call("03-1234-5678")
    assert window.session.state is CallState.ACTIVE
