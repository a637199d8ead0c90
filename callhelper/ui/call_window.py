"""The call window: timer, checklist, exact-words capture and wrap-up.

A view over the call controller (ui/call_controller.py), which holds the call, its notes and
everything written: the window calls it on keys and clicks and draws what it says. Every
write goes through the store worker; the window shows a note only once its unit of work has
committed. A write that fails is kept and retried, in order, so nothing typed is lost while
the app runs.

The window is shown before the storage stack is loaded (docs/architecture.md, "Window
first"): this module and those it imports load no store module at import time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QCheckBox, QComboBox,
                               QFormLayout, QFrame, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QMainWindow, QMenu, QPlainTextEdit, QPushButton, QSizePolicy,
                               QStackedWidget, QSystemTrayIcon, QTableView, QTextEdit,
                               QVBoxLayout, QWidget)

from callhelper.config import Paths, Settings
from callhelper.core.case import Level, NoteKind, WrapUp
from callhelper.core.clock import Clock
from callhelper.core.due import DueProblem, DueTimeError, parse_due
from callhelper.core.commands import Command
from callhelper.core.flags import DemandRules
from callhelper.core.playbook import PlaybookCatalog
from callhelper.core.session import CallSession, CallState, format_offset
from callhelper.ui.banner import BannerArea
from callhelper.ui.call_controller import CallController, CallerInfo
from callhelper.ui.caller_panel import CallerPanel, PastContactsModel
from callhelper.ui.density import narrow
from callhelper.ui.labels import due_label, level_label, note_kind_label, phone_label
from callhelper.ui.flag_review import FlagReview
from callhelper.ui.hand import HandBar
from callhelper.ui.line_edit import empty
from callhelper.ui.models import ChecklistModel, NoteRow, NotesModel
from callhelper.ui.notes_view import NotesView
from callhelper.ui.recovery import RecoveryBanner
from callhelper.ui.reminders import RemindersList, reminder_line
from callhelper.ui.responses import ResponseBanner, SeniorScript
from callhelper.ui.shortcuts import ShortcutsBeforeEditingKeys
from callhelper.app.store_client import StoreClient
from callhelper.app.sync_runner import SyncRunner
from callhelper.ui.sync_label import SyncLabel
from callhelper.app.upkeep import DailyUpkeep
from callhelper.ui.wrap_up import WrapUpPanel
from callhelper.app.write_queue import operation

if TYPE_CHECKING:  # the windows opened later are imported when first opened: a faster start
    from callhelper.store.startup import StartupOpener
    from callhelper.ui.export_dialog import ExportDialog
    from callhelper.ui.history_window import HistoryWindow

HINT_ITEMS = 1
URGENCY, IMPACT = "urgency", "impact"
DEFAULT_SIZE = (400, 680)
ENTRY_UNLIMITED = 2**31 - 1  # QLineEdit's largest maxLength
KIND_SHORTCUTS = {
    NoteKind.QUOTE: "Alt+Q",
    NoteKind.AGENT_NOTE: "Alt+N",
    NoteKind.FACT: "Alt+F",
    NoteKind.REQUEST: "Alt+R",
    NoteKind.PROMISE: "Alt+P",
}
TIMER_COLORS = {
    CallState.READY: "#8a8a8a",
    CallState.ACTIVE: "#2e7d32",
    CallState.ON_HOLD: "#ef6c00",
    CallState.ENDED: "#8a8a8a",
}


class CallWindow(QMainWindow):
    """The agent's window beside the phone; ``ready`` fires once the database is
    open and an unfinished call (if any) is back on screen."""

    ready = Signal()

    def __init__(self, paths: Paths, settings: Settings, store: StoreClient,
                 catalog: PlaybookCatalog, rules: DemandRules, clock: Clock,
                 language: str, opener: StartupOpener | None = None) -> None:
        super().__init__()
        self._paths = paths
        self._settings = settings
        self._store = store
        self._catalog = catalog
        self._rules = rules
        self._clock = clock
        self._language = language
        self._edit_when_loaded = False
        self._hint_step: str | None = None
        self._was_stuck = False
        self._save_state = ("", False, False)  # the status line's message, problem, counted
        self.controller = CallController(paths, settings, store, catalog, rules, clock,
                                         language, self)
        self._writes = self.controller.writes
        self._writes.changed.connect(self._show_write_state)
        self._sync: SyncRunner | None = None
        self._history_source: StoreClient | None = None
        self._opener = opener
        self.upkeep = DailyUpkeep(store, paths, settings, clock, self, opener)
        self.upkeep.failed.connect(lambda text: self._show_save_state(text, problem=True))
        self.upkeep.damaged.connect(lambda text: self.recovery.warn(text))

        self.setWindowTitle("CallHelper")
        self.setObjectName("callWindow")
        self._build()
        self.recovery = RecoveryBanner()
        self.recovery.chosen.connect(self._recover)
        self.centralWidget().layout().insertWidget(0, self.recovery)
        self._bind_shortcuts()
        self._follow_controller()

        self._tick_timer = QTimer(self)
        self._tick_timer.setSingleShot(True)
        self._tick_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._tick_timer.timeout.connect(self._on_tick)

        self.tray = QSystemTrayIcon(self.windowIcon(), self) \
            if QSystemTrayIcon.isSystemTrayAvailable() else None
        if self.tray is not None:
            self.tray.setToolTip("CallHelper")
            self.tray.messageClicked.connect(self._reminders_from_tray)
            self.tray.show()
        self._set_always_on_top(bool(settings.get("always_on_top")), save=False)
        self._restore_geometry()
        self._show_state()
        if settings.problem is not None:
            self._show_save_state(self.tr("Settings not read (%1): the defaults are used, and "
                                          "the file stays as it is until the settings are "
                                          "saved.").replace("%1", settings.problem),
                                  problem=True)
        self.controller.open()

    def _follow_controller(self) -> None:
        """Draw what the controller says."""
        controller = self.controller
        controller.state_changed.connect(self._show_state)
        controller.steps_changed.connect(self._refresh_checklist)
        controller.call_begun.connect(self._on_call_begun)
        controller.call_ended.connect(self._on_call_ended)
        controller.call_closed.connect(self._on_call_closed)
        controller.wrap_up_refused.connect(lambda: self.wrap_up.show_problem(
            self.tr("The wrap-up could not be saved; see the log.")))
        controller.notes_reset.connect(self.notes_model.set_rows)
        controller.note_added.connect(self.notes_model.append)
        controller.note_changed.connect(self.notes_model.put)
        controller.note_removed.connect(self.notes_model.remove)
        controller.note_returned.connect(self._return_to_entry)
        controller.escalation_changed.connect(self._show_escalation)
        controller.history_shown.connect(self._show_history)
        controller.ringing.connect(self._show_caller_ringing)
        controller.case_changed.connect(self._show_case)
        controller.front_requested.connect(self.bring_to_front)
        controller.promises_due.connect(self._remind)
        controller.due_listed.connect(self._show_due_list)
        controller.handed_over.connect(self._on_handed_over)
        controller.message.connect(self._show_save_state)
        controller.opened.connect(self._on_database_open)
        controller.choice_needed.connect(self.recovery.ask)
        controller.ready.connect(self.ready)

    # ----------------------------------------------------------------- layout

    def _build(self) -> None:
        self.timer_label = QLabel("00:00")
        self.timer_label.setObjectName("timer")
        timer_font = QFont(self.font())
        timer_font.setPointSize(26)
        timer_font.setBold(True)
        timer_font.setStyleHint(QFont.StyleHint.Monospace)
        self.timer_label.setFont(timer_font)
        self.state_label = QLabel()
        self.state_label.setObjectName("callState")

        self.start_button = QPushButton(self.tr("Start F7"))
        self.start_button.clicked.connect(self.start_call)
        self.hold_button = QPushButton(self.tr("Hold F8"))
        self.hold_button.clicked.connect(self.toggle_hold)
        self.end_button = QPushButton(self.tr("End F9"))
        self.end_button.clicked.connect(self.end_call)
        self.pin_button = QPushButton(self.tr("On top"))
        self.pin_button.setCheckable(True)
        self.pin_button.setToolTip(self.tr("Keep this window above the others (Ctrl+T)"))
        self.pin_button.toggled.connect(self._set_always_on_top)
        self.history_button = QPushButton(self.tr("History"))
        self.history_button.setToolTip(self.tr("Cases and search (Ctrl+H)"))
        self.history_button.clicked.connect(lambda: self.open_history())
        self.export_button = QPushButton("⇩")
        self.export_button.setToolTip(self.tr("Export notes or cases to CSV (Ctrl+Shift+E)"))
        self.export_button.clicked.connect(lambda: self.open_export())
        self.settings_button = QPushButton("⚙")
        self.settings_button.setToolTip(self.tr("Settings (Ctrl+,)"))
        self.settings_button.clicked.connect(self.open_settings)
        for button in (self.start_button, self.hold_button, self.end_button, self.pin_button,
                       self.history_button, self.export_button, self.settings_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for button in (self.export_button, self.settings_button):  # one symbol: kept narrow
            button.setMaximumWidth(2 * button.sizeHint().height())
        for button in (self.start_button, self.end_button, self.pin_button,
                       self.history_button, self.export_button, self.settings_button):
            narrow(button)
        narrow(self.hold_button, self.tr("Resume F8"))
        self.hand_bar = HandBar(self.controller)  # team mode: the raised hand (ui/hand.py)

        header = QHBoxLayout()
        timer_box = QVBoxLayout()
        timer_box.setSpacing(0)
        timer_box.addWidget(self.timer_label)
        timer_box.addWidget(self.state_label)
        header.addLayout(timer_box)
        header.addStretch(1)
        for button in (self.start_button, self.hold_button, self.end_button,
                       self.hand_bar.button, self.pin_button, self.history_button,
                       self.export_button, self.settings_button):
            header.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)

        self.caller_label = QLabel()
        self.caller_label.setObjectName("caller")
        caller_font = QFont(self.font())
        caller_font.setPointSize(caller_font.pointSize() + 3)
        caller_font.setBold(True)
        self.caller_label.setFont(caller_font)
        self.caller_detail = QLabel()
        self.caller_detail.setObjectName("callerDetail")
        self.caller_detail.setStyleSheet("color: #555;")
        for label in (self.caller_label, self.caller_detail):  # never wider than the window
            label.setWordWrap(True)
        self.caller_panel = CallerPanel()
        self.caller_panel.profile_saved.connect(self._save_profile)
        self.caller_panel.edit_closed.connect(lambda: self.note_entry.setFocus())
        self.caller_panel.contacts.clicked.connect(
            lambda index: self.open_history(index.data(PastContactsModel.CaseIdRole)))
        self._history_window: HistoryWindow | None = None
        self._review_window = None
        self._export_dialog: ExportDialog | None = None
        self._cti = None

        self.pages = QStackedWidget()
        self.pages.currentChanged.connect(self._fit_pages)
        self.pages.addWidget(self._build_idle_page())
        self.pages.addWidget(self._build_checklist_page())
        self.wrap_up = WrapUpPanel()
        self.wrap_up.submitted.connect(self._save_wrap_up)
        self.pages.addWidget(self.wrap_up)
        self._fit_pages(self.pages.currentIndex())  # the pages added after the first too

        self.banners = BannerArea([self.escalation_label, self.senior_script])

        self.notes_model = NotesModel(self._rules, self._language, self)
        self.notes_model.decision_taken.connect(self.controller.take_decision)
        self.notes_view = NotesView(self.notes_model)
        self.notes_view.doubleClicked.connect(lambda index: self.begin_edit(index.row()))

        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("noteKind")
        for kind, keys in KIND_SHORTCUTS.items():
            self.kind_combo.addItem(note_kind_label(kind), kind)
            self.kind_combo.setItemData(self.kind_combo.count() - 1, keys,
                                        Qt.ItemDataRole.ToolTipRole)
        self.kind_combo.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.kind_combo.currentIndexChanged.connect(self._update_placeholder)
        self.note_entry = QLineEdit()
        self.note_entry.setObjectName("noteEntry")
        # Qt cuts longer text off silently (32767 characters by default): the entry takes any
        # paste, and one too long to store is refused with a message (submit_note).
        self.note_entry.setMaxLength(ENTRY_UNLIMITED)
        self.note_entry.returnPressed.connect(self.submit_note)
        self.note_entry.installEventFilter(self)
        self._editing: NoteRow | None = None
        self._build_due_entry()
        entry_row = QHBoxLayout()
        entry_row.addWidget(self.kind_combo)
        entry_row.addWidget(self.note_entry, 1)
        entry_row.addWidget(self.due_edit)
        entry_row.addWidget(self.due_preview)
        self.entry_box = QWidget()
        self.entry_box.setLayout(entry_row)
        entry_row.setContentsMargins(0, 0, 0, 0)

        self.senior_input = QLineEdit()
        self.senior_input.setObjectName("seniorName")
        self.senior_input.setPlaceholderText(self.tr("Name of the senior taking over… Enter"))
        self.senior_input.returnPressed.connect(self._record_senior)
        self.handoff_bar = QWidget()
        handoff_row = QHBoxLayout(self.handoff_bar)
        handoff_row.setContentsMargins(0, 0, 0, 0)
        handoff_row.addWidget(QLabel(self.tr("Handoff copied.")))
        handoff_row.addWidget(self.senior_input, 1)
        self.handoff_bar.hide()

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.caller_label)
        layout.addWidget(self.caller_detail)
        layout.addWidget(self.caller_panel)
        layout.addWidget(self.pages)
        layout.addWidget(self.banners)
        layout.addWidget(self.notes_view, 1)
        layout.addWidget(self.hand_bar)
        layout.addWidget(self.entry_box)
        layout.addWidget(self.handoff_bar)
        self.setCentralWidget(central)

        self.saved_label = QLabel()
        self.saved_label.setObjectName("saveState")
        self.statusBar().addWidget(self.saved_label, 1)
        self.sync_label = SyncLabel()  # team mode only: the server's side of saving
        self.statusBar().addPermanentWidget(self.sync_label)
        self.keys_hint = QLabel(self.tr("Ctrl+digit tick · Ctrl+E handoff"))
        self.keys_hint.setStyleSheet("color: #6b6b6b;")
        self.statusBar().addPermanentWidget(self.keys_hint)
        self.statusBar().setSizeGripEnabled(True)
        small = QFont(self.font())
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.statusBar().setFont(small)
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
        self.due_edit.returnPressed.connect(self.submit_note)
        self.due_preview = QLabel()
        self.due_preview.setObjectName("promiseDuePreview")
        self.due_edit.hide()
        self.due_preview.hide()
        self.reminders = RemindersList(self._language, self)
        self.reminders.case_chosen.connect(self._open_due_case)
        self.reminders.closed.connect(self._after_reminders)

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

    def _show_due_list(self, due: list) -> None:
        if self.reminders.isVisible():
            self.reminders.show_promises(due)

    def show_reminders(self) -> None:
        """Ctrl+R: every promise of the agent's that is due, each named; refreshed at once."""
        self.reminders.show_promises(self.controller.due_promises)
        self.reminders.popup_over(self)
        self.controller.check_promises()

    def _reminders_from_tray(self) -> None:
        """A click on the tray's notification: the window comes forward with the list of
        the promises due (as Ctrl+R shows it)."""
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()
        self.show_reminders()

    def _open_due_case(self, case_id: int) -> None:
        self.reminders.hide()
        self.open_history(case_id)

    def _after_reminders(self) -> None:
        if self.isActiveWindow() and self.note_entry.isVisible():
            self.note_entry.setFocus()

    def undo(self) -> None:
        """Ctrl+Z: the text field's own undo while it holds text, else the undo of the
        note deleted last in this call."""
        focused = QApplication.focusWidget()
        if isinstance(focused, QLineEdit) and focused.text():
            focused.undo()
        elif isinstance(focused, (QPlainTextEdit, QTextEdit)) and focused.toPlainText():
            focused.undo()
        elif not self.controller.undo_delete():
            self._show_save_state(self.tr("Nothing to undo"))

    def _fit_pages(self, current: int) -> None:
        """Size the stack to the page shown, not to the largest page."""
        for index in range(self.pages.count()):
            policy = QSizePolicy.Policy.Preferred if index == current else \
                QSizePolicy.Policy.Ignored
            self.pages.widget(index).setSizePolicy(policy, policy)
        self.pages.adjustSize()

    def _build_idle_page(self) -> QWidget:
        page = QWidget()
        self.number_input = QLineEdit()
        self.number_input.setObjectName("callerNumber")
        self.number_input.setPlaceholderText(self.tr("Caller's number (optional)"))
        self.name_input = QLineEdit()
        self.name_input.setObjectName("callerName")
        self.name_input.setPlaceholderText(self.tr("Caller's name (optional)"))
        for field in (self.number_input, self.name_input):
            field.returnPressed.connect(self.start_call)
        self.number_input.textChanged.connect(self.controller.set_next_number)
        self.number_input.editingFinished.connect(self._show_number_normalised)
        self.name_input.textChanged.connect(self.controller.set_next_name)
        self.outgoing_box = QCheckBox(self.tr("We call the customer (callback)"))
        self.outgoing_box.setObjectName("outgoing")
        self.outgoing_box.setToolTip(self.tr(
            "An outgoing call does not count as the customer calling again"))
        self.outgoing_box.toggled.connect(self.controller.set_next_outgoing)
        self.playbook_combo = QComboBox()
        self.playbook_combo.setObjectName("playbook")
        self.playbook_combo.activated.connect(self._choose_playbook)
        form = QFormLayout(page)
        form.setContentsMargins(0, 8, 0, 0)
        form.addRow(self.tr("Number"), self.number_input)
        form.addRow(self.tr("Name"), self.name_input)
        form.addRow(self.outgoing_box)
        form.addRow(self.tr("Playbook"), self.playbook_combo)
        hint = QLabel(self.tr("Press F7 (or Enter here) when the call is answered."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        form.addRow(hint)
        return page

    def _show_number_normalised(self) -> None:
        """The number typed, as agents read it, once the agent leaves the field."""
        shown = phone_label(self.number_input.text())
        if shown and shown != self.number_input.text():
            self.number_input.setText(shown)

    def _build_checklist_page(self) -> QWidget:
        page = QWidget()
        self.checklist_model = ChecklistModel(self._language, self)
        self.checklist_model.tick_requested.connect(self.controller.set_step_done)
        self.checklist_view = QTableView()
        self.checklist_view.setObjectName("checklist")
        self.checklist_view.setModel(self.checklist_model)
        self.checklist_view.setShowGrid(False)
        self.checklist_view.horizontalHeader().hide()
        self.checklist_view.verticalHeader().hide()
        self.checklist_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.checklist_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.checklist_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.checklist_view.horizontalHeader()
        header.setSectionResizeMode(ChecklistModel.STEP, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ChecklistModel.TIME, QHeaderView.ResizeMode.ResizeToContents)
        rows = self.checklist_view.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.hint_label = QLabel()
        self.hint_label.setObjectName("stepHint")
        self.hint_label.setWordWrap(True)
        self.hint_label.setTextFormat(Qt.TextFormat.RichText)
        self.hint_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.hint_label.setStyleSheet("background: #f4f6f8; padding: 4px;")
        hint_font = QFont(self.font())
        hint_font.setPointSizeF(hint_font.pointSizeF() * 0.92)
        self.hint_label.setFont(hint_font)
        self.escalation_label = ResponseBanner()
        self.senior_script = SeniorScript()
        self.urgency_combo = self._level_combo()
        self.impact_combo = self._level_combo()
        levels = QHBoxLayout()
        levels.addWidget(QLabel(self.tr("Urgency Alt+U")))
        levels.addWidget(self.urgency_combo, 1)
        levels.addWidget(QLabel(self.tr("Impact Alt+I")))
        levels.addWidget(self.impact_combo, 1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.checklist_view)
        layout.addWidget(self.hint_label)
        layout.addLayout(levels)
        return page

    def _level_combo(self) -> QComboBox:
        combo = QComboBox()
        combo.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # as narrow as a level's name ("not assessed" is cut short in a 400-pixel window)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(4)
        combo.addItem(self.tr("not assessed"), "")
        for level in Level:
            combo.addItem(level_label(level), level.value)
        combo.activated.connect(self._levels_changed)
        return combo

    def _bind_shortcuts(self) -> None:
        def bind(keys: str, action: Callable[[], object]) -> None:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(action)

        bind("F7", self.start_call)
        bind("F8", self.toggle_hold)
        bind("F9", self.end_call)
        bind("Ctrl+T", lambda: self.pin_button.toggle())
        bind("Ctrl+S", self._submit_wrap_up_shortcut)
        bind("Ctrl+Q", self.close)
        bind("Ctrl+,", self.open_settings)
        bind("Ctrl+E", self.hand_over)
        bind("Ctrl+Shift+H", self.hand_bar.toggle)
        bind("Ctrl+P", self.edit_profile)
        bind("Ctrl+H", self.open_history)
        bind("Ctrl+Shift+R", self.open_review)
        bind("Ctrl+Shift+E", self.open_export)
        bind("Ctrl+R", self.show_reminders)
        bind("Ctrl+Z", self.undo)
        for number in range(1, 10):
            bind(f"Ctrl+{number}", partial(self.toggle_step, number - 1))
        for index, keys in enumerate(KIND_SHORTCUTS.values()):
            bind(keys, partial(self.kind_combo.setCurrentIndex, index))
        bind("Alt+C", self.choose_case)
        bind("Alt+U", partial(self.next_level, URGENCY))
        bind("Alt+I", partial(self.next_level, IMPACT))
        controller = self.controller
        self.flag_review = FlagReview(
            self, self.notes_model, self.notes_view, self._rules, self._language, self._clock,
            lambda: controller.agent, lambda: controller.call_uid, controller.write,
            self._show_save_state)
        self.flag_review.changed.connect(self._show_escalation)
        self.flag_review.menu_closed.connect(self.note_entry.setFocus)
        ShortcutsBeforeEditingKeys(self)

    # ----------------------------------------------------------------- call flow

    @property
    def session(self) -> CallSession | None:
        return self.controller.session

    def handle_command(self, command: Command, reply=None) -> None:
        """What the phone system says (CallController.handle_command)."""
        self.controller.handle_command(command, reply)

    def status(self) -> dict:
        """What the window shows, for ``callhelper call status``."""
        return self.controller.status()

    def start_call(self, phone: str | None = None, name: str | None = None) -> None:
        """Answered (F7, Enter on the idle page): ``phone`` and ``name`` when given, else
        the ones typed."""
        self.controller.start_call(phone if isinstance(phone, str) else None,
                                   name if isinstance(name, str) else None)

    def toggle_hold(self) -> None:
        self.controller.toggle_hold()

    def end_call(self) -> None:
        self.controller.end_call()

    def toggle_step(self, index: int) -> None:
        self.controller.toggle_step(index)

    def set_step_done(self, index: int, done: bool) -> None:
        self.controller.set_step_done(index, done)

    def hand_over(self) -> None:
        self.controller.hand_over()

    def check_promises(self) -> None:
        self.controller.check_promises()

    def escalation_reasons(self) -> list[str]:
        return self.controller.escalation_reasons()

    def _show_caller_ringing(self, caller: CallerInfo) -> None:
        self.outgoing_box.setChecked(caller.outgoing)
        self.number_input.setText(phone_label(caller.phone))
        self.name_input.setText(caller.name)

    def bring_to_front(self) -> None:
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def _on_call_begun(self, case) -> None:
        """A call on screen, new or resumed (``case``), with nothing of the previous one."""
        self._hint_step = None
        self.handoff_bar.hide()
        self.senior_script.hide()
        empty(self.note_entry)
        self.kind_combo.setCurrentIndex(0)
        for combo, value in ((self.urgency_combo, self.controller.urgency),
                             (self.impact_combo, self.controller.impact)):
            combo.setCurrentIndex(max(0, combo.findData(value)))
        if case is not None:
            self._reset_wrap_up(case)
        self._show_state()
        (self.note_entry if self.controller.session.in_call else self.wrap_up.subject).setFocus()

    def _on_call_ended(self) -> None:
        """Hung up: the wrap-up."""
        self._reset_wrap_up(self.controller.case)
        self._show_state()
        self.wrap_up.subject.setFocus()

    def _reset_wrap_up(self, case) -> None:
        """The wrap-up starts from what the call's case holds (a case continued keeps its
        subject, fix and prevention; a new one starts empty), with the urgency and impact
        judged during the call."""
        controller = self.controller
        self.wrap_up.reset(*(getattr(case, name) if case is not None else ""
                             for name in ("subject", "fix", "prevention", "status")),
                           urgency=controller.urgency, impact=controller.impact)

    # ----------------------------------------------------------------- the case

    def choose_case(self) -> QMenu | None:
        """Alt+C, before or during the call: a list of the caller's open cases and "New
        case"; ↑↓ and Enter choose the case the call continues."""
        controller = self.controller
        session = controller.session
        if session is not None and not session.in_call:
            return None
        menu = QMenu(self)
        menu.setObjectName("caseChoice")
        current = None
        for case in controller.open_cases():
            action = menu.addAction(self._case_title(case) + "  ·  " + case.last_contact_at
                                    .astimezone().strftime("%Y-%m-%d"))
            action.triggered.connect(lambda _checked=False, chosen=case:
                                     controller.choose_case(chosen))
            if controller.case is not None and case.uid == controller.case.uid:
                current = action
        menu.addSeparator()
        new_case = menu.addAction(self.tr("New case"))
        new_case.triggered.connect(lambda _checked=False: controller.choose_case(None))
        for action in menu.actions():
            action.setCheckable(not action.isSeparator())
        (current or new_case).setChecked(True)
        focused = QApplication.focusWidget()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # once the list is gone (while it closes it still holds the keyboard)
        menu.aboutToHide.connect(lambda: QTimer.singleShot(
            0, self, lambda: focused.setFocus() if focused is not None else None))
        menu.popup(self.caller_detail.mapToGlobal(QPoint(0, self.caller_detail.height())))
        menu.setActiveAction(current or new_case)
        self.case_menu = menu
        return menu

    def _case_title(self, case) -> str:
        return self.tr("“%1”").replace("%1", case.subject) if case.subject \
            else self.tr("(no subject yet)")

    def _show_case(self) -> None:
        """The case chosen: the header names it, and the urgency and impact are the case's."""
        if self.controller.session is not None:
            for combo, value in ((self.urgency_combo, self.controller.urgency),
                                 (self.impact_combo, self.controller.impact)):
                combo.setCurrentIndex(max(0, combo.findData(value)))
        self._show_caller()

    def _case_detail(self) -> str:
        """The header's words for the case the call continues, when the caller has any open."""
        controller = self.controller
        if controller.case is not None:
            return self.tr("Case: %1 (Alt+C)").replace("%1", self._case_title(controller.case))
        if controller.open_cases():
            return self.tr("New case (Alt+C)")
        return ""

    # ----------------------------------------------------------------- urgency and impact

    def next_level(self, which: str) -> None:
        """Alt+U / Alt+I, during the call and the wrap-up: the urgency or impact goes to the
        next value (not assessed, high, medium, low, and round again)."""
        session = self.controller.session
        if session is None:
            return
        if session.in_call:
            combo = self.urgency_combo if which == URGENCY else self.impact_combo
        else:
            combo = self.wrap_up.urgency if which == URGENCY else self.wrap_up.impact
        combo.setCurrentIndex((combo.currentIndex() + 1) % combo.count())
        if session.in_call:
            self._levels_changed()
        name = self.tr("Urgency") if which == URGENCY else self.tr("Impact")
        self._show_save_state(f"{name}: {combo.currentText()}")

    def _on_call_closed(self) -> None:
        self._editing = None
        empty(self.number_input)
        empty(self.name_input)
        self.outgoing_box.setChecked(False)
        self._show_state()
        self.number_input.setFocus()

    def _show_sync_state(self, state) -> None:
        """The server's side of saving, in the status line; while something is wrong with it
        the shortcut hint makes room (the window is narrow beside a phone system)."""
        self.sync_label.show_state(state)
        self.hand_bar.show_state()
        trouble = state.unreachable or state.refused or state.login_refused
        self.keys_hint.setVisible(not trouble)

    def _show_history(self, found) -> None:
        self.caller_panel.show_history(found)
        if self._edit_when_loaded and self.controller.session is not None:
            self._edit_when_loaded = False
            self.caller_panel.open_editor(self.controller.caller.name)
        self._show_caller()

    def open_review(self):
        """Ctrl+Shift+R: the supervisor's review, of this database to begin with (the team's
        server in team mode; more files can be added there). Read-only, on its own
        connections."""
        from callhelper.ui.review_window import ReviewWindow

        server = self._paths.server_url
        if self._review_window is None or not self._review_window.isVisible():
            self._review_window = ReviewWindow(
                [] if server else [self._paths.database_file], self._catalog, self._rules,
                self._language, self._window_state_file(), self._clock, server=server,
                mark_prevention_done=self._mark_prevention_done)
        self._review_window.show()
        self._review_window.raise_()
        self._review_window.activateWindow()
        return self._review_window

    def _mark_prevention_done(self, item, done: Callable[[], None]) -> bool:
        """For the review: mark a prevention item of this window's database done (False for
        another database's: the review only reads those)."""
        own = self._paths.database_file
        if item.path is None or own is None or item.path.resolve() != own.resolve():
            return False
        self.controller.write(operation("complete_prevention", case_uid=item.case_uid,
                                        by=self.controller.agent, at=self._clock.now()),
                              on_saved=lambda _case: done())
        return True

    def open_export(self) -> ExportDialog | None:
        """Ctrl+Shift+E: the CSV export, opened between calls only. It does not hold up the
        window: a call can start while an export is being written."""
        from callhelper.ui.export_dialog import ExportDialog

        if self.controller.session is not None:
            self._show_save_state(self.tr("Export opens between calls."), problem=True)
            return None
        dialog = self._export_dialog
        if dialog is None or not dialog.isVisible():
            if dialog is not None:
                dialog.deleteLater()
            dialog = self._export_dialog = ExportDialog(
                self._paths.database_url, self.controller.agent,
                self._clock.now().astimezone().date(), self._window_state_file(), self._rules,
                self._language, self)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def open_history(self, case_id: int | None = None) -> HistoryWindow:
        """Ctrl+H: the history browser (a click on a prior contact opens its case)."""
        from callhelper.ui.history_window import HistoryWindow

        # team mode: the team's history while the server answers (the caller's past contacts
        # shown came from it too, with its case numbers), this computer's file otherwise
        source = self.controller.shared_store() or self._store
        if self._history_window is not None and self._history_source is not source:
            self._history_window.close()
            self._history_window.deleteLater()
            self._history_window = None
        if self._history_window is None:
            self._history_source = source
            self._history_window = HistoryWindow(source, self._writes, self._rules,
                                                 self._catalog,
                                                 self._language, self._window_state_file(),
                                                 self.controller.agent, self._clock)
        if case_id is not None:
            self._history_window.open_case(case_id)
        else:
            self._history_window.show()
            self._history_window.raise_()
            self._history_window.activateWindow()
        return self._history_window

    def _remind(self, due: list) -> None:
        """Promises fallen due: a desktop notification where the desktop has a tray, the
        status line otherwise."""
        title = self.tr("Promise due (%1)").replace("%1", str(len(due)))
        if self.tray is not None:
            self.tray.showMessage(title, "\n".join(reminder_line(promise, self._language)
                                                   for promise in due),
                                  QSystemTrayIcon.MessageIcon.Warning)
        count = len(self.controller.due_promises) or len(due)
        self._show_save_state(self.tr("Promises due: %1 — Ctrl+R lists them").replace(
            "%1", str(count)), problem=True)

    def edit_profile(self) -> None:
        """Ctrl+P: the customer's profile, edited in place during or after the call."""
        if self.controller.session is None:
            return
        if self.controller.history_loaded:
            self.caller_panel.open_editor(self.controller.caller.name)
        else:
            self._edit_when_loaded = True

    def _save_profile(self, profile) -> None:
        if self.controller.session is None:
            return
        self.controller.save_profile(profile)
        self.note_entry.setFocus()

    # ------------------------------------------------------------ correcting notes

    def eventFilter(self, watched, event) -> bool:
        """In the note entry: ↑ (on an empty entry, or while correcting) picks the note
        before to correct, Esc stops correcting, Ctrl+Delete deletes the note corrected,
        Ctrl+Z on an empty entry restores the note deleted last."""
        if watched is self.note_entry and event.type() == QEvent.Type.KeyPress:
            key, modifiers = event.key(), event.modifiers()
            if key == Qt.Key.Key_Up and (self._editing or not self.note_entry.text()):
                self.edit_previous()
                return True
            if key == Qt.Key.Key_Escape and self._editing:
                self.cancel_edit()
                return True
            if (key == Qt.Key.Key_Delete and modifiers & Qt.KeyboardModifier.ControlModifier
                    and self._editing):
                self.delete_edited()
                return True
            if (key == Qt.Key.Key_Z and modifiers == Qt.KeyboardModifier.ControlModifier
                    and not self.note_entry.text()):
                self.undo()  # where the entry's own undo claims the key before the shortcut
                return True
        return super().eventFilter(watched, event)

    def edit_previous(self) -> None:
        rows = self.notes_model.rows()
        if not rows or self.controller.session is None:
            return
        current = next((i for i, row in enumerate(rows)
                        if self._editing and row.uid == self._editing.uid), len(rows))
        self.begin_edit(max(0, current - 1))

    def begin_edit(self, position: int) -> None:
        """Put a note of this call into the entry to correct it; Enter saves the correction
        (the words as first recorded stay in the audit trail)."""
        rows = self.notes_model.rows()
        if self.controller.session is None or not 0 <= position < len(rows):
            return
        self._editing = rows[position]
        self.notes_view.setCurrentIndex(self.notes_model.index(position))
        self.note_entry.setText(self._editing.text)
        self.note_entry.setFocus()
        self.note_entry.selectAll()
        self._show_save_state(self.tr("Correcting the note at %1 — Enter saves, Esc cancels, "
                                      "Ctrl+Delete deletes it").replace(
            "%1", format_offset(self._editing.offset_seconds)))

    def cancel_edit(self) -> None:
        self._editing = None
        empty(self.note_entry)
        self.notes_view.clearSelection()
        self._show_save_state(self.tr("Correction cancelled"))

    def delete_edited(self) -> None:
        """Ctrl+Delete while correcting: deleted at once, no question asked during the call;
        Ctrl+Z (on an empty entry) brings it back."""
        row = self._editing
        if row is None or self.controller.session is None:
            return
        self._editing = None
        empty(self.note_entry)
        self.controller.delete_note(row)

    def submit_note(self) -> None:
        """Enter: save the entry as a note of the selected kind, stamped with the call offset
        (or, while a note is being corrected, save the correction)."""
        controller = self.controller
        text = self.note_entry.text()
        if not controller.note_fits(text):
            return
        if self._editing is not None and controller.session is not None:
            row, self._editing = self._editing, None
            empty(self.note_entry)
            self.notes_view.clearSelection()
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
                self._show_save_state(self._due_problem(error), problem=True)
                self.due_edit.setFocus()
                self.due_edit.selectAll()
                return
        empty(self.note_entry)
        self.note_entry.setFocus()
        self.kind_combo.setCurrentIndex(0)
        controller.add_note(text, kind, due)

    def _return_to_entry(self, text: str) -> None:
        """A note refused for good, back in the entry before what is typed there now."""
        current = self.note_entry.text()
        self.note_entry.setText(f"{text} {current}" if current else text)

    def _submit_wrap_up_shortcut(self) -> None:
        session = self.controller.session
        if (session is not None and session.state is CallState.ENDED
                and self.wrap_up.save_button.isEnabled()):
            self.wrap_up.submit()

    def _save_wrap_up(self, wrap_up: WrapUp) -> None:
        if self.controller.save_wrap_up(wrap_up):
            self.wrap_up.save_button.setEnabled(False)

    def _on_database_open(self, replayed: int, opened: bool) -> None:
        if not opened and self.controller.unwritable is not None:
            self._show_unwritable()
        elif not opened:
            self._show_save_state(self.tr("The database could not be opened. Details are in "
                                          "the log: %1").replace("%1", str(self._paths.log_dir)),
                                  problem=True)
            self.recovery.allow_choice_again()
        else:
            if self._opener is not None:
                self.recovery.show_opened(self._opener.opened())
            if replayed:
                self._show_save_state(self.tr("✓ %1 writes kept from the last session are now "
                                              "saved").replace("%1", str(replayed)))
        self._show_state()
        if opened:
            self._start_sync()
            self.upkeep.start()

    def _show_unwritable(self) -> None:
        """The database cannot be written at start: where, and where what is typed is kept
        meanwhile (call_controller.CallController.unwritable)."""
        from callhelper.store import journal

        controller = self.controller
        database = self._paths.database_file or self._paths.capture_url
        kept = journal.writable(controller.journal_paths)
        text = self.tr("The database cannot be written: %1 (its folder is read-only, or this "
                       "account may not write to it). Calls can be taken as usual: what is "
                       "typed is kept in %2 and saved into the database as soon as it can be "
                       "written (tried every few seconds, and at the next start).")
        if kept is None:
            text = self.tr("The database cannot be written: %1 (its folder is read-only, or "
                           "this account may not write to it), and what is typed cannot be "
                           "kept either: %2 cannot be written. Make the data folder writable "
                           "before taking a call.")
            kept = " / ".join(str(path.parent) for path in controller.journal_paths)
        self.recovery.warn(text.replace("%1", str(database)).replace("%2", str(kept)))

    def _start_sync(self) -> None:
        """Team mode: deliver this computer's writes to the server, and say how it goes."""
        server = self._paths.server_url
        if server is None or self._sync is not None:
            return
        self._sync = self.controller.sync = SyncRunner(self._paths.capture_url, server,
                                                       self._rules, self)
        self._sync.changed.connect(self._show_sync_state)
        self._writes.changed.connect(self._sync.nudge)
        self._sync.start()
        self.controller.start_live(server)

    def _recover(self, backup) -> None:
        """The answer to a database set aside or missing: open again, on ``backup`` restored
        or (None) on an empty database."""
        self._opener.choose(backup)
        self.controller.open()

    # ----------------------------------------------------------------- escalation

    def _levels_changed(self) -> None:
        self.controller.set_levels(self.urgency_combo.currentData() or "",
                                   self.impact_combo.currentData() or "")

    def _show_escalation(self) -> None:
        """The playbook's responses to the flags and signals, under the suggestion to hand
        over (ui/responses.py)."""
        controller = self.controller
        session = controller.session
        if session is None or not session.in_call:
            self.escalation_label.hide()
            return
        self.escalation_label.present(controller.playbook, self._language,
                                      controller.notes.flag_categories(),
                                      controller.escalation_reasons(),
                                      controller.reason_labels(), session.talk_seconds())

    def _on_handed_over(self, summary: str) -> None:
        """The handoff summary to the clipboard, the senior's script, and a line to name the
        senior who takes over."""
        QApplication.clipboard().setText(summary)
        self.handoff_bar.show()
        self.senior_script.present(self.controller.playbook, self._language)
        empty(self.senior_input)
        self.senior_input.setFocus()
        self._show_save_state(self.tr("✓ Handoff summary copied to the clipboard"))

    def _record_senior(self) -> None:
        name = self.senior_input.text().strip()
        if not name or self.controller.session is None:
            return
        self.controller.record_senior(name)
        self.handoff_bar.hide()
        self.note_entry.setFocus()

    # ----------------------------------------------------------------- writes

    def _show_write_state(self) -> None:
        """At every write queued and every one done: how many wait, and while the database
        refuses them, why."""
        fault, waiting = self._writes.fault, self._writes.waiting
        if fault is not None:
            from callhelper.store.engine import WriteFault

            message = {
                WriteFault.LOCKED: self.tr("Not saved yet: another program is using the "
                                           "database. %1 waiting, retried every few seconds."),
                WriteFault.FULL: self.tr("Not saved yet: the disk is full. Free some space; "
                                         "%1 waiting, retried every few seconds."),
                WriteFault.READ_ONLY: self.tr("Not saved yet: the data folder is read-only or "
                                              "cannot be written. %1 waiting, retried every "
                                              "few seconds."),
            }.get(fault, self.tr("Not saved yet: the database is busy or cannot be written. %1 "
                                 "waiting, retried every few seconds."))
            self._show_save_state(message.replace("%1", str(waiting)), problem=True,
                                  counted=True)
            self._was_stuck = True
        elif self._was_stuck:
            self._was_stuck = bool(waiting)
            self._show_save_state(self.tr("Saving…") if waiting
                                  else self.tr("✓ Everything is saved"))
        else:
            self._show_status_line()

    # ----------------------------------------------------------------- display

    def _show_state(self) -> None:
        session = self.controller.session
        state = session.state if session else CallState.READY
        in_call = session is not None and session.in_call
        self.start_button.setVisible(session is None)
        self.start_button.setEnabled(self.controller.takes_calls)
        self.settings_button.setVisible(session is None)
        self.history_button.setVisible(session is None)
        self.export_button.setVisible(session is None)
        self.hold_button.setVisible(in_call)
        self.end_button.setVisible(in_call)
        self.hold_button.setText(self.tr("Resume F8") if state is CallState.ON_HOLD
                                 else self.tr("Hold F8"))
        self.state_label.setText({
            CallState.READY: self.tr("No call"),
            CallState.ACTIVE: self.tr("In call"),
            CallState.ON_HOLD: self.tr("On hold"),
            CallState.ENDED: self.tr("Wrap-up"),
        }[state])
        self.timer_label.setStyleSheet(f"color: {TIMER_COLORS[state]};")
        if session is None:
            self._refresh_playbooks()
            self.pages.setCurrentIndex(0)
        elif in_call:
            self.pages.setCurrentIndex(1)
        else:
            self.pages.setCurrentIndex(2)
        self.caller_panel.set_ringing(session is None)
        self.banners.set_in_call(in_call)
        self.notes_view.setVisible(session is not None)
        self.entry_box.setVisible(session is not None)
        self.note_entry.setEnabled(session is not None)
        self.hand_bar.show_state()
        self._show_caller()
        self._refresh_checklist()
        self._on_tick()

    def _refresh_playbooks(self) -> None:
        """Re-read the playbook folders between calls; a broken file is named, and its
        last good version stays."""
        errors = self.controller.refresh_playbooks()
        self.playbook_combo.clear()
        for playbook in self.controller.playbooks():
            self.playbook_combo.addItem(f"{playbook.title.get(self._language)} "
                                        f"(v{playbook.version})", playbook.id)
        self.playbook_combo.setCurrentIndex(max(0, self.playbook_combo.findData(
            self.controller.playbook.id)))
        if errors:
            self._show_save_state(self.tr("Playbook not loaded: %1").replace("%1", str(errors[0])),
                                  problem=True)

    def _choose_playbook(self, index: int) -> None:
        self.controller.choose_playbook(self.playbook_combo.itemData(index))

    def _show_caller(self) -> None:
        controller = self.controller
        caller, found, in_call = controller.caller, controller.history, \
            controller.session is not None
        customer = found.customer if found else None
        name = caller.name or (customer.name if customer else "")
        typed = controller.next_caller.phone.strip()
        if not in_call and not found:
            title = self.tr("Ready for the next call")
        elif name:
            title = self.tr("%1", "the caller's name, with an honorific").replace("%1", name)
        else:
            title = phone_label(caller.phone or typed) or self.tr("Unknown caller")
        if customer and customer.company:
            title += f"  ·  {customer.company}"
        self.caller_label.setText(title)
        phone = phone_label(caller.phone if in_call else typed)
        details = [phone] if phone and name else []
        days = controller.playbook.escalation.repeat_days
        if controller.recent_contacts > 1:
            details.append(self.tr("%1 calls in %2 days").replace(
                "%1", str(controller.recent_contacts)).replace("%2", str(days)))
        elif phone and found is not None and not found.contacts and not name:
            details.append(self.tr("New caller — Ctrl+P adds a profile"))
        case = self._case_detail()
        if case:
            details.append(case)
        details.append(self.tr("Handler: %1").replace("%1", controller.agent))
        self.caller_detail.setText("  ·  ".join(details))

    def _refresh_checklist(self) -> None:
        session = self.controller.session
        if session is None:
            return
        steps = session.steps()
        self.checklist_model.set_steps(steps)
        rows = len(steps)
        self.checklist_view.setFixedHeight(rows * self.checklist_view.verticalHeader()
                                           .defaultSectionSize() + 4)
        current = next((status for status in steps if status.current), None)
        if current is None:
            self._hint_step = None
            self.hint_label.setText(self.tr("All steps done."))
            self.hint_label.setToolTip("")
            return
        step = current.step
        if self._hint_step == step.id:
            return
        self._hint_step = step.id
        self.hint_label.setText(self._hint_html(step, HINT_ITEMS))
        self.hint_label.setToolTip(step.why.get(self._language) + "<hr>"
                                   + self._hint_html(step, None))

    def _hint_html(self, step, most: int | None) -> str:
        """What to say and avoid, and NG → better phrasings; ``most`` of each list."""
        say = "<br>".join(escape(text) for text in step.say.get(self._language)[:most])
        avoid = escape(self.tr(", ").join(step.avoid.get(self._language)))
        lines = [f"<b>{escape(label)}</b> {text}" for label, text in
                 ((self.tr("Say:"), say), (self.tr("Avoid:"), avoid)) if text]
        lines += [f"✗ {escape(phrasing.ng.get(self._language))} → "
                  f"✓ {escape(phrasing.better.get(self._language))}"
                  for phrasing in self.controller.playbook.phrasings_for(step.id)[:most]]
        return "<br>".join(lines)

    def refresh(self) -> None:
        """Redraw the timer and the checklist now rather than at the next second."""
        self._on_tick()

    def _on_tick(self) -> None:
        """Redraw the timer; re-armed for just after the next whole second, so it never drifts."""
        session = self.controller.session
        elapsed = session.elapsed_seconds() if session else 0.0
        self.timer_label.setText(format_offset(elapsed))
        if session is not None and session.in_call:
            self._refresh_checklist()
            self._show_escalation()
            self._tick_timer.start(int(1000 - (elapsed * 1000) % 1000) + 5)
        else:
            self._tick_timer.stop()

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
        self.note_entry.setPlaceholderText(text)

    def _show_save_state(self, message: str, problem: bool = False,
                         counted: bool = False) -> None:
        """``message`` in the status line, with the number of writes not yet on disk beside
        it while there are any (unless ``counted``: the message says it already)."""
        self._save_state = (message, problem, counted)
        self._show_status_line()

    def _show_status_line(self) -> None:
        message, problem, counted = self._save_state
        waiting = self._writes.waiting
        if waiting and not counted:
            message = " · ".join(part for part in (
                message, self.tr("%1 waiting").replace("%1", str(waiting))) if part)
        self.saved_label.setText(message)
        self.saved_label.setStyleSheet("color: #c62828;" if problem else "color: #2e7d32;")

    # ----------------------------------------------------------------- window state

    def open_settings(self) -> None:
        """Preferences, between calls only: nothing may interrupt typing during a call."""
        from callhelper.ui.settings_dialog import SettingsDialog

        if self.controller.session is not None:
            self._show_save_state(self.tr("Settings open between calls."), problem=True)
            return
        dialog = SettingsDialog(self._settings, self)
        if dialog.exec():
            self.controller.agent = self._settings.agent_name
            self._set_always_on_top(bool(self._settings.get("always_on_top")), save=False)
            self._show_caller()
            if self._cti is not None:
                self.start_cti()

    def start_cti(self) -> None:
        """The local CTI endpoint (docs/phone-systems.md), as the settings say: off by
        default; a PBX pushing call events to it drives this window."""
        from callhelper.app.cti import CtiEndpoint

        if self._cti is None:
            self._cti = CtiEndpoint(self)
            self._cti.command.connect(self.handle_command)
        try:
            self._cti.apply_settings(self._settings)
        except OSError as exc:
            self._show_save_state(str(exc), problem=True)

    def _set_always_on_top(self, on: bool, save: bool = True) -> None:
        if self.pin_button.isChecked() != on:
            self.pin_button.setChecked(on)
            return
        visible = self.isVisible()
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, on)
        if visible:
            self.show()
        if save:
            self._settings.set("always_on_top", on)

    def _window_state_file(self) -> QSettings:
        return QSettings(str(self._paths.config_dir / "window.ini"), QSettings.Format.IniFormat)

    def _restore_geometry(self) -> None:
        geometry = self._window_state_file().value("geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(*DEFAULT_SIZE)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Quitting asks nothing: the geometry is kept, every queued write is finished
        (or journalled if the database refuses it), and an open call stays open to be
        resumed at the next start. Only when writes are failing and cannot even be kept for
        the next start (the disk is full, the folders cannot be written) does the window stay
        open, saying so, as closing would lose them."""
        if not self._writes.keep() and self._writes.fault is not None:
            event.ignore()
            self._show_save_state(self.tr("Not closed: the waiting notes can neither be saved "
                                          "nor kept for the next start (the disk is full or "
                                          "cannot be written). Free some space, then close "
                                          "again."), problem=True)
            return
        state = self._window_state_file()
        state.setValue("geometry", self.saveGeometry())
        state.sync()
        self._tick_timer.stop()
        if self._history_window is not None:
            self._history_window.close()
        if self._review_window is not None:
            self._review_window.close()
        if self._cti is not None:
            self._cti.stop()
        if self._export_dialog is not None:
            self._export_dialog.stop()
        self.upkeep.stop()
        self._writes.close()
        if self._sync is not None:
            self._sync.stop()
        self.controller.close()
        super().closeEvent(event)
