"""The call window: timer, checklist, exact-words capture and wrap-up.

A view over the call controller (ui/call_controller.py), which holds the call, its notes and
everything written. The window composes small views over the controller, each drawing what
it says and calling it on keys and clicks (docs/architecture.md lists them and what each
owns); what stays here is the layout, the window's shortcuts, the wiring between the views,
and the services of app/ the window owns. A note is shown only once its write has committed.

The window is shown before the storage stack is loaded (docs/architecture.md, "Window
first"): this module and those it imports load no store module at import time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QApplication, QLineEdit, QMainWindow, QPlainTextEdit,
                               QSizePolicy, QStackedWidget, QTextEdit, QVBoxLayout, QWidget)

from callhelper.config import Paths, Settings
from callhelper.core.case import WrapUp
from callhelper.core.clock import Clock
from callhelper.core.commands import Command
from callhelper.core.playbook import PlaybookCatalog
from callhelper.core.session import CallSession, CallState
from callhelper.app.store_client import StoreClient
from callhelper.app.upkeep import DailyUpkeep
from callhelper.ui.call_controller import CallController
from callhelper.ui.call_header import CallHeader
from callhelper.ui.hand import HandBar
from callhelper.ui.ringing_page import RingingPage
from callhelper.ui.status_line import StatusLine
from callhelper.ui.window_opener import WindowOpener
from callhelper.ui.window_state import restore_geometry, save_geometry

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent

    from callhelper.core.flags import DemandRules
    from callhelper.store.startup import StartupOpener
    from callhelper.app.sync_runner import SyncRunner
    from callhelper.ui.banner import BannerArea
    from callhelper.ui.caller_panel import CallerPanel
    from callhelper.ui.checklist_panel import ChecklistPanel
    from callhelper.ui.flag_review import FlagReview
    from callhelper.ui.handoff_bar import HandoffBar
    from callhelper.ui.models import NotesModel
    from callhelper.ui.note_entry import NoteEntry
    from callhelper.ui.notes_view import NotesView
    from callhelper.ui.recovery import RecoveryBanner
    from callhelper.ui.reminders import PromiseReminders
    from callhelper.ui.wrap_up import WrapUpPanel

URGENCY, IMPACT = "urgency", "impact"
RINGING, IN_CALL, WRAP_UP = range(3)  # the pages


class CallWindow(QMainWindow):
    """The agent's window beside the phone; ``ready`` fires once the database is
    open and an unfinished call (if any) is back on screen.

    It is built in two steps. The first builds what shows between calls (the header, the
    page of the next call, the status line); ``complete()`` builds the rest (the caller's
    history, the checklist, the notes and their entry, the handoff, the wrap-up) and binds
    the window's keys. ``complete`` defaults to True: both steps at once. Started by a user
    (ui/start.py), the window shows after the first step and completes right after its
    first paint, before the store starts, so every answer of the store finds the whole
    window (docs/architecture.md, "Window first"). The first step names no enum of Qt's
    namespace (``Qt.…``): PySide makes the Python enums of all of it the first time it is
    named, a sixth of a bare window's start-up; the modules it uses import ``Qt`` inside
    the functions that run after the paint."""

    ready = Signal()
    painted = Signal()  # at each paint of the window itself (app/bootstrap.py's FirstPaint)

    # built by complete()
    caller_panel: CallerPanel
    checklist: ChecklistPanel
    wrap_up: WrapUpPanel
    handoff: HandoffBar
    banners: BannerArea
    notes_model: NotesModel
    notes_view: NotesView
    entry: NoteEntry
    recovery: RecoveryBanner
    reminders: PromiseReminders
    flag_review: FlagReview

    def __init__(self, paths: Paths, settings: Settings, store: StoreClient,
                 catalog: PlaybookCatalog, rules: DemandRules, clock: Clock,
                 language: str, opener: StartupOpener | None = None,
                 complete: bool = True) -> None:
        super().__init__()
        self._paths = paths
        self._settings = settings
        self._store = store
        self._rules = rules
        self._clock = clock
        self._language = language
        self._complete = False
        self._on_top = False
        self._edit_when_loaded = False
        self.controller = CallController(paths, settings, store, catalog, rules, clock,
                                         language, self)
        self._writes = self.controller.writes
        self._sync: SyncRunner | None = None
        self._cti = None
        self._opener = opener
        self.upkeep = DailyUpkeep(store, paths, settings, clock, self, opener)

        self.setWindowTitle("CallHelper")
        self.setObjectName("callWindow")
        self._build(catalog, rules, clock, language)
        self.upkeep.failed.connect(lambda text: self.status_line.show(text, problem=True))
        self.upkeep.damaged.connect(lambda text: self.recovery.warn(text))
        self._follow_controller()
        self._set_always_on_top(bool(settings.get("always_on_top")), save=False)
        restore_geometry(self, paths)
        if complete:
            self.complete()
        else:
            self._show_state()
        if settings.problem is not None:
            self.status_line.show(self.tr("Settings not read (%1): the defaults are used, and "
                                          "the file stays as it is until the settings are "
                                          "saved.").replace("%1", settings.problem),
                                  problem=True)
        self.controller.open()

    # ----------------------------------------------------------------- layout

    def _build(self, catalog: PlaybookCatalog, rules: DemandRules, clock: Clock,
               language: str) -> None:
        """What shows between calls: the header, the page of the next call, the status
        line; and the opener of the other windows."""
        controller = self.controller
        self.hand_bar = HandBar(controller)  # team mode: the raised hand
        self.header = CallHeader(controller, self.hand_bar.button)
        header = self.header
        header.pin_button.toggled.connect(self._set_always_on_top)
        header.history_button.clicked.connect(lambda: self.windows.open_history())
        header.export_button.clicked.connect(lambda: self.windows.open_export())
        header.settings_button.clicked.connect(lambda: self.windows.open_settings())
        header.second.connect(self._on_second)

        self.ringing_page = RingingPage(controller, language)
        self.ringing_page.start_requested.connect(self.start_call)
        self.pages = QStackedWidget()
        self.pages.currentChanged.connect(self._fit_pages)
        self.pages.addWidget(self.ringing_page)

        central = QWidget()
        self._layout = layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.setSpacing(4)
        layout.addWidget(header)
        self._panel_room = QWidget()  # the caller's history's, empty between calls
        self._panel_room.setFixedHeight(0)
        layout.addWidget(self._panel_room)
        layout.addWidget(self.pages)
        layout.addStretch(1)  # the notes' room
        self.setCentralWidget(central)
        self.status_line = StatusLine(self.statusBar(), self._writes)

        self.windows = WindowOpener(self._paths, self._settings, catalog, rules, clock,
                                    language, controller, self)
        self.windows.settings_saved.connect(self._apply_settings)
        for view in (self.ringing_page, self.windows):
            view.message.connect(self.status_line.show)
        # the fields tests and scripts type into, by their old names
        self.number_input = self.ringing_page.number_input
        self.saved_label = self.status_line.saved_label
        # where the agent types first (the header's buttons, focusable until the window is
        # complete, would otherwise take it)
        self.number_input.setFocus()

    def complete(self) -> None:
        """The rest of the window (see the class), once: its views, in the layout, following
        the controller, and the window's keys. Their modules are imported here."""
        if self._complete:
            return
        self._complete = True
        from callhelper.ui.banner import BannerArea
        from callhelper.ui.caller_panel import CallerPanel, PastContactsModel
        from callhelper.ui.checklist_panel import ChecklistPanel
        from callhelper.ui.flag_review import FlagReview
        from callhelper.ui.handoff_bar import HandoffBar
        from callhelper.ui.models import NotesModel
        from callhelper.ui.note_entry import NoteEntry
        from callhelper.ui.notes_view import NotesView
        from callhelper.ui.recovery import RecoveryBanner
        from callhelper.ui.reminders import PromiseReminders
        from callhelper.ui.wrap_up import WrapUpPanel

        controller, language, clock = self.controller, self._language, self._clock
        self.header.complete()
        self.caller_panel = CallerPanel()
        self.caller_panel.profile_saved.connect(self._save_profile)
        self.caller_panel.edit_closed.connect(lambda: self.note_entry.setFocus())
        self.caller_panel.contacts.clicked.connect(
            lambda index: self.windows.open_history(index.data(PastContactsModel.CaseIdRole)))

        self.checklist = ChecklistPanel(controller, language)
        self.wrap_up = WrapUpPanel()
        self.wrap_up.submitted.connect(self._save_wrap_up)
        self.pages.addWidget(self.checklist)
        self.pages.addWidget(self.wrap_up)
        self._fit_pages(self.pages.currentIndex())  # the pages added after the first too

        self.handoff = HandoffBar(controller, language)
        self.handoff.done.connect(lambda: self.note_entry.setFocus())
        self.banners = BannerArea([self.handoff.escalation_label, self.handoff.senior_script])

        self.notes_model = NotesModel(self._rules, language, self)
        self.notes_model.decision_taken.connect(controller.take_decision)
        self.notes_view = NotesView(self.notes_model)
        self.entry = NoteEntry(controller, self.notes_model, self.notes_view, clock, language)
        self.entry.undo_requested.connect(self.undo)

        self.recovery = RecoveryBanner()
        self.recovery.chosen.connect(self._recover)
        layout = self._layout
        layout.takeAt(layout.count() - 1)  # the notes' room
        layout.replaceWidget(self._panel_room, self.caller_panel)
        self._panel_room.deleteLater()
        layout.insertWidget(0, self.recovery)
        for widget, stretch in ((self.banners, 0), (self.notes_view, 1), (self.hand_bar, 0),
                                (self.entry, 0), (self.handoff, 0)):
            layout.addWidget(widget, stretch)

        self.reminders = PromiseReminders(controller, language, self)
        self.reminders.open_case.connect(lambda case_id: self.windows.open_history(case_id))
        self.reminders.closed.connect(self._after_reminders)
        for view in (self.entry, self.handoff, self.reminders):
            view.message.connect(self.status_line.show)
        self.note_entry = self.entry.line
        self.flag_review = FlagReview(
            self, self.notes_model, self.notes_view, self._rules, language, clock,
            lambda: controller.agent, lambda: controller.call_uid, controller.write,
            self.status_line.show)
        self.flag_review.changed.connect(self.handoff.show_escalation)
        self.flag_review.menu_closed.connect(self.note_entry.setFocus)
        self._bind_shortcuts()
        self._follow_controller_in_call()
        self._show_state()

    def _bind_shortcuts(self) -> None:
        """The window's keys, once it is complete."""
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QKeySequence, QShortcut

        from callhelper.ui.note_entry import KIND_SHORTCUTS
        from callhelper.ui.shortcuts import ShortcutsBeforeEditingKeys

        def bind(keys: str, action: Callable[[], object]) -> None:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(action)

        controller, windows = self.controller, self.windows
        bind("F7", self.start_call)
        bind("F8", controller.toggle_hold)
        bind("F9", controller.end_call)
        bind("Ctrl+T", lambda: self.header.pin_button.toggle())
        bind("Ctrl+S", self._submit_wrap_up_shortcut)
        bind("Ctrl+Q", self.close)
        bind("Ctrl+,", windows.open_settings)
        bind("Ctrl+E", controller.hand_over)
        bind("Ctrl+Shift+H", self.hand_bar.toggle)
        bind("Ctrl+P", self.edit_profile)
        bind("Ctrl+H", lambda: windows.open_history())
        bind("Ctrl+Shift+R", windows.open_review)
        bind("Ctrl+Shift+E", windows.open_export)
        bind("Ctrl+R", self.reminders.show_list)
        bind("Ctrl+Z", self.undo)
        for number in range(1, 10):
            bind(f"Ctrl+{number}", partial(controller.toggle_step, number - 1))
        for index, keys in enumerate(KIND_SHORTCUTS.values()):
            bind(keys, partial(self.entry.kind_combo.setCurrentIndex, index))
        bind("Alt+C", self.header.choose_case)
        bind("Alt+U", partial(self.next_level, URGENCY))
        bind("Alt+I", partial(self.next_level, IMPACT))
        ShortcutsBeforeEditingKeys(self)

    def _follow_controller(self) -> None:
        """Draw what the controller says: between calls, what the first step built shows."""
        controller = self.controller
        controller.state_changed.connect(self._show_state)
        controller.ringing.connect(self.ringing_page.show_ringing)
        controller.case_changed.connect(self._show_case)
        controller.front_requested.connect(self.bring_to_front)
        controller.message.connect(self.status_line.show)
        controller.ready.connect(self.ready)

    def _follow_controller_in_call(self) -> None:
        """The rest of what the controller says: the call, its notes, and the store's
        answers (the store starts once the window is complete)."""
        controller = self.controller
        controller.steps_changed.connect(self.checklist.refresh)
        controller.call_begun.connect(self._on_call_begun)
        controller.call_ended.connect(self._on_call_ended)
        controller.call_closed.connect(self._on_call_closed)
        controller.wrap_up_refused.connect(lambda: self.wrap_up.show_problem(
            self.tr("The wrap-up could not be saved; see the log.")))
        controller.notes_reset.connect(self.notes_model.set_rows)
        controller.note_added.connect(self.notes_model.append)
        controller.note_changed.connect(self.notes_model.put)
        controller.note_removed.connect(self.notes_model.remove)
        controller.note_returned.connect(self.entry.give_back)
        controller.escalation_changed.connect(self.handoff.show_escalation)
        controller.history_shown.connect(self._show_history)
        controller.opened.connect(self._on_database_open)
        controller.choice_needed.connect(self.recovery.ask)

    def _fit_pages(self, current: int) -> None:
        """Size the stack to the page shown, not to the largest page."""
        for index in range(self.pages.count()):
            policy = QSizePolicy.Policy.Preferred if index == current else \
                QSizePolicy.Policy.Ignored
            self.pages.widget(index).setSizePolicy(policy, policy)
        self.pages.adjustSize()

    # ----------------------------------------------------------------- the call

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
        """Answered (F7, Enter on the ringing page): ``phone`` and ``name`` when given, else
        the ones typed."""
        self.complete()
        self.controller.start_call(phone if isinstance(phone, str) else None,
                                   name if isinstance(name, str) else None)

    def refresh(self) -> None:
        """Redraw the timer and the checklist now rather than at the next second."""
        self.header.tick()

    def bring_to_front(self) -> None:
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def _on_call_begun(self, case) -> None:
        """A call on screen, new or resumed (``case``), with nothing of the previous one."""
        self.handoff.reset()
        self.entry.reset()
        self.checklist.begin()
        if case is not None:
            self._reset_wrap_up(case)
        self._show_state()
        (self.note_entry if self.controller.session.in_call else self.wrap_up.subject).setFocus()

    def _on_call_ended(self) -> None:
        """Hung up: the wrap-up."""
        self._reset_wrap_up(self.controller.case)
        self._show_state()
        self.wrap_up.subject.setFocus()

    def _on_call_closed(self) -> None:
        self.entry.editing = None
        self.ringing_page.clear()
        self._show_state()
        self.number_input.setFocus()

    def _reset_wrap_up(self, case) -> None:
        """The wrap-up starts from what the call's case holds (a case continued keeps its
        subject, fix and prevention; a new one starts empty), with the urgency and impact
        judged during the call."""
        controller = self.controller
        self.wrap_up.reset(*(getattr(case, name) if case is not None else ""
                             for name in ("subject", "fix", "prevention", "status")),
                           urgency=controller.urgency, impact=controller.impact)

    def _submit_wrap_up_shortcut(self) -> None:
        session = self.controller.session
        if (session is not None and session.state is CallState.ENDED
                and self.wrap_up.save_button.isEnabled()):
            self.wrap_up.submit()

    def _save_wrap_up(self, wrap_up: WrapUp) -> None:
        if self.controller.save_wrap_up(wrap_up):
            self.wrap_up.save_button.setEnabled(False)

    def _show_case(self) -> None:
        """The case chosen: the header names it, and the urgency and impact are the case's."""
        if self.controller.session is not None:
            self.checklist.show_levels()
        self.header.show_caller()

    def next_level(self, which: str) -> None:
        """Alt+U / Alt+I, during the call and the wrap-up: the urgency or impact goes to the
        next value (not assessed, high, medium, low, and round again)."""
        session = self.controller.session
        if session is None:
            return
        if session.in_call:
            panel = self.checklist
            combo = panel.urgency_combo if which == URGENCY else panel.impact_combo
        else:
            combo = self.wrap_up.urgency if which == URGENCY else self.wrap_up.impact
        combo.setCurrentIndex((combo.currentIndex() + 1) % combo.count())
        if session.in_call:
            self.checklist.levels_changed()
        name = self.tr("Urgency") if which == URGENCY else self.tr("Impact")
        self.status_line.show(f"{name}: {combo.currentText()}")

    def undo(self) -> None:
        """Ctrl+Z: the text field's own undo while it holds text, else the undo of the
        note deleted last in this call."""
        focused = QApplication.focusWidget()
        if isinstance(focused, QLineEdit) and focused.text():
            focused.undo()
        elif isinstance(focused, (QPlainTextEdit, QTextEdit)) and focused.toPlainText():
            focused.undo()
        elif not self.controller.undo_delete():
            self.status_line.show(self.tr("Nothing to undo"))

    def _after_reminders(self) -> None:
        if self.isActiveWindow() and self.note_entry.isVisible():
            self.note_entry.setFocus()

    # ----------------------------------------------------------------- the caller

    def _show_history(self, found) -> None:
        self.caller_panel.show_history(found)
        if self._edit_when_loaded and self.controller.session is not None:
            self._edit_when_loaded = False
            self.caller_panel.open_editor(self.controller.caller.name)
        self.header.show_caller()

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

    # ----------------------------------------------------------------- display

    def _show_state(self) -> None:
        session = self.controller.session
        in_call = session is not None and session.in_call
        self.header.show_state()
        if session is None:
            if self._complete:  # the playbooks are read once the window has painted
                self.ringing_page.refresh_playbooks()
            self.pages.setCurrentIndex(RINGING)
        else:
            self.pages.setCurrentIndex(IN_CALL if in_call else WRAP_UP)
        self.hand_bar.show_state()
        self.header.show_caller()
        if self._complete:
            self.caller_panel.set_ringing(session is None)
            self.banners.set_in_call(in_call)
            self.notes_view.setVisible(session is not None)
            self.entry.setVisible(session is not None)
            self.note_entry.setEnabled(session is not None)
            self.checklist.refresh()
        self.header.tick()

    def _on_second(self) -> None:
        """Each second of a call: the steps' times and the responses that count the time."""
        if not self._complete:
            return
        self.checklist.refresh()
        self.handoff.show_escalation()

    # ----------------------------------------------------------------- the database

    def _on_database_open(self, replayed: int, opened: bool) -> None:
        if not opened and self.controller.unwritable is not None:
            self.recovery.warn_unwritable(self._paths.database_file or self._paths.capture_url,
                                          self.controller.journal_paths)
        elif not opened:
            self.status_line.show(self.tr("The database could not be opened. Details are in "
                                          "the log: %1").replace("%1", str(self._paths.log_dir)),
                                  problem=True)
            self.recovery.allow_choice_again()
        else:
            if self._opener is not None:
                self.recovery.show_opened(self._opener.opened())
            if replayed:
                self.status_line.show(self.tr("✓ %1 writes kept from the last session are now "
                                              "saved").replace("%1", str(replayed)))
        self._show_state()
        if opened:
            self._start_sync()
            self.upkeep.start()

    def _start_sync(self) -> None:
        """Team mode: deliver this computer's writes to the server, and say how it goes."""
        server = self._paths.server_url
        if server is None or self._sync is not None:
            return
        from callhelper.app.sync_runner import SyncRunner

        self._sync = self.controller.sync = SyncRunner(self._paths.capture_url, server,
                                                       self._rules, self)
        self._sync.changed.connect(self.status_line.show_sync_state)
        self._sync.changed.connect(lambda _state: self.hand_bar.show_state())
        self._writes.changed.connect(self._sync.nudge)
        self._sync.start()
        self.controller.start_live(server)

    def _recover(self, backup) -> None:
        """The answer to a database set aside or missing: open again, on ``backup`` restored
        or (None) on an empty database."""
        self._opener.choose(backup)
        self.controller.open()

    # ----------------------------------------------------------------- window state

    def _apply_settings(self) -> None:
        """The settings saved: the agent's name, on top, and the CTI endpoint if it runs."""
        self.controller.agent = self._settings.agent_name
        self._set_always_on_top(bool(self._settings.get("always_on_top")), save=False)
        self.header.show_caller()
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
            self.status_line.show(str(exc), problem=True)

    def _set_always_on_top(self, on: bool, save: bool = True) -> None:
        pin = self.header.pin_button
        if pin.isChecked() != on:
            pin.setChecked(on)
            return
        if on != self._on_top:  # off by default, so a window not pinned names no Qt enum
            from PySide6.QtCore import Qt  # (at start only when pinned: see complete())

            visible = self.isVisible()
            self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, on)
            self._on_top = on
            if visible:
                self.show()
        if save:
            self._settings.set("always_on_top", on)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        self.painted.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Quitting asks nothing: the geometry is kept, every queued write is finished
        (or journalled if the database refuses it), and an open call stays open to be
        resumed at the next start. Only when writes are failing and cannot even be kept for
        the next start (the disk is full, the folders cannot be written) does the window stay
        open, saying so, as closing would lose them."""
        if not self._writes.keep() and self._writes.fault is not None:
            event.ignore()
            self.status_line.show(self.tr("Not closed: the waiting notes can neither be saved "
                                          "nor kept for the next start (the disk is full or "
                                          "cannot be written). Free some space, then close "
                                          "again."), problem=True)
            return
        save_geometry(self, self._paths)
        self.header.stop()
        self.windows.close_all()
        if self._cti is not None:
            self._cti.stop()
        self.upkeep.stop()
        self._writes.close()
        if self._sync is not None:
            self._sync.stop()
        self.controller.close()
        super().closeEvent(event)
