"""The notes a real window saves keep the audit trail's anchor at the trail's end, so that a
later cut at the end is found (store/anchor.py)."""

from PySide6.QtCore import Qt

from keyboard import type_text
from truncation import anchor_of, anchored, trail_end

WORDS = ["箱が潰れて届いた", "誠意を見せろ", "上司を出せ"]


def test_each_note_the_window_saves_moves_the_anchor_to_the_end_of_the_trail(
        qtbot, window, paths):
    database = paths.database_file
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    for number, text in enumerate(WORDS, start=1):
        type_text(window.note_entry, text)
        qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: window.notes_model.rowCount() == number)
        assert anchor_of(database).exists()
        assert anchored(database) == trail_end(database)
    assert trail_end(database)[2] == 2 + len(WORDS)  # the case and the call, then each note
