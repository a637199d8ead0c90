"""The agent's promises that have fallen due, each named, in a small list the keyboard
reaches (Ctrl+R in the call window): ↑/↓ to move, Enter opens the promise's case, Esc
closes. A popup rather than a dialog: it takes nothing from the call but a glance.

``PromiseReminders`` is the call window's side of the call controller's reminders: a
desktop notification when promises fall due (the status line where the desktop has no
tray), and the list on Ctrl+R or a click on the notification."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (QFrame, QLabel, QListWidget, QListWidgetItem, QSystemTrayIcon,
                               QVBoxLayout, QWidget)

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


class PromiseReminders(QObject):
    """Over the call ``window``: ``open_case`` opens a promise's case (the history),
    ``message`` is for the status line, ``closed`` fires when the list is closed."""

    open_case = Signal(int)
    message = Signal(str, bool)
    closed = Signal()

    def __init__(self, controller, language: str, window: QWidget) -> None:
        super().__init__(window)
        self._controller = controller
        self._language = language
        self._window = window
        self.list = RemindersList(language, window)
        self.list.case_chosen.connect(self._open_case)
        self.list.closed.connect(self.closed)
        self.tray = QSystemTrayIcon(window.windowIcon(), self) \
            if QSystemTrayIcon.isSystemTrayAvailable() else None
        if self.tray is not None:
            self.tray.setToolTip("CallHelper")
            self.tray.messageClicked.connect(self._from_tray)
            self.tray.show()
        controller.promises_due.connect(self._remind)
        controller.due_listed.connect(self._show_due_list)

    def show_list(self) -> None:
        """Every promise of the agent's that is due, each named; refreshed at once."""
        self.list.show_promises(self._controller.due_promises)
        self.list.popup_over(self._window)
        self._controller.check_promises()

    def _show_due_list(self, due: list) -> None:
        if self.list.isVisible():
            self.list.show_promises(due)

    def _from_tray(self) -> None:
        """A click on the tray's notification: the window comes forward with the list of
        the promises due (as Ctrl+R shows it)."""
        window = self._window
        if window.isMinimized():
            window.showNormal()
        window.raise_()
        window.activateWindow()
        self.show_list()

    def _open_case(self, case_id: int) -> None:
        self.list.hide()
        self.open_case.emit(case_id)

    def _remind(self, due: list) -> None:
        """Promises fallen due: a desktop notification where the desktop has a tray, the
        status line otherwise."""
        title = self.tr("Promise due (%1)").replace("%1", str(len(due)))
        if self.tray is not None:
            self.tray.showMessage(title, "\n".join(reminder_line(promise, self._language)
                                                   for promise in due),
                                  QSystemTrayIcon.MessageIcon.Warning)
        count = len(self._controller.due_promises) or len(due)
        self.message.emit(self.tr("Promises due: %1 — Ctrl+R lists them").replace(
            "%1", str(count)), True)
