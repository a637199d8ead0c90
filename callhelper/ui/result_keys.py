"""The keyboard of a window that lists cases and shows the chosen one (the history browser,
the supervisor's review): Tab goes from the search to the results and on to the case, Down
in the search box enters the results, Enter opens the selected case, and a case is selected
whenever there are results, so what acts on "the selected case" always has one."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt
from PySide6.QtWidgets import QLineEdit, QTableView, QTextEdit, QWidget

#: The keys that take the search box's focus down into the results.
INTO_RESULTS = (Qt.Key.Key_Down, Qt.Key.Key_PageDown)


def focus_chain(*widgets: QWidget) -> None:
    """Tab visits ``widgets`` in this order, Shift+Tab the other way."""
    for first, second in zip(widgets, widgets[1:]):
        QWidget.setTabOrder(first, second)


class ResultKeys(QObject):
    """The keys between ``search`` (if there is one), the ``table`` of results and the
    ``detail`` that shows the selected case."""

    def __init__(self, table: QTableView, detail: QTextEdit,
                 search: QLineEdit | None = None) -> None:
        super().__init__(table)
        self._table = table
        self._detail = detail
        # a table keeps Tab for moving between its cells, a text view for its links
        table.setTabKeyNavigation(False)
        detail.setTabChangesFocus(True)
        table.activated.connect(self._open)
        if search is not None:
            search.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if (event.type() == QEvent.Type.KeyPress and event.key() in INTO_RESULTS
                and self._table.model().rowCount() > 0):
            self._table.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        return False

    def _open(self, _index) -> None:
        """Enter on a result: its case is shown already (it is the selected one); the
        keyboard goes on to read it."""
        self._detail.setFocus(Qt.FocusReason.OtherFocusReason)

    def select(self, source_row: int) -> None:
        """Select the row ``source_row`` of the table's source model (the first row if it is
        -1 and there are results)."""
        model = self._table.model()
        if model.rowCount() == 0:
            return
        index = model.index(0, 0)
        if source_row >= 0:
            index = model.mapFromSource(model.sourceModel().index(source_row, 0))
        self._table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self._table.scrollTo(index)

