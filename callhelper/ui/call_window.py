"""The call window: timer, checklist, exact-words capture and wrap-up.

Every write goes through the store worker; the window shows a note only once
its unit of work has committed. A write that fails is kept and retried, in
order, so nothing typed is lost while the app runs.
"""

from __future__ import annotations

import uuid
from html import escape
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFormLayout, QFrame, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QMainWindow,
                               QPushButton, QSizePolicy, QStackedWidget, QTableView, QVBoxLayout, QWidget)
from sqlmodel import Session

from callhelper.config import Paths, Settings
from callhelper.core.case import NoteKind, WrapUp
from callhelper.core.clock import Clock
from callhelper.core.playbook import Playbook
from callhelper.core.session import CallSession, CallState, StepChange, format_offset
from callhelper.store import repository
from callhelper.store.repository import NewContact, UnfinishedContact
from callhelper.ui.labels import note_kind_label
from callhelper.ui.models import ChecklistModel, NoteRow, NotesModel
from callhelper.ui.notes_view import NotesView
from callhelper.ui.settings_dialog import SettingsDialog
from callhelper.ui.store_client import StoreClient
from callhelper.ui.wrap_up import WrapUpPanel

RETRY_INTERVAL_MS = 3000
DEFAULT_SIZE = (380, 640)
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


@dataclass(frozen=True)
class _Write:
    """A database write the window is responsible for until it has committed."""

    job: Callable[[Session], object]
    on_saved: Callable[[object], None] | None


class CallWindow(QMainWindow):
    """The agent's window beside the phone; ``ready`` fires once the database is
    open and an unfinished call (if any) is back on screen."""

    ready = Signal()

    def __init__(self, paths: Paths, settings: Settings, store: StoreClient, playbook: Playbook,
                 clock: Clock, language: str) -> None:
        super().__init__()
        self._paths = paths
        self._settings = settings
        self._store = store
        self._playbook = playbook
        self._clock = clock
        self._language = language
        self._agent = settings.agent_name
        self._session: CallSession | None = None
        self._caller = CallerInfo()
        self._unsaved: list[_Write] = []
        self._in_flight = 0

        self.setWindowTitle("CallHelper")
        self.setObjectName("callWindow")
        self._build()
        self._bind_shortcuts()

        self._tick_timer = QTimer(self)
        self._tick_timer.setSingleShot(True)
        self._tick_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._tick_timer.timeout.connect(self._on_tick)
        self._retry_timer = QTimer(self)
        self._retry_timer.setInterval(RETRY_INTERVAL_MS)
        self._retry_timer.timeout.connect(self._retry_unsaved)

        self._set_always_on_top(bool(settings.get("always_on_top")), save=False)
        self._restore_geometry()
        self._show_state()
        self._store.submit(lambda session: repository.unfinished_contact(session, self._agent),
                           self._on_unfinished_loaded)

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
        self.settings_button = QPushButton("⚙")
        self.settings_button.setToolTip(self.tr("Settings (Ctrl+,)"))
        self.settings_button.clicked.connect(self.open_settings)
        for button in (self.start_button, self.hold_button, self.end_button, self.pin_button,
                       self.settings_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        header = QHBoxLayout()
        timer_box = QVBoxLayout()
        timer_box.setSpacing(0)
        timer_box.addWidget(self.timer_label)
        timer_box.addWidget(self.state_label)
        header.addLayout(timer_box)
        header.addStretch(1)
        for button in (self.start_button, self.hold_button, self.end_button, self.pin_button,
                       self.settings_button):
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

        self.pages = QStackedWidget()
        self.pages.currentChanged.connect(self._fit_pages)
        self.pages.addWidget(self._build_idle_page())
        self.pages.addWidget(self._build_checklist_page())
        self.wrap_up = WrapUpPanel()
        self.wrap_up.submitted.connect(self._save_wrap_up)
        self.pages.addWidget(self.wrap_up)

        self.notes_model = NotesModel(self)
        self.notes_view = NotesView(self.notes_model)

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
        self.note_entry.returnPressed.connect(self.submit_note)
        entry_row = QHBoxLayout()
        entry_row.addWidget(self.kind_combo)
        entry_row.addWidget(self.note_entry, 1)
        self.entry_box = QWidget()
        self.entry_box.setLayout(entry_row)
        entry_row.setContentsMargins(0, 0, 0, 0)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.caller_label)
        layout.addWidget(self.caller_detail)
        layout.addWidget(self.pages)
        layout.addWidget(self.notes_view, 1)
        layout.addWidget(self.entry_box)
        self.setCentralWidget(central)

        self.saved_label = QLabel()
        self.saved_label.setObjectName("saveState")
        self.statusBar().addWidget(self.saved_label, 1)
        self.statusBar().setSizeGripEnabled(True)
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
        form = QFormLayout(page)
        form.setContentsMargins(0, 8, 0, 0)
        form.addRow(self.tr("Number"), self.number_input)
        form.addRow(self.tr("Name"), self.name_input)
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
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.checklist_view)
        layout.addWidget(self.hint_label)
        return page

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
        for number in range(1, 10):
            bind(f"Ctrl+{number}", partial(self.toggle_step, number - 1))
        for index, keys in enumerate(KIND_SHORTCUTS.values()):
            bind(keys, partial(self.kind_combo.setCurrentIndex, index))

    # ----------------------------------------------------------------- call flow

    @property
    def session(self) -> CallSession | None:
        return self._session

    def start_call(self, phone: str | None = None, name: str | None = None) -> None:
        """Answered: start the timer and a new contact. Does nothing during a call
        or while a wrap-up is open."""
        if self._session is not None:
            return
        caller = CallerInfo(
            (phone if isinstance(phone, str) else self.number_input.text()).strip(),
            (name if isinstance(name, str) else self.name_input.text()).strip())
        session = CallSession(self._playbook, self._clock)
        session.start()
        self._session = session
        self._caller = caller
        self.notes_model.set_rows([])
        new = NewContact(uid=session.uid, agent=self._agent, playbook_id=self._playbook.id,
                         playbook_version=self._playbook.version, started_at=session.started_at,
                         phone=caller.phone, caller_name=caller.name)
        self._write(lambda s: repository.start_contact(s, new))
        self._show_state()
        self.note_entry.setFocus()

    def toggle_hold(self) -> None:
        session = self._session
        if session is None or not session.in_call:
            return
        session.toggle_hold()
        on_hold = session.state is CallState.ON_HOLD
        hold_seconds = session.hold_seconds()
        uid = session.uid
        self._write(lambda s: repository.set_hold(s, uid, on_hold, hold_seconds))
        self._show_state()

    def end_call(self) -> None:
        """Hung up: stop the timer and open the wrap-up."""
        session = self._session
        if session is None or not session.in_call:
            return
        session.end()
        uid, ended_at = session.uid, session.ended_at
        talk, hold = session.talk_seconds(), session.hold_seconds()
        self._write(lambda s: repository.end_contact(s, uid, ended_at, talk, hold))
        self.wrap_up.reset()
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
        self._write(lambda s: repository.record_step_change(s, uid, change, agent, at))
        self._refresh_checklist()

    def submit_note(self) -> None:
        """Enter: save the entry as a note of the selected kind, stamped with the call offset."""
        session = self._session
        text = self.note_entry.text()
        if session is None or session.state is CallState.READY or not text.strip():
            return
        kind = NoteKind(self.kind_combo.currentData())
        offset_ms = round(session.elapsed_seconds() * 1000)
        contact_uid, note_uid = session.uid, uuid.uuid4().hex
        agent, at = self._agent, self._clock.now()
        self.note_entry.clear()
        self.kind_combo.setCurrentIndex(0)
        self._write(
            lambda s: repository.add_note(s, contact_uid, note_uid, kind, text, offset_ms,
                                          agent, at),
            self._on_note_saved)

    def _on_note_saved(self, note) -> None:
        row = NoteRow(note.uid, NoteKind(note.kind), note.text, note.offset_ms / 1000,
                      note.masked_cards)
        self.notes_model.append(row)
        message = self.tr("✓ Saved %1").replace("%1", format_offset(row.offset_seconds))
        if note.masked_cards:
            message += " · " + self.tr("card number masked")
        self._show_save_state(message)

    def _submit_wrap_up_shortcut(self) -> None:
        if self._session is not None and self._session.state is CallState.ENDED:
            self.wrap_up.submit()

    def _save_wrap_up(self, wrap_up: WrapUp) -> None:
        session = self._session
        if session is None or session.state is not CallState.ENDED:
            return
        self.wrap_up.save_button.setEnabled(False)
        uid, at = session.uid, self._clock.now()
        self._write(lambda s: repository.save_wrap_up(s, uid, wrap_up, at),
                    lambda _case: self._on_wrap_up_saved(uid))

    def _on_wrap_up_saved(self, uid: str) -> None:
        if self._session is None or self._session.uid != uid:
            return
        self._session = None
        self._caller = CallerInfo()
        self.number_input.clear()
        self.name_input.clear()
        self.notes_model.set_rows([])
        self._show_save_state(self.tr("✓ Call closed and saved"))
        self._show_state()
        self.number_input.setFocus()

    def _on_unfinished_loaded(self, unfinished: UnfinishedContact | None,
                              error: BaseException | None) -> None:
        if error is not None:
            self._show_save_state(self.tr("The database could not be opened: %1")
                                  .replace("%1", str(error)), problem=True)
        elif unfinished is not None and self._session is None:
            self._resume(unfinished)
        self.ready.emit()

    def _resume(self, unfinished: UnfinishedContact) -> None:
        contact = unfinished.contact
        session = CallSession.restore(self._playbook, self._clock, contact.uid,
                                      contact.started_at, contact.hold_seconds,
                                      unfinished.ticked)
        if contact.state == "wrap_up":
            session.end()
        self._session = session
        self._caller = CallerInfo(contact.phone, contact.caller_name)
        self.notes_model.set_rows([
            NoteRow(note.uid, NoteKind(note.kind), note.text, note.offset_ms / 1000,
                    note.masked_cards) for note in unfinished.notes])
        self.wrap_up.reset(unfinished.case.subject)
        started = contact.started_at.astimezone().strftime("%H:%M")
        self._show_save_state(self.tr("Resumed the call that started at %1").replace("%1", started))
        self._show_state()
        (self.note_entry if session.in_call else self.wrap_up.subject).setFocus()

    # ----------------------------------------------------------------- writes

    def _write(self, job: Callable[[Session], object],
               on_saved: Callable[[object], None] | None = None) -> None:
        self._submit(_Write(job, on_saved))

    def _submit(self, write: _Write) -> None:
        self._in_flight += 1
        self._store.submit(write.job, partial(self._on_write_done, write))
        self._show_pending()

    def _on_write_done(self, write: _Write, result: object, error: BaseException | None) -> None:
        self._in_flight -= 1
        if error is not None:
            self._unsaved.append(write)
            if not self._retry_timer.isActive():
                self._retry_timer.start()
            self._show_save_state(
                self.tr("Not saved yet (%1). Kept and retried every few seconds.")
                .replace("%1", str(error).splitlines()[0]), problem=True)
            if self.wrap_up.isVisible():
                self.wrap_up.show_problem(self.tr("Not saved yet; retrying."))
            return
        if write.on_saved is not None:
            write.on_saved(result)
        self._show_pending()

    def _retry_unsaved(self) -> None:
        writes, self._unsaved = self._unsaved, []
        if not writes:
            self._retry_timer.stop()
            return
        for write in writes:
            self._submit(write)

    @property
    def unsaved_count(self) -> int:
        return len(self._unsaved)

    def flush(self) -> None:
        """Submit the writes waiting for a retry once more (the store finishes them on close)."""
        self._retry_unsaved()

    # ----------------------------------------------------------------- display

    def _show_state(self) -> None:
        session = self._session
        state = session.state if session else CallState.READY
        in_call = session is not None and session.in_call
        self.start_button.setVisible(session is None)
        self.settings_button.setVisible(session is None)
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

    def _show_caller(self) -> None:
        caller = self._caller
        if self._session is None:
            self.caller_label.setText(self.tr("Ready for the next call"))
        else:
            self.caller_label.setText(self.tr("%1 (customer)").replace("%1", caller.name)
                                      if caller.name else caller.phone or self.tr("Unknown caller"))
        details = [caller.phone] if caller.phone and caller.name else []
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
            self.hint_label.setText(self.tr("All steps done."))
            return
        step = current.step
        say = "<br>".join(escape(text) for text in step.say.get(self._language))
        avoid = escape(self.tr(", ").join(step.avoid.get(self._language)))
        lines = [f"<b>{escape(label)}</b> {text}" for label, text in
                 ((self.tr("Say:"), say), (self.tr("Avoid:"), avoid)) if text]
        self.hint_label.setText("<br>".join(lines))

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
            self._tick_timer.start(int(1000 - (elapsed * 1000) % 1000) + 5)
        else:
            self._tick_timer.stop()

    def _update_placeholder(self) -> None:
        kind = NoteKind(self.kind_combo.currentData())
        if kind is NoteKind.QUOTE:
            text = self.tr("The customer's exact words… Enter saves")
        else:
            text = self.tr("%1… Enter saves").replace("%1", note_kind_label(kind))
        self.note_entry.setPlaceholderText(text)

    def _show_pending(self) -> None:
        if self._in_flight and not self._unsaved:
            self.saved_label.setText(self.tr("Saving…"))
            self.saved_label.setStyleSheet("")

    def _show_save_state(self, message: str, problem: bool = False) -> None:
        self.saved_label.setText(message)
        self.saved_label.setStyleSheet("color: #c62828;" if problem else "color: #2e7d32;")

    # ----------------------------------------------------------------- window state

    def open_settings(self) -> None:
        """Preferences, between calls only: nothing may interrupt typing during a call."""
        if self._session is not None:
            self._show_save_state(self.tr("Settings open between calls."), problem=True)
            return
        dialog = SettingsDialog(self._settings, self)
        if dialog.exec():
            self._agent = self._settings.agent_name
            self._set_always_on_top(bool(self._settings.get("always_on_top")), save=False)
            self._show_caller()

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
        """Quitting asks nothing: the geometry is kept and every write is finished;
        an open call stays open and is resumed at the next start."""
        state = self._window_state_file()
        state.setValue("geometry", self.saveGeometry())
        state.sync()
        self.flush()
        self._store.close()
        super().closeEvent(event)
