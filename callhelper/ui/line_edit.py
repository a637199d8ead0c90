"""Emptying a line edit that is filled and emptied all day."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit


def empty(line: QLineEdit) -> None:
    """Empty ``line`` and forget its undo history.

    ``QLineEdit.clear()`` records the removal as a step that can be undone, so a line emptied
    after every note keeps every note ever typed in it, in memory, for as long as the window
    runs (about 1 KB a note, tens of megabytes over a week). ``setText`` starts a new history."""
    line.setText("")
