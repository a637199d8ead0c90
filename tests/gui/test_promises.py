"""Promises carry a due time, remind when due, and are marked kept by someone."""

from datetime import timedelta, timezone

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from callhelper.ui.history_window import NoteIdRole
from callhelper.ui.labels import due_label
from keyboard import type_text

ALT, CTRL = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier


def promise(qtbot, window, text, due_said):
    qtbot.keyClick(window.note_entry, Qt.Key.Key_P, ALT)
    assert window.entry.due_edit.isVisible()
    type_text(window.note_entry, text)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Tab)
    assert window.entry.due_edit.hasFocus()
    type_text(window.entry.due_edit, due_said)
    qtbot.keyClick(window.entry.due_edit, Qt.Key.Key_Return)


def local(moment):
    return moment.astimezone()


def test_a_promise_is_saved_with_the_due_time_as_said_and_shown(qtbot, window, clock, db):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_P, ALT)
    assert window.entry.due_edit.text() == "in 1 hour"
    soon = local(clock.now()).replace(second=0, microsecond=0) + timedelta(hours=1)
    assert window.entry.due_preview.text() == "→ " + due_label(soon, "en")
    tomorrow = (local(clock.now()) + timedelta(days=1)).replace(hour=10, minute=0, second=0)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Tab)
    type_text(window.entry.due_edit, "明日10時")
    assert window.entry.due_preview.text() == "→ " + due_label(tomorrow, "en")
    assert "(" in window.entry.due_preview.text(), "the weekday, to check the day"
    qtbot.keyClick(window.entry.due_edit, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    type_text(window.note_entry, "明日中に交換品の発送日を連絡")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == 1)
    assert not window.entry.due_edit.isVisible(), "the next note is the customer's words again"
    (stored,) = db("SELECT kind, text, due_at FROM note")
    assert stored[:2] == ("promise", "明日中に交換品の発送日を連絡")
    assert stored[2].startswith(tomorrow.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M"))
    shown = window.notes_model.index(0).data(Qt.ItemDataRole.DisplayRole)
    assert "Due " + due_label(tomorrow, "en") in shown


def test_a_due_time_already_past_is_refused_and_nothing_is_lost(qtbot, window, clock, db):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    clock.advance(2 * 60)
    past = local(clock.now()) - timedelta(minutes=1)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_P, ALT)
    type_text(window.note_entry, "折り返し連絡")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Tab)
    type_text(window.entry.due_edit, past.strftime("%H:%M"))
    assert "is past" in window.entry.due_preview.text()
    qtbot.keyClick(window.entry.due_edit, Qt.Key.Key_Return)
    assert "is already past" in window.saved_label.text()
    assert window.entry.due_edit.hasFocus()
    assert window.note_entry.text() == "折り返し連絡"
    assert window.notes_model.rowCount() == 0 and db("SELECT count(*) FROM note") == [(0,)]
    type_text(window.entry.due_edit, "30分後")
    qtbot.keyClick(window.entry.due_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: db("SELECT text FROM note") == [("折り返し連絡",)])


@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")  # the popup
def test_due_promises_are_each_named_in_a_list_the_keyboard_reaches(qtbot, window, clock,
                                                                   wait_until_idle):
    type_text(window.number_input, "03-1234-5678")
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    for words in ("見積もりを送付", "折り返し連絡", "交換品の発送"):
        promise(qtbot, window, words, "in 30 min")
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == 3)
    window.controller.check_promises()
    wait_until_idle(window)
    assert "due" not in window.saved_label.text()
    clock.advance(31 * 60)
    window.controller.check_promises()
    qtbot.waitUntil(lambda: "Promises due: 3 — Ctrl+R lists them" in window.saved_label.text())
    assert "⏰" not in window.saved_label.text()
    qtbot.keyClick(window.note_entry, Qt.Key.Key_R, CTRL)
    reminders = window.reminders.list
    qtbot.waitUntil(reminders.promises.hasFocus)
    listed = [reminders.promises.item(i).text() for i in range(reminders.promises.count())]
    assert len(listed) == 3
    for words in ("見積もりを送付", "折り返し連絡", "交換品の発送"):
        assert any(words in line for line in listed)
    qtbot.keyClick(reminders.promises, Qt.Key.Key_Down)
    qtbot.keyClick(reminders.promises, Qt.Key.Key_Return)
    history = window.windows.history_window
    qtbot.waitUntil(lambda: history is not None and history.isVisible())
    assert not reminders.isVisible()


def test_a_due_promise_is_reminded_once(qtbot, window, clock):
    type_text(window.number_input, "03-1234-5678")
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    promise(qtbot, window, "折り返し連絡", "in 30 min")
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == 1)
    clock.advance(31 * 60)
    window.controller.check_promises()
    qtbot.waitUntil(lambda: "Promises due: 1" in window.saved_label.text())
    window.status_line.show("")
    with qtbot.waitSignal(window.controller.due_listed):
        window.controller.check_promises()
    assert window.saved_label.text() == ""


def test_an_open_promise_is_marked_kept_from_the_history(qtbot, window, clock, db,
                                                         qtmodeltester):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    promise(qtbot, window, "見積もりを送付", "in 3 hours")
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == 1)
    browser = window.windows.open_history()
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
    assert window.entry.due_edit.hasFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: db("SELECT kind, text FROM note") == [("promise", "修理の見積もりを送付")])
    assert QApplication.focusWidget() is window.note_entry
