"""A list that shows whole rows only: as many as the space it is given holds, never one cut
off mid-row, and no taller than its rows.

The caller's prior contacts use it: while a call rings the list takes the room the window
has (a tall window shows more contacts), and during the call it keeps to a few rows.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QListView, QSizePolicy, QWidget


class WholeRowsList(QWidget):
    """Holds ``view`` and sizes it to a whole number of its (uniform) rows.

    ``set_rows(most, least)``: at most ``most`` rows (None: all of them), at least ``least``
    while there are that many."""

    def __init__(self, view: QListView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        view.setParent(self)
        view.setUniformItemSizes(True)
        self._most: int | None = None
        self._least = 1
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        model = view.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved):
            signal.connect(self._rows_changed)

    def set_rows(self, most: int | None, least: int = 1) -> None:
        self._most, self._least = most, least
        self._rows_changed()

    def row_height(self) -> int:
        return max(1, self.view.sizeHintForRow(0)) if self._count() else 0

    def _count(self) -> int:
        return self.view.model().rowCount()

    def _frame(self) -> int:
        return 2 * self.view.frameWidth()

    def _height_for(self, rows: int) -> int:
        return rows * self.row_height() + self._frame() if rows else 0

    def _wanted(self) -> int:
        count = self._count()
        return count if self._most is None else min(count, self._most)

    def _rows_changed(self, *_args) -> None:
        self.setMaximumHeight(self._height_for(self._wanted()))
        self.updateGeometry()
        self._place()

    def sizeHint(self) -> QSize:
        return QSize(self.view.sizeHint().width(), self._height_for(self._wanted()))

    def minimumSizeHint(self) -> QSize:
        return QSize(self.view.minimumSizeHint().width(),
                     self._height_for(min(self._wanted(), self._least)))

    def visible_rows(self) -> int:
        """How many rows the list shows whole at its present height."""
        height = self.row_height()
        if not height:
            return 0
        return min(self._wanted(), max(0, (self.height() - self._frame()) // height))

    def _place(self) -> None:
        rows = self.visible_rows()
        self.view.setGeometry(0, 0, self.width(), self._height_for(max(rows, 0)))
        self.view.setVisible(rows > 0)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place()
