"""Calls have a direction: a callback the agent makes is recorded as outgoing and does not
count as the customer calling again; repeated incoming calls are signalled as a case that
may be unresolved, not as harassment."""

from PySide6.QtCore import Qt
from keyboard import type_text

from callhelper.core.commands import Action, Command

CTRL = Qt.KeyboardModifier.ControlModifier
NUMBER = "03-1234-5678"


def take_call(qtbot, window, clock, outgoing=False):
    if outgoing:
        window.ringing_page.outgoing_box.setChecked(True)
    type_text(window.number_input, NUMBER)
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: window.session is not None)


def close_call(qtbot, window, clock):
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F9)
    type_text(window.wrap_up.subject, "配送の遅れ")
    qtbot.keyClick(window.wrap_up.subject, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: window.session is None)
    clock.advance(86400)


def test_an_outgoing_call_does_not_count_as_calling_again(qtbot, window, clock, db):
    for _ in range(2):
        take_call(qtbot, window, clock)
        close_call(qtbot, window, clock)
    take_call(qtbot, window, clock, outgoing=True)
    qtbot.waitUntil(lambda: window.status()["history_loaded"])
    assert not window.handoff.escalation_label.isVisible(), "2 calls from the customer, 1 to them"
    close_call(qtbot, window, clock)
    assert not window.ringing_page.outgoing_box.isChecked(), "the next call is incoming again"
    assert db("SELECT direction FROM contact ORDER BY id") == [
        ("incoming",), ("incoming",), ("outgoing",)]

    take_call(qtbot, window, clock)
    qtbot.waitUntil(window.handoff.escalation_label.isVisible)
    text = window.handoff.escalation_label.text()
    assert "a case that may be unresolved (3 calls in 30 days)" in text
    assert "A case that may be unresolved: look at its history" in text
    assert "harassment" not in text.lower()
    assert "3 calls in 30 days" in window.header.caller_detail.text()


def test_the_phone_system_says_a_call_is_outgoing(qtbot, window, db):
    window.handle_command(Command(Action.INCOMING, NUMBER, outgoing=True))
    assert window.ringing_page.outgoing_box.isChecked()
    window.handle_command(Command(Action.START, NUMBER, outgoing=True))
    qtbot.waitUntil(lambda: db("SELECT direction FROM contact") == [("outgoing",)])
