"""The call window's entry line: the kind of note (Alt+Q/N/F/R/P), the words, a promise's
due time with the time it is read as, and the correction of a note of the call in the same
line (↑ picks the note before, Esc stops, Ctrl+Delete deletes it, Ctrl+Z on an empty entry
restores the note deleted last).

What is saved, corrected or deleted is the call controller's (ui/call_controller.py); this
is what the agent types into.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from callhelper.core.case import NoteKind
from callhelper.core.clock import Clock
from callhelper.core.due import DueProblem, DueTimeError, parse_due
from callhelper.core.session import format_offset
from callhelper.ui.labels import due_label, note_kind_label
from callhelper.ui.line_edit import empty
from callhelper.ui.models import NoteRow, NotesModel
from callhelper.ui.notes_view import NotesView

ENTRY_UNLIMITED = 2**31 - 1  # QLineEdit's largest maxLength
KIND_SHORTCUTS = {
    NoteKind.QUOTE: "Alt+Q",
    NoteKind.AGENT_NOTE: "Alt+N",
    NoteKind.FACT: "Alt+F",
    NoteKind.REQUEST: "Alt+R",
    NoteKind.PROMISE: "Alt+P",
}


class NoteEntry(QWidget):
    """The entry row under the notes; ``message`` is for the status line, and
    ``undo_requested`` is Ctrl+Z on an empty entry (the window's undo)."""

    message = Signal(str, bool)
    undo_requested = Signal()

    def __init__(self, controller, notes_model: NotesModel, notes_view: NotesView,
                 clock: Clock, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._notes_model = notes_model
        self._notes_view = notes_view
        self._clock = clock
        self._language = language
        self.editing: NoteRow | None = None
        notes_view.doubleClicked.connect(lambda index: self.begin_edit(index.row()))

        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("noteKind")
        for kind, keys in KIND_SHORTCUTS.items():
            self.kind_combo.addItem(note_kind_label(kind), kind)
            self.kind_combo.setItemData(self.kind_combo.count() - 1, keys,
                                        Qt.ItemDataRole.ToolTipRole)
        self.kind_combo.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.kind_combo.currentIndexChanged.connect(self._update_placeholder)
        self.line = QLineEdit()
        self.line.setObjectName("noteEntry")
        # Qt cuts longer text off silently (32767 characters by default): the entry takes any
        # paste, and one too long to store is refused with a message (submit).
        self.line.setMaxLength(ENTRY_UNLIMITED)
        self.line.returnPressed.connect(self.submit)
        self.line.installEventFilter(self)
        self._build_due_entry()
        row = QHBoxLayout(self)
        row.addWidget(self.kind_combo)
        row.addWidget(self.line, 1)
        row.addWidget(self.due_edit)
        row.addWidget(self.due_preview)
        row.setContentsMargins(0, 0, 0, 0)
        self._update_placeholder()

    def _build_due_entry(self) -> None:
        """A promise's due time, typed as the agent says it (core/due.py), with the time it
        is read as shown beside it before anything is saved."""
        self.due_edit = QLineEdit()
        self.due_edit.setObjectName("promiseDue")
        self.due_edit.setPlaceholderText(self.tr("15:00, in 30 min, tomorrow 10…"))
        self.due_edit.setToolTip(self.tr(
            "When the promise falls due, as you would say it: 30分後, 15時, 15:30, 明日10時, "
            "今日中 (by 18:00), 明日午前 (by noon), 12/5 14時, in 30 min, tomorrow 10"))
        self.due_edit.setMaximumWidth(9 * self.fontMetrics().averageCharWidth() + 40)
        self.due_edit.textChanged.connect(self._preview_due)
        self.due_edit.returnPressed.connect(self.submit)
        self.due_preview = QLabel()
        self.due_preview.setObjectName("promiseDuePreview")
        self.due_edit.hide()
        self.due_preview.hide()

    def reset(self) -> None:
        """A call begins: an empty entry for a quote."""
        empty(self.line)
        self.kind_combo.setCurrentIndex(0)

    def _due_time(self) -> datetime:
        """The due time typed, read against the clock; raises DueTimeError."""
        return parse_due(self.due_edit.text(), self._clock.now().astimezone())

    def _preview_due(self) -> None:
        try:
            due = self._due_time()
        except DueTimeError as error:
            self.due_preview.setText(self._due_problem(error, short=True))
            self.due_preview.setStyleSheet("color: #c62828;")
            return
        self.due_preview.setText("→ " + due_label(due, self._language))
        self.due_preview.setStyleSheet("color: #ad6800;")

    def _due_problem(self, error: DueTimeError, short: bool = False) -> str:
        """Why a due time is refused: ``short`` for beside the field, else for the status
        line, saying what to do."""
        if error.problem is DueProblem.PAST:
            when = due_label(error.when, self._language)
            return self.tr("%1 is past").replace("%1", when) if short else self.tr(
                "Not saved: %1 is already past. Give a later time, e.g. 明日10時 or "
                "tomorrow 10.").replace("%1", when)
        if short:
            return self.tr("when?")
        return {
            DueProblem.EMPTY: self.tr("Not saved: say when the promise falls due, e.g. 15時, "
                                      "30分後, 明日午前."),
            DueProblem.NO_SUCH_TIME: self.tr("Not saved: the due time names a day or hour "
                                             "that does not exist."),
        }.get(error.problem, self.tr("Not saved: the due time is not understood. Try 15時, "
                                     "15:30, 30分後, 明日10時, 今日中, 12/5 14時."))

    def _update_placeholder(self) -> None:
        kind = NoteKind(self.kind_combo.currentData())
        promise = kind is NoteKind.PROMISE
        if promise and self.due_edit.isHidden():
            self.due_edit.setText(self.tr("in 1 hour"))
        self.due_edit.setVisible(promise)
        self.due_preview.setVisible(promise)
        if kind is NoteKind.QUOTE:
            text = self.tr("The customer's exact words… Enter saves")
        else:
            text = self.tr("%1… Enter saves").replace("%1", note_kind_label(kind))
        self.line.setPlaceholderText(text)

    # ------------------------------------------------------------ correcting notes

    def eventFilter(self, watched, event) -> bool:
        """In the entry: ↑ (on an empty entry, or while correcting) picks the note before to
        correct, Esc stops correcting, Ctrl+Delete deletes the note corrected, Ctrl+Z on an
        empty entry restores the note deleted last."""
        if watched is self.line and event.type() == QEvent.Type.KeyPress:
            key, modifiers = event.key(), event.modifiers()
            if key == Qt.Key.Key_Up and (self.editing or not self.line.text()):
                self.edit_previous()
                return True
            if key == Qt.Key.Key_Escape and self.editing:
                self.cancel_edit()
                return True
            if (key == Qt.Key.Key_Delete and modifiers & Qt.KeyboardModifier.ControlModifier
                    and self.editing):
                self.delete_edited()
                return True
            if (key == Qt.Key.Key_Z and modifiers == Qt.KeyboardModifier.ControlModifier
                    and not self.line.text()):
                self.undo_requested.emit()  # the entry's own undo claims the key first
                return True
        return super().eventFilter(watched, event)

    def edit_previous(self) -> None:
        rows = self._notes_model.rows()
        if not rows or self._controller.session is None:
            return
        current = next((i for i, row in enumerate(rows)
                        if self.editing and row.uid == self.editing.uid), len(rows))
        self.begin_edit(max(0, current - 1))

    def begin_edit(self, position: int) -> None:
        """Put a note of this call into the entry to correct it; Enter saves the correction
        (the words as first recorded stay in the audit trail)."""
        rows = self._notes_model.rows()
        if self._controller.session is None or not 0 <= position < len(rows):
            return
        self.editing = rows[position]
        self._notes_view.setCurrentIndex(self._notes_model.index(position))
        self.line.setText(self.editing.text)
        self.line.setFocus()
        self.line.selectAll()
        self.message.emit(self.tr("Correcting the note at %1 — Enter saves, Esc cancels, "
                                  "Ctrl+Delete deletes it").replace(
            "%1", format_offset(self.editing.offset_seconds)), False)

    def cancel_edit(self) -> None:
        self.editing = None
        empty(self.line)
        self._notes_view.clearSelection()
        self.message.emit(self.tr("Correction cancelled"), False)

    def delete_edited(self) -> None:
        """Ctrl+Delete while correcting: deleted at once, no question asked during the call;
        Ctrl+Z (on an empty entry) brings it back."""
        row = self.editing
        if row is None or self._controller.session is None:
            return
        self.editing = None
        empty(self.line)
        self._controller.delete_note(row)

    def submit(self) -> None:
        """Enter: save the entry as a note of the selected kind, stamped with the call offset
        (or, while a note is being corrected, save the correction)."""
        controller = self._controller
        text = self.line.text()
        if not controller.note_fits(text):
            return
        if self.editing is not None and controller.session is not None:
            row, self.editing = self.editing, None
            empty(self.line)
            self._notes_view.clearSelection()
            controller.correct_note(row, text)
            return
        if not controller.can_take_notes() or not text.strip():
            return
        kind = NoteKind(self.kind_combo.currentData())
        due = None
        if kind is NoteKind.PROMISE:
            try:
                due = self._due_time()
            except DueTimeError as error:
                self.message.emit(self._due_problem(error), True)
                self.due_edit.setFocus()
                self.due_edit.selectAll()
                return
        empty(self.line)
        self.line.setFocus()
        self.kind_combo.setCurrentIndex(0)
        controller.add_note(text, kind, due)

    def give_back(self, text: str) -> None:
        """A note refused for good, back in the entry before what is typed there now."""
        current = self.line.text()
        self.line.setText(f"{text} {current}" if current else text)
