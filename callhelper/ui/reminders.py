"""The agent's promises that have fallen due, each named, in a small list the keyboard
reaches (Ctrl+R in the call window): ↑/↓ to move, Enter opens the promise's case, Esc
closes. A popup rather than a dialog: it takes nothing from the call but a glance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from callhelper.ui.labels import due_label

if TYPE_CHECKING:
    from callhelper.store.history import PromiseRow

CaseIdRole = Qt.ItemDataRole.UserRole + 1


class RemindersList(QFrame):
    """``case_chosen`` names the case of the promise Enter was pressed on."""

    case_chosen = Signal(int)
    closed = Signal()

    def __init__(self, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("dueReminders")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._language = language
        self.heading = QLabel()
        self.promises = QListWidget()
        self.promises.setObjectName("duePromises")
        self.promises.setWordWrap(True)
        self.promises.itemActivated.connect(
            lambda item: self.case_chosen.emit(item.data(CaseIdRole)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.heading)
        layout.addWidget(self.promises)

    def show_promises(self, due: list[PromiseRow]) -> None:
        self.heading.setText(self.tr("Promises due (%1) — Enter opens the case, Esc closes")
                             .replace("%1", str(len(due))) if due
                             else self.tr("No promise is due."))
        current = self.promises.currentRow()
        self.promises.clear()
        for promise in due:
            item = QListWidgetItem(reminder_line(promise, self._language))
            item.setData(CaseIdRole, promise.case_id)
            self.promises.addItem(item)
        if due:
            self.promises.setCurrentRow(min(max(current, 0), len(due) - 1))

    def popup_over(self, anchor: QWidget) -> None:
        """Open over the lower part of ``anchor`` (the call window), as wide as it."""
        width = anchor.width() - 16
        self.resize(width, min(anchor.height() // 2, 320))
        self.move(anchor.mapToGlobal(anchor.rect().bottomLeft()).x() + 8,
                  anchor.mapToGlobal(anchor.rect().bottomLeft()).y() - self.height() - 30)
        self.show()
        self.promises.setFocus()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.closed.emit()


def reminder_line(promise: PromiseRow, language: str) -> str:
    """One due promise: when, to whom, what, and whose."""
    when = due_label(promise.due_at, language) if promise.due_at else ""
    return f"{when}  {promise.customer or promise.phone}: {promise.text} ({promise.agent})"
