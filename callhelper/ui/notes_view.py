"""The list of the call's notes: offset in grey, the customer's words as quotes."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QStyle, QStyledItemDelegate,
                               QStyleOptionViewItem, QTableView, QWidget)

from callhelper.core.case import NoteKind
from callhelper.core.flag_review import FlagState
from callhelper.core.session import format_offset
from callhelper.ui.flag_states import STATE_COLORS, words_color
from callhelper.ui.labels import note_kind_tag, note_preview, quoted
from callhelper.ui.models import NotesModel

OFFSET_COLOR = QColor("#6b6b6b")
REQUEST_COLOR = QColor("#6a1b9a")
#: How each annotation line is drawn: a flag as its state says (ui/flag_states.py), a
#: request in purple, a promise's due time in the promise's colour.
ANNOTATION_COLORS = {state.value: QColor(color) for state, color in STATE_COLORS.items()}
ANNOTATION_COLORS["request"] = REQUEST_COLOR
KIND_COLORS = {
    NoteKind.QUOTE: None,
    NoteKind.AGENT_NOTE: QColor("#455a64"),
    NoteKind.FACT: QColor("#1565c0"),
    NoteKind.REQUEST: QColor("#6a1b9a"),
    NoteKind.PROMISE: QColor("#ad6800"),
}
ANNOTATION_COLORS["due"] = KIND_COLORS[NoteKind.PROMISE]
GAP = 8
PADDING = 2
#: The most lines the list keeps for the newest note, however tight the window: a longer
#: note is scrolled through.
NEWEST_NOTE_LINES = 8


class NoteDelegate(QStyledItemDelegate):
    """Paints ``mm:ss`` in a column of its own and wraps the text beside it."""

    def _parts(self, index: QModelIndex | QPersistentModelIndex) -> tuple[str, str, NoteKind]:
        kind = NoteKind(index.data(NotesModel.KindRole))
        text = note_preview(index.data(NotesModel.TextRole))
        body = quoted(text) if kind is NoteKind.QUOTE else f"{note_kind_tag(kind)} {text}"
        return format_offset(index.data(NotesModel.OffsetRole)), body, kind

    @staticmethod
    def _text_rect(metrics: QFontMetrics, rect: QRect, offset: str) -> QRect:
        left = metrics.horizontalAdvance(offset) + GAP
        return rect.adjusted(left + PADDING, PADDING, -PADDING, -PADDING)

    @staticmethod
    def _blocks(index: QModelIndex | QPersistentModelIndex, body: str,
                kind: NoteKind) -> list[tuple[str, QColor | None, bool]]:
        """The note's text and each annotation line, with their colours and whether they
        are struck through."""
        annotations = index.data(NotesModel.AnnotationsRole)
        flagged = words_color(what for what, _ in annotations)
        color = QColor(flagged) if flagged else KIND_COLORS[kind]
        return [(body, color, False)] + [
            (text, ANNOTATION_COLORS[what], what == FlagState.DISMISSED.value)
            for what, text in annotations]

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        offset, body, kind = self._parts(index)
        metrics = option.fontMetrics
        width = max(option.rect.width(), 200)
        area = self._text_rect(metrics, QRect(0, 0, width, 10_000), offset)
        height = sum(metrics.boundingRect(area, Qt.TextFlag.TextWordWrap, text).height()
                     for text, _, _ in self._blocks(index, body, kind))
        return QSize(width, height + 2 * PADDING)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        offset, body, kind = self._parts(index)
        painter.save()
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, option.palette.highlight())
        metrics = option.fontMetrics
        painter.setPen(OFFSET_COLOR)
        painter.drawText(option.rect.adjusted(PADDING, PADDING, 0, 0),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, offset)
        area = self._text_rect(metrics, option.rect, offset)
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        for text, color, struck in self._blocks(index, body, kind):
            painter.setPen(color or option.palette.color(QPalette.ColorRole.Text))
            font = QFont(option.font)
            font.setStrikeOut(struck)
            painter.setFont(font)
            drawn = painter.drawText(area, flags, text)
            area.setTop(drawn.bottom() + 1)
        painter.restore()


class NotesView(QTableView):
    """Read-only, never takes focus from the entry, follows the newest note, and keeps the
    room to show it whole (its words and its flags) when the window gets tight: a banner
    appearing takes its room from elsewhere (ui/banner.py).

    Each note's height is measured once, when it is shown (again only when the width or its
    words change). A list view whose rows differ in height lays out every row again at each
    insert, so saving a note took longer the longer the call had run."""

    def __init__(self, model: NotesModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notes")
        self.setModel(model)
        self.setItemDelegate(NoteDelegate(self))
        self.setWordWrap(True)
        self.setShowGrid(False)
        self.setCornerButtonEnabled(False)
        self.setTabKeyNavigation(False)
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.hide()
            header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setStretchLastSection(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        model.rowsInserted.connect(self._notes_added)
        model.dataChanged.connect(self._notes_changed)
        model.modelReset.connect(self._measure_all)
        self.horizontalHeader().sectionResized.connect(self._width_changed)

    def _measure(self, first: int, last: int, width: int | None = None) -> None:
        """Fit rows ``first`` to ``last`` to their notes at the column's width (or ``width``,
        the one it is about to take)."""
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        option.rect = QRect(0, 0, self.columnWidth(0) if width is None else width, 0)
        delegate, model = self.itemDelegate(), self.model()
        for row in range(first, last + 1):
            self.setRowHeight(row, delegate.sizeHint(option, model.index(row, 0)).height())
        self.updateGeometry()  # the newest note may take another height

    def minimumSizeHint(self) -> QSize:
        """Room for the newest note whole (up to ``NEWEST_NOTE_LINES`` lines)."""
        hint = super().minimumSizeHint()
        rows = self.model().rowCount()
        if not rows:
            return hint
        most = NEWEST_NOTE_LINES * self.fontMetrics().lineSpacing() + 2 * PADDING
        newest = min(self.rowHeight(rows - 1), most) + 2 * self.frameWidth()
        return QSize(hint.width(), max(hint.height(), newest))

    def _measure_all(self, width: int | None = None) -> None:
        self._measure(0, self.model().rowCount() - 1, width)

    def _notes_added(self, _parent: QModelIndex, first: int, last: int) -> None:
        self._measure(first, last)
        self.scrollToBottom()

    def _notes_changed(self, first: QModelIndex, last: QModelIndex, _roles=()) -> None:
        self._measure(first.row(), last.row())

    def resizeEvent(self, event) -> None:
        """Made shorter (a banner appears above it), the list keeps the newest note in
        sight if it was."""
        bar = self.verticalScrollBar()
        following = bar.value() >= bar.maximum()
        super().resizeEvent(event)
        if following:
            self.scrollToBottom()

    def _width_changed(self, _column: int, old: int, new: int) -> None:
        """Wrapped words take another height at another width."""
        if old != new:
            self._measure_all(new)
