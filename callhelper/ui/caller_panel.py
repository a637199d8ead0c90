"""The caller's history in the call window: open promises, prior contacts, profile.

It is filled from a ``CallerHistory`` the store worker looked up, so it never makes the
window wait; the profile is edited in place, without a dialog.

While a call rings, the panel is laid out for what matters: the open promises first, then
as many prior contacts as the window holds (whole rows only), then the profile; the
promises and the profile take the height of their words and no more. During the call the
contacts keep to a few rows, so the checklist and the notes have the room.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QEvent, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QFormLayout, QLabel, QLineEdit, QListView,
                               QSizePolicy, QVBoxLayout, QWidget)

from callhelper.core.case import CaseStatus
from callhelper.ui.labels import quoted, status_label
from callhelper.ui.whole_rows import WholeRowsList

if TYPE_CHECKING:  # filled from the store's answers, once it is open
    from callhelper.store.history import CallerHistory, PastContact

ModelIndex = QModelIndex | QPersistentModelIndex
OPEN_COLOR = QColor("#8a4b00")
VISIBLE_CONTACTS = 3


class PastContactsModel(QAbstractListModel):
    """Prior contacts of the caller: open cases first, then newest first."""

    CaseIdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[PastContact] = []

    def set_rows(self, rows: list[PastContact]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            status = status_label(CaseStatus(row.status)) if row.status in \
                set(CaseStatus) else row.status
            subject = row.subject or self.tr("(no subject)")
            return (f"{row.started_at.astimezone():%m/%d}  {row.agent}  {quoted(subject)} — "
                    f"{status}")
        if role == Qt.ItemDataRole.ForegroundRole and row.open:
            return QBrush(OPEN_COLOR)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.started_at.astimezone():%Y-%m-%d %H:%M} #{row.case_id}"
        if role == self.CaseIdRole:
            return row.case_id
        return None


class CallerPanel(QWidget):
    """Emits ``profile_saved`` with a CustomerProfile when the agent saves the inline form."""

    profile_saved = Signal(object)
    edit_closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.promises = QLabel()
        self.promises.setObjectName("openPromises")
        self.promises.setWordWrap(True)
        self.promises.setTextFormat(Qt.TextFormat.RichText)
        self.promises.setStyleSheet("background: #fff4d6; border: 1px solid #e0b252; "
                                    "color: #5a3500; padding: 3px;")
        self.profile = QLabel()
        self.profile.setObjectName("profile")
        self.profile.setWordWrap(True)
        self.profile.setStyleSheet("color: #444;")
        self.contacts_model = PastContactsModel(self)
        self.contacts = QListView()
        self.contacts.setObjectName("pastContacts")
        self.contacts.setModel(self.contacts_model)
        self.contacts.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.contacts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.contacts.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.contacts_box = WholeRowsList(self.contacts)
        for label in (self.promises, self.profile):  # the height of their words, no more
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        self.form = QWidget()
        self.name = QLineEdit()
        self.company = QLineEdit()
        self.channel = QLineEdit()
        self.channel.setPlaceholderText(self.tr("e.g. phone only, never reads e-mail"))
        self.unavailable = QLineEdit()
        self.unavailable.setPlaceholderText(self.tr("e.g. not on Wednesday afternoons"))
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("What every agent should know"))
        self.other_numbers = QLineEdit()
        self.other_numbers.setPlaceholderText(self.tr("e.g. 090-1234-5678, 03-9876-5432"))
        form = QFormLayout(self.form)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Company"), self.company)
        form.addRow(self.tr("Contact by"), self.channel)
        form.addRow(self.tr("Unavailable"), self.unavailable)
        form.addRow(self.tr("Note"), self.note)
        form.addRow(self.tr("Other numbers"), self.other_numbers)
        hint = QLabel(self.tr("Enter saves · Esc closes"))
        hint.setStyleSheet("color: #6b6b6b;")
        form.addRow(hint)
        for field in self._fields():
            field.returnPressed.connect(self._save)
        self.form.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.promises)
        layout.addWidget(self.contacts_box)
        layout.addWidget(self.profile)
        layout.addWidget(self.form)
        layout.addStretch(1)
        self.set_ringing(False)
        self.show_history(None)

    def set_ringing(self, ringing: bool) -> None:
        """While a call rings (no call on screen) the contacts take the room there is; during
        a call they keep to a few rows."""
        if ringing:
            self.contacts_box.set_rows(None, 1)
        else:
            self.contacts_box.set_rows(VISIBLE_CONTACTS, VISIBLE_CONTACTS)
        self._fit()

    def _fit(self) -> None:
        """No taller than what the panel shows: the room left goes below the window's
        other parts, not between the promises, the contacts and the profile."""
        layout = self.layout()
        width = self.width()
        height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() and width \
            else layout.totalSizeHint().height()
        self.setMaximumHeight(max(height, layout.totalMinimumSize().height()))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # the words or the rows changed
            self._fit()
        return super().event(event)

    def _fields(self) -> tuple[QLineEdit, ...]:
        return (self.name, self.company, self.channel, self.unavailable, self.note,
                self.other_numbers)

    def show_history(self, history: CallerHistory | None) -> None:
        """Show a lookup's result; None clears the panel."""
        customer = history.customer if history else None
        promises = history.promises if history else []
        now = datetime.now(timezone.utc)
        lines = []
        for promise in promises:
            due = promise.due_at
            overdue = due is not None and due < now
            when = self.tr("due %1").replace("%1", f"{due.astimezone():%m/%d %H:%M}") \
                if due else self.tr("no due time")
            label = self.tr("⚠ Promise overdue") if overdue else self.tr("Open promise")
            lines.append(f"<b>{escape(label)}</b> ({escape(when)}) {escape(promise.text)} "
                         f"({escape(promise.agent)})")
        self.promises.setText("<br>".join(lines))
        self.promises.setVisible(bool(lines))
        details = [value for value in (
            customer and customer.preferred_channel and
            self.tr("Contact by: %1").replace("%1", customer.preferred_channel),
            customer and customer.unavailable,
            customer and customer.note,
            history and history.other_numbers and
            self.tr("Also calls from %1").replace("%1", ", ".join(history.other_numbers)))
            if value]
        self.profile.setText(" · ".join(details))
        self.profile.setVisible(bool(details))
        contacts = history.contacts if history else []
        self.contacts_model.set_rows(contacts)
        self.contacts_box.setVisible(bool(contacts))
        self._fit()
        values = (customer.name, customer.company, customer.preferred_channel,
                  customer.unavailable, customer.note,
                  ", ".join(history.other_numbers)) if customer else ("",) * 6
        if not self.form.isVisible():
            for field, value in zip(self._fields(), values):
                field.setText(value)

    def open_editor(self, name_hint: str = "") -> None:
        if not self.name.text() and name_hint:
            self.name.setText(name_hint)
        self.form.show()
        self._fit()
        self.name.setFocus()

    def close_editor(self) -> None:
        self.form.hide()
        self._fit()
        self.edit_closed.emit()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self.form.isVisible():
            self.close_editor()
            return
        super().keyPressEvent(event)

    def _save(self) -> None:
        from callhelper.store.repository import CustomerProfile

        profile = CustomerProfile(*(field.text() for field in self._fields()))
        self.form.hide()
        self._fit()
        self.profile_saved.emit(profile)
