"""The live floor in the tests: an agent's window and a supervisor's board driven by keys,
on today's time."""

from datetime import datetime, timezone

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from keyboard import type_text

from callhelper.core.clock import ManualClock
from callhelper.ui.board_window import BoardWindow

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
TIMEOUT = 20_000


@pytest.fixture
def clock():
    """The agents' windows on today's time: the board reads the server's calls against the
    wall clock, and a call published as of long ago is not live."""
    return ManualClock(datetime.now(timezone.utc))


def press_hand_key(window):
    """Ctrl+Shift+H through the focused window, as the platform delivers keys."""
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_H, CTRL_SHIFT)


def start_call(qtbot, window, number="03-1234-5678", name="山田 太郎"):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    type_text(window.number_input, number)
    type_text(window.ringing_page.name_input, name)
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: window.session is not None)


def take_note(qtbot, window, text):
    before = window.notes_model.rowCount()
    type_text(window.note_entry, text)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == before + 1, timeout=TIMEOUT)


def open_board(qtbot, url, supervisor):
    board = BoardWindow(url, supervisor)
    qtbot.addWidget(board)
    board.show()
    qtbot.waitUntil(lambda: board.feed.connected, timeout=TIMEOUT)
    return board


def board_text(board, column):
    return [board.model.text(call, column) for call in board.model.calls]
