"""The list of the call's notes: offset in grey, the customer's words as quotes."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (QAbstractItemView, QListView, QStyle, QStyledItemDelegate,
                               QStyleOptionViewItem, QWidget)

from callhelper.core.case import NoteKind
from callhelper.core.session import format_offset
from callhelper.ui.labels import note_kind_tag, note_preview, quoted
from callhelper.ui.models import NotesModel

OFFSET_COLOR = QColor("#6b6b6b")
FLAG_COLOR = QColor("#c62828")
REQUEST_COLOR = QColor("#6a1b9a")
KIND_COLORS = {
    NoteKind.QUOTE: None,
    NoteKind.AGENT_NOTE: QColor("#455a64"),
    NoteKind.FACT: QColor("#1565c0"),
    NoteKind.REQUEST: QColor("#6a1b9a"),
    NoteKind.PROMISE: QColor("#ad6800"),
}
GAP = 8
PADDING = 2


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
                kind: NoteKind) -> list[tuple[str, QColor | None]]:
        """The note's text and each annotation line, with their colours."""
        flagged = bool(index.data(NotesModel.FlagsRole))
        blocks = [(body, FLAG_COLOR if flagged else KIND_COLORS[kind])]
        blocks += [(text, FLAG_COLOR if what == "flag" else REQUEST_COLOR)
                   for what, text in index.data(NotesModel.AnnotationsRole)]
        return blocks

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        offset, body, kind = self._parts(index)
        metrics = option.fontMetrics
        width = max(option.rect.width(), 200)
        area = self._text_rect(metrics, QRect(0, 0, width, 10_000), offset)
        height = sum(metrics.boundingRect(area, Qt.TextFlag.TextWordWrap, text).height()
                     for text, _ in self._blocks(index, body, kind))
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
        for text, color in self._blocks(index, body, kind):
            painter.setPen(color or option.palette.color(QPalette.ColorRole.Text))
            drawn = painter.drawText(area, flags, text)
            area.setTop(drawn.bottom() + 1)
        painter.restore()


class NotesView(QListView):
    """Read-only, never takes focus from the entry, follows the newest note."""

    def __init__(self, model: NotesModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notes")
        self.setModel(model)
        self.setItemDelegate(NoteDelegate(self))
        self.setWordWrap(True)
        self.setUniformItemSizes(False)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        model.rowsInserted.connect(lambda *_: self.scrollToBottom())
