"""Promises carry a due time, remind when due, and are marked kept by someone."""

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from callhelper.ui.history_window import NoteIdRole
from keyboard import type_text

ALT, CTRL = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier


def promise(qtbot, window, text, due):
    qtbot.keyClick(window.note_entry, Qt.Key.Key_P, ALT)
    assert window.due_edit.isVisible()
    window.due_edit.setDateTime(due.astimezone())
    type_text(window.note_entry, text)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)


def test_a_promise_is_saved_with_its_due_time(qtbot, window, clock, db):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_P, ALT)
    default = window.due_edit.dateTime().toPython().astimezone()
    assert clock.now() + timedelta(hours=1) <= default <= clock.now() + timedelta(hours=2)
    due = clock.now().replace(second=0, microsecond=0) + timedelta(hours=26)
    promise(qtbot, window, "明日中に交換品の発送日を連絡", due)
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == 1)
    assert not window.due_edit.isVisible(), "the next note is the customer's words again"
    (stored,) = db("SELECT kind, text, due_at FROM note")
    assert stored[:2] == ("promise", "明日中に交換品の発送日を連絡")
    assert stored[2].startswith(due.strftime("%Y-%m-%d %H:%M"))


def test_a_due_promise_is_reminded_once(qtbot, window, clock):
    type_text(window.number_input, "03-1234-5678")
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    promise(qtbot, window, "折り返し連絡", clock.now() + timedelta(minutes=30))
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == 1)
    window.check_promises()
    qtbot.wait(200)
    assert "Promise due" not in window.saved_label.text()
    clock.advance(31 * 60)
    window.check_promises()
    qtbot.waitUntil(lambda: "Promise due (1)" in window.saved_label.text())
    assert "折り返し連絡" in window.saved_label.text()
    window._show_save_state("")
    window.check_promises()
    qtbot.wait(200)
    assert window.saved_label.text() == ""


def test_an_open_promise_is_marked_kept_from_the_history(qtbot, window, clock, db,
                                                         qtmodeltester):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    promise(qtbot, window, "見積もりを送付", clock.now() + timedelta(hours=3))
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == 1)
    browser = window.open_history()
    browser.promises_only.setChecked(True)
    qtbot.waitUntil(lambda: browser.promises_model.rowCount() == 1)
    qtmodeltester.check(browser.promises_model)
    assert browser.done_button.isVisible()
    browser.table.selectRow(0)
    assert browser.table.currentIndex().data(NoteIdRole) is not None
    browser.activateWindow()
    qtbot.waitUntil(browser.isActiveWindow)
    qtbot.keyClick(browser.table, Qt.Key.Key_D, CTRL)
    qtbot.waitUntil(lambda: browser.promises_model.rowCount() == 0)
    assert db("SELECT done_by FROM note") == [("鈴木",)]
    assert QApplication.activeWindow() is browser
    browser.promises_only.setChecked(False)
    qtbot.waitUntil(lambda: browser.cases_model.rowCount() == 1)
    browser.table.selectRow(0)
    qtbot.waitUntil(lambda: "(kept: 鈴木" in browser.detail.toPlainText())


def test_enter_in_the_due_time_saves_the_promise(qtbot, window, db):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_P, ALT)
    type_text(window.note_entry, "修理の見積もりを送付")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Tab)
    assert window.due_edit.hasFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: db("SELECT kind, text FROM note") == [("promise", "修理の見積もりを送付")])
    assert QApplication.focusWidget() is window.note_entry
