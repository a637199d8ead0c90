"""A caller calling back continues the open case, chosen by keys; a call that rings during
the wrap-up waits for it; urgency and impact by keys, not assessed unless the agent says."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from callhelper.core.case import CaseStatus
from callhelper.core.commands import Action, Command
from callers import earlier_call
from keyboard import type_text

#: The offscreen platform cannot grab the keyboard for a popup list (a desktop can).
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SUBJECT = "ノートPC: 異音がする"


def pick(qtbot, window, focused, key):
    """Alt+C in ``focused``, then ``key`` (↑ or ↓) and Enter in the list of cases; the focus
    goes back where it was."""
    focused.setFocus()
    qtbot.keyClick(focused, Qt.Key.Key_C, ALT)
    menu = window.header.case_menu
    qtbot.waitUntil(menu.isVisible)
    qtbot.keyClick(menu, key)
    qtbot.keyClick(menu, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.focusWidget() is focused)
    window.activateWindow()  # the offscreen platform does not give it back after a popup
    qtbot.waitUntil(window.isActiveWindow)


def test_the_agent_picks_the_case_by_keys_before_and_during_the_call(qtbot, window, paths,
                                                                     clock, db):
    earlier_call(paths, clock, "first", 2, SUBJECT, CaseStatus.WAITING_CALLBACK)
    type_text(window.number_input, "03-1234-5678")
    qtbot.waitUntil(lambda: f"Case: “{SUBJECT}” (Alt+C)" in window.header.caller_detail.text())
    pick(qtbot, window, window.number_input, Qt.Key.Key_Down)
    assert "New case (Alt+C)" in window.header.caller_detail.text()
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: db("SELECT count(*) FROM support_case") == [(2,)])
    pick(qtbot, window, window.note_entry, Qt.Key.Key_Up)
    assert f"Case: “{SUBJECT}”" in window.header.caller_detail.text()
    qtbot.waitUntil(lambda: db("SELECT count(DISTINCT case_id), count(*) FROM contact")
                    == [(1, 2)])
    assert db("SELECT count(*) FROM support_case") == [(1,)]
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F9)
    assert window.wrap_up.subject.text() == SUBJECT, "the wrap-up goes on with the case"
    assert window.wrap_up.status.currentData() == "waiting_callback"


def test_a_call_ringing_during_the_wrap_up_is_waiting_after_the_save(qtbot, window, paths,
                                                                      clock):
    earlier_call(paths, clock, "first", 2, SUBJECT, CaseStatus.OPEN)
    type_text(window.number_input, "090-1111-2222")
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F9)
    window.handle_command(Command(Action.INCOMING, "03-1234-5678"))
    assert "Another call is ringing: 03-1234-5678" in window.saved_label.text()
    type_text(window.wrap_up.subject, "配送の遅れ")
    qtbot.keyClick(window.wrap_up.subject, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: window.session is None)
    assert window.number_input.text() == "03-1234-5678"
    qtbot.waitUntil(lambda: window.caller_panel.contacts_model.rowCount() == 1)
    assert window.header.caller_label.text().startswith("山田 太郎")
    assert f"Case: “{SUBJECT}”" in window.header.caller_detail.text()


def test_urgency_and_impact_by_keys_and_not_assessed_unless_chosen(qtbot, window, db):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_U, ALT)
    assert QApplication.focusWidget() is window.note_entry, "typing goes on"
    assert window.checklist.urgency_combo.currentData() == "high"
    qtbot.waitUntil(lambda: db("SELECT urgency, impact FROM support_case") == [("high", "")])
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F9)
    assert window.wrap_up.urgency.currentData() == "high"
    assert window.wrap_up.impact.currentText() == "not assessed"
    type_text(window.wrap_up.subject, "配送の遅れ")
    qtbot.keyClick(window.wrap_up.subject, Qt.Key.Key_U, ALT)
    assert window.wrap_up.urgency.currentData() == "medium"
    qtbot.keyClick(window.wrap_up.subject, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: window.session is None)
    assert db("SELECT urgency, impact FROM support_case") == [("medium", "")]
