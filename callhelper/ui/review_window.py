"""The supervisor's review: agents' database files, or a team's server, read-only, merged
into one view.

Cases of every file in one table labelled by file (agent) or server, with filters; a case as a
timeline with each step's time against its target and every note's earlier words; a summary
page of charts; and whether each file's audit trail is intact. All reading happens on a
worker thread with its own read-only connections (store/review.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date
from functools import partial
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QSettings, QSortFilterProxyModel, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFileDialog,
                               QGridLayout, QHBoxLayout, QHeaderView, QLabel, QMainWindow,
                               QPushButton, QSplitter, QTableView, QTableWidget,
                               QTableWidgetItem, QTabWidget, QTextBrowser, QVBoxLayout,
                               QWidget)

from callhelper.core.audit import Problem
from callhelper.core.case import CaseStatus
from callhelper.core.clock import Clock
from callhelper.core.flags import DemandRules
from callhelper.core.playbook import PlaybookCatalog
from callhelper.core.session import format_offset
from callhelper.store import review
from callhelper.store.history import CaseFilter
from callhelper.store.review import AGE_BUCKETS, ReviewCase, ReviewSet, ReviewTimeline, Summary
from callhelper.ui.charts import BarChart, HorizontalBarChart, StackedBarChart
from callhelper.ui.history_window import CasesModel, SortRole, _RowsModel
from callhelper.ui.labels import status_label
from callhelper.ui.result_keys import ResultKeys, focus_chain
from callhelper.ui.shortcuts import ShortcutsBeforeEditingKeys
from callhelper.ui.date_filter import OptionalDateEdit
from callhelper.app.store_client import StoreClient
from callhelper.ui.timeline_view import TimelineRenderer

SourceRole = Qt.ItemDataRole.UserRole + 20
log = logging.getLogger(__name__)
#: Marks a prevention item done in the call window's database (see ReviewWindow).
MarkPreventionDone = Callable[[review.PreventionItem, Callable[[], None]], bool]


class ReviewCasesModel(_RowsModel):
    """The cases of every source: the file's or server's label first, then the history
    browser's columns."""

    SOURCE, DATE, CUSTOMER, SUBJECT, STATUS, HANDLERS, FLAGS = range(7)
    COLUMNS = 7
    ROLES = _RowsModel.ROLES | {SourceRole}

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._cases = CasesModel(self)

    def headers(self) -> list[str]:
        return [self.tr("Source")] + self._cases.headers()

    def cell(self, row: ReviewCase, column: int, role: int) -> Any:
        if role == SourceRole:
            return row.source, row.row.case_id
        if column == self.SOURCE:
            return row.source if role in (Qt.ItemDataRole.DisplayRole, SortRole) else None
        return self._cases.cell(row.row, column - 1, role)


class ReviewWindow(QMainWindow):
    def __init__(self, files: list[Path], catalog: PlaybookCatalog, rules: DemandRules,
                 language: str, state: QSettings, clock: Clock, parent=None,
                 server: str | None = None,
                 mark_prevention_done: MarkPreventionDone | None = None) -> None:
        """Review ``files`` and, if ``server`` (a database URL) is given, that server.

        The review only reads. ``mark_prevention_done`` is the call window's way to mark a
        prevention item done in its own database, through its own writes: it returns False
        for an item of another database, and calls back once the item is marked."""
        super().__init__(parent)
        self._mark_prevention_done = mark_prevention_done
        self._files = list(files)
        self._server = server
        self._catalog = catalog
        self._rules = rules
        self._language = language
        self._state = state
        self._clock = clock
        self._renderer = TimelineRenderer(catalog, rules, language, self)
        self._token = 0
        self._case_token = 0
        self.summary: Summary | None = None  # the Summary tab's figures, once read
        self._stopping = threading.Event()
        self._store, self._checker = self._open_worker(), self._open_worker()
        self.setWindowTitle(self.tr("Review (read-only)"))
        self.setObjectName("reviewWindow")

        self.agent = QComboBox()
        self.agent.setObjectName("reviewAgent")
        self.agent.addItem(self.tr("Every agent"), "")
        self.since, self.until = OptionalDateEdit(), OptionalDateEdit()
        self.status = QComboBox()
        self.status.addItem(self.tr("Any status"), "")
        for status in CaseStatus:
            self.status.addItem(status_label(status), status.value)
        self.flagged = QCheckBox(self.tr("Flagged"))
        self.escalated = QCheckBox(self.tr("Escalated"))
        self.open_prevention = QCheckBox(self.tr("Open prevention items"))
        self.open_prevention.setToolTip(self.tr(
            "Cases with a prevention measure not marked done yet, resolved or not"))
        self.prevention_button = QPushButton(self.tr("Prevention done (Ctrl+D)"))
        self.prevention_button.setToolTip(self.tr(
            "Mark the selected case's prevention item done: the change it names is made"))
        self.prevention_button.clicked.connect(self.mark_prevention_done)
        self.add_button = QPushButton(self.tr("Add files… (Ctrl+O)"))
        self.add_button.clicked.connect(self.choose_files)
        for combo in (self.agent, self.status):
            combo.currentIndexChanged.connect(self.reload)
        for box in (self.flagged, self.escalated, self.open_prevention):
            box.toggled.connect(self.reload)
        for edit in (self.since, self.until):
            edit.dateChanged.connect(self.reload)
        filters = QHBoxLayout()
        filters.addWidget(self.agent)
        for label, widget in ((self.tr("From"), self.since), (self.tr("to"), self.until)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        for widget in (self.status, self.flagged, self.escalated, self.open_prevention):
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.prevention_button)
        filters.addWidget(self.add_button)

        self.cases_model = ReviewCasesModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSortRole(SortRole)
        self.proxy.setSourceModel(self.cases_model)
        self.table = QTableView()
        self.table.setObjectName("reviewTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(ReviewCasesModel.DATE, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Interactive)
        self.table.selectionModel().currentRowChanged.connect(self._row_chosen)
        self.detail = QTextBrowser()
        self.detail.setObjectName("reviewDetail")
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        seconds = format_offset
        self.calls_chart = BarChart(self.tr("Calls per day"))
        self.steps_chart = HorizontalBarChart(
            self.tr("Time per checklist step (median) against its target"), seconds)
        self.escalation_chart = BarChart(self.tr("Escalation rate per week"),
                                         lambda value: f"{value:.0f}%")
        self.flags_chart = HorizontalBarChart(self.tr("Flagged statements per category"))
        self.prevention_chart = BarChart(self.tr("Open prevention items by age"))
        self.subjects_chart = StackedBarChart(self.tr("Most frequent subjects per week"))
        summary = QWidget()
        grid = QGridLayout(summary)
        charts = (self.calls_chart, self.steps_chart, self.escalation_chart, self.flags_chart,
                  self.prevention_chart, self.subjects_chart)
        for index, chart in enumerate(charts):
            grid.addWidget(chart, index // 2, index % 2)

        self.flag_table = QTableWidget(0, len(self._flag_headings()))
        self.flag_table.setObjectName("flagReviews")
        self.flag_table.setHorizontalHeaderLabels(self._flag_headings())
        self.flag_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.flag_table.verticalHeader().hide()
        self.flag_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        flags_page = QWidget()
        flags_layout = QVBoxLayout(flags_page)
        explanation = QLabel(self.tr(
            "What the agents made of the detector's flags, per category: a flag is suspected "
            "until an agent confirms or dismisses it. The confirmation rate (confirmed of "
            "those reviewed) is the detector's precision as the floor sees it; flags added by "
            "hand are statements it missed."))
        explanation.setWordWrap(True)
        flags_layout.addWidget(explanation)
        flags_layout.addWidget(self.flag_table, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(splitter, self.tr("Cases"))
        self.tabs.addTab(summary, self.tr("Summary"))
        self.tabs.addTab(flags_page, self.tr("Flag reviews"))
        self.count_label = QLabel()
        keys_hint = QLabel(self.tr("Enter opens the case · Tab moves on · Ctrl+1/2/3: the tabs · "
                                   "Ctrl+W closes"))
        keys_hint.setObjectName("reviewKeys")
        keys_hint.setStyleSheet("color: #555;")
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(keys_hint)
        if server is not None:
            self.board_button = QPushButton(self.tr("Live board (Ctrl+B)"))
            self.board_button.setObjectName("openBoard")
            self.board_button.clicked.connect(self.open_board)
            bottom.addWidget(self.board_button)
        self.integrity_label = QLabel()
        self.integrity_label.setObjectName("integrity")
        self.integrity_label.setWordWrap(True)
        self.integrity_label.setTextFormat(Qt.TextFormat.RichText)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(filters)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.integrity_label)
        self.setCentralWidget(central)
        for keys, action in ((QKeySequence.StandardKey.Open, self.choose_files),
                             ("Ctrl+1", lambda: self.tabs.setCurrentIndex(0)),
                             ("Ctrl+2", lambda: self.tabs.setCurrentIndex(1)),
                             ("Ctrl+D", self.mark_prevention_done),
                             ("Ctrl+3", lambda: self.tabs.setCurrentIndex(2)),
                             ("Ctrl+W", self.close), ("Escape", self.close)):
            QShortcut(QKeySequence(keys), self).activated.connect(action)
        if server is not None:  # team mode: the live board of the calls in progress
            QShortcut(QKeySequence("Ctrl+B"), self).activated.connect(self.open_board)
        self.board = None
        ShortcutsBeforeEditingKeys(self)
        self._keys = ResultKeys(self.table, self.detail)
        focus_chain(self.table, self.detail, self.agent, self.since, self.until, self.status,
                    self.flagged, self.escalated, self.open_prevention, self.prevention_button,
                    self.add_button)
        self.table.setFocus()
        self.resize(1100, 720)
        self.restoreGeometry(self._state.value("review/geometry", b""))
        self._load_sources()

    def open_board(self):
        """Ctrl+B, on a team's server: the supervisors' board (ui/board_window.py), for the
        server's login; a login that is not a supervisor's is told so there."""
        from callhelper.urls import login_of
        from callhelper.ui.board_window import BoardWindow

        if self.board is None or not self.board.isVisible():
            self.board = BoardWindow(self._server, login_of(self._server))
        self.board.show()
        self.board.raise_()
        self.board.activateWindow()
        return self.board

    # ---------------------------------------------------------------------- sources

    def _open_worker(self) -> StoreClient:
        files, server = list(self._files), self._server
        return StoreClient("", self, opener=lambda: ReviewSet.open(files, server))

    def choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Add agents' database files"), str(self._files[0].parent)
            if self._files else "", self.tr("CallHelper databases (*.db *.sqlite *.sqlite3)"))
        if names:
            self.add_files([Path(name) for name in names])

    def add_files(self, files: list[Path]) -> None:
        """Review these files too: the workers reopen every file."""
        self._files += [path for path in files if path not in self._files]
        self._close_workers()
        self._stopping = threading.Event()
        self._store, self._checker = self._open_worker(), self._open_worker()
        self._load_sources()

    def _close_workers(self) -> None:
        """Stop a verification under way (it can take a minute on a big file), then close."""
        self._stopping.set()
        self._store.close()
        self._checker.close()

    def _load_sources(self) -> None:
        self.integrity_label.setText(self.tr("Checking the audit trails…"))
        self._store.submit(lambda set_: (set_.problems, [s.label for s in set_.sources],
                                         review.agents(set_)), self._on_sources)
        # on a worker of its own: checking a big file's trail must not hold up the cases
        stopping = self._stopping
        self._checker.submit(lambda set_: (set_.problems,
                                           review.verify_all(set_, stopping.is_set)),
                             self._on_integrity)
        self.reload()

    def _on_sources(self, result, error: BaseException | None) -> None:
        if error is not None:
            self.count_label.setText(self.tr("The files could not be read: %1")
                                     .replace("%1", str(error)))
            return
        _problems, labels, agents = result
        chosen = self.agent.currentData()
        self.agent.blockSignals(True)
        while self.agent.count() > 1:
            self.agent.removeItem(1)
        for name in agents:
            self.agent.addItem(name, name)
        self.agent.setCurrentIndex(max(0, self.agent.findData(chosen)))
        self.agent.blockSignals(False)
        self.setWindowTitle(self.tr("Review (read-only): %1")
                            .replace("%1", ", ".join(labels) or self.tr("no files")))

    def _on_integrity(self, found: tuple[list[str], list[review.Integrity] | None] | None,
                      error: BaseException | None) -> None:
        """Files that could not be opened, then each file's audit trail."""
        problems, results = found if found is not None else ([], [])
        if results is None:
            return  # stopped: the window is closing or reopening its files
        lines = [f"<span style='color:#c62828'>✗ {escape(problem)}</span>"
                 for problem in problems]
        if error is not None:
            lines.append(escape(self.tr("The audit trails could not be checked: %1")
                                .replace("%1", str(error))))
        for result in results or []:
            lines.append(self._integrity_line(result))
            if not result.verification.ok:
                finding = result.verification.finding
                log.warning("audit trail broken in %s: %s at entry %s, %s %s", result.label,
                            finding.problem.value, finding.seq, finding.entity, finding.uid)
        self.integrity_label.setText("<br>".join(lines))

    def _integrity_line(self, result: review.Integrity) -> str:
        verification = result.verification
        if verification.ok:
            text = self.tr("%1: audit trail intact (%2 entries)").replace(
                "%1", result.label).replace("%2", str(verification.entries))
            return f"<span style='color:#2e7d32'>✓ {escape(text)}</span>"
        finding = verification.finding
        messages = {
            Problem.ENTRY_CHANGED: self.tr("entry #%1 was changed outside CallHelper"),
            Problem.LINK_BROKEN: self.tr("entries before #%1 were removed or inserted "
                                         "outside CallHelper"),
            Problem.RECORD_CHANGED: self.tr("%2 %3 was changed outside CallHelper (%4)"),
            Problem.RECORD_UNTRACKED: self.tr("%2 %3 was added outside CallHelper"),
            Problem.RECORD_MISSING: self.tr("%2 %3 was deleted outside CallHelper"),
            Problem.WORDS_REMOVED: self.tr("the history of %2 %3 was emptied outside "
                                           "CallHelper"),
        }
        entity = {"note": self.tr("note"), "flag": self.tr("flag decision"),
                  "prevention": self.tr("prevention item done in case")}.get(
            finding.entity, self.tr("case"))
        detail = (messages[finding.problem].replace("%1", str(finding.seq))
                  .replace("%2", entity).replace("%3", finding.uid)
                  .replace("%4", ", ".join(finding.fields)))
        text = self.tr("%1: AUDIT TRAIL BROKEN: %2").replace("%1", result.label).replace(
            "%2", detail)
        return f"<b style='color:#c62828'>✗ {escape(text)}</b>"

    # ----------------------------------------------------------------------- queries


    def filters(self) -> CaseFilter:
        return CaseFilter(self.since.moment(), self.until.moment(1), self.status.currentData(),
                          self.agent.currentData(), self.flagged.isChecked(),
                          self.escalated.isChecked(), self.open_prevention.isChecked())

    def reload(self) -> None:
        self._token += 1
        token, filters, now = self._token, self.filters(), self._clock.now()
        self.count_label.setText(self.tr("Reading…"))
        self._store.submit(lambda set_: review.list_cases(set_, filters),
                           partial(self._on_cases, token))
        self._store.submit(lambda set_: review.summary(set_, filters, now),
                           partial(self._on_summary, token))

    def _on_cases(self, token: int, cases: list[ReviewCase] | None,
                  error: BaseException | None) -> None:
        if token != self._token:
            return
        if error is not None:
            self.count_label.setText(self.tr("The cases could not be read: %1")
                                     .replace("%1", str(error)))
            return
        current = self.table.currentIndex()
        chosen = self.proxy.data(current, SourceRole) if current.isValid() else None
        self.cases_model.set_rows(cases)
        self._keys.select(self.cases_model.find(
            lambda case: (case.source, case.row.case_id) == chosen))
        if not cases:
            self._case_token += 1
            self.detail.clear()
        self.count_label.setText(self.tr("%1 cases").replace("%1", str(len(cases))))

    def _on_summary(self, token: int, summary: Summary | None,
                    error: BaseException | None) -> None:
        if token != self._token or error is not None:
            return
        self.summary = summary
        days = list(summary.calls_per_day)
        self.calls_chart.set_data([f"{day:%m/%d}" for day in days],
                                  [summary.calls_per_day[day] for day in days])
        steps = self._step_rows(summary)
        self.steps_chart.set_data([title for title, _, _ in steps],
                                  [value for _, value, _ in steps],
                                  [target for _, _, target in steps])
        weeks = list(summary.escalations_per_week)
        self.escalation_chart.title = self.tr("Escalation rate per week (overall %1%)").replace(
            "%1", f"{summary.escalation_rate * 100:.0f}")
        self.escalation_chart.set_data(
            [self._week(week) for week in weeks],
            [100 * escalated / total if total else 0
             for escalated, total in summary.escalations_per_week.values()])
        self.flags_chart.set_data(
            [self._rules.label(category, self._language)
             for category in summary.flags_per_category],
            list(summary.flags_per_category.values()))
        self._show_flag_reviews(summary)
        self.prevention_chart.set_data(self._age_labels(), summary.prevention_by_age)
        weeks = list(summary.subjects_per_week)
        self.subjects_chart.set_data(
            [self._week(week) for week in weeks],
            {subject: [summary.subjects_per_week[week].get(subject, 0) for week in weeks]
             for subject in summary.top_subjects})

    def _flag_headings(self) -> list[str]:
        return [self.tr("Category"), self.tr("Confirmed"), self.tr("Dismissed"),
                self.tr("Added by hand"), self.tr("Not reviewed"),
                self.tr("Confirmation rate")]

    def _show_flag_reviews(self, summary: Summary) -> None:
        """Per category: confirmed, dismissed, added by hand, not reviewed, and the rate."""
        self.flag_table.setRowCount(len(summary.flag_reviews))
        for row, counts in enumerate(summary.flag_reviews):
            rate = counts.confirmation_rate
            cells = [self._rules.label(counts.category, self._language), str(counts.confirmed),
                     str(counts.dismissed), str(counts.manual), str(counts.unreviewed),
                     "—" if rate is None else f"{rate * 100:.0f}%"]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight |
                                          Qt.AlignmentFlag.AlignVCenter)
                self.flag_table.setItem(row, column, item)

    def _step_rows(self, summary: Summary) -> list[tuple[str, float, float | None]]:
        """Each step of the playbooks that has times: its title, median and target."""
        rows, seen = [], set()
        for playbook in self._catalog.playbooks():
            for step in playbook.steps:
                median = summary.step_median(step.id)
                if median is not None and step.id not in seen:
                    seen.add(step.id)
                    rows.append((step.title.get(self._language), median,
                                 float(step.target_seconds)))
        for step_id in summary.step_seconds:
            if step_id not in seen:
                rows.append((step_id, summary.step_median(step_id), None))
        return rows

    def _week(self, monday: date) -> str:
        return self.tr("wk %1").replace("%1", f"{monday:%m/%d}")

    def _age_labels(self) -> list[str]:
        bounds = (0,) + AGE_BUCKETS
        labels = [self.tr("%1–%2 days").replace("%1", str(low)).replace("%2", str(high - 1))
                  for low, high in zip(bounds, bounds[1:])]
        return labels + [self.tr("%1+ days").replace("%1", str(bounds[-1]))]

    def _row_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        label, case_id = self.proxy.data(current, SourceRole)
        self.show_case(label, case_id)

    def show_case(self, label: str, case_id: int) -> None:
        self._case_token += 1
        token = self._case_token
        self._store.submit(lambda set_: review.case_timeline(set_, label, case_id),
                           partial(self._on_timeline, token))

    def _on_timeline(self, token: int, found: ReviewTimeline | None,
                     error: BaseException | None) -> None:
        if token != self._case_token:
            return
        if error is not None or found is None:
            self.detail.setPlainText(self.tr("The case could not be read."))
            return
        heading = f"<p style='color:#6b6b6b'>{escape(found.source)}</p>"
        self.detail.setHtml(heading + self._renderer.html(
            found.timeline, step_times=True, revisions=found.revisions, deleted=found.deleted))

    # ------------------------------------------------------------- prevention items

    def mark_prevention_done(self) -> None:
        """Ctrl+D: the selected case's prevention item is done; it leaves the open items."""
        current = self.table.currentIndex()
        if not current.isValid():
            self.statusBar().showMessage(self.tr("Select a case first."))
            return
        label, case_id = self.proxy.data(current, SourceRole)
        self._store.submit(lambda set_: review.open_prevention_item(set_, label, case_id),
                           self._on_prevention_item)

    def _on_prevention_item(self, item: review.PreventionItem | None,
                            error: BaseException | None) -> None:
        if error is not None:
            self.statusBar().showMessage(self.tr("The case could not be read."))
        elif item is None:
            self.statusBar().showMessage(self.tr("This case has no open prevention item."))
        elif self._mark_prevention_done is None or \
                not self._mark_prevention_done(item, self._on_prevention_done):
            self.statusBar().showMessage(self.tr(
                "Only the cases of this computer's own database can be marked here; mark "
                "this one in the CallHelper of the agent whose database holds it."))

    def _on_prevention_done(self) -> None:
        """The item is on disk: read the files again (a file opened while its log was
        empty is read as it was then)."""
        self.statusBar().showMessage(self.tr("✓ Prevention item marked done"))
        self.add_files([])

    def closeEvent(self, event) -> None:
        self._state.setValue("review/geometry", self.saveGeometry())
        self._close_workers()
        super().closeEvent(event)
