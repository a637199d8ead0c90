"""Qt models over the call session and the stored notes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (QAbstractListModel, QAbstractTableModel, QCoreApplication,
                            QModelIndex, QPersistentModelIndex, Qt, Signal)
from PySide6.QtGui import QBrush, QColor, QFont

from callhelper.core.case import NoteKind
from callhelper.core.flag_review import FlagDecision, FlagState
from callhelper.core.session import StepStatus, format_offset
from callhelper.ui.call_notes import CallNotes, NoteRow
from callhelper.ui.flag_states import flag_line
from callhelper.ui.labels import due_label, note_kind_tag, note_preview, quoted

if TYPE_CHECKING:
    from callhelper.core.flags import DemandRules

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


class NotesModel(QAbstractListModel):
    """The notes of the current call, as the call controller has them (its notes_* signals
    keep this copy in step; ui/call_controller.py), in the order taken (newest last).

    A flagged statement carries the guidance for the agent, a request the reminder that
    its validity is the supervisor's to judge (AnnotationsRole). A decision on a flag taken
    here (``decide``) is passed on to the controller, which sends the note back as changed.
    """

    KindRole = Qt.ItemDataRole.UserRole + 1
    TextRole = Qt.ItemDataRole.UserRole + 2
    OffsetRole = Qt.ItemDataRole.UserRole + 3
    FlagsRole = Qt.ItemDataRole.UserRole + 4
    RequestsRole = Qt.ItemDataRole.UserRole + 5
    AnnotationsRole = Qt.ItemDataRole.UserRole + 6

    decision_taken = Signal(str, object)

    def __init__(self, rules: DemandRules, language: str, parent=None) -> None:
        super().__init__(parent)
        self._notes = CallNotes()
        self._rules = rules
        self._language = language
        self._guided: dict[str, set] = {}  # see _find_guided
        self._advised: set = set()  # the types advised on so far

    def annotations(self, row: NoteRow) -> list[tuple[str, str]]:
        """(a flag state's value or "request", text) lines shown under the note: a flag says
        whether it is suspected, confirmed, dismissed or added by the agent. What to do about
        a suspicion or a request is said in full under the first note of the call that
        carries its type, and left out under the later ones (three statements of one type
        would otherwise fill the window with the same advice)."""
        translate = QCoreApplication.translate
        guided = self._guided.get(row.uid, set())
        lines = [(flag.state.value, flag_line(flag, self._rules, self._language,
                                              guidance=flag.category in guided))
                 for flag in row.flag_states]
        lines += [("request", (translate(
            "NotesModel", "Request: %1 — check its validity with the supervisor")
            if ("request", category) in guided else translate("NotesModel", "Request: %1"))
            .replace("%1", self._rules.label(category, self._language)))
            for category in row.requests]
        if row.due_at is not None:
            lines.append(("due", translate("NotesModel", "Due %1").replace(
                "%1", due_label(row.due_at, self._language))))
        return lines

    @staticmethod
    def _advised_types(row: NoteRow) -> set:
        return ({flag.category for flag in row.flag_states if flag.state is FlagState.SUSPECTED}
                | {("request", category) for category in row.requests})

    def _guide(self, row: NoteRow, guided: dict[str, set], seen: set) -> None:
        first = self._advised_types(row) - seen
        if first:
            guided[row.uid] = first
            seen |= first

    def _find_guided(self) -> dict[str, set]:
        """For each note that carries advice in full, the types it carries it for: the
        first suspicion of each flag type, the first request of each kind."""
        self._advised = set()
        guided: dict[str, set] = {}
        for row in self._notes.rows():
            self._guide(row, guided, self._advised)
        return guided

    def _refresh_guidance(self, changed: str | None = None) -> None:
        """Find again where the advice goes; the notes that gain or lose it (and the note
        ``changed``) are drawn again."""
        before, self._guided = self._guided, self._find_guided()
        uids = {uid for uid in before.keys() | self._guided.keys()
                if before.get(uid) != self._guided.get(uid)}
        if changed is not None:
            uids.add(changed)
        for uid in uids:
            position = self._notes.position(uid)
            if position is not None:
                index = self.index(position)
                self.dataChanged.emit(index, index)

    def set_rows(self, rows: list[NoteRow]) -> None:
        self.beginResetModel()
        self._notes.reset(rows)
        self._guided = self._find_guided()
        self.endResetModel()

    def append(self, row: NoteRow) -> None:
        position = len(self._notes)
        self.beginInsertRows(QModelIndex(), position, position)
        self._notes.add(row)
        self._guide(row, self._guided, self._advised)  # never takes the advice from another
        self.endInsertRows()

    def put(self, row: NoteRow) -> None:
        """Show ``row`` in place of the note with its uid."""
        if self._notes.put(row) is not None:
            self._refresh_guidance(row.uid)

    def remove(self, uid: str) -> None:
        position = self._notes.position(uid)
        if position is not None:
            self.beginRemoveRows(QModelIndex(), position, position)
            self._notes.remove(uid)
            self.endRemoveRows()
            self._refresh_guidance()

    def decide(self, note_uid: str, decision: FlagDecision) -> None:
        """A decision on one of a note's flags, on disk: for the controller to take."""
        self.decision_taken.emit(note_uid, decision)

    def newest_suspected(self) -> tuple[NoteRow, str] | None:
        return self._notes.newest_suspected()

    def newest_customer_words(self) -> NoteRow | None:
        return self._notes.newest_customer_words()

    def rows(self) -> list[NoteRow]:
        return self._notes.rows()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._notes)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._notes):
            return None
        row = self._notes[index.row()]
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
