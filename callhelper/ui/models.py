"""Qt models over the call session and the stored notes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (QAbstractListModel, QAbstractTableModel, QCoreApplication,
                            QModelIndex, QPersistentModelIndex, Qt, Signal)
from PySide6.QtGui import QBrush, QColor, QFont

from callhelper.core.case import NoteKind
from callhelper.core.flag_review import FlagDecision, FlagState, NoteFlag, note_flags
from callhelper.core.flags import DemandRules
from callhelper.core.session import StepStatus, format_offset
from callhelper.store.repository import CUSTOMER_WORDS
from callhelper.ui.flag_states import flag_line
from callhelper.ui.labels import note_kind_tag, note_preview, quoted

ModelIndex = QModelIndex | QPersistentModelIndex
OVERDUE_COLOR = QColor("#c62828")
CURRENT_COLOR = QColor("#e3f0fd")
DONE_COLOR = QColor("#6b6b6b")


class ChecklistModel(QAbstractTableModel):
    """Steps of the running playbook: column 0 the step (checkable), column 1 its time.

    Ticking a box does not change the model directly: it asks, through
    ``tick_requested``, and the window pushes the session's new state back.
    """

    STEP, TIME = range(2)
    StepIdRole = Qt.ItemDataRole.UserRole + 1
    OverdueRole = Qt.ItemDataRole.UserRole + 2
    CurrentRole = Qt.ItemDataRole.UserRole + 3

    tick_requested = Signal(int, bool)

    def __init__(self, language: str = "en", parent=None) -> None:
        super().__init__(parent)
        self._steps: list[StepStatus] = []
        self._language = language

    def set_steps(self, steps: list[StepStatus]) -> None:
        if len(steps) != len(self._steps) or any(
                new.step.id != old.step.id for new, old in zip(steps, self._steps)):
            self.beginResetModel()
            self._steps = list(steps)
            self.endResetModel()
            return
        self._steps = list(steps)
        if steps:
            self.dataChanged.emit(self.index(0, 0), self.index(len(steps) - 1, self.TIME))

    def step_at(self, row: int) -> StepStatus:
        return self._steps[row]

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._steps)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else 2

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.STEP:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._steps):
            return None
        status = self._steps[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.STEP:
                return f"{status.index + 1}  {status.step.title.get(self._language)}"
            elapsed = format_offset(status.elapsed_seconds)[-4:] if status.started else "—"
            target = format_offset(status.target_seconds)[-4:]
            return f"{elapsed} / {target}"
        if role == Qt.ItemDataRole.CheckStateRole and column == self.STEP:
            return Qt.CheckState.Checked if status.done else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            return status.step.done_when.get(self._language) or None
        if role == Qt.ItemDataRole.FontRole and status.current:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and status.current:
            return QBrush(CURRENT_COLOR)
        if role == Qt.ItemDataRole.ForegroundRole:
            if status.overdue and (column == self.TIME or not status.done):
                return QBrush(OVERDUE_COLOR)
            if status.done:
                return QBrush(DONE_COLOR)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.TIME:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == self.StepIdRole:
            return status.step.id
        if role == self.OverdueRole:
            return status.overdue
        if role == self.CurrentRole:
            return status.current
        return None

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (not index.isValid() or index.column() != self.STEP
                or role != Qt.ItemDataRole.CheckStateRole):
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        self.tick_requested.emit(index.row(), checked)
        return True


@dataclass(frozen=True)
class NoteRow:
    """A saved note as the list shows it: what the detector found (``detected``) and the
    agent's decisions on it, oldest first (core/flag_review.py)."""

    uid: str
    kind: NoteKind
    text: str
    offset_seconds: float
    masked_cards: int = 0
    detected: tuple[str, ...] = ()
    requests: tuple[str, ...] = ()
    decisions: tuple[FlagDecision, ...] = ()

    @classmethod
    def from_note(cls, note, decisions: Iterable[FlagDecision] = ()) -> NoteRow:
        """From a stored Note and the decisions on its flags."""
        return cls(note.uid, NoteKind(note.kind), note.text, note.offset_ms / 1000,
                   note.masked_cards, tuple(note.flags), tuple(note.requests),
                   tuple(decisions))

    @property
    def flag_states(self) -> tuple[NoteFlag, ...]:
        return note_flags(self.detected, self.decisions)

    @property
    def flags(self) -> tuple[str, ...]:
        """The categories that still count as flags: all but the dismissed ones."""
        return tuple(flag.category for flag in self.flag_states if flag.active)

    def suspected(self) -> list[str]:
        """The categories the detector suspects and nobody has reviewed yet."""
        return [flag.category for flag in self.flag_states
                if flag.state is FlagState.SUSPECTED]


class NotesModel(QAbstractListModel):
    """The notes of the current call, in the order taken (newest last).

    A flagged statement carries the guidance for the agent, a request the reminder that
    its validity is the supervisor's to judge (AnnotationsRole). The flags and requests of
    all the notes are counted as notes come and go: the escalation rules, checked at every
    note and every second, read the counts rather than every note of a long call.
    """

    KindRole = Qt.ItemDataRole.UserRole + 1
    TextRole = Qt.ItemDataRole.UserRole + 2
    OffsetRole = Qt.ItemDataRole.UserRole + 3
    FlagsRole = Qt.ItemDataRole.UserRole + 4
    RequestsRole = Qt.ItemDataRole.UserRole + 5
    AnnotationsRole = Qt.ItemDataRole.UserRole + 6

    def __init__(self, rules: DemandRules, language: str, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[NoteRow] = []
        self._rules = rules
        self._language = language
        self._flags: Counter[str] = Counter()
        self._requests: Counter[str] = Counter()

    def annotations(self, row: NoteRow) -> list[tuple[str, str]]:
        """(a flag state's value or "request", text) lines shown under the note: a flag says
        whether it is suspected, confirmed, dismissed or added by the agent."""
        translate = QCoreApplication.translate
        lines = [(flag.state.value, flag_line(flag, self._rules, self._language))
                 for flag in row.flag_states]
        lines += [("request", translate(
            "NotesModel", "Request: %1 — check its validity with the supervisor")
            .replace("%1", self._rules.label(category, self._language)))
            for category in row.requests]
        return lines

    def set_rows(self, rows: list[NoteRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._flags.clear()
        self._requests.clear()
        for row in self._rows:
            self._count(row, 1)
        self.endResetModel()

    def append(self, row: NoteRow) -> None:
        if any(existing.uid == row.uid for existing in self._rows[-50:]):
            return
        position = len(self._rows)
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.append(row)
        self._count(row, 1)
        self.endInsertRows()

    def replace(self, row: NoteRow) -> None:
        """Show a corrected note in its place (with the decisions on its flags taken
        so far)."""
        self._change(row.uid, lambda existing: replace(row, decisions=existing.decisions))

    def decide(self, note_uid: str, decision: FlagDecision) -> None:
        """Show a decision on one of a note's flags."""
        self._change(note_uid, lambda existing: replace(
            existing, decisions=(*existing.decisions, decision)))

    def _change(self, uid: str, change: Callable[[NoteRow], NoteRow]) -> None:
        for position, existing in enumerate(self._rows):
            if existing.uid == uid:
                row = change(existing)
                self._count(existing, -1)
                self._rows[position] = row
                self._count(row, 1)
                index = self.index(position)
                self.dataChanged.emit(index, index)
                return

    def newest_suspected(self) -> tuple[NoteRow, str] | None:
        """The newest note with a flag nobody reviewed, and that flag's category."""
        for row in reversed(self._rows):
            suspected = row.suspected()
            if suspected:
                return row, suspected[0]
        return None

    def newest_customer_words(self) -> NoteRow | None:
        return next((row for row in reversed(self._rows) if row.kind in CUSTOMER_WORDS), None)

    def remove(self, uid: str) -> None:
        for position, existing in enumerate(self._rows):
            if existing.uid == uid:
                self.beginRemoveRows(QModelIndex(), position, position)
                del self._rows[position]
                self._count(existing, -1)
                self.endRemoveRows()
                return

    def _count(self, row: NoteRow, change: int) -> None:
        self._flags.update(dict.fromkeys(row.flags, change))
        self._requests.update(dict.fromkeys(row.requests, change))

    def flag_categories(self) -> list[str]:
        """The flag categories of the notes, each once."""
        return [category for category, count in self._flags.items() if count > 0]

    def request_categories(self) -> list[str]:
        """The request categories of the notes, each once."""
        return [category for category, count in self._requests.items() if count > 0]

    def rows(self) -> list[NoteRow]:
        return list(self._rows)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            shown = note_preview(row.text)
            body = quoted(shown) if row.kind is NoteKind.QUOTE else \
                f"{note_kind_tag(row.kind)} {shown}"
            return "\n".join([f"{format_offset(row.offset_seconds)}  {body}",
                              *(text for _, text in self.annotations(row))])
        if role == Qt.ItemDataRole.ToolTipRole:
            return note_preview(row.text)
        if role == self.KindRole:
            return row.kind.value
        if role == self.TextRole:
            return row.text
        if role == self.OffsetRole:
            return row.offset_seconds
        if role == self.FlagsRole:
            return list(row.flags)
        if role == self.RequestsRole:
            return list(row.requests)
        if role == self.AnnotationsRole:
            return self.annotations(row)
        return None
