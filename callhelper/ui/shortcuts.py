"""A window's own shortcuts come before the editing keys of the field that has the focus."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget


class ShortcutsBeforeEditingKeys(QObject):
    """Keeps the shortcuts of ``window`` working while one of its text fields has the focus.

    Before a key reaches a shortcut, Qt asks the focused widget whether it wants the key
    itself (a ShortcutOverride event), and text fields claim their platform's editing keys:
    on Linux/X11 Ctrl+E moves to the end of the line and Ctrl+D deletes a character, so the
    handoff and marking a promise kept would never fire while typing. The question reaches
    the window's native window first; here it is answered "no" for the window's own keys."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        window.installEventFilter(self)
        if window.windowHandle() is not None:  # bound after the window was first shown
            window.windowHandle().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        # the window is this object's parent, not an attribute: a window being destroyed
        # still sends events here after its Python side is gone
        window = self.parent()
        if watched is window:
            if event.type() == QEvent.Type.Show:  # the native window exists from now on
                window.windowHandle().installEventFilter(self)
            return False
        if event.type() == QEvent.Type.ShortcutOverride and binds(window, event):
            event.ignore()
            return True
        return False


def binds(window: QWidget, event: QKeyEvent) -> bool:
    """Whether one of the enabled shortcuts of ``window`` is the key pressed."""
    pressed = QKeySequence(event.keyCombination())
    return any(shortcut.isEnabled() and pressed in shortcut.keys()
               for shortcut in window.findChildren(
                   QShortcut, options=Qt.FindChildOption.FindDirectChildrenOnly))
