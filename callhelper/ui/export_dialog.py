"""Export from the window: notes or cases, a date range, one agent or all, to a CSV file or
an Excel workbook, with the column names and values in the window's language (or as ids).

The export runs on a thread of its own with a database connection of its own (read only), so
the window, and the store worker that saves the notes, go on while a large export is written.
Progress arrives by signals; a cancelled or failed export leaves no file behind, and an
earlier file of the same name stays as it was.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QDir, QSettings, QStandardPaths, Qt, QThread, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox,
                               QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QProgressBar, QPushButton, QWidget)
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from callhelper.core.export import (CSV, FORMATS, PROGRESS_EVERY, XLSX, XLSX_MAX_ROWS,
                                     TooManyRows, check_sheet_rows, write_table)
from callhelper.core.flags import DemandRules
from callhelper.store.engine import make_engine
from callhelper.store.export import (CASE_HEADER, IDS, NOTE_HEADER, ExportFilter, Labels,
                                     case_rows, count_cases, count_notes, note_rows)
from callhelper.ui.export_labels import CASES, NOTES, export_labels

log = logging.getLogger(__name__)

SOURCES = {
    NOTES: (NOTE_HEADER, count_notes, note_rows),
    CASES: (CASE_HEADER, count_cases, case_rows),
}
PROGRESS_STEPS = 200


class ExportCancelled(Exception):
    """Raised inside the export when the user cancels it; the file is then not written."""


@dataclass(frozen=True)
class ExportRequest:
    database_url: str
    what: str
    filters: ExportFilter
    path: Path
    table_format: str = CSV
    labels: Labels = IDS


def default_file_name(what: str, day: date, table_format: str = CSV) -> str:
    return f"callhelper-{what}-{day:%Y%m%d}.{table_format}"


def documents_folder() -> Path:
    """The user's Documents folder, or the home folder where there is none."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path(QDir.homePath())


class ExportThread(QThread):
    """One export, start to end, with its own engine; reports by signals, never touches widgets.

    ``counted(total)`` comes first, then ``progressed(rows)`` as the rows are written, then
    exactly one of ``succeeded(rows, path)``, ``cancelled()`` or ``failed(error)``.
    """

    counted = Signal(int)
    progressed = Signal(int)
    succeeded = Signal(int, str)
    cancelled = Signal()
    failed = Signal(object)

    def __init__(self, request: ExportRequest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.request = request
        self._cancel = threading.Event()
        self.setObjectName("export")

    def cancel(self) -> None:
        """Stop at the next progress report; safe to call from any thread."""
        self._cancel.set()

    def run(self) -> None:
        request = self.request
        header, count, rows = SOURCES[request.what]
        labels = request.labels

        def report(written: int) -> None:
            self.progressed.emit(written)
            if self._cancel.is_set():
                raise ExportCancelled

        engine = None
        try:
            engine = make_engine(request.database_url)
            with Session(engine) as session:
                total = count(session, request.filters)
                self.counted.emit(total)
                if request.table_format == XLSX:
                    check_sheet_rows(total)
                if self._cancel.is_set():
                    raise ExportCancelled
                every = max(1, min(PROGRESS_EVERY, total // PROGRESS_STEPS))
                written = write_table(request.path, labels.header(header),
                                      rows(session, request.filters, labels), report, every,
                                      request.table_format)
        except ExportCancelled:
            self.cancelled.emit()
        except Exception as error:  # every failure is shown to the user, who can try again
            log.exception("export to %s failed", request.path)
            self.failed.emit(error)
        else:
            self.succeeded.emit(written, str(request.path))
        finally:
            if engine is not None:
                engine.dispose()


class ExportDialog(QDialog):
    """Choose what to export and where; the export runs while the window goes on working.

    ``export_started(thread)`` is emitted when an export begins, before its thread runs, for
    whoever wants to follow its signals.
    """

    export_started = Signal(object)

    def __init__(self, database_url: str, agent: str, today: date, state: QSettings,
                 rules: DemandRules, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._database_url = database_url
        self._agent = agent
        self._today = today
        self._state = state
        self._rules = rules
        self._language = language
        self._thread: ExportThread | None = None
        self._close_when_done = False
        self.setWindowTitle(self.tr("Export", "window title"))
        self.setObjectName("exportDialog")

        self.what = QComboBox()
        self.what.setObjectName("exportWhat")
        self.what.addItem(self.tr("Notes (one row per note)"), NOTES)
        self.what.addItem(self.tr("Cases (one row per case)"), CASES)
        self.what.setCurrentIndex(max(0, self.what.findData(state.value("export/what", NOTES))))
        self.what.currentIndexChanged.connect(self._follow_choices)

        self.table_format = QComboBox()
        self.table_format.setObjectName("exportFormat")
        self.table_format.addItem(self.tr("CSV (.csv)"), CSV)
        self.table_format.addItem(self.tr("Excel workbook (.xlsx)"), XLSX)
        self.table_format.setCurrentIndex(
            max(0, self.table_format.findData(state.value("export/format", CSV))))
        self.table_format.currentIndexChanged.connect(self._follow_choices)
        self.ids_check = QCheckBox(self.tr("Column names and values as ids (for scripts)"))
        self.ids_check.setObjectName("exportIds")
        self.ids_check.setChecked(state.value("export/ids", False, type=bool))

        self.from_check = QCheckBox(self.tr("From"))
        self.from_date = self._date_edit(QDate(today.year, today.month, 1), "exportFrom")
        self.to_check = QCheckBox(self.tr("To"))
        self.to_date = self._date_edit(QDate(today.year, today.month, today.day), "exportTo")
        for check, edit in ((self.from_check, self.from_date), (self.to_check, self.to_date)):
            check.toggled.connect(edit.setEnabled)
            edit.setEnabled(False)
        dates = QHBoxLayout()
        dates.addWidget(self.from_check)
        dates.addWidget(self.from_date, 1)
        dates.addWidget(self.to_check)
        dates.addWidget(self.to_date, 1)

        self.agent_choice = QComboBox()
        self.agent_choice.setObjectName("exportAgent")
        self.agent_choice.addItem(self.tr("All agents"), "")
        self.agent_choice.addItem(self.tr("Only mine (%1)").replace("%1", agent), agent)
        self.agent_choice.setCurrentIndex(
            1 if state.value("export/mine", False, type=bool) else 0)

        last_folder = state.value("export/folder", "")
        folder = Path(last_folder) if last_folder and Path(last_folder).is_dir() \
            else documents_folder()
        self.path_edit = QLineEdit(str(folder / default_file_name(
            self.what.currentData(), today, self.table_format.currentData())))
        self.path_edit.setObjectName("exportPath")
        # Enter anywhere in the form exports (the default button); the chooser has its own
        # button and shortcut, and never takes Enter over as the focused "auto default".
        self.choose_button = QPushButton(self.tr("Choose…"))
        self.choose_button.setObjectName("exportChoose")
        self.choose_button.setAutoDefault(False)
        self.choose_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Open))
        self.choose_button.setToolTip(self.tr("Choose the file (%1)").replace(
            "%1", self.choose_button.shortcut().toString(QKeySequence.SequenceFormat.NativeText)))
        self.choose_button.clicked.connect(self.choose_file)
        target = QHBoxLayout()
        target.addWidget(self.path_edit, 1)
        target.addWidget(self.choose_button)

        self.progress = QProgressBar()
        self.progress.setObjectName("exportProgress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.message = QLabel()
        self.message.setObjectName("exportMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(self.tr("Export"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self.reject)

        form = QFormLayout(self)
        form.addRow(self.tr("Export"), self.what)
        form.addRow(self.tr("Dates"), dates)
        form.addRow(self.tr("Agent"), self.agent_choice)
        form.addRow(self.tr("Format"), self.table_format)
        form.addRow("", self.ids_check)
        form.addRow(self.tr("File"), target)
        form.addRow(self.progress)
        form.addRow(self.message)
        form.addRow(self.buttons)
        self._inputs = (self.what, self.from_check, self.to_check, self.agent_choice,
                        self.table_format, self.ids_check, self.path_edit, self.choose_button)
        self._dated = ((self.from_check, self.from_date), (self.to_check, self.to_date))
        self.resize(max(self.sizeHint().width(), 480), self.sizeHint().height())

    def _date_edit(self, day: QDate, name: str) -> QDateEdit:
        edit = QDateEdit(day)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    @property
    def running(self) -> bool:
        return self._thread is not None

    def _follow_choices(self) -> None:
        """A file name still as proposed follows the choice of notes or cases, and the
        extension of any .csv or .xlsx name follows the format."""
        path = Path(self.path_edit.text())
        table_format = self.table_format.currentData()
        if path.name in {default_file_name(what, self._today, each)
                         for what in SOURCES for each in FORMATS}:
            path = path.with_name(default_file_name(self.what.currentData(), self._today,
                                                    table_format))
        elif path.suffix.lower() in {f".{each}" for each in FORMATS}:
            path = path.with_suffix(f".{table_format}")
        else:
            return
        self.path_edit.setText(str(path))

    def choose_file(self) -> None:
        name_filter = self.tr("CSV files (*.csv)") if self.table_format.currentData() == CSV \
            else self.tr("Excel workbooks (*.xlsx)")
        chosen, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export to"), self.path_edit.text(), name_filter)
        if chosen:
            self.path_edit.setText(chosen)

    def request(self) -> ExportRequest:
        """What the form asks for; dates are days in local time, both included."""
        since, until = (edit.date().toPython() if check.isChecked() else None
                        for check, edit in self._dated)
        filters = ExportFilter.for_days(since, until, self.agent_choice.currentData())
        what = self.what.currentData()
        labels = IDS if self.ids_check.isChecked() else \
            export_labels(what, self._rules, self._language)
        return ExportRequest(self._database_url, what, filters,
                             Path(self.path_edit.text().strip()).expanduser(),
                             self.table_format.currentData(), labels)

    # ----------------------------------------------------------------- running

    def start(self) -> None:
        if self.running:
            return
        request = self.request()
        if not request.path.name or request.path.is_dir():
            self._show(self.tr("Choose the file to write."), problem=True)
            return
        self._state.setValue("export/what", request.what)
        self._state.setValue("export/format", request.table_format)
        self._state.setValue("export/ids", self.ids_check.isChecked())
        self._state.setValue("export/mine", bool(request.filters.agent))
        self._state.setValue("export/folder", str(request.path.parent))
        thread = ExportThread(request, self)
        thread.counted.connect(self._on_counted)
        thread.progressed.connect(self._on_progress)
        thread.succeeded.connect(self._on_succeeded)
        thread.cancelled.connect(self._on_cancelled)
        thread.failed.connect(self._on_failed)
        thread.finished.connect(self._on_thread_finished)
        self._thread = thread
        self._set_running(True)
        self.progress.setRange(0, 0)
        self._show(self.tr("Counting…"))
        self.export_started.emit(thread)
        thread.start()

    def cancel(self) -> None:
        if self._thread is not None:
            self._thread.cancel()
            self._show(self.tr("Cancelling…"))

    def _set_running(self, running: bool) -> None:
        for widget in self._inputs:
            widget.setEnabled(not running)
        for check, edit in self._dated:
            edit.setEnabled(check.isChecked() and not running)
        self.export_button.setEnabled(not running)
        self.close_button.setText(self.tr("Cancel") if running else self.tr("Close"))

    def _on_counted(self, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)
        self._show(self.tr("Writing %1 rows…").replace("%1", f"{total:,}"))

    def _on_progress(self, written: int) -> None:
        if written > self.progress.maximum():
            self.progress.setMaximum(written)
        self.progress.setValue(written)

    def _on_succeeded(self, written: int, path: str) -> None:
        self.progress.setRange(0, max(written, 1))
        self.progress.setValue(self.progress.maximum())
        message = self.tr("✓ %1 notes written to %2") if self._thread.request.what == NOTES \
            else self.tr("✓ %1 cases written to %2")
        self._show(message.replace("%1", f"{written:,}").replace("%2", path))

    def _on_cancelled(self) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self._show(self.tr("Export cancelled; no file was written."))

    def _on_failed(self, error: BaseException) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        path = str(self._thread.request.path)
        if isinstance(error, OSError):
            reason = error.strerror or str(error)
            message = self.tr("The file %1 could not be written: %2").replace(
                "%1", path).replace("%2", reason)
        elif isinstance(error, TooManyRows):
            message = self.tr("An Excel sheet holds at most %1 rows: export fewer (a shorter "
                              "period) or as CSV.").replace("%1", f"{XLSX_MAX_ROWS - 1:,}")
        elif isinstance(error, SQLAlchemyError):
            message = self.tr("The database could not be read; details are in the log.")
        else:
            message = self.tr("The export failed; details are in the log.")
        self._show(message, problem=True)

    def _on_thread_finished(self) -> None:
        self._thread = None
        self._set_running(False)
        if self._close_when_done:
            self._close_when_done = False
            self.reject()

    def _show(self, message: str, problem: bool = False) -> None:
        self.message.setText(message)
        self.message.setStyleSheet("color: #c62828;" if problem else "")

    # ----------------------------------------------------------------- closing

    def reject(self) -> None:
        """Close, Escape or the title bar's close: during an export, cancel it and close
        once it has stopped."""
        if self.running:
            self._close_when_done = True
            self.cancel()
            return
        super().reject()

    def stop(self) -> None:
        """Cancel a running export and wait for its thread; for the app's shutdown."""
        thread = self._thread
        if thread is not None:
            thread.cancel()
            thread.wait()
