"""Correcting and deleting a note during the call: the list and the file change, and the
first words stay in the audit trail."""

import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from keyboard import type_text

CTRL = Qt.KeyboardModifier.ControlModifier


def start_with_notes(qtbot, window, clock, *notes):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    for text in notes:
        clock.advance(10)
        before = window.notes_model.rowCount()
        type_text(window.note_entry, text)
        qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: window.notes_model.rowCount() == before + 1)


def shown_texts(window):
    return [row.text for row in window.notes_model.rows()]


def test_up_on_an_empty_entry_corrects_the_last_note(qtbot, window, clock, db):
    start_with_notes(qtbot, window, clock, "箱が潰れていた", "交換しろと言っている")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Up)
    assert window.note_entry.text() == "交換しろと言っている"
    assert "Correcting the note at 00:20" in window.saved_label.text()
    window.note_entry.clear()
    type_text(window.note_entry, "交換してほしいと言っている")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "corrected" in window.saved_label.text())
    assert shown_texts(window) == ["箱が潰れていた", "交換してほしいと言っている"]
    assert db("SELECT text FROM note ORDER BY id") == [("箱が潰れていた",),
                                                      ("交換してほしいと言っている",)]
    before = db("SELECT before FROM audit_entry WHERE action = 'edit' AND entity = 'note'")
    assert json.loads(before[0][0])["text"] == "交換しろと言っている"
    assert window.note_entry.text() == ""


def test_up_twice_reaches_the_note_before_and_esc_cancels(qtbot, window, clock, db):
    start_with_notes(qtbot, window, clock, "一つ目", "二つ目")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Up)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Up)
    assert window.note_entry.text() == "一つ目"
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Escape)
    assert window.note_entry.text() == ""
    type_text(window.note_entry, "三つ目")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == 3)
    assert db("SELECT count(*) FROM audit_entry WHERE action = 'edit' AND entity = 'note'") \
        == [(0,)]


def test_a_correction_is_checked_again_for_demands(qtbot, window, clock, db):
    start_with_notes(qtbot, window, clock, "交換してほしい")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Up)
    window.note_entry.clear()
    type_text(window.note_entry, "土下座しろ")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.notes_model.rows()[0].flags == ("kneeling_apology",))
    assert db("SELECT flag_count FROM support_case") == [(1,)]


def test_ctrl_delete_removes_the_note_after_asking(qtbot, window, clock, db):
    start_with_notes(qtbot, window, clock, "間違えて書いたメモ", "残すメモ")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Up)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Up)

    def confirm():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox) and "00:10" in box.text()
        box.button(QMessageBox.StandardButton.Yes).click()

    QTimer.singleShot(100, confirm)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Delete, CTRL)
    qtbot.waitUntil(lambda: shown_texts(window) == ["残すメモ"])
    assert db("SELECT text FROM note") == [("残すメモ",)]
    deleted = db("SELECT before FROM audit_entry WHERE action = 'delete'")
    assert json.loads(deleted[0][0])["text"] == "間違えて書いたメモ"


def test_double_clicking_a_note_corrects_it(qtbot, window, clock):
    start_with_notes(qtbot, window, clock, "最初のメモ", "次のメモ")
    view = window.notes_view
    rect = view.visualRect(window.notes_model.index(0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.note_entry.text() == "最初のメモ"
    assert QApplication.focusWidget() is window.note_entry
