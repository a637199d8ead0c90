"""A date field for filters whose lowest value means "any date"."""

from __future__ import annotations

from datetime import datetime, time, timezone

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDateEdit, QWidget


class OptionalDateEdit(QDateEdit):
    """Shows "any" until a day is chosen; ``moment()`` is that day's local start in UTC.

    Tab and Shift+Tab leave the field: a date field keeps them for its year, month and day
    parts, and swallows them while it shows "any", which trapped the keyboard in the
    filters (the arrow keys and typing still move between the parts)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setSpecialValueText(self.tr("any"))
        self.setMinimumDate(QDate(2000, 1, 1))
        self.setDate(self.minimumDate())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        leaving = event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and not (
            event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                 | Qt.KeyboardModifier.AltModifier))
        if leaving:
            QWidget.focusNextPrevChild(self, event.key() == Qt.Key.Key_Tab)
        else:
            super().keyPressEvent(event)

    def moment(self, days: int = 0) -> datetime | None:
        """The start of the chosen day plus ``days`` (1: the end of an "up to" day), or None
        for any date."""
        if self.date() == self.minimumDate():
            return None
        day = self.date().addDays(days).toPython()
        return datetime.combine(day, time()).astimezone(timezone.utc)
