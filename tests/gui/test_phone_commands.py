"""What the phone system tells the window, applied to the real window."""

import sqlite3

from callhelper.core.commands import Action, Command
from callhelper.core.session import CallState
from callhelper.store.engine import BUSY_TIMEOUT_MS
from callhelper.ui.start import build_call_window


def test_ringing_answered_and_hung_up(qtbot, window):
    window.handle_command(Command(Action.INCOMING, "03-1234-5678", "山田 太郎"))
    assert window.number_input.text() == "03-1234-5678"
    assert window.ringing_page.name_input.text() == "山田 太郎"
    qtbot.waitUntil(lambda: window.status()["history_loaded"])
    window.handle_command(Command(Action.START))
    assert window.session.state is CallState.ACTIVE
    assert window.status()["number"] == "03-1234-5678"
    window.handle_command(Command(Action.END))
    assert window.session.state is CallState.ENDED
    assert window.wrap_up.isVisible()


def test_another_line_ringing_does_not_disturb_the_call(qtbot, window):
    window.handle_command(Command(Action.START, "03-1234-5678"))
    window.note_entry.setText("途中まで打った言葉")
    window.handle_command(Command(Action.INCOMING, "06-9999-0000"))
    assert window.status()["number"] == "03-1234-5678"
    assert window.note_entry.text() == "途中まで打った言葉"
    assert "Another call is ringing: 06-9999-0000" in window.saved_label.text()


def test_a_command_before_the_database_is_open_waits_for_it(qtbot, paths, settings, clock):
    window = build_call_window(paths, settings, clock)
    qtbot.addWidget(window)
    window.handle_command(Command(Action.START, "03-1234-5678"))
    with qtbot.waitSignal(window.ready, timeout=10_000):
        window.show()
    assert window.session is not None and window.session.state is CallState.ACTIVE


def test_a_note_the_locked_database_cannot_take_is_answered_queued_then_saved_once(
        qtbot, window, paths, db):
    window.handle_command(Command(Action.START, "03-1234-5678"))
    qtbot.waitUntil(lambda: db("SELECT count(*) FROM contact") == [(1,)])
    note = Command(Action.NOTE, text="返金してほしい", id="call-1.note-1")
    answers = []
    lock = sqlite3.connect(paths.database_file, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        window.handle_command(note, answers.append)
        qtbot.waitUntil(lambda: answers == [{"status": "queued", "id": "call-1.note-1"}],
                        timeout=BUSY_TIMEOUT_MS)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    qtbot.waitUntil(lambda: len(answers) == 2, timeout=10_000)
    assert answers[1]["status"] == "saved" and answers[1]["id"] == "call-1.note-1"
    assert window.notes_model.rowCount() == 1

    again = []  # sent again to a window that does not remember it (restarted, say)
    window.handle_command(note, again.append)
    qtbot.waitUntil(lambda: again == [{"status": "saved", "id": "call-1.note-1"}])
    assert "not stored twice" in window.saved_label.text()
    assert window.notes_model.rowCount() == 1
    assert db("SELECT text FROM note") == [("返金してほしい",)]
