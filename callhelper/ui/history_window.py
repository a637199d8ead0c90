"""The history browser: cases with filters, Japanese substring search while typing, and a
case's contacts as a timeline.

Every query runs on the store's worker; an answer that arrives after a newer query was
asked is dropped, so typing never waits and never shows stale results.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone
from functools import partial
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import (QAbstractTableModel, QModelIndex, QPersistentModelIndex,
                            QSettings, QSize, QSortFilterProxyModel, QStandardPaths, Qt,
                            QTimer)
from PySide6.QtGui import (QAbstractTextDocumentLayout, QBrush, QColor, QKeySequence, QShortcut,
                           QTextDocument)
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFileDialog,
                               QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QMainWindow, QPushButton,
                               QSplitter, QStyle,
                               QStyledItemDelegate, QStyleOptionViewItem, QTableView,
                               QTextBrowser, QVBoxLayout, QWidget)

from callhelper.core.case import CaseStatus, NoteKind
from callhelper.core.clock import Clock
from callhelper.core.flag_review import FlagState
from callhelper.core.flags import DemandRules
from callhelper.core.playbook import PlaybookCatalog
from callhelper.store import history, repository
from callhelper.store.evidence import case_evidence
from callhelper.store.history import CaseFilter, CaseRow, CaseTimeline, PromiseRow, SearchHit
from callhelper.store.models import Note
from callhelper.store.operations import Operation
from callhelper.ui.labels import note_kind_tag, status_label
from callhelper.ui.line_edit import empty
from callhelper.ui.shortcuts import ShortcutsBeforeEditingKeys
from callhelper.ui.evidence import write_evidence
from callhelper.ui.result_keys import ResultKeys, focus_chain
from callhelper.ui.date_filter import OptionalDateEdit
from callhelper.app.store_client import StoreClient
from callhelper.ui.timeline_view import TimelineRenderer
from callhelper.app.write_queue import Write, WriteQueue

ModelIndex = QModelIndex | QPersistentModelIndex
SEARCH_DELAY_MS = 150
HIGHLIGHT = "#ffe082"
SortRole = Qt.ItemDataRole.UserRole + 10
CaseIdRole = Qt.ItemDataRole.UserRole + 11
SpansRole = Qt.ItemDataRole.UserRole + 12
NoteIdRole = Qt.ItemDataRole.UserRole + 13
EVIDENCE_SHORTCUT = "Ctrl+Shift+P"  # P: the printable report

log = logging.getLogger(__name__)


def _status(value: str) -> str:
    return status_label(CaseStatus(value)) if value in set(CaseStatus) else value


class _RowsModel(QAbstractTableModel):
    """A read-only table over a list of rows; subclasses say what each column shows.

    The model sorts itself, with one Python sort over a key per row, and each cell's text
    is worked out once per row set: a sort proxy calls back into Python twice for every
    comparison, which held the window up for a few hundred milliseconds at every search
    (benchmarks/, docs/benchmarks.md)."""

    COLUMNS = 0
    CACHED_ROLES = (Qt.ItemDataRole.DisplayRole, SortRole)
    #: The roles any of the tables answers; the view asks for a dozen more per cell.
    ROLES = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                       Qt.ItemDataRole.ForegroundRole, SortRole, CaseIdRole, SpansRole,
                       NoteIdRole})

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list = []
        self._cells: dict[tuple[int, int, int], Any] = {}
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_rows(self, rows: list, sort: tuple[int, Qt.SortOrder] | None = None) -> None:
        """The rows, sorted by ``sort`` (column, order) or else as last sorted."""
        self.beginResetModel()
        self._sort = sort or self._sort
        self._rows = self._sorted(list(rows))
        self._cells = {}
        self.endResetModel()

    def _sorted(self, rows: list) -> list:
        if self._sort is None or not 0 <= self._sort[0] < self.COLUMNS:
            return rows
        column, order = self._sort
        return sorted(rows, key=lambda row: self.cell(row, column, SortRole),
                      reverse=order == Qt.SortOrder.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        if not self._rows:
            return
        self.layoutAboutToBeChanged.emit()
        positions = {id(row): index for index, row in enumerate(self._rows)}
        self._rows = self._sorted(self._rows)
        moved = {positions[id(row)]: index for index, row in enumerate(self._rows)}
        before = self.persistentIndexList()
        self.changePersistentIndexList(before, [self.index(moved[index.row()], index.column())
                                                for index in before])
        self._cells = {}
        self.layoutChanged.emit()

    def row_at(self, row: int):
        return self._rows[row]

    def find(self, matches: Callable[[Any], bool]) -> int:
        """The position of the first row that ``matches``, or -1."""
        return next((position for position, row in enumerate(self._rows) if matches(row)), -1)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self.COLUMNS

    def headers(self) -> list[str]:
        raise NotImplementedError

    def cell(self, row, column: int, role: int) -> Any:
        raise NotImplementedError

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.headers())):
            return self.headers()[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in self.ROLES or not index.isValid() \
                or not 0 <= index.row() < len(self._rows):
            return None
        if role not in self.CACHED_ROLES:
            return self.cell(self._rows[index.row()], index.column(), role)
        key = (index.row(), index.column(), role)
        try:
            return self._cells[key]
        except KeyError:
            value = self._cells[key] = self.cell(self._rows[key[0]], key[1], role)
            return value


class CasesModel(_RowsModel):
    DATE, CUSTOMER, SUBJECT, STATUS, HANDLERS, FLAGS = range(6)
    COLUMNS = 6

    def headers(self) -> list[str]:
        return [self.tr("Last contact"), self.tr("Customer"), self.tr("Subject"),
                self.tr("Status"), self.tr("Handlers"), self.tr("Flags")]

    def cell(self, row: CaseRow, column: int, role: int) -> Any:
        if role == CaseIdRole:
            return row.case_id
        if role == Qt.ItemDataRole.DisplayRole:
            return [f"{row.updated_at.astimezone():%Y-%m-%d %H:%M}", row.customer or row.phone,
                    row.subject, _status(row.status), row.handlers,
                    str(row.flag_count) if row.flag_count else ""][column]
        if role == SortRole:
            return [row.updated_at.timestamp(), row.customer, row.subject, row.status,
                    row.handlers, row.flag_count][column]
        if role == Qt.ItemDataRole.ToolTipRole and column == self.STATUS and row.escalated:
            return self.tr("Escalated to a senior")
        return None


class SearchModel(_RowsModel):
    DATE, CASE, WHERE, TEXT = range(4)
    COLUMNS = 4

    def headers(self) -> list[str]:
        return [self.tr("When"), self.tr("Case"), self.tr("Where"), self.tr("Text")]

    def where(self, hit: SearchHit) -> str:
        if hit.kind == "note":
            return note_kind_tag(NoteKind(hit.field)).strip("[]") or self.tr("Customer's words")
        return {"subject": self.tr("Subject"), "fix": self.tr("Fix"),
                "prevention": self.tr("Prevention")}.get(hit.field, hit.field)

    def cell(self, hit: SearchHit, column: int, role: int) -> Any:
        if role == CaseIdRole:
            return hit.case_id
        if role == SpansRole and column == self.TEXT:
            return list(hit.spans)
        if role == Qt.ItemDataRole.DisplayRole:
            return [f"{hit.at.astimezone():%Y-%m-%d %H:%M}", f"#{hit.case_id}", self.where(hit),
                    hit.text][column]
        if role == SortRole:
            return [hit.at.timestamp(), hit.case_id, self.where(hit), hit.text][column]
        return None


class PromisesModel(_RowsModel):
    DUE, CUSTOMER, PROMISE, AGENT = range(4)
    COLUMNS = 4

    def headers(self) -> list[str]:
        return [self.tr("Due"), self.tr("Customer"), self.tr("Promise"), self.tr("Made by")]

    def cell(self, row: PromiseRow, column: int, role: int) -> Any:
        if role == CaseIdRole:
            return row.case_id
        if role == NoteIdRole:
            return row.note_id
        due = f"{row.due_at.astimezone():%Y-%m-%d %H:%M}" if row.due_at else self.tr("no due time")
        if role == Qt.ItemDataRole.DisplayRole:
            return [due, row.customer or row.phone, row.text, row.agent][column]
        if role == SortRole:
            return [row.due_at.timestamp() if row.due_at else float("inf"), row.customer,
                    row.text, row.agent][column]
        if (role == Qt.ItemDataRole.ForegroundRole and row.due_at is not None
                and row.due_at < datetime.now(timezone.utc)):
            return QBrush(QColor("#c62828"))
        return None


class SourceSortingProxy(QSortFilterProxyModel):
    """Hands sorting (a click on a column's header) to the source model, which sorts
    itself (``_RowsModel.sort``); the proxy keeps the source's order."""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if source is not None:
            source.sort(column, order)


class HighlightDelegate(QStyledItemDelegate):
    """Draws the text with the places that match the query highlighted; a cell without
    any (the column is another one in the case list) is drawn as usual, which is much
    quicker than laying out a rich-text document for it."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._shown = QTextDocument(self)
        self._shown.setDocumentMargin(2)

    def _document(self, option: QStyleOptionViewItem, index: ModelIndex,
                  document: QTextDocument | None = None) -> QTextDocument:
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        parts, last = [], 0
        for start, end in index.data(SpansRole) or []:
            parts.append(escape(text[last:start]))
            parts.append(f'<span style="background:{HIGHLIGHT}">{escape(text[start:end])}</span>')
            last = end
        parts.append(escape(text[last:]))
        if document is None:
            document = QTextDocument()
            document.setDocumentMargin(2)
        document.setDefaultFont(option.font)
        document.setHtml("".join(parts).replace("\n", " "))
        return document

    def paint(self, painter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        if not index.data(SpansRole):
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        document = self._document(option, index, self._shown)
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter,
                              option.widget)
        painter.save()
        painter.translate(option.rect.topLeft())
        painter.setClipRect(option.rect.translated(-option.rect.topLeft()))
        document.documentLayout().draw(painter, QAbstractTextDocumentLayout.PaintContext())
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        document = self._document(option, index)
        return QSize(int(document.idealWidth()), int(document.size().height()))


class HistoryWindow(QMainWindow):
    def __init__(self, store: StoreClient, writes: WriteQueue, rules: DemandRules,
                 catalog: PlaybookCatalog, language: str, state: QSettings, agent: str,
                 clock: Clock, parent=None) -> None:
        super().__init__(parent)
        self._writes = writes
        self._agent = agent
        self._clock = clock
        self._store = store
        self._catalog = catalog
        self._rules = rules
        self._language = language
        self._renderer = TimelineRenderer(catalog, rules, language, self)
        self._state = state
        self._query_token = 0
        self._case_token = 0
        self._pending_case: int | None = None
        self._evidence_case: int | None = None
        self.setWindowTitle(self.tr("History"))
        self.setObjectName("historyWindow")

        self.search_box = QLineEdit()
        self.search_box.setObjectName("historySearch")
        self.search_box.setPlaceholderText(
            self.tr("Search notes and cases (any part of a word, e.g. 返金)… Ctrl+F"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setToolTip(self.tr("Ctrl+F: search · ↓: to the results · "
                                           "Esc: clear the search"))
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload)
        self.search_box.textChanged.connect(self._search_timer.start)

        self.since = OptionalDateEdit()
        self.until = OptionalDateEdit()
        self.status = QComboBox()
        self.status.addItem(self.tr("Any status"), "")
        for status in CaseStatus:
            self.status.addItem(status_label(status), status.value)
        self.handler = QComboBox()
        self.handler.addItem(self.tr("Any handler"), "")
        self.flagged = QCheckBox(self.tr("Flagged"))
        self.escalated = QCheckBox(self.tr("Escalated"))
        self.promises_only = QCheckBox(self.tr("Open promises"))
        self.promises_only.setObjectName("openPromises")
        self.done_button = QPushButton(self.tr("Promise kept (Ctrl+D)"))
        self.done_button.clicked.connect(self.mark_kept)
        self.done_button.hide()
        for combo in (self.status, self.handler):
            combo.currentIndexChanged.connect(self.reload)
        for box in (self.flagged, self.escalated, self.promises_only):
            box.toggled.connect(self.reload)
        for edit in (self.since, self.until):
            edit.dateChanged.connect(self.reload)

        filters = QHBoxLayout()
        for label, widget in ((self.tr("From"), self.since), (self.tr("to"), self.until)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        for widget in (self.status, self.handler, self.flagged, self.escalated,
                       self.promises_only):
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.done_button)

        self.cases_model = CasesModel(self)
        self.search_model = SearchModel(self)
        self.promises_model = PromisesModel(self)
        self.proxy = SourceSortingProxy(self)
        self.proxy.setSourceModel(self.cases_model)
        self.table = QTableView()
        self.table.setObjectName("historyTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        # dates of one width: measuring the rows in view is enough, all of them took long
        self.table.horizontalHeader().setResizeContentsPrecision(0)
        self.table.setItemDelegateForColumn(SearchModel.TEXT, HighlightDelegate(self.table))
        self.table.selectionModel().currentRowChanged.connect(self._row_chosen)

        self.detail = QTextBrowser()
        self.detail.setObjectName("caseDetail")
        self.detail.setOpenLinks(False)
        self.evidence_button = QPushButton(self.tr("Evidence… (%1)").replace("%1",
                                                                            EVIDENCE_SHORTCUT))
        self.evidence_button.setObjectName("evidenceButton")
        self.evidence_button.clicked.connect(self.export_evidence)
        self.evidence_status = QLabel()
        self.evidence_status.setObjectName("evidenceStatus")
        self.evidence_status.setWordWrap(True)
        detail_pane = QWidget()
        detail_layout = QVBoxLayout(detail_pane)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        evidence_row = QHBoxLayout()
        evidence_row.addWidget(self.evidence_status, 1)
        evidence_row.addWidget(self.evidence_button)
        detail_layout.addLayout(evidence_row)
        detail_layout.addWidget(self.detail, 1)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: #555;")
        keys_hint = QLabel(self.tr("↓ to the results · Enter opens the case · Tab moves on · "
                                   "Esc clears the search · Ctrl+W closes"))
        keys_hint.setObjectName("historyKeys")
        keys_hint.setStyleSheet("color: #555;")
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(keys_hint)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(detail_pane)
        splitter.setSizes([400, 300])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addWidget(self.search_box)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self.setCentralWidget(central)
        self._keys = ResultKeys(self.table, self.detail, self.search_box)
        focus_chain(self.search_box, self.table, self.detail, self.evidence_button, self.since,
                    self.until, self.status, self.handler, self.flagged, self.escalated,
                    self.promises_only, self.done_button)
        self.search_box.setFocus()
        self._no_case()

        for keys, action in (("Ctrl+F", self._focus_search), ("Escape", self.search_box.clear),
                             ("Ctrl+W", self.close), ("Ctrl+D", self.mark_kept),
                             (EVIDENCE_SHORTCUT, self.export_evidence)):
            QShortcut(QKeySequence(keys), self).activated.connect(action)
        ShortcutsBeforeEditingKeys(self)
        geometry = state.value("history/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(900, 700)
        self._store.submit(history.handlers, self._on_handlers)
        self.reload()


    def _focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _on_handlers(self, names: list[str] | None, error: BaseException | None) -> None:
        for name in names or []:
            self.handler.addItem(name, name)

    def filters(self) -> CaseFilter:
        return CaseFilter(self.since.moment(), self.until.moment(1), self.status.currentData(),
                          self.handler.currentData(), self.flagged.isChecked(),
                          self.escalated.isChecked())

    def reload(self) -> None:
        """Ask again for what the search box and the filters describe."""
        self._search_timer.stop()
        self._query_token += 1
        token, query = self._query_token, self.search_box.text().strip()
        self.done_button.setVisible(self.promises_only.isChecked())
        if self.promises_only.isChecked():
            self._store.submit(history.open_promises,
                               partial(self._on_results, token, self.promises_model))
        elif query:
            self._store.submit(lambda s: self._if_latest(token, history.search, s, query, 200),
                               partial(self._on_results, token, self.search_model))
        else:
            filters = self.filters()
            self._store.submit(lambda s: self._if_latest(token, history.list_cases, s, filters),
                               partial(self._on_results, token, self.cases_model))

    def _if_latest(self, token: int, query, *args):
        """On the worker: skip a query the agent has already typed past (its answer would
        be dropped anyway), so queued searches never hold up a note being saved."""
        return query(*args) if token == self._query_token else []

    def _on_results(self, token: int, model: _RowsModel, rows: list | None,
                    error: BaseException | None) -> None:
        if token != self._query_token:
            return
        if error is not None:
            self.count_label.setText(self.tr("The history could not be read; details are in "
                                              "the log."))
            return
        pending = self._pending_case
        chosen = pending if pending is not None else self._selected_case()
        header = self.table.horizontalHeader()
        model.set_rows(rows, (header.sortIndicatorSection(), header.sortIndicatorOrder()))
        if self.proxy.sourceModel() is not model:
            self.proxy.setSourceModel(model)
        self.count_label.setText(self.tr("%1 results").replace("%1", str(len(rows))))
        row = model.find(lambda found: found.case_id == chosen) if chosen is not None else -1
        if pending is not None and row < 0:
            self.show_case(pending)
        elif rows:
            self._keys.select(row)
        else:
            self._no_case()

    def _selected_case(self) -> int | None:
        current = self.table.currentIndex()
        return current.data(CaseIdRole) if current.isValid() else None

    def mark_kept(self) -> None:
        """Ctrl+D on an open promise: kept, by whom and when."""
        current = self.table.currentIndex()
        note_id = current.data(NoteIdRole) if current.isValid() else None
        if not self.promises_only.isChecked() or note_id is None:
            return
        agent, at = self._agent, self._clock.now()

        def note_uid(session) -> str:  # the write names the note by its uid (operations.py)
            note = session.get(Note, note_id)
            if note is None:
                raise repository.NotFound(f"no promise {note_id}")
            return note.uid

        def mark(uid: str | None, error: BaseException | None) -> None:
            if error is not None:
                self._on_not_kept(error)
                return
            self._writes.put(Write(Operation.of("complete_promise", note_uid=uid, by=agent,
                                                at=at),
                                   lambda _note: self.reload(), self._on_not_kept))

        self._store.submit(note_uid, mark)

    def _on_not_kept(self, _error: BaseException) -> None:
        self.count_label.setText(self.tr("The promise could not be marked; details are in "
                                          "the log."))

    def _row_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.show_case(current.data(CaseIdRole))

    def show_case(self, case_id: int) -> None:
        """Show one case's timeline (and select it in the list, if it is there)."""
        self._pending_case = None
        self._case_token += 1
        token = self._case_token
        self._evidence_case = None
        self._offer_evidence(False, self.tr("Reading the case…"))
        self._store.submit(lambda s: history.case_timeline(s, case_id),
                           partial(self._on_timeline, token))

    def open_case(self, case_id: int) -> None:
        """From the call window: show this case, the list filtered to nothing special."""
        empty(self.search_box)
        self._pending_case = case_id
        self.show()
        self.raise_()
        self.activateWindow()
        self.reload()

    def _on_timeline(self, token: int, timeline: CaseTimeline | None,
                     error: BaseException | None) -> None:
        if token == self._case_token:
            self.detail.setHtml(self._renderer.html(timeline) if timeline else "")
            flags = [flag for contact in timeline.contacts for entry in contact.entries
                     for flag in entry.flags] if timeline else []
            evidence = any(flag.evidence for flag in flags)
            self._evidence_case = timeline.case.id if evidence else None
            if evidence:
                self._offer_evidence(True, self.tr(
                    "Save the case's statements confirmed or flagged as harassment by the "
                    "agent, with their context, as a PDF report or CSV for the company's legal "
                    "follow-up"))
            elif any(flag.state is FlagState.SUSPECTED for flag in flags):
                self._offer_evidence(False, self.tr(
                    "No evidence yet: this case's flags are only suspected. A suspected flag "
                    "must be confirmed first (Ctrl+Shift+Y during the call or its wrap-up), or "
                    "the statement flagged by hand; dismissed flags are no evidence."))
            else:
                self._offer_evidence(False, self.tr(
                    "No evidence: no statement of this case is confirmed or flagged as "
                    "harassment."))
            self.evidence_status.clear()

    def _no_case(self) -> None:
        """No result: no case shown, none to save evidence of."""
        self._case_token += 1
        self._evidence_case = None
        self.detail.clear()
        self._offer_evidence(False, self.tr("Choose a case first."))

    def _offer_evidence(self, offered: bool, why: str) -> None:
        """Enable the Evidence button or not; its tooltip says what it saves, or why not."""
        self.evidence_button.setEnabled(offered)
        self.evidence_button.setToolTip(why)

    def export_evidence(self) -> None:
        """Ask where to save the selected case's harassment evidence, then save it (or say
        why there is none to save)."""
        case_id = self._evidence_case
        if case_id is None:
            self._evidence_problem(self.evidence_button.toolTip())
            return
        pdf, csv, both = self._evidence_filters()
        folder = self._state.value("history/evidenceFolder") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        dialog = QFileDialog(self, self.tr("Save the evidence of case #%1").replace(
            "%1", str(case_id)), str(folder))
        dialog.setObjectName("evidenceDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters([pdf, csv, both])
        dialog.selectFile(f"case-{case_id}-evidence.pdf")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(
            lambda name: self._save_evidence(case_id, self.evidence_files(
                Path(name), dialog.selectedNameFilter())))
        dialog.open()

    def _evidence_filters(self) -> tuple[str, str, str]:
        return (self.tr("PDF report (*.pdf)"), self.tr("CSV for spreadsheets (*.csv)"),
                self.tr("Both: PDF report and CSV, same name (*.pdf *.csv)"))

    def evidence_files(self, chosen: Path, name_filter: str) -> list[Path]:
        """The files to write for the name and the file type chosen in the dialog."""
        _pdf, csv, both = self._evidence_filters()
        typed = chosen.suffix.lower()
        if name_filter == both:
            stem = chosen.with_suffix("") if typed in (".pdf", ".csv") else chosen
            return [stem.with_name(stem.name + ".pdf"), stem.with_name(stem.name + ".csv")]
        if typed in (".pdf", ".csv"):
            return [chosen]
        return [chosen.with_name(chosen.name + (".csv" if name_filter == csv else ".pdf"))]

    def _save_evidence(self, case_id: int, files: list[Path]) -> None:
        self._state.setValue("history/evidenceFolder", str(files[0].parent))
        self.evidence_status.setStyleSheet("color: #555;")
        self.evidence_status.setText(self.tr("Saving the evidence…"))
        self._store.submit(lambda s: case_evidence(s, case_id),
                           partial(self._on_evidence, files))

    def _on_evidence(self, files: list[Path], evidence, error: BaseException | None) -> None:
        if error is not None or evidence is None:
            self._evidence_problem(self.tr("The evidence could not be read from the database; "
                                           "details are in the log."))
            return
        for path in files:
            try:
                write_evidence(path, evidence, self._rules, self._language, self._agent,
                               self._clock.now())
            except (OSError, ValueError) as exc:
                log.exception("evidence not saved as %s", path)
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                self._evidence_problem(self.tr("The evidence could not be saved as %1: %2")
                                       .replace("%1", str(path)).replace("%2", reason))
                return
        self.evidence_status.setStyleSheet("color: #2e7d32;")
        self.evidence_status.setText(self.tr("Saved %1").replace(
            "%1", ", ".join(str(path) for path in files)))

    def _evidence_problem(self, message: str) -> None:
        self.evidence_status.setStyleSheet("color: #c62828;")
        self.evidence_status.setText(message)

    def closeEvent(self, event) -> None:
        self._state.setValue("history/geometry", self.saveGeometry())
        super().closeEvent(event)
