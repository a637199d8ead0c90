"""Keeping the call window narrow: it sits beside the phone software, 400 pixels wide.

Most styles give a push button a minimum width of about 80 pixels whatever its text, so a
row of short buttons (開始 F7, 履歴, ⚙) made the window wider than the screen's side.
"""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton

#: Room for the button's frame and a little air each side of its text.
PADDING = 16


def narrow(button: QPushButton, *texts: str) -> None:
    """Let ``button`` shrink to its text (its longest of ``texts``, the ones it can show)
    when the window is narrow; it keeps its usual width while there is room."""
    metrics = button.fontMetrics()
    widest = max(metrics.horizontalAdvance(text) for text in (button.text(), *texts))
    button.setMinimumWidth(widest + PADDING)
