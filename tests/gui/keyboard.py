"""Typing as a Japanese agent does: the input method commits the composed text at once
(Qt's key simulation handles only ASCII keys)."""

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication


def type_text(widget, text):
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)
