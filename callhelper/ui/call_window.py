"""The call window: timer, checklist, exact-words capture and wrap-up.

Every write goes through the store worker; the window shows a note only once
its unit of work has committed. A write that fails is kept and retried, in
order, so nothing typed is lost while the app runs.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from html import escape
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QCheckBox, QComboBox,
                               QDateTimeEdit,
                               QFormLayout, QFrame, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QMainWindow, QMessageBox, QPushButton, QSizePolicy,
                               QStackedWidget, QSystemTrayIcon, QTableView, QVBoxLayout,
                               QWidget)
from sqlmodel import Session

from callhelper.config import Paths, Settings
from callhelper.core.case import Level, NoteKind, WrapUp
from callhelper.core.clock import Clock
from callhelper.core.commands import QUEUED_AFTER_MS, Action, Command, note_operation_uid
from callhelper.core.escalation import (FLAGGED, PAST_CALL_LIMIT, PAST_ESCALATION_TIME,
                                        REPEATED_CALLS, CapturedNote, build_handoff,
                                        escalation_reasons)
from callhelper.core.flags import DemandRules
from callhelper.core.playbook import PlaybookCatalog
from callhelper.core.session import CallSession, CallState, StepChange, format_offset
from callhelper.core.text import MAX_NOTE_LENGTH, storable_text
from callhelper.store import flag_reviews, history, journal, operations, repository
from callhelper.store.engine import WriteFault
from callhelper.store.history import CallerHistory
from callhelper.store.operations import Operation
from callhelper.store.sync import with_connect_timeout
from callhelper.store.repository import (INCOMING, OUTGOING, CustomerProfile, NewContact,
                                         UnfinishedContact)
from callhelper.store.startup import ChoiceNeeded, StartupOpener
from callhelper.ui.caller_panel import CallerPanel, PastContactsModel
from callhelper.ui.labels import level_label, note_kind_label
from callhelper.ui.flag_review import FlagReview
from callhelper.ui.line_edit import empty
from callhelper.ui.models import ChecklistModel, NoteRow, NotesModel
from callhelper.ui.notes_view import NotesView
from callhelper.ui.recovery import RecoveryBanner
from callhelper.ui.responses import ResponseBanner, SeniorScript
from callhelper.ui.shortcuts import ShortcutsBeforeEditingKeys
from callhelper.ui.store_client import StoreClient
from callhelper.ui.sync_status import SyncLabel, SyncRunner
from callhelper.ui.upkeep import DailyUpkeep
from callhelper.ui.write_queue import Write, WriteQueue
from callhelper.ui.wrap_up import WrapUpPanel

if TYPE_CHECKING:  # the windows opened later are imported when first opened: a faster start
    from callhelper.ui.export_dialog import ExportDialog
    from callhelper.ui.history_window import HistoryWindow

HINT_ITEMS = 1
PROMISE_DEFAULT_HOURS = 1
REMINDER_INTERVAL_MS = 30_000
LOOKUP_DELAY_MS = 250
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


@dataclass
class CallerInfo:
    phone: str = ""
    name: str = ""
    outgoing: bool = False  # the agent called the customer (a callback)


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
        self._playbook = catalog.get(settings.get("playbook")) or catalog.playbooks()[0]
        self._rules = rules
        self._recent_contacts = 0
        self._history: CallerHistory | None = None
        self._lookup_token = 0
        self._history_loaded = False
        self._edit_when_loaded = False
        self._hint_step: str | None = None
        self._clock = clock
        self._language = language
        self._agent = settings.agent_name
        self._session: CallSession | None = None
        self._caller = CallerInfo()
        self._ready = False
        self._was_stuck = False
        self._save_state = ("", False, False)  # the status line's message, problem, counted
        team = paths.server_url is not None  # writes also go to the outbox for the server
        self._writes = WriteQueue(store, paths.data_dir / journal.JOURNAL_FILE,
                                  partial(operations.perform, rules=rules, ship=team), self,
                                  spare_journal_path=paths.config_dir / journal.JOURNAL_FILE)
        self._writes.changed.connect(self._show_write_state)
        self._sync: SyncRunner | None = None
        self._shared: StoreClient | None = None
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

        self._tick_timer = QTimer(self)
        self._tick_timer.setSingleShot(True)
        self._tick_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._tick_timer.timeout.connect(self._on_tick)

        self._reminded: set[int] = set()
        self._reminder_timer = QTimer(self)
        self._reminder_timer.setInterval(REMINDER_INTERVAL_MS)
        self._reminder_timer.timeout.connect(self.check_promises)
        self.tray = QSystemTrayIcon(self.windowIcon(), self) \
            if QSystemTrayIcon.isSystemTrayAvailable() else None
        if self.tray is not None:
            self.tray.setToolTip("CallHelper")
            self.tray.show()
        self._set_always_on_top(bool(settings.get("always_on_top")), save=False)
        self._restore_geometry()
        self._show_state()
        if settings.problem is not None:
            self._show_save_state(self.tr("Settings not read (%1): the defaults are used, and "
                                          "the file stays as it is until the settings are "
                                          "saved.").replace("%1", settings.problem),
                                  problem=True)
        journal_paths = [paths.data_dir / journal.JOURNAL_FILE,
                         paths.config_dir / journal.JOURNAL_FILE]
        agent = self._agent

        def open_database(session: Session) -> tuple[int, UnfinishedContact | None, dict]:
            replayed = 0
            for journal_path in journal_paths:  # the spare one holds what the first could not
                records = journal.load(journal_path)
                if records:
                    applied, failed = journal.replay(session, records, rules, team)
                    session.commit()
                    journal.set_aside(journal_path, failed)
                    replayed += applied
            unfinished = repository.unfinished_contact(session, agent)
            decided = flag_reviews.decisions_of(
                session, [note.uid for note in unfinished.notes]) if unfinished else {}
            return replayed, unfinished, decided

        self._open_database = open_database
        self._store.submit(open_database, self._on_database_open)

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

        header = QHBoxLayout()
        timer_box = QVBoxLayout()
        timer_box.setSpacing(0)
        timer_box.addWidget(self.timer_label)
        timer_box.addWidget(self.state_label)
        header.addLayout(timer_box)
        header.addStretch(1)
        for button in (self.start_button, self.hold_button, self.end_button, self.pin_button,
                       self.history_button, self.export_button, self.settings_button):
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
        self.caller_panel = CallerPanel()
        self.caller_panel.profile_saved.connect(self._save_profile)
        self.caller_panel.edit_closed.connect(lambda: self.note_entry.setFocus())
        self.caller_panel.contacts.clicked.connect(
            lambda index: self.open_history(index.data(PastContactsModel.CaseIdRole)))
        self._history_window: HistoryWindow | None = None
        self._review_window = None
        self._export_dialog: ExportDialog | None = None
        self._pending_commands: list[tuple[Command, object]] = []
        self._cti = None
        self._lookup_timer = QTimer(self)
        self._lookup_timer.setSingleShot(True)
        self._lookup_timer.setInterval(LOOKUP_DELAY_MS)
        self._lookup_timer.timeout.connect(lambda: self._lookup(self.number_input.text()))

        self.pages = QStackedWidget()
        self.pages.currentChanged.connect(self._fit_pages)
        self.pages.addWidget(self._build_idle_page())
        self.pages.addWidget(self._build_checklist_page())
        self.wrap_up = WrapUpPanel()
        self.wrap_up.submitted.connect(self._save_wrap_up)
        self.pages.addWidget(self.wrap_up)

        self.notes_model = NotesModel(self._rules, self._language, self)
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
        self.due_edit = QDateTimeEdit()
        self.due_edit.setObjectName("promiseDue")
        self.due_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setToolTip(self.tr("When the promise falls due"))
        self.due_edit.findChild(QLineEdit).returnPressed.connect(self.submit_note)
        self.due_edit.hide()
        entry_row = QHBoxLayout()
        entry_row.addWidget(self.kind_combo)
        entry_row.addWidget(self.note_entry, 1)
        entry_row.addWidget(self.due_edit)
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
        layout.addWidget(self.notes_view, 1)
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
        self.number_input.textChanged.connect(self._lookup_timer.start)
        self.outgoing_box = QCheckBox(self.tr("We call the customer (callback)"))
        self.outgoing_box.setObjectName("outgoing")
        self.outgoing_box.setToolTip(self.tr(
            "An outgoing call does not count as the customer calling again"))
        self.outgoing_box.toggled.connect(lambda _on: self._show_history(self._history))
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

    def _build_checklist_page(self) -> QWidget:
        page = QWidget()
        self.checklist_model = ChecklistModel(self._language, self)
        self.checklist_model.tick_requested.connect(self.set_step_done)
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
        levels.addWidget(QLabel(self.tr("Urgency")))
        levels.addWidget(self.urgency_combo, 1)
        levels.addWidget(QLabel(self.tr("Impact")))
        levels.addWidget(self.impact_combo, 1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.escalation_label)
        layout.addWidget(self.senior_script)
        layout.addWidget(self.checklist_view)
        layout.addWidget(self.hint_label)
        layout.addLayout(levels)
        return page

    def _level_combo(self) -> QComboBox:
        combo = QComboBox()
        combo.setFocusPolicy(Qt.FocusPolicy.NoFocus)
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
        bind("Ctrl+P", self.edit_profile)
        bind("Ctrl+H", self.open_history)
        bind("Ctrl+Shift+R", self.open_review)
        bind("Ctrl+Shift+E", self.open_export)
        for number in range(1, 10):
            bind(f"Ctrl+{number}", partial(self.toggle_step, number - 1))
        for index, keys in enumerate(KIND_SHORTCUTS.values()):
            bind(keys, partial(self.kind_combo.setCurrentIndex, index))
        self.flag_review = FlagReview(
            self, self.notes_model, self.notes_view, self._rules, self._language, self._clock,
            lambda: self._agent, lambda: self._session.uid if self._session else None,
            self._write, self._show_save_state)
        self.flag_review.changed.connect(self._show_escalation)
        self.flag_review.menu_closed.connect(self.note_entry.setFocus)
        ShortcutsBeforeEditingKeys(self)

    # ----------------------------------------------------------------- call flow

    @property
    def session(self) -> CallSession | None:
        return self._session

    # ------------------------------------------------------------ the phone system

    def handle_command(self, command: Command, reply=None) -> None:
        """What the phone system says: ringing, answered, hung up (core/commands.py); or a
        note to capture from another program, answered through ``reply`` once on disk.

        The window comes to the front (not for a note); a call under way is never disturbed
        by a call ringing on another line. Commands that arrive before the database is open
        wait for it."""
        if not self._ready and command.action is not Action.SHOW:
            self._pending_commands.append((command, reply))
            if command.action is not Action.NOTE:
                self.bring_to_front()
            return
        if command.action is Action.NOTE:
            self._capture_from_command(command, reply)
            return
        if command.action is Action.INCOMING:
            if self._session is None:
                self._show_caller_ringing(command)
            else:
                self._show_save_state(self.tr("Another call is ringing: %1").replace(
                    "%1", command.name or command.number or self.tr("Unknown caller")))
        elif command.action is Action.START:
            if self._session is None:
                if command.number or command.name or command.outgoing:
                    self._show_caller_ringing(command)
                self.start_call(self.number_input.text(), self.name_input.text())
        elif command.action is Action.END:
            self.end_call()
        self.bring_to_front()

    def _show_caller_ringing(self, command: Command) -> None:
        self.outgoing_box.setChecked(command.outgoing)
        self.number_input.setText(command.number)
        if command.name or command.number:
            self.name_input.setText(command.name)
        self._lookup(command.number)

    def bring_to_front(self) -> None:
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def status(self) -> dict:
        """What the window shows, for ``callhelper call status``."""
        session = self._session
        history_shown = self._history if self._history_loaded else None
        return {
            "ready": self._ready,
            "call": session.state.value if session is not None else "none",
            "number": self._caller.phone if session is not None else
            self.number_input.text(),
            "name": self._caller.name if session is not None else self.name_input.text(),
            "history_loaded": self._history_loaded,
            "customer": (history_shown.customer.name if history_shown is not None and
                         history_shown.customer is not None else ""),
            "past_contacts": len(history_shown.contacts) if history_shown is not None else 0,
            "sync": self._sync_status(),
        }

    def _show_sync_state(self, state) -> None:
        """The server's side of saving, in the status line; while something is wrong with it
        the shortcut hint makes room (the window is narrow beside a phone system)."""
        self.sync_label.show_state(state)
        trouble = state.unreachable or state.refused or state.login_refused
        self.keys_hint.setVisible(not trouble)

    def _sync_status(self) -> dict | None:
        """Team mode: what waits for the server (None: no server, or nothing known yet)."""
        state = self._sync.state if self._sync is not None else None
        if state is None:
            return None
        return {"waiting": state.waiting, "refused": state.refused,
                "unreachable": state.unreachable, "synced": state.synced}

    def start_call(self, phone: str | None = None, name: str | None = None) -> None:
        """Answered: start the timer and a new contact, incoming or outgoing as the box on
        the idle page says. Does nothing during a call or while a wrap-up is open."""
        if self._session is not None or not self._ready:
            return
        caller = CallerInfo(
            (phone if isinstance(phone, str) else self.number_input.text()).strip(),
            (name if isinstance(name, str) else self.name_input.text()).strip(),
            self.outgoing_box.isChecked())
        session = CallSession(self._playbook, self._clock)
        session.start()
        self._begin(session, caller)
        new = NewContact(uid=session.uid, agent=self._agent, playbook_id=self._playbook.id,
                         playbook_version=self._playbook.version, started_at=session.started_at,
                         phone=caller.phone, caller_name=caller.name,
                         phone_region=self._settings.get("phone_region"),
                         direction=OUTGOING if caller.outgoing else INCOMING)
        self._write(Operation.of("start_contact", **vars(new)))
        self._lookup(caller.phone)
        self._show_state()
        self.note_entry.setFocus()

    def _begin(self, session: CallSession, caller: CallerInfo) -> None:
        """Put a call (new or resumed) on screen with nothing of the previous one left."""
        self._session = session
        self._playbook = session.playbook
        self._caller = caller
        self._recent_contacts = 0
        self._hint_step = None
        self.notes_model.set_rows([])
        self.handoff_bar.hide()
        self.senior_script.hide()
        empty(self.note_entry)
        self.kind_combo.setCurrentIndex(0)
        for combo in (self.urgency_combo, self.impact_combo):
            combo.setCurrentIndex(0)

    def _lookup(self, phone: str) -> None:
        """Ask the store for the caller's history; the answer fills the panel when it comes."""
        self._lookup_timer.stop()
        self._lookup_token += 1
        self._history_loaded = False
        phone = phone.strip()
        if not phone:
            self._show_history(None)
            return
        if self._store.closed:  # a write saved while the window closes asks for nothing more
            return
        region, token = self._settings.get("phone_region"), self._lookup_token

        def look_up(session: Session) -> CallerHistory | None:
            return history.caller_history(session, phone, region)

        shared = self._shared_store()
        if shared is not None:
            shared.submit(look_up, partial(self._on_shared_history, token, look_up))
        else:
            self._store.submit(look_up, partial(self._on_history, token))

    def _shared_store(self) -> StoreClient | None:
        """Team mode, while the server answers: a reader of the server, for the history
        every agent shares (None: read this computer's file)."""
        server = self._paths.server_url
        state = self._sync.state if self._sync is not None else None
        if server is None or state is None or state.unreachable or self._store.closed:
            return None
        if self._shared is None:
            self._shared = StoreClient(with_connect_timeout(server), self)
        return self._shared

    def _on_shared_history(self, token: int, look_up, found: CallerHistory | None,
                           error: BaseException | None) -> None:
        """The server's answer; when it has none to give, this computer's file answers."""
        if error is None or token != self._lookup_token:
            self._on_history(token, found, error)
        elif not self._store.closed:
            self._store.submit(look_up, partial(self._on_history, token))

    def _on_history(self, token: int, found: CallerHistory | None,
                    error: BaseException | None) -> None:
        """Only the answer to the latest lookup counts; a failed one clears the panel."""
        if token == self._lookup_token:
            self._show_history(found if error is None else None)

    def _show_history(self, found: CallerHistory | None) -> None:
        """The caller's history without the call under way; the repeat count includes this
        call (ringing or answered) when the customer is calling, not when we call them."""
        session = self._session
        if found is not None and session is not None:
            found = replace(found, contacts=[c for c in found.contacts if c.uid != session.uid])
        self._history = found
        self._history_loaded = True
        self.caller_panel.show_history(found)
        if self._edit_when_loaded and self._session is not None:
            self._edit_when_loaded = False
            self.caller_panel.open_editor(self._caller.name)
        since = self._clock.now() - timedelta(days=self._playbook.escalation.repeat_days)
        outgoing = self._caller.outgoing if session is not None else \
            self.outgoing_box.isChecked()
        this_call = 0 if outgoing else 1
        self._recent_contacts = found.contacts_since(since) + this_call if found else 0
        self._show_caller()
        self._show_escalation()

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
        self._write(Operation.of("complete_prevention", case_uid=item.case_uid, by=self._agent,
                                 at=self._clock.now()), on_saved=lambda _case: done())
        return True

    def open_export(self) -> ExportDialog | None:
        """Ctrl+Shift+E: the CSV export, opened between calls only. It does not hold up the
        window: a call can start while an export is being written."""
        from callhelper.ui.export_dialog import ExportDialog

        if self._session is not None:
            self._show_save_state(self.tr("Export opens between calls."), problem=True)
            return None
        dialog = self._export_dialog
        if dialog is None or not dialog.isVisible():
            if dialog is not None:
                dialog.deleteLater()
            dialog = self._export_dialog = ExportDialog(
                self._paths.database_url, self._agent, self._clock.now().astimezone().date(),
                self._window_state_file(), self._rules, self._language, self)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def open_history(self, case_id: int | None = None) -> HistoryWindow:
        """Ctrl+H: the history browser (a click on a prior contact opens its case)."""
        from callhelper.ui.history_window import HistoryWindow

        # team mode: the team's history while the server answers (the caller's past contacts
        # shown came from it too, with its case numbers), this computer's file otherwise
        source = self._shared_store() or self._store
        if self._history_window is not None and self._history_source is not source:
            self._history_window.close()
            self._history_window.deleteLater()
            self._history_window = None
        if self._history_window is None:
            self._history_source = source
            self._history_window = HistoryWindow(source, self._writes, self._rules,
                                                 self._catalog,
                                                 self._language, self._window_state_file(),
                                                 self._agent, self._clock)
        if case_id is not None:
            self._history_window.open_case(case_id)
        else:
            self._history_window.show()
            self._history_window.raise_()
            self._history_window.activateWindow()
        return self._history_window

    def check_promises(self) -> None:
        """Remind the agent of their promises that have fallen due (each once): a desktop
        notification where the desktop has a tray, the status line otherwise."""
        now, agent = self._clock.now(), self._agent
        self._store.submit(lambda s: history.open_promises(s, due_before=now, agent=agent),
                           self._on_due_promises)

    def _on_due_promises(self, due: list | None, error: BaseException | None) -> None:
        fresh = [promise for promise in due or [] if promise.note_id not in self._reminded]
        if not fresh:
            return
        self._reminded.update(promise.note_id for promise in fresh)
        lines = [f"{promise.customer or promise.phone}: {promise.text} ({promise.agent})"
                 for promise in fresh]
        title = self.tr("Promise due (%1)").replace("%1", str(len(fresh)))
        if self.tray is not None:
            self.tray.showMessage(title, "\n".join(lines), QSystemTrayIcon.MessageIcon.Warning)
        self._show_save_state(f"⏰ {title}: {lines[0]}", problem=True)

    def edit_profile(self) -> None:
        """Ctrl+P: the customer's profile, edited in place during or after the call."""
        if self._session is None:
            return
        if self._history_loaded:
            self.caller_panel.open_editor(self._caller.name)
        else:
            self._edit_when_loaded = True

    def _save_profile(self, profile: CustomerProfile) -> None:
        session = self._session
        if session is None:
            return
        uid, at, phone = session.uid, self._clock.now(), self._caller.phone
        if profile.name and not self._caller.name:
            self._caller.name = profile.name
        self._write(Operation.of("update_customer", contact_uid=uid, profile=profile, at=at),
                    lambda _customer: self._lookup(phone) if self._is_current(uid) else None)
        self._show_save_state(self.tr("✓ Profile saved"))
        self.note_entry.setFocus()

    def toggle_hold(self) -> None:
        session = self._session
        if session is None or not session.in_call:
            return
        session.toggle_hold()
        on_hold = session.state is CallState.ON_HOLD
        talk, hold, uid = session.talk_seconds(), session.hold_seconds(), session.uid
        self._write(Operation.of("set_hold", contact_uid=uid, on_hold=on_hold,
                                 talk_seconds=talk, hold_seconds=hold))
        self._show_state()

    def end_call(self) -> None:
        """Hung up: stop the timer and open the wrap-up."""
        session = self._session
        if session is None or not session.in_call:
            return
        session.end()
        uid, ended_at = session.uid, session.ended_at
        talk, hold = session.talk_seconds(), session.hold_seconds()
        self._write(Operation.of("end_contact", contact_uid=uid, ended_at=ended_at,
                                 talk_seconds=talk, hold_seconds=hold))
        self.wrap_up.reset(urgency=self.urgency_combo.currentData(),
                           impact=self.impact_combo.currentData())
        self._show_state()
        self.wrap_up.subject.setFocus()

    def toggle_step(self, index: int) -> None:
        session = self._session
        if session is None or not session.in_call or index >= len(session.playbook.steps):
            return
        self._record_step_change(session.toggle(index))

    def set_step_done(self, index: int, done: bool) -> None:
        session = self._session
        if session is None or not session.in_call:
            return
        self._record_step_change(session.set_done(index, done))

    def _record_step_change(self, change: StepChange | None) -> None:
        if change is None or self._session is None:
            return
        uid, agent, at = self._session.uid, self._agent, self._clock.now()
        self._write(Operation.of("record_step_change", contact_uid=uid, change=change,
                                 agent=agent, at=at))
        self._refresh_checklist()

    # ------------------------------------------------------------ correcting notes

    def eventFilter(self, watched, event) -> bool:
        """In the note entry: ↑ (on an empty entry, or while correcting) picks the note
        before to correct, Esc stops correcting, Ctrl+Delete deletes the note corrected."""
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
        return super().eventFilter(watched, event)

    def edit_previous(self) -> None:
        rows = self.notes_model.rows()
        if not rows or self._session is None:
            return
        current = next((i for i, row in enumerate(rows)
                        if self._editing and row.uid == self._editing.uid), len(rows))
        self.begin_edit(max(0, current - 1))

    def begin_edit(self, position: int) -> None:
        """Put a note of this call into the entry to correct it; Enter saves the correction
        (the words as first recorded stay in the audit trail)."""
        rows = self.notes_model.rows()
        if self._session is None or not 0 <= position < len(rows):
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

    def _save_edit(self, text: str) -> None:
        row, self._editing = self._editing, None
        empty(self.note_entry)
        self.notes_view.clearSelection()
        if row is None or text == row.text:
            self._show_save_state(self.tr("Nothing to correct"))
            return
        if not text.strip():
            self._show_save_state(self.tr("A note cannot be empty; Ctrl+Delete deletes it."),
                                  problem=True)
            return
        contact_uid, agent, at = self._session.uid, self._agent, self._clock.now()
        self._write(Operation.of("edit_note", note_uid=row.uid, text=text, actor=agent, at=at),
                    partial(self._on_note_corrected, contact_uid),
                    partial(self._on_note_refused, contact_uid, text))

    def _on_note_corrected(self, contact_uid: str, note) -> None:
        if not self._is_current(contact_uid):
            return
        self.notes_model.replace(NoteRow.from_note(note))
        self._show_escalation()
        self._show_save_state(self.tr("✓ Note corrected; the first words stay in the audit "
                                      "trail"))

    def delete_edited(self) -> None:
        row = self._editing
        if row is None or self._session is None:
            return
        answer = QMessageBox.question(
            self, self.tr("Delete the note"),
            self.tr("Delete the note at %1? Its words stay in the audit trail for the "
                    "supervisor.").replace("%1", format_offset(row.offset_seconds)))
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._editing = None
        empty(self.note_entry)
        contact_uid, agent, at = self._session.uid, self._agent, self._clock.now()
        self._write(Operation.of("delete_note", note_uid=row.uid, actor=agent, at=at),
                    lambda _result: self._on_note_deleted(contact_uid, row.uid))

    def _on_note_deleted(self, contact_uid: str, uid: str) -> None:
        if not self._is_current(contact_uid):
            return
        self.notes_model.remove(uid)
        self._show_escalation()
        self._show_save_state(self.tr("✓ Note deleted; its words stay in the audit trail"))

    def submit_note(self) -> None:
        """Enter: save the entry as a note of the selected kind, stamped with the call offset
        (or, while a note is being corrected, save the correction)."""
        session = self._session
        text = self.note_entry.text()
        if len(text) > MAX_NOTE_LENGTH:
            self._show_save_state(self.tr("Not saved: a note holds at most %1 characters, this "
                                          "one has %2. It stays in the entry; save it in parts.")
                                  .replace("%1", f"{MAX_NOTE_LENGTH:,}")
                                  .replace("%2", f"{len(text):,}"), problem=True)
            return
        if self._editing is not None and session is not None:
            self._save_edit(text)
            return
        if session is None or session.state is CallState.READY or not text.strip():
            return
        kind = NoteKind(self.kind_combo.currentData())
        due = self.due_edit.dateTime().toPython().astimezone() \
            if kind is NoteKind.PROMISE else None
        empty(self.note_entry)
        self.note_entry.setFocus()
        self.kind_combo.setCurrentIndex(0)
        self._capture(text, kind, due, partial(self._on_note_refused, session.uid, text))

    def _capture(self, text: str, kind: NoteKind, due, on_refused, on_saved=None,
                 uid: str | None = None) -> None:
        """Save a note of the call under way, stamped with the call offset (and made storable:
        core/text.py). ``uid``: its operation's, when the sender chose it (a phone command)."""
        text, replaced = storable_text(text)
        session = self._session
        offset_ms = round(session.elapsed_seconds() * 1000)
        contact_uid, note_uid = session.uid, uuid.uuid4().hex
        agent, at = self._agent, self._clock.now()
        if self._writes.problem is None:
            self._show_save_state(self.tr("Saving…"))

        def saved(note) -> None:
            if note is not None:  # None: saved before, from a phone command sent again
                self._on_note_saved(contact_uid, note, replaced)
            if on_saved is not None:
                on_saved(note)

        operation = Operation.of("add_note", contact_uid=contact_uid, note_uid=note_uid,
                                 kind=kind, text=text, offset_ms=offset_ms, agent=agent,
                                 created_at=at, due_at=due)
        self._write(replace(operation, uid=uid) if uid else operation, saved, on_refused)

    def _capture_from_command(self, command: Command, reply) -> None:
        """``callhelper call note``: a note from another program (speech-to-text, a script).
        Answered "saved" once it is on disk, or "queued" while the database cannot take it
        (or has not within QUEUED_AFTER_MS): it is then saved later. Its operation's uid is
        made from the command's id, so the same note sent again is saved once."""
        answer = reply or (lambda _answer: None)
        session = self._session
        if session is None or session.state is CallState.READY:
            answer({"error": "no call in progress"})
            return
        kind = NoteKind(command.kind)
        due = self._clock.now() + timedelta(hours=PROMISE_DEFAULT_HOURS) \
            if kind is NoteKind.PROMISE else None
        self._capture(command.text, kind, due,
                      lambda error: answer({"error": f"not saved: {type(error).__name__}"}),
                      partial(self._on_command_note_saved, command.id, answer),
                      note_operation_uid(command, session.uid))
        queued = partial(answer, {"status": "queued", "id": command.id})
        if self._writes.problem is not None:
            queued()
        else:
            QTimer.singleShot(QUEUED_AFTER_MS, self, queued)

    def _on_command_note_saved(self, command_id: str, answer, note) -> None:
        if note is None:
            self._show_save_state(self.tr("✓ A note sent again was saved before; it is not "
                                          "stored twice"))
            answer({"status": "saved", "id": command_id})
            return
        answer({"status": "saved", "id": command_id, "saved": note.uid, "text": note.text,
                "offset_ms": note.offset_ms})

    def _is_current(self, contact_uid: str) -> bool:
        return self._session is not None and self._session.uid == contact_uid

    def _on_note_refused(self, contact_uid: str, text: str, error: BaseException) -> None:
        """A note the database refuses for good goes back into the entry (or, if its call
        is over, into the status line), so it is not lost."""
        if self._is_current(contact_uid):
            current = self.note_entry.text()
            self.note_entry.setText(f"{text} {current}" if current else text)
            message = self.tr("This note could not be saved; it is back in the entry.")
        else:
            message = self.tr("A note of the previous call could not be saved: %1").replace(
                "%1", text)
        self._show_save_state(message, problem=True)

    def _on_note_saved(self, contact_uid: str, note, replaced: int = 0) -> None:
        if not self._is_current(contact_uid):
            return
        row = NoteRow.from_note(note)
        self.notes_model.append(row)
        self._show_escalation()
        message = self.tr("✓ Saved %1").replace("%1", format_offset(row.offset_seconds))
        if note.masked_cards:
            message += " · " + self.tr("card number masked")
        if replaced:
            message += " · " + self.tr("%1 characters that cannot be stored replaced by �"
                                       ).replace("%1", str(replaced))
        self._show_save_state(message)

    def _submit_wrap_up_shortcut(self) -> None:
        if (self._session is not None and self._session.state is CallState.ENDED
                and self.wrap_up.save_button.isEnabled()):
            self.wrap_up.submit()

    def _save_wrap_up(self, wrap_up: WrapUp) -> None:
        session = self._session
        if session is None or session.state is not CallState.ENDED:
            return
        self.wrap_up.save_button.setEnabled(False)
        uid, agent, at = session.uid, self._agent, self._clock.now()
        self._write(Operation.of("save_wrap_up", contact_uid=uid, wrap_up=wrap_up, actor=agent,
                                 at=at),
                    lambda _case: self._on_wrap_up_saved(uid),
                    lambda _error: self.wrap_up.show_problem(
                        self.tr("The wrap-up could not be saved; see the log.")))

    def _on_wrap_up_saved(self, uid: str) -> None:
        if self._session is None or self._session.uid != uid:
            return
        self._session = None
        self._editing = None
        self._caller = CallerInfo()
        empty(self.number_input)
        empty(self.name_input)
        self.outgoing_box.setChecked(False)
        self._lookup("")
        self.notes_model.set_rows([])
        self._show_save_state(self.tr("✓ Call closed and saved"))
        self._show_state()
        self.number_input.setFocus()

    def _on_database_open(self, result: tuple[int, UnfinishedContact | None, dict] | None,
                          error: BaseException | None) -> None:
        if self._store.closed:  # closed before the database was open: nothing to start
            return
        if isinstance(error, ChoiceNeeded):
            self.recovery.ask(error.trouble)
            return
        self._ready = error is None
        if error is not None:
            self._show_save_state(self.tr("The database could not be opened. Details are in "
                                          "the log: %1").replace("%1", str(self._paths.log_dir)),
                                  problem=True)
            self.recovery.allow_choice_again()
        else:
            if self._opener is not None:
                self.recovery.show_opened(self._opener.opened())
            replayed, unfinished, decided = result
            if unfinished is not None and self._session is None:
                self._resume(unfinished, decided)
            if replayed:
                self._show_save_state(self.tr("✓ %1 writes kept from the last session are now "
                                              "saved").replace("%1", str(replayed)))
        self._show_state()
        if self._ready:
            self._store.submit(lambda _session: self._rules.prepare())
            self._start_sync()
            self._reminder_timer.start()
            self.check_promises()
            self.upkeep.start()
            pending, self._pending_commands = self._pending_commands, []
            for command, reply in pending:
                self.handle_command(command, reply)
        self.ready.emit()

    def _start_sync(self) -> None:
        """Team mode: deliver this computer's writes to the server, and say how it goes."""
        server = self._paths.server_url
        if server is None or self._sync is not None:
            return
        self._sync = SyncRunner(self._paths.capture_url, server, self._rules, self)
        self._sync.changed.connect(self._show_sync_state)
        self._writes.changed.connect(self._sync.nudge)
        self._sync.start()

    def _recover(self, backup) -> None:
        """The answer to a database set aside or missing: open again, on ``backup`` restored
        or (None) on an empty database."""
        self._opener.choose(backup)
        self._store.submit(self._open_database, self._on_database_open)

    def _resume(self, unfinished: UnfinishedContact, decided: dict) -> None:
        contact, case = unfinished.contact, unfinished.case
        playbook = self._catalog.get(contact.playbook_id) or self._playbook
        session = CallSession.restore(
            playbook, self._clock, contact.uid, contact.started_at, unfinished.ticked,
            contact.talk_seconds, contact.hold_seconds, contact.on_hold,
            contact.ended_at if contact.state == "wrap_up" else None)
        self._begin(session, CallerInfo(contact.phone, contact.caller_name,
                                        contact.direction == OUTGOING))
        self._lookup(contact.phone)
        self.notes_model.set_rows([NoteRow.from_note(note, decided.get(note.uid, ()))
                                   for note in unfinished.notes])
        for combo, value in ((self.urgency_combo, case.urgency), (self.impact_combo, case.impact)):
            combo.setCurrentIndex(max(0, combo.findData(value)))
        self.wrap_up.reset(case.subject, case.urgency, case.impact)
        started = contact.started_at.astimezone().strftime("%H:%M")
        self._show_save_state(self.tr("Resumed the call that started at %1").replace("%1", started))
        self._show_state()
        (self.note_entry if session.in_call else self.wrap_up.subject).setFocus()

    # ----------------------------------------------------------------- escalation

    def _levels_changed(self) -> None:
        session = self._session
        if session is None:
            return
        uid, agent, at = session.uid, self._agent, self._clock.now()
        urgency, impact = self.urgency_combo.currentData(), self.impact_combo.currentData()
        self._write(Operation.of("set_case_levels", contact_uid=uid, urgency=urgency or "",
                                 impact=impact or "", actor=agent, at=at))

    def escalation_reasons(self) -> list[str]:
        session = self._session
        if session is None:
            return []
        return escalation_reasons(self._playbook, session.elapsed_seconds(),
                                  self.notes_model.flag_categories(),
                                  self.notes_model.request_categories(), self._recent_contacts,
                                  session.talk_seconds())

    def _reason_labels(self) -> dict[str, str]:
        labels = {
            PAST_ESCALATION_TIME: self.tr("the call is long"),
            PAST_CALL_LIMIT: self.tr("past the call limit (restraint)"),
            FLAGGED: self.tr("suspected harassment"),
            REPEATED_CALLS: self.tr("a case that may be unresolved (%1 calls in %2 days)")
            .replace("%1", str(self._recent_contacts))
            .replace("%2", str(self._playbook.escalation.repeat_days)),
        }
        labels.update({level.value: level_label(level) for level in Level})
        labels.update({category.id: category.label.get(self._language)
                       for category in self._rules.categories})
        return labels

    def _show_escalation(self) -> None:
        """The playbook's responses to the flags and signals, under the suggestion to hand
        over (ui/responses.py)."""
        session = self._session
        if session is None or not session.in_call:
            self.escalation_label.hide()
            return
        self.escalation_label.present(self._playbook, self._language,
                                      self.notes_model.flag_categories(),
                                      self.escalation_reasons(), self._reason_labels(),
                                      session.talk_seconds())

    def hand_over(self) -> None:
        """Ctrl+E: the handoff summary to the clipboard, the escalation recorded, and a
        line to name the senior who takes over."""
        session = self._session
        if session is None:
            return
        caller = " ".join(part for part in (self._caller.name, self._caller.phone and
                                            f"({self._caller.phone})") if part)
        notes = [CapturedNote(row.offset_seconds, row.kind, row.text, row.flags, row.requests)
                 for row in self.notes_model.rows()]
        reasons = self.escalation_reasons()
        handoff = build_handoff(session, caller or self.tr("Unknown caller"), self._agent,
                                self._language, notes, reasons,
                                self.urgency_combo.currentData(), self.impact_combo.currentData())
        summary = handoff.render(self._handoff_headings(), self._reason_labels())
        QApplication.clipboard().setText(summary)
        uid, agent, at = session.uid, self._agent, self._clock.now()
        offset_ms = round(session.elapsed_seconds() * 1000)
        self._write(Operation.of("record_escalation", contact_uid=uid, reasons=list(reasons),
                                 summary=summary, agent=agent, offset_ms=offset_ms, at=at))
        self.handoff_bar.show()
        self.senior_script.present(self._playbook, self._language)
        empty(self.senior_input)
        self.senior_input.setFocus()
        self._show_save_state(self.tr("✓ Handoff summary copied to the clipboard"))

    def _handoff_headings(self) -> dict[str, str]:
        return {
            "title": self.tr("Handoff (second response)"),
            "caller": self.tr("Customer"),
            "agent": self.tr("First agent"),
            "elapsed": self.tr("Call time"),
            "reasons": self.tr("Why now"),
            "steps_done": self.tr("Done so far (apologies included)"),
            "urgency": self.tr("Urgency / impact"),
            "facts": self.tr("Facts"),
            "quotes": self.tr("The customer's words"),
            "requests": self.tr("Requests (validity to check)"),
            "promises": self.tr("Promises made"),
            "flags": self.tr("Flagged statements"),
            "none": self.tr("none"),
            "not_assessed": self.tr("not assessed yet"),
        }

    def _record_senior(self) -> None:
        name = self.senior_input.text().strip()
        session = self._session
        if not name or session is None:
            return
        uid, at = session.uid, self._clock.now()
        self._write(Operation.of("add_handler", contact_uid=uid, name=name, role="senior",
                                 at=at))
        self.handoff_bar.hide()
        self._show_save_state(self.tr("Taken over by %1").replace("%1", name))
        self.note_entry.setFocus()

    # ----------------------------------------------------------------- writes

    def _write(self, operation: Operation,
               on_saved: Callable[[object], None] | None = None,
               on_failed: Callable[[BaseException], None] | None = None) -> None:
        self._writes.put(Write(operation, on_saved, on_failed or self._on_write_refused))

    def _on_write_refused(self, _error: BaseException) -> None:
        self._show_save_state(self.tr("A change could not be saved; details are in the log."),
                              problem=True)

    def _show_write_state(self) -> None:
        """At every write queued and every one done: how many wait, and while the database
        refuses them, why."""
        fault, waiting = self._writes.fault, self._writes.waiting
        if fault is not None:
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
        session = self._session
        state = session.state if session else CallState.READY
        in_call = session is not None and session.in_call
        self.start_button.setVisible(session is None)
        self.start_button.setEnabled(self._ready)
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
        self.notes_view.setVisible(session is not None)
        self.entry_box.setVisible(session is not None)
        self.note_entry.setEnabled(session is not None)
        self._show_caller()
        self._refresh_checklist()
        self._on_tick()

    def _refresh_playbooks(self) -> None:
        """Re-read the playbook folders between calls; a broken file is named, and its
        last good version stays."""
        errors = self._catalog.refresh()
        self._playbook = self._catalog.get(self._playbook.id) or self._playbook
        self.playbook_combo.clear()
        for playbook in self._catalog.playbooks():
            self.playbook_combo.addItem(f"{playbook.title.get(self._language)} "
                                        f"(v{playbook.version})", playbook.id)
        self.playbook_combo.setCurrentIndex(max(0, self.playbook_combo.findData(
            self._playbook.id)))
        if errors:
            self._show_save_state(self.tr("Playbook not loaded: %1").replace("%1", str(errors[0])),
                                  problem=True)

    def _choose_playbook(self, index: int) -> None:
        playbook = self._catalog.get(self.playbook_combo.itemData(index))
        if playbook is not None:
            self._playbook = playbook
            self._settings.set("playbook", playbook.id)

    def _show_caller(self) -> None:
        caller, found = self._caller, self._history
        customer = found.customer if found else None
        name = caller.name or (customer.name if customer else "")
        if self._session is None and not found:
            title = self.tr("Ready for the next call")
        elif name:
            title = self.tr("%1", "the caller's name, with an honorific").replace("%1", name)
        else:
            title = caller.phone or self.number_input.text().strip() or self.tr("Unknown caller")
        if customer and customer.company:
            title += f"  ·  {customer.company}"
        self.caller_label.setText(title)
        phone = caller.phone if self._session else self.number_input.text().strip()
        details = [phone] if phone and name else []
        days = self._playbook.escalation.repeat_days
        if self._recent_contacts > 1:
            details.append(self.tr("%1 calls in %2 days").replace(
                "%1", str(self._recent_contacts)).replace("%2", str(days)))
        elif phone and found is not None and not found.contacts and not name:
            details.append(self.tr("New caller — Ctrl+P adds a profile"))
        details.append(self.tr("Handler: %1").replace("%1", self._agent))
        self.caller_detail.setText("  ·  ".join(details))

    def _refresh_checklist(self) -> None:
        session = self._session
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
                  for phrasing in self._playbook.phrasings_for(step.id)[:most]]
        return "<br>".join(lines)

    def refresh(self) -> None:
        """Redraw the timer and the checklist now rather than at the next second."""
        self._on_tick()

    def _on_tick(self) -> None:
        """Redraw the timer; re-armed for just after the next whole second, so it never drifts."""
        session = self._session
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
            soon = self._clock.now().astimezone() + timedelta(hours=PROMISE_DEFAULT_HOURS)
            self.due_edit.setMinimumDateTime(self._clock.now().astimezone())
            self.due_edit.setDateTime(soon.replace(minute=0, second=0, microsecond=0)
                                      + timedelta(hours=1))
        self.due_edit.setVisible(promise)
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

        if self._session is not None:
            self._show_save_state(self.tr("Settings open between calls."), problem=True)
            return
        dialog = SettingsDialog(self._settings, self)
        if dialog.exec():
            self._agent = self._settings.agent_name
            self._set_always_on_top(bool(self._settings.get("always_on_top")), save=False)
            self._show_caller()
            if self._cti is not None:
                self.start_cti()

    def start_cti(self) -> None:
        """The local CTI endpoint (docs/phone-systems.md), as the settings say: off by
        default; a PBX pushing call events to it drives this window."""
        from callhelper.ui.cti import CtiEndpoint

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
        self._reminder_timer.stop()
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
        if self._shared is not None:
            self._shared.close()
        super().closeEvent(event)
