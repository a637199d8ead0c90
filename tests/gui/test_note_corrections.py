"""Correcting and deleting a note during the call: the list and the file change, and the
first words stay in the audit trail."""

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

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


def test_ctrl_delete_removes_the_note_at_once_and_ctrl_z_brings_it_back(qtbot, window, clock,
                                                                        db):
    start_with_notes(qtbot, window, clock, "間違えて書いたメモ", "土下座しろ", "残すメモ")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Up)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Up)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Delete, CTRL)
    qtbot.waitUntil(lambda: shown_texts(window) == ["間違えて書いたメモ", "残すメモ"])
    assert QApplication.activeModalWidget() is None, "no question asked during the call"
    assert "Deleted — Ctrl+Z to undo" in window.saved_label.text()
    assert window.controller.escalation_reasons() == []
    assert db("SELECT text FROM note ORDER BY offset_ms") == [("間違えて書いたメモ",), ("残すメモ",)]
    assert window.note_entry.hasFocus() and window.note_entry.text() == ""

    qtbot.keyClick(window.note_entry, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: shown_texts(window) == ["間違えて書いたメモ", "土下座しろ", "残すメモ"])
    assert "Note restored (00:20)" in window.saved_label.text()
    assert window.controller.escalation_reasons() == ["flagged"]
    assert db("SELECT text, offset_ms, flags FROM note ORDER BY offset_ms")[1] == \
        ("土下座しろ", 20_000, '["kneeling_apology"]')
    trail = db("SELECT action, before, after FROM audit_entry WHERE entity = 'note' "
               "AND uid = (SELECT uid FROM note WHERE text = '土下座しろ') ORDER BY id")
    assert [action for action, _before, _after in trail] == ["create", "delete", "create"]
    assert json.loads(trail[1][1])["text"] == json.loads(trail[2][2])["text"] == "土下座しろ"


def test_ctrl_z_in_an_entry_holding_text_undoes_the_typing_not_a_deletion(qtbot, window, clock,
                                                                         db):
    start_with_notes(qtbot, window, clock, "消すメモ")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Up)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Delete, CTRL)
    qtbot.waitUntil(lambda: shown_texts(window) == [])
    type_text(window.note_entry, "abc")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Z, CTRL)
    assert window.note_entry.text() == ""
    assert shown_texts(window) == [], "the deletion stays while the entry had text"
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: shown_texts(window) == ["消すメモ"])


def test_double_clicking_a_note_corrects_it(qtbot, window, clock):
    start_with_notes(qtbot, window, clock, "最初のメモ", "次のメモ")
    view = window.notes_view
    rect = view.visualRect(window.notes_model.index(0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.note_entry.text() == "最初のメモ"
    assert QApplication.focusWidget() is window.note_entry
