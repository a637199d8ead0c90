"""Every shortcut a window binds works while a text field has the focus, on every platform.

Before a key reaches a shortcut, Qt asks the focused widget whether it wants the key itself (a
ShortcutOverride event), and text fields claim their platform's editing keys. Those differ per
platform, and the offscreen platform the tests run on has still other ones, so a text field
here is given the editing keys of each platform by a stand-in that claims them as Qt's text
fields do there. The real X11 text field is driven in tests/desktop/."""

import json

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (QAbstractSpinBox, QApplication, QLineEdit, QPlainTextEdit,
                               QTextEdit)
from keyboard import type_text

#: The keys with which QLineEdit and QPlainTextEdit edit text, per platform (Qt's table of
#: standard shortcuts, QKeySequence::StandardKey; in Qt's notation, where on macOS Ctrl is ⌘
#: and Meta is ⌃). X11 covers KDE Plasma and GNOME, which add their own to it.
EDITING_KEYS = {
    "X11": [
        "Ctrl+C", "Ctrl+Ins", "F16", "Ctrl+X", "Shift+Del", "F20", "Ctrl+V", "Shift+Ins",
        "Ctrl+Shift+Ins", "F18", "Ctrl+Z", "F14", "Ctrl+Shift+Z", "Ctrl+A", "Ctrl+Shift+A",
        "Del", "Ctrl+D", "Ctrl+K", "Ctrl+U", "Ctrl+Backspace", "Ctrl+Del",
        "Home", "End", "Ctrl+E", "Ctrl+Left", "Ctrl+Right", "Ctrl+Home", "Ctrl+End",
        "Shift+Home", "Shift+End", "Ctrl+Shift+Left", "Ctrl+Shift+Right",
        "Ctrl+Shift+Home", "Ctrl+Shift+End", "Shift+Return", "Shift+Enter",
    ],
    "Windows": [
        "Ctrl+C", "Ctrl+Ins", "Ctrl+X", "Shift+Del", "Ctrl+V", "Shift+Ins", "Ctrl+Z",
        "Alt+Backspace", "Ctrl+Y", "Ctrl+Shift+Z", "Alt+Shift+Backspace", "Ctrl+A", "Del",
        "Ctrl+Backspace", "Ctrl+Del", "Home", "End", "Ctrl+Left", "Ctrl+Right", "Ctrl+Home",
        "Ctrl+End", "Shift+Home", "Shift+End", "Ctrl+Shift+Left", "Ctrl+Shift+Right",
        "Ctrl+Shift+Home", "Ctrl+Shift+End", "Shift+Return", "Shift+Enter",
    ],
    "macOS": [
        "Ctrl+C", "Ctrl+X", "Meta+K", "Ctrl+V", "Meta+Y", "Ctrl+Z", "Ctrl+Shift+Z", "Ctrl+A",
        "Del", "Meta+D", "Meta+H", "Meta+F", "Meta+B", "Meta+N", "Meta+P", "Meta+A", "Meta+E",
        "Meta+O", "Meta+V", "Meta+Left", "Meta+Right", "Ctrl+Left", "Ctrl+Right", "Ctrl+Up",
        "Ctrl+Down", "Alt+Left", "Alt+Right", "Alt+Up", "Alt+Down", "Home", "End",
        "Alt+Backspace", "Alt+Del", "Meta+Shift+Left", "Meta+Shift+Right", "Ctrl+Shift+Left",
        "Ctrl+Shift+Right", "Alt+Shift+Left", "Alt+Shift+Right", "Shift+Home", "Shift+End",
        "Meta+Return", "Shift+Return", "Shift+Enter",
    ],
}
TEXT_FIELDS = (QLineEdit, QPlainTextEdit, QTextEdit, QAbstractSpinBox)
CTRL = Qt.KeyboardModifier.ControlModifier


class PlatformTextField(QObject):
    """Claims the editing keys of one platform for the text field it watches, as Qt's text
    fields do there (they accept the ShortcutOverride event of those keys)."""

    def __init__(self, platform: str, parent: QObject):
        super().__init__(parent)
        self.keys = [QKeySequence(keys) for keys in EDITING_KEYS[platform]]

    def eventFilter(self, watched, event) -> bool:
        if (event.type() == QEvent.Type.ShortcutOverride
                and QKeySequence(event.keyCombination()) in self.keys):
            event.accept()
            return True
        return False


def claimed_by_the_field(window, field, keys: QKeySequence) -> bool:
    """Whether ``field``, focused, keeps ``keys`` from the window's shortcuts: Qt sends the
    ShortcutOverride to the focused window, which hands it to its focus widget."""
    field.setFocus()
    assert window.focusWidget() is field
    combination = keys[0]
    event = QKeyEvent(QEvent.Type.ShortcutOverride, combination.key(),
                      combination.keyboardModifiers())
    event.ignore()
    QApplication.sendEvent(window.windowHandle(), event)
    return event.isAccepted()


def bound_keys(window) -> list[QKeySequence]:
    return [keys for shortcut in window.findChildren(QShortcut) for keys in shortcut.keys()]


def visible_text_fields(window):
    """The text fields that take the focus (a spin box's, not the line inside it)."""
    return [widget for kind in TEXT_FIELDS for widget in window.findChildren(kind)
            if widget.isVisible() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and not isinstance(widget.parent(), QAbstractSpinBox)]


def assert_shortcuts_win(window, platform):
    """Every shortcut of ``window`` that is an editing key on ``platform`` still reaches the
    window from each of its text fields; the other editing keys stay the field's."""
    fields = visible_text_fields(window)
    assert fields
    editing = [QKeySequence(keys) for keys in EDITING_KEYS[platform]]
    bound = bound_keys(window)
    for field in fields:
        field.installEventFilter(PlatformTextField(platform, field))
        for keys in bound:
            assert not claimed_by_the_field(window, field, keys) or keys not in editing, (
                f"{keys.toString()} is kept from the window by {field.objectName() or field} "
                f"on {platform}")
        for keys in editing:
            if keys not in bound:
                assert claimed_by_the_field(window, field, keys), keys.toString()


def test_the_table_finds_the_conflicts_known_on_x11(window):
    conflicts = [keys.toString() for keys in bound_keys(window)
                 if keys in [QKeySequence(k) for k in EDITING_KEYS["X11"]]]
    assert "Ctrl+E" in conflicts


@pytest.mark.parametrize("platform", EDITING_KEYS)
def test_the_call_windows_shortcuts_win_over_the_entry_line(qtbot, window, platform):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: window.session is not None)
    assert_shortcuts_win(window, platform)


@pytest.mark.parametrize("platform", EDITING_KEYS)
def test_the_call_windows_shortcuts_win_between_calls(window, platform):
    assert_shortcuts_win(window, platform)


@pytest.mark.parametrize("platform", EDITING_KEYS)
def test_the_history_windows_shortcuts_win_over_its_search(qtbot, window, platform):
    history = window.windows.open_history()
    qtbot.waitExposed(history)
    assert_shortcuts_win(history, platform)


@pytest.mark.parametrize("platform", EDITING_KEYS)
def test_the_review_windows_shortcuts_win_over_its_fields(qtbot, window, platform):
    window.windows.open_review()
    review = window.windows.review_window
    qtbot.waitExposed(review)
    assert_shortcuts_win(review, platform)


def test_ctrl_e_hands_over_from_an_entry_line_that_moves_to_the_end_on_it(qtbot, window, db):
    """As on Linux/X11, where Ctrl+E in a line edit is "end of line"."""
    window.note_entry.installEventFilter(PlatformTextField("X11", window.note_entry))
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: window.session is not None)
    type_text(window.note_entry, "返金しろ")
    # through the focused window, as the platform delivers keys (qtbot.keyClick on a widget
    # asks that widget directly)
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_E, CTRL)
    assert QApplication.focusWidget() is window.handoff.senior_input
    assert window.note_entry.text() == "返金しろ"
    qtbot.waitUntil(lambda: db("SELECT count(*) FROM escalation") == [(1,)])
    (summary,), = db("SELECT summary FROM escalation")
    assert summary == QApplication.clipboard().text()
    assert json.loads(db("SELECT reasons FROM escalation")[0][0]) == []


@pytest.mark.parametrize("platform", EDITING_KEYS)
def test_the_boards_shortcuts_win_over_its_answer_line(qtbot, platform):
    from callhelper.ui.board_window import BoardWindow
    from processes import free_port

    board = BoardWindow(f"postgresql+psycopg://boss:secret@127.0.0.1:{free_port()}/team",
                        "boss")
    qtbot.addWidget(board)
    board.show()
    qtbot.waitExposed(board)
    assert_shortcuts_win(board, platform)
    board.close()
