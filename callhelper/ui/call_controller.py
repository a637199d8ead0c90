"""The call under way, without its window: the session, the notes, escalation and handoff,
the caller's history, promise reminders and the phone system's commands.

The call window is a view over this: it calls the methods below on keys and clicks, and
draws what the signals say. Nothing here is a widget, so the call's logic can be tested
(and driven by the phone system) without a window. Every write goes through the write
queue (app/write_queue.py): a note is shown only once its unit of work has committed.

The window is shown before the storage stack is loaded, so nothing here imports the store's
modules at module level: the jobs import them on the store's worker, and the GUI thread
only once the store has opened or a write is made (docs/architecture.md, "Window first").
A call can be started and its notes typed while the database opens: the writes wait in the
write queue, journalled, and go once it is open.
"""

from __future__ import annotations

from pathlib import Path
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from callhelper.config import Paths, Settings
from callhelper.core.case import Level, NoteKind, WrapUp
from callhelper.core.clock import Clock
from callhelper.core.commands import QUEUED_AFTER_MS, Action, Command, note_operation_uid
from callhelper.core.escalation import (FLAGGED, PAST_CALL_LIMIT, PAST_ESCALATION_TIME,
                                        REPEATED_CALLS, CapturedNote, build_handoff,
                                        escalation_reasons)
from callhelper.core.flag_review import FlagDecision, FlagState
from callhelper.core.playbook import Playbook, PlaybookCatalog
from callhelper.core.session import CallSession, CallState, StepChange, format_offset, new_uid
from callhelper.core.text import MAX_NOTE_LENGTH, storable_text
from callhelper.ui.call_notes import CallNotes, NoteRow
from callhelper.app.store_client import StoreClient
from callhelper.app.write_queue import JOURNAL_FILE, Write, WriteQueue, claim_kept, operation
from callhelper.ui.labels import level_label, phone_label

if TYPE_CHECKING:
    from sqlmodel import Session

    from callhelper.core.flags import DemandRules
    from callhelper.store import history
    from callhelper.store.history import CallerHistory, OpenCase
    from callhelper.store.operations import Operation
    from callhelper.store.repository import CustomerProfile, UnfinishedContact
    from callhelper.app.live_feed import LiveFeed
    from callhelper.app.sync_runner import SyncRunner
    from callhelper.store.live import Hand

PROMISE_DEFAULT_HOURS = 1
REMINDER_INTERVAL_MS = 30_000
LOOKUP_DELAY_MS = 250
#: While the database cannot be written (at start), how often opening it is tried again.
REOPEN_INTERVAL_MS = 3000


#: The reasons for a raised hand, in the order of their keys (1-4): store/live.py's REASONS.
HAND_REASONS = ("harassment", "decision", "long_call", "other")
#: How long changes of the call are gathered before the board's row is published.
PUBLISH_DELAY_MS = 300


@dataclass
class AgentHand:
    """The agent's raised hand on the call under way, as this window knows it: raised here,
    then seen on the server (``delivered``), then answered by a supervisor."""

    uid: str
    contact_uid: str
    raised_at: object
    reason: str = ""
    delivered: bool = False
    late: bool = False
    answer: str = ""  # store/live.py's code of a one-key answer, or "text:…"
    answered_by: str = ""


@dataclass
class CallerInfo:
    phone: str = ""
    name: str = ""
    outgoing: bool = False  # the agent called the customer (a callback)


class CallController(QObject):
    """One agent's calls, one at a time.

    ``caller`` is the caller of the call under way (empty between calls), ``next_caller``
    the one typed or ringing before the call is answered. The notes of the call are
    ``notes``; the notes_* signals say how they change."""

    state_changed = Signal()  # held, resumed, a step ticked: the call's state to draw again
    steps_changed = Signal()
    call_begun = Signal(object)  # a call on screen: a new one (None), or resumed (its case)
    call_ended = Signal()  # hung up: the wrap-up
    call_closed = Signal()  # the wrap-up is saved: ready for the next call
    wrap_up_refused = Signal()
    notes_reset = Signal(list)
    note_added = Signal(object)
    note_changed = Signal(object)
    note_removed = Signal(str)
    note_returned = Signal(str)  # a note refused for good, its words back to the agent
    escalation_changed = Signal()  # the notes' flags or the repeat count changed
    history_shown = Signal(object)  # the caller's history (None: none, or no caller)
    ringing = Signal(object)  # the phone system names the next caller
    case_changed = Signal()  # the case the call continues (or a new one) is chosen
    front_requested = Signal()
    promises_due = Signal(list)  # promises that fell due, each once
    due_listed = Signal(list)  # every promise of the agent due now, at each check
    handed_over = Signal(str)  # the handoff summary
    message = Signal(str, bool)  # for the status line, and whether it is a problem
    hand_changed = Signal()  # the raised hand: raised, delivered, answered or lowered
    live_changed = Signal()  # team mode: the live link to the server is up, or lost
    opened = Signal(int, bool)  # the database: writes replayed, and whether it opened
    choice_needed = Signal(object)  # the database set aside or missing: the agent chooses
    ready = Signal()

    def __init__(self, paths: Paths, settings: Settings, store: StoreClient,
                 catalog: PlaybookCatalog, rules: DemandRules, clock: Clock, language: str,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._paths = paths
        self._settings = settings
        self._store = store
        self._catalog = catalog
        self._rules = rules
        self._clock = clock
        self._language = language
        self._playbook: Playbook | None = None
        self.agent = settings.agent_name
        self.session: CallSession | None = None
        self.caller = CallerInfo()
        self.next_caller = CallerInfo()
        self.notes = CallNotes()
        self.urgency = ""
        self.impact = ""
        self.is_ready = False
        self.opening = True  # until the database has opened, or could not
        self._replayed_journals: list | None = None
        self.history: CallerHistory | None = None
        self.history_loaded = False
        self.recent_contacts = 0
        self.case: OpenCase | None = None  # the open case the call continues; None: a new one
        self._case_chosen = False  # by the agent (else the caller's latest open case)
        self._ringing_in_wrap_up: Command | None = None
        self.sync: SyncRunner | None = None  # team mode: set once the window syncs
        self._shared: StoreClient | None = None
        self._lookup_token = 0
        self._pending_commands: list[tuple[Command, object]] = []
        self._reminded: set[int] = set()
        self.due_promises: list[history.PromiseRow] = []
        self._deleted: list[tuple[str, NoteRow]] = []  # (call, note) for undo, newest last
        team = paths.server_url is not None  # writes also go to the outbox for the server
        self._team = team
        self.writes = WriteQueue(store, paths.data_dir / JOURNAL_FILE,
                                 partial(perform, rules=rules, ship=team), self,
                                 spare_journal_path=paths.config_dir / JOURNAL_FILE, held=True)
        #: Why the database could not be opened for writing at start (its folder read-only):
        #: the window works on, its writes journalled (WriteQueue.hold); None once it opens.
        self.unwritable: BaseException | None = None
        self._reopen_timer = QTimer(self)
        self._reopen_timer.setSingleShot(True)
        self._reopen_timer.setInterval(REOPEN_INTERVAL_MS)
        self._reopen_timer.timeout.connect(self.open)
        self._lookup_timer = QTimer(self)
        self._lookup_timer.setSingleShot(True)
        self._lookup_timer.setInterval(LOOKUP_DELAY_MS)
        self._lookup_timer.timeout.connect(lambda: self.lookup(self.next_caller.phone))
        self._reminder_timer = QTimer(self)
        self._reminder_timer.setInterval(REMINDER_INTERVAL_MS)
        self._reminder_timer.timeout.connect(self.check_promises)
        self.hand: AgentHand | None = None
        self._lowered: set[str] = set()  # hands lowered here, maybe not yet on the server
        self._live: LiveFeed | None = None
        self._escalations = 0
        self._published: object = None  # the call's live row last published
        self._publish_timer = QTimer(self)
        self._publish_timer.setSingleShot(True)
        self._publish_timer.setInterval(PUBLISH_DELAY_MS)
        self._publish_timer.timeout.connect(self._publish)
        for signal in (self.call_begun, self.state_changed, self.steps_changed,
                       self.call_ended, self.escalation_changed):
            signal.connect(self._publish_soon)

    def _say(self, text: str, problem: bool = False) -> None:
        self.message.emit(text, problem)

    @property
    def store(self) -> StoreClient:
        return self._store

    def write(self, operation: Operation, on_saved: Callable[[object], None] | None = None,
              on_failed: Callable[[BaseException], None] | None = None) -> None:
        self.writes.put(Write(operation, on_saved, on_failed or self._on_write_refused))

    def _on_write_refused(self, _error: BaseException) -> None:
        self._say(self.tr("A change could not be saved; details are in the log."), True)

    @property
    def idle(self) -> bool:
        """Whether the database work asked for so far is done and answered: no write
        waiting (nor one waiting to be tried again), no job of the store's worker (or of
        the team server's reader) whose answer has not arrived, no lookup of the caller's
        history about to start. What the window shows then stays until something new
        happens."""
        return (self.writes.waiting == 0 and self._store.idle
                and (self._shared is None or self._shared.idle)
                and not self._lookup_timer.isActive())

    def is_current(self, contact_uid: str) -> bool:
        return self.session is not None and self.session.uid == contact_uid

    @property
    def call_uid(self) -> str | None:
        return self.session.uid if self.session is not None else None

    # ----------------------------------------------------------------- the database

    @property
    def journal_paths(self) -> list[Path]:
        """Where writes not yet saved are kept: the data folder, else the settings folder."""
        return [self._paths.data_dir / JOURNAL_FILE, self._paths.config_dir / JOURNAL_FILE]

    def unsaved(self) -> str:
        """While the database cannot be written: why, and where what is typed is kept, for a
        program that sent a call command (``callhelper call``; not translated, like every
        command-line message); empty once it can."""
        if self.unwritable is None:
            return ""
        from callhelper.store import journal

        database = self._paths.database_file or self._paths.capture_url
        kept = self.writes.kept_in or journal.writable(self.journal_paths)
        where = (f"what is typed is kept in {kept} and saved once it can be written"
                 if kept is not None else
                 "and nothing can be kept either: " + " and ".join(
                     str(path.parent) for path in self.journal_paths) + " cannot be written")
        return (f"the database {database} cannot be written (its folder is read-only, or "
                f"this account may not write to it); {where}")

    def open(self) -> None:
        """Open the database on the store's worker: the writes kept from the last session
        replayed, and an unfinished call (if any) back on screen. The writes made meanwhile
        wait, journalled, in the write queue (``claim_kept`` keeps them apart from the
        ones replayed)."""
        if self._replayed_journals is None:  # once: an open again replays the same files
            self._replayed_journals = [claim_kept(self._paths.data_dir / JOURNAL_FILE),
                                       claim_kept(self._paths.config_dir / JOURNAL_FILE)]
        journal_paths = self._replayed_journals
        self.opening = True
        agent, rules, team = self.agent, self._rules, self._team

        def open_database(session: Session) -> tuple[int, UnfinishedContact | None, dict]:
            from callhelper.store import flag_reviews, journal, repository

            replayed = journal.replay_kept(session, journal_paths, rules, team)
            unfinished = repository.unfinished_contact(session, agent)
            decided = flag_reviews.decisions_of(
                session, [note.uid for note in unfinished.notes]) if unfinished else {}
            return replayed, unfinished, decided

        self._store.submit(open_database, self._on_open)

    def _on_open(self, result: tuple[int, UnfinishedContact | None, dict] | None,
                 error: BaseException | None) -> None:
        from callhelper.store.startup import ChoiceNeeded

        if self._store.closed:  # closed before the database was open: nothing to start
            return
        self.opening = False
        if isinstance(error, ChoiceNeeded):  # no call starts until the agent has chosen
            self.state_changed.emit()
            self.choice_needed.emit(error.trouble)
            return
        held = self.unwritable is not None
        if error is not None:
            from callhelper.store.engine import WriteFault, write_fault

            if held or write_fault(error) is WriteFault.READ_ONLY:
                self._cannot_write(error)
                return
        self.is_ready = error is None
        replayed = 0
        if self.is_ready:
            replayed, unfinished, decided = result
            if unfinished is not None and self.session is None:
                self._resume(unfinished, decided)
        self.opened.emit(replayed, self.is_ready)
        if held and self.is_ready:
            self.unwritable = None
            self._say(self.tr("✓ The database can be written again: what was kept meanwhile "
                              "is saved"))
        self.writes.release()
        if self.is_ready:
            self._store.submit(lambda _session: self._rules.prepare())
            self._reminder_timer.start()
            self.check_promises()
            pending, self._pending_commands = self._pending_commands, []
            for command, reply in pending:
                self.handle_command(command, reply)
        self.ready.emit()

    def _cannot_write(self, error: BaseException) -> None:
        """The database cannot be opened for writing (its folder read-only, say): calls go on
        as usual, every write is journalled as it is made (WriteQueue.hold), and opening is
        tried again every few seconds; the first time, the window is told (``opened``
        without the database, ``unwritable`` set) and what waited is handled."""
        first = self.unwritable is None
        self.unwritable = error
        self._reopen_timer.start()
        if not first:
            return
        self.writes.hold(error)
        self.is_ready = True
        self.opened.emit(0, False)
        pending, self._pending_commands = self._pending_commands, []
        for command, reply in pending:
            self.handle_command(command, reply)
        self.ready.emit()

    def _resume(self, unfinished: UnfinishedContact, decided: dict) -> None:
        from callhelper.store.history import OpenCase
        from callhelper.store.repository import OUTGOING

        contact, case = unfinished.contact, unfinished.case
        playbook = self._catalog.get(contact.playbook_id) or self.playbook
        session = CallSession.restore(
            playbook, self._clock, contact.uid, contact.started_at, unfinished.ticked,
            contact.talk_seconds, contact.hold_seconds, contact.on_hold,
            contact.ended_at if contact.state == "wrap_up" else None)
        self._begin(session, CallerInfo(contact.phone, contact.caller_name,
                                        contact.direction == OUTGOING))
        self._case_chosen = True
        self.case = OpenCase.of(case, contact.started_at) if case.uid != contact.uid else None
        self.lookup(contact.phone)
        self._reset_notes([NoteRow.from_note(note, decided.get(note.uid, ()))
                           for note in unfinished.notes])
        self.urgency, self.impact = case.urgency, case.impact
        started = contact.started_at.astimezone().strftime("%H:%M")
        self._say(self.tr("Resumed the call that started at %1").replace("%1", started))
        self.call_begun.emit(case)

    def close(self) -> None:
        """The window closes: stop the timers, and the reader of the team's server."""
        self._reopen_timer.stop()
        self._reminder_timer.stop()
        self._lookup_timer.stop()
        self._publish_timer.stop()
        if self._shared is not None:
            self._shared.close()
        if self._live is not None:
            self._live.stop()

    # ----------------------------------------------------------------- the phone system

    def handle_command(self, command: Command, reply=None) -> None:
        """What the phone system says: ringing, answered, hung up (core/commands.py); or a
        note to capture from another program, answered through ``reply`` once on disk.

        The window is asked to come to the front (not for a note); a call under way is
        never disturbed by a call ringing on another line. Commands that arrive before the
        database is open wait for it."""
        if not self.is_ready and command.action is not Action.SHOW:
            self._pending_commands.append((command, reply))
            if command.action is not Action.NOTE:
                self.front_requested.emit()
            return
        if command.action is Action.NOTE:
            self._capture_from_command(command, reply)
            return
        if command.action is Action.INCOMING:
            if self.session is None:
                self._ring(command)
            else:
                self._another_call_rings(command)
        elif command.action is Action.START:
            if self.session is None:
                if command.number or command.name or command.outgoing:
                    self._ring(command)
                self.start_call()
        elif command.action is Action.END:
            self.end_call()
        self.front_requested.emit()

    def _ring(self, command: Command) -> None:
        name = command.name if command.name or command.number else self.next_caller.name
        self.next_caller = CallerInfo(command.number, name, command.outgoing)
        self._case_chosen = False
        self.ringing.emit(self.next_caller)
        self.lookup(command.number)

    def _another_call_rings(self, command: Command) -> None:
        """A call ringing while one is on screen does not disturb it; one ringing during the
        wrap-up is the agent's next call: it waits, and rings once the wrap-up is saved."""
        caller = command.name or command.number or self.tr("Unknown caller")
        if self.session.state is CallState.ENDED:
            self._ringing_in_wrap_up = command
            self._say(self.tr("Another call is ringing: %1 — it waits until the wrap-up is "
                              "saved (Ctrl+S)").replace("%1", caller))
        else:
            self._say(self.tr("Another call is ringing: %1").replace("%1", caller))

    def status(self) -> dict:
        """What the window shows, for ``callhelper call status``."""
        session = self.session
        caller = self.caller if session is not None else self.next_caller
        history_shown = self.history if self.history_loaded else None
        return {
            "ready": self.is_ready,
            "writable": self.unwritable is None,
            "unsaved": self.unsaved(),
            "call": session.state.value if session is not None else "none",
            "number": phone_label(caller.phone),  # as the window shows it
            "name": caller.name,
            "history_loaded": self.history_loaded,
            "customer": (history_shown.customer.name if history_shown is not None and
                         history_shown.customer is not None else ""),
            "past_contacts": len(history_shown.contacts) if history_shown is not None else 0,
            "sync": self._sync_status(),
            "hand": self._hand_status(),
        }

    def _hand_status(self) -> dict | None:
        """Team mode: the agent's raised hand on this call (None: none raised)."""
        hand = self.hand
        if hand is None:
            return None
        return {"reason": hand.reason, "delivered": hand.delivered, "late": hand.late,
                "answer": hand.answer, "answered_by": hand.answered_by}

    def _sync_status(self) -> dict | None:
        """Team mode: what waits for the server (None: no server, or nothing known yet)."""
        state = self.sync.state if self.sync is not None else None
        if state is None:
            return None
        return {"waiting": state.waiting, "refused": state.refused,
                "unreachable": state.unreachable, "synced": state.synced}

    # ----------------------------------------------------------------- the call

    def set_next_number(self, phone: str) -> None:
        """The number typed before the call: its history is looked up once typing pauses."""
        if phone != self.next_caller.phone:
            self.next_caller.phone = phone
            self._case_chosen = False
            self._lookup_timer.start()

    def set_next_name(self, name: str) -> None:
        self.next_caller.name = name

    def set_next_outgoing(self, outgoing: bool) -> None:
        """A callback does not count as the customer calling again."""
        if outgoing != self.next_caller.outgoing:
            self.next_caller.outgoing = outgoing
            self._show_history(self.history)

    @property
    def playbook(self) -> Playbook:
        """The playbook of the next call (or of the call under way): the one chosen last,
        kept in the settings, else the first. The catalog is read when it is first asked
        for, which the call window does once it has painted."""
        if self._playbook is None:
            self._playbook = self._catalog.get(self._settings.get("playbook")) or \
                self._catalog.playbooks()[0]
        return self._playbook

    @playbook.setter
    def playbook(self, playbook: Playbook) -> None:
        self._playbook = playbook

    def choose_playbook(self, playbook_id: str) -> None:
        playbook = self._catalog.get(playbook_id)
        if playbook is not None:
            self.playbook = playbook
            self._settings.set("playbook", playbook.id)

    def refresh_playbooks(self) -> list:
        """Re-read the playbook folders (between calls); returns the errors. A broken file's
        last good version stays."""
        errors = self._catalog.refresh()
        self.playbook = self._catalog.get(self.playbook.id) or self.playbook
        return errors

    def playbooks(self) -> list[Playbook]:
        return self._catalog.playbooks()

    def start_call(self, phone: str | None = None, name: str | None = None) -> None:
        """Answered: start the timer and a new contact, incoming or outgoing as
        ``next_caller`` says (``phone`` and ``name``: its number and name, when given).
        Does nothing during a call or while a wrap-up is open, nor when the database could not
        be opened; while it opens, the call starts and its writes wait for it."""
        if self.session is not None or not self.takes_calls:
            return
        from callhelper.store.repository import INCOMING, OUTGOING, NewContact

        caller = CallerInfo((self.next_caller.phone if phone is None else phone).strip(),
                            (self.next_caller.name if name is None else name).strip(),
                            self.next_caller.outgoing)
        session = CallSession(self.playbook, self._clock)
        session.start()
        self._begin(session, caller)
        self._take_levels_of(self.case)
        new = NewContact(uid=session.uid, agent=self.agent, playbook_id=self.playbook.id,
                         playbook_version=self.playbook.version, started_at=session.started_at,
                         phone=caller.phone, caller_name=caller.name,
                         phone_region=self._settings.get("phone_region"),
                         direction=OUTGOING if caller.outgoing else INCOMING,
                         case_uid=self.case.uid if self.case is not None else "")
        self.write(operation("start_contact", **vars(new)))
        self.lookup(caller.phone)
        self.call_begun.emit(None)

    def _begin(self, session: CallSession, caller: CallerInfo) -> None:
        """A call (new or resumed) with nothing of the previous one left."""
        self.session = session
        self.playbook = session.playbook
        self.caller = caller
        self.recent_contacts = 0
        self.urgency = self.impact = ""
        self._escalations = 0
        self._published = None
        self.hand = None
        self.hand_changed.emit()
        self._reset_notes([])

    def toggle_hold(self) -> None:
        session = self.session
        if session is None or not session.in_call:
            return
        session.toggle_hold()
        on_hold = session.state is CallState.ON_HOLD
        talk, hold, uid = session.talk_seconds(), session.hold_seconds(), session.uid
        self.write(operation("set_hold", contact_uid=uid, on_hold=on_hold,
                                talk_seconds=talk, hold_seconds=hold))
        self.state_changed.emit()

    def end_call(self) -> None:
        """Hung up: stop the timer; the wrap-up follows."""
        session = self.session
        if session is None or not session.in_call:
            return
        session.end()
        uid, ended_at = session.uid, session.ended_at
        talk, hold = session.talk_seconds(), session.hold_seconds()
        self.write(operation("end_contact", contact_uid=uid, ended_at=ended_at,
                                talk_seconds=talk, hold_seconds=hold))
        self.call_ended.emit()

    def toggle_step(self, index: int) -> None:
        session = self.session
        if session is None or not session.in_call or index >= len(session.playbook.steps):
            return
        self._record_step_change(session.toggle(index))

    def set_step_done(self, index: int, done: bool) -> None:
        session = self.session
        if session is None or not session.in_call:
            return
        self._record_step_change(session.set_done(index, done))

    def _record_step_change(self, change: StepChange | None) -> None:
        if change is None or self.session is None:
            return
        uid, agent, at = self.session.uid, self.agent, self._clock.now()
        self.write(operation("record_step_change", contact_uid=uid, change=change,
                                agent=agent, at=at))
        self.steps_changed.emit()

    def set_levels(self, urgency: str, impact: str) -> None:
        """The case's urgency (緊急度) and impact (重要度), as assessed during the call."""
        session = self.session
        if session is None:
            return
        self.urgency, self.impact = urgency, impact
        uid, agent, at = session.uid, self.agent, self._clock.now()
        self.write(operation("set_case_levels", contact_uid=uid, urgency=urgency,
                                impact=impact, actor=agent, at=at))

    def save_profile(self, profile: CustomerProfile) -> None:
        session = self.session
        if session is None:
            return
        uid, at, phone = session.uid, self._clock.now(), self.caller.phone
        if profile.name and not self.caller.name:
            self.caller.name = profile.name
        self.write(operation("update_customer", contact_uid=uid, profile=profile, at=at),
                   lambda _customer: self.lookup(phone) if self.is_current(uid) else None)
        self._say(self.tr("✓ Profile saved"))

    def save_wrap_up(self, wrap_up: WrapUp) -> bool:
        """Save the wrap-up and close the call once it is on disk; False when no call is
        being wrapped up."""
        session = self.session
        if session is None or session.state is not CallState.ENDED:
            return False
        uid, agent, at = session.uid, self.agent, self._clock.now()
        self.write(operation("save_wrap_up", contact_uid=uid, wrap_up=wrap_up, actor=agent,
                                at=at),
                   lambda _case: self._close_call(uid),
                   lambda _error: self.wrap_up_refused.emit())
        if self.writes.held:  # kept, to be saved with the rest: the next call may come
            self._close_call(uid, kept=True)
        return True

    def _close_call(self, uid: str, kept: bool = False) -> None:
        if not self.is_current(uid):
            return
        self._publish(ended=True)
        if self.hand is not None:
            self.lower_hand()
        self.session = None
        self.caller = CallerInfo()
        self.next_caller = CallerInfo()
        self._case_chosen = False
        self.lookup("")
        self._reset_notes([])
        self._say(self.tr("Call closed; kept until the database can be written") if kept
                  else self.tr("✓ Call closed and saved"), kept)
        self.call_closed.emit()
        waiting, self._ringing_in_wrap_up = self._ringing_in_wrap_up, None
        if waiting is not None:
            self._ring(waiting)
            self._say(self.tr("Ringing: %1").replace(
                "%1", waiting.name or waiting.number or self.tr("Unknown caller")))

    # ----------------------------------------------------------------- the case

    def open_cases(self) -> list[OpenCase]:
        """The caller's open cases the call may continue, the latest called about first."""
        found, session = self.history, self.session
        if found is None:
            return []
        return [case for case in found.open_cases if session is None or case.uid != session.uid]

    def choose_case(self, case: OpenCase | None) -> None:
        """The agent's choice: continue ``case``, or (None) start a new case. Chosen during
        the call, the call moves there."""
        self._case_chosen = True
        self._set_case(case)

    def _choose_default_case(self, found: CallerHistory | None) -> None:
        """Unless the agent chose, the call continues the caller's latest open case. A lookup
        that failed during the call leaves the call where it is."""
        if self._case_chosen or (found is None and self.session is not None):
            return
        cases = self.open_cases()
        self._set_case(cases[0] if cases else None)

    def _set_case(self, case: OpenCase | None) -> None:
        session, moved = self.session, (case and case.uid) != (self.case and self.case.uid)
        self.case = case
        if session is not None and moved:
            self._take_levels_of(case)
            self.write(operation("move_contact", contact_uid=session.uid,
                                    case_uid=case.uid if case is not None else "",
                                    actor=self.agent, at=self._clock.now()))
        self.case_changed.emit()

    def _take_levels_of(self, case: OpenCase | None) -> None:
        """Urgency and impact start from the case's (not assessed for a new case)."""
        self.urgency, self.impact = (case.urgency, case.impact) if case else ("", "")

    # ----------------------------------------------------------------- notes

    def _reset_notes(self, rows: list[NoteRow]) -> None:
        self.notes.reset(rows)
        self.notes_reset.emit(rows)

    def note_fits(self, text: str) -> bool:
        """Whether ``text`` can be stored as one note; if not, the agent is told so."""
        if len(text) <= MAX_NOTE_LENGTH:
            return True
        self._say(self.tr("Not saved: a note holds at most %1 characters, this one has %2. "
                          "It stays in the entry; save it in parts.")
                  .replace("%1", f"{MAX_NOTE_LENGTH:,}").replace("%2", f"{len(text):,}"), True)
        return False

    @property
    def takes_calls(self) -> bool:
        """A call can start: the database is open, or still opening."""
        return self.is_ready or self.opening

    def can_take_notes(self) -> bool:
        return self.session is not None and self.session.state is not CallState.READY

    def add_note(self, text: str, kind: NoteKind, due=None) -> bool:
        """Save ``text`` as a note of the call, stamped with the call offset; False (and
        nothing saved) when there is no call or nothing to save."""
        if not self.can_take_notes() or not text.strip() or not self.note_fits(text):
            return False
        self._capture(text, kind, due, partial(self._on_note_refused, self.session.uid, text))
        return True

    def _capture(self, text: str, kind: NoteKind, due, on_refused, on_saved=None,
                 uid: str | None = None) -> None:
        """Save a note of the call under way, stamped with the call offset (and made storable:
        core/text.py). ``uid``: its operation's, when the sender chose it (a phone command)."""
        text, replaced = storable_text(text)
        session = self.session
        offset_ms = round(session.elapsed_seconds() * 1000)
        contact_uid, note_uid = session.uid, new_uid()
        agent, at = self.agent, self._clock.now()
        if self.writes.problem is None:
            self._say(self.tr("Saving…"))

        def saved(note) -> None:
            if note is not None:  # None: saved before, from a phone command sent again
                self._on_note_saved(contact_uid, note, replaced)
            if on_saved is not None:
                on_saved(note)

        add = operation("add_note", contact_uid=contact_uid, note_uid=note_uid, kind=kind,
                        text=text, offset_ms=offset_ms, agent=agent, created_at=at, due_at=due)
        self.write(replace(add, uid=uid) if uid else add, saved, on_refused)

    def _capture_from_command(self, command: Command, reply) -> None:
        """``callhelper call note``: a note from another program (speech-to-text, a script).
        Answered "saved" once it is on disk, or "queued" while the database cannot take it
        (or has not within QUEUED_AFTER_MS): it is then saved later. Its operation's uid is
        made from the command's id, so the same note sent again is saved once."""
        answer = reply or (lambda _answer: None)
        if not self.can_take_notes():
            answer({"error": "no call in progress"})
            return
        kind = NoteKind(command.kind)
        due = self._clock.now() + timedelta(hours=PROMISE_DEFAULT_HOURS) \
            if kind is NoteKind.PROMISE else None
        held = self.writes.held
        self._capture(command.text, kind, due,
                      lambda error: answer({"error": f"not saved: {type(error).__name__}"}),
                      None if held else partial(self._on_command_note_saved, command.id, answer),
                      note_operation_uid(command, self.session.uid))
        if held:  # journalled by now (or nowhere, as ``unsaved`` says)
            answer({"status": "kept", "id": command.id, "unsaved": self.unsaved()})
            return
        queued = partial(answer, {"status": "queued", "id": command.id})
        if self.writes.problem is not None:
            queued()
        else:
            QTimer.singleShot(QUEUED_AFTER_MS, self, queued)

    def _on_command_note_saved(self, command_id: str, answer, note) -> None:
        if note is None:
            self._say(self.tr("✓ A note sent again was saved before; it is not stored twice"))
            answer({"status": "saved", "id": command_id})
            return
        answer({"status": "saved", "id": command_id, "saved": note.uid, "text": note.text,
                "offset_ms": note.offset_ms})

    def _on_note_saved(self, contact_uid: str, note, replaced: int = 0) -> None:
        if not self.is_current(contact_uid):
            return
        row = NoteRow.from_note(note)
        if self.notes.add(row) is not None:
            self.note_added.emit(row)
            self.escalation_changed.emit()
        message = self.tr("✓ Saved %1").replace("%1", format_offset(row.offset_seconds))
        if note.masked_cards:
            message += " · " + self.tr("card number masked")
        if replaced:
            message += " · " + self.tr("%1 characters that cannot be stored replaced by �"
                                       ).replace("%1", str(replaced))
        self._say(message)

    def _on_note_refused(self, contact_uid: str, text: str, _error: BaseException) -> None:
        """A note the database refuses for good goes back to the agent (or, if its call
        is over, into the status line), so it is not lost."""
        if self.is_current(contact_uid):
            self.note_returned.emit(text)
            self._say(self.tr("This note could not be saved; it is back in the entry."), True)
        else:
            self._say(self.tr("A note of the previous call could not be saved: %1").replace(
                "%1", text), True)

    def correct_note(self, row: NoteRow, text: str) -> None:
        """Save a correction of ``row`` (the words as first recorded stay in the audit
        trail)."""
        if self.session is None:
            return
        if text == row.text:
            self._say(self.tr("Nothing to correct"))
            return
        if not text.strip():
            self._say(self.tr("A note cannot be empty; Ctrl+Delete deletes it."), True)
            return
        contact_uid, agent, at = self.session.uid, self.agent, self._clock.now()
        self.write(operation("edit_note", note_uid=row.uid, text=text, actor=agent, at=at),
                   partial(self._on_note_corrected, contact_uid),
                   partial(self._on_note_refused, contact_uid, text))

    def _on_note_corrected(self, contact_uid: str, note) -> None:
        if not self.is_current(contact_uid):
            return
        position = self.notes.correct(NoteRow.from_note(note))
        if position is not None:
            self.note_changed.emit(self.notes[position])
            self.escalation_changed.emit()
        self._say(self.tr("✓ Note corrected; the first words stay in the audit trail"))

    def delete_note(self, row: NoteRow) -> None:
        """Delete at once, asking nothing during the call: ``undo_delete`` puts it back."""
        if self.session is None:
            return
        contact_uid, agent, at = self.session.uid, self.agent, self._clock.now()
        self.write(operation("delete_note", note_uid=row.uid, actor=agent, at=at),
                   lambda _result: self._on_note_deleted(contact_uid, row))

    def _on_note_deleted(self, contact_uid: str, row: NoteRow) -> None:
        if not self.is_current(contact_uid):
            return
        if self.notes.remove(row.uid) is not None:
            self.note_removed.emit(row.uid)
            self.escalation_changed.emit()
        self._deleted.append((contact_uid, row))
        self._say(self.tr("Deleted — Ctrl+Z to undo"))

    def can_undo_delete(self) -> bool:
        return any(self.is_current(contact_uid) for contact_uid, _row in self._deleted)

    def undo_delete(self) -> bool:
        """Restore the note of this call deleted last, with its words, call time, flags and
        due time (the audit trail records the restoration); False when there is none."""
        self._deleted = [(uid, row) for uid, row in self._deleted if self.is_current(uid)]
        if not self._deleted:
            return False
        contact_uid, row = self._deleted.pop()
        self.write(operation("restore_note", note_uid=row.uid, actor=self.agent,
                                at=self._clock.now()),
                   lambda note: self._on_note_restored(contact_uid, row, note))
        return True

    def _on_note_restored(self, contact_uid: str, deleted: NoteRow, note) -> None:
        if not self.is_current(contact_uid):
            return
        restored = NoteRow.from_note(note, deleted.decisions)
        rows = sorted([*self.notes.rows(), restored], key=lambda row: row.offset_seconds)
        self._reset_notes(rows)
        self.escalation_changed.emit()
        self._say(self.tr("✓ Note restored (%1)").replace(
            "%1", format_offset(restored.offset_seconds)))

    def take_decision(self, note_uid: str, decision: FlagDecision) -> None:
        """A decision on one of a note's flags, now on disk (ui/flag_review.py)."""
        position = self.notes.decide(note_uid, decision)
        if position is not None:
            self.note_changed.emit(self.notes[position])
            self.escalation_changed.emit()

    # ----------------------------------------------------------------- escalation

    def escalation_reasons(self) -> list[str]:
        session = self.session
        if session is None:
            return []
        return escalation_reasons(self.playbook, session.elapsed_seconds(),
                                  self.notes.flag_categories(),
                                  self.notes.request_categories(), self.recent_contacts,
                                  session.talk_seconds())

    def reason_labels(self) -> dict[str, str]:
        labels = {
            PAST_ESCALATION_TIME: self.tr("the call is long"),
            PAST_CALL_LIMIT: self.tr("past the call limit (restraint)"),
            FLAGGED: self.tr("suspected harassment"),
            REPEATED_CALLS: self.tr("a case that may be unresolved (%1 calls in %2 days)")
            .replace("%1", str(self.recent_contacts))
            .replace("%2", str(self.playbook.escalation.repeat_days)),
        }
        labels.update({level.value: level_label(level) for level in Level})
        labels.update({category.id: category.label.get(self._language)
                       for category in self._rules.categories})
        return labels

    def handoff_summary(self) -> str:
        """The summary for the senior who takes over (core/escalation.py)."""
        caller = " ".join(part for part in (self.caller.name, self.caller.phone and
                                            f"({self.caller.phone})") if part)
        notes = [CapturedNote(row.offset_seconds, row.kind, row.text, row.flags, row.requests)
                 for row in self.notes.rows()]
        handoff = build_handoff(self.session, caller or self.tr("Unknown caller"), self.agent,
                                self._language, notes, self.escalation_reasons(),
                                self.urgency, self.impact)
        return handoff.render(self._handoff_headings(), self.reason_labels())

    def hand_over(self) -> None:
        """Ctrl+E: the handoff summary (``handed_over``), and the escalation recorded."""
        session = self.session
        if session is None:
            return
        summary = self.handoff_summary()
        uid, agent, at = session.uid, self.agent, self._clock.now()
        offset_ms = round(session.elapsed_seconds() * 1000)
        self.write(operation("record_escalation", contact_uid=uid,
                                reasons=list(self.escalation_reasons()), summary=summary,
                                agent=agent, offset_ms=offset_ms, at=at))
        self._escalations += 1
        self._publish_soon()
        self.handed_over.emit(summary)

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

    def record_senior(self, name: str) -> None:
        """The senior who took the call over."""
        session = self.session
        if not name or session is None:
            return
        uid, at = session.uid, self._clock.now()
        self.write(operation("add_handler", contact_uid=uid, name=name, role="senior",
                             at=at, actor=self.agent))
        self._say(self.tr("Taken over by %1").replace("%1", name))

    # ----------------------------------------------------------------- the raised hand

    @property
    def team(self) -> bool:
        """Team mode: the writes go on to a server, where supervisors have the board."""
        return self._team

    @property
    def live_connected(self) -> bool:
        return self._live is not None and self._live.connected

    def toggle_hand(self) -> bool:
        """Ctrl+Shift+H: raise the hand on the call under way, or lower it; True when one
        was raised (the window then offers the reasons)."""
        if not self._team:
            self._say(self.tr("No team board here: raise your hand for real."), True)
            return False
        if self.session is None:
            self._say(self.tr("A hand is raised during a call."), True)
            return False
        if self.hand is not None:
            self.lower_hand()
            return False
        self.raise_hand()
        return True

    def raise_hand(self, reason: str = "") -> None:
        session = self.session
        if session is None or not self._team:
            return
        at = self._clock.now()
        self.hand = AgentHand(new_uid(), session.uid, at, reason)
        self.write(operation("raise_hand", hand_uid=self.hand.uid, contact_uid=session.uid,
                             agent=self.agent, reason=reason, at=at))
        self.hand_changed.emit()

    def set_hand_reason(self, reason: str) -> None:
        """Why the hand is up (one of HAND_REASONS), chosen after raising it."""
        hand = self.hand
        if hand is None or reason == hand.reason or reason not in HAND_REASONS:
            return
        hand.reason = reason
        self.write(operation("set_hand_reason", hand_uid=hand.uid, reason=reason))
        self.hand_changed.emit()

    def lower_hand(self) -> None:
        hand, self.hand = self.hand, None
        if hand is None:
            return
        self._lowered.add(hand.uid)
        self.write(operation("lower_hand", hand_uid=hand.uid, at=self._clock.now()))
        self._say(self.tr("Hand lowered"))
        self.hand_changed.emit()

    def start_live(self, server: str) -> None:
        """Team mode, once the database is open: the live link to the server, which brings
        this agent's hands as the server has them (delivered, answered) and counts the agent
        as signed in on the board."""
        if self._live is not None:
            return
        from callhelper.app.live_feed import LiveFeed

        agent = self.agent

        def read(connection):
            from callhelper.store import live

            return live.open_hands(connection, agent)

        def wanted(changes) -> bool:
            from callhelper.store import live

            return bool(live.mine(changes, agent))

        from callhelper.store.live import AGENT_APPLICATION

        self._live = LiveFeed(server, AGENT_APPLICATION, read, wanted, parent=self)
        self._live.read_done.connect(self._on_server_hands)
        self._live.link_changed.connect(lambda *_: (self.live_changed.emit(),
                                                    self.hand_changed.emit()))
        self._live.start()

    def _on_server_hands(self, hands: list[Hand]) -> None:
        """The agent's open hands on the server: the one of this call delivered (and maybe
        answered); one left open on another call (the app was closed mid-call) lowered."""
        session = self.session
        for found in hands:
            if found.uid in self._lowered:  # lowered here; the server learns it soon
                continue
            if self.hand is not None and found.uid == self.hand.uid:
                self._take_news(found)
            elif self.hand is None and session is not None and found.contact_uid == session.uid:
                # a resumed call's hand: an answer given before is not acted on again
                self.hand = AgentHand(found.uid, found.contact_uid, found.raised_at,
                                      found.reason, answer=found.answer,
                                      answered_by=found.answered_by)
                self._take_news(found)
            elif session is None or found.contact_uid != session.uid:
                self._lowered.add(found.uid)
                self.write(operation("lower_hand", hand_uid=found.uid, at=self._clock.now()))

    def _take_news(self, found: Hand) -> None:
        hand = self.hand
        first_answer = bool(found.answer) and not hand.answer
        hand.delivered, hand.late = True, found.late
        hand.answer, hand.answered_by = found.answer, found.answered_by
        self.hand_changed.emit()
        if first_answer:
            from callhelper.store.live import TAKING_OVER

            if found.answer == TAKING_OVER:
                self._taken_over(found.answered_by)

    def _taken_over(self, supervisor: str) -> None:
        """A supervisor answered 「引き継ぎます」: the handoff as Ctrl+E records it, with the
        supervisor as the senior who takes over."""
        session = self.session
        if session is None or not session.in_call:
            return
        uid, agent, at = session.uid, self.agent, self._clock.now()
        self.write(operation("record_escalation", contact_uid=uid,
                             reasons=list(self.escalation_reasons()),
                             summary=self.handoff_summary(), agent=agent,
                             offset_ms=round(session.elapsed_seconds() * 1000), at=at))
        self.write(operation("add_handler", contact_uid=uid, name=supervisor, role="senior",
                             at=at, actor=agent))
        self._escalations += 1
        self._publish_soon()

    # ----------------------------------------------------------------- the board's row

    def _publish_soon(self, *_args) -> None:
        """Team mode: the call's row on the board, once the changes of the moment are in."""
        if self._team and self.session is not None:
            self._publish_timer.start()

    def live_state(self, ended: bool = False):
        """What the board shows of the call under way (no note text)."""
        from callhelper.store import live

        session = self.session
        now = self._clock.now()
        state = {CallState.ACTIVE: live.ACTIVE, CallState.ON_HOLD: live.ON_HOLD,
                 CallState.ENDED: live.WRAP_UP}.get(session.state, live.ACTIVE)
        step, due = "", None
        current = next((status for status in session.steps() if status.current), None)
        if current is not None:
            step = current.step.title.get(self._language)
            due = now + timedelta(seconds=current.target_seconds - current.elapsed_seconds)
        limit = self.playbook.call_limit_seconds
        flags = [flag for row in self.notes.rows() for flag in row.flag_states]
        return live.LiveState(
            contact_uid=session.uid, agent=self.agent,
            caller=self.caller.name or self.caller.phone,
            state=live.ENDED if ended else state, started_at=session.started_at,
            step=step, step_due_at=due,
            limit_at=session.started_at + timedelta(seconds=limit) if limit else None,
            suspected=sum(flag.state is FlagState.SUSPECTED for flag in flags),
            confirmed=sum(flag.state in (FlagState.CONFIRMED, FlagState.MANUAL)
                          for flag in flags),
            escalations=self._escalations)

    def _publish(self, ended: bool = False) -> None:
        """The call's row, through the write queue and the outbox like every write; only
        when something the board shows has changed (the due time moves at every hold)."""
        self._publish_timer.stop()
        if not self._team or self.session is None:
            return
        state = self.live_state(ended)
        if self._published is not None and replace(state, step_due_at=None) == replace(
                self._published, step_due_at=None):
            return
        self._published = state
        self.write(operation("publish_call", live_state=state, at=self._clock.now()))

    # ----------------------------------------------------------------- the caller's history

    def lookup(self, phone: str) -> None:
        """Ask the store for the caller's history; ``history_shown`` says when it comes."""
        self._lookup_timer.stop()
        self._lookup_token += 1
        self.history_loaded = False
        phone = phone.strip()
        if not phone:
            self._show_history(None)
            return
        if self._store.closed:  # a write saved while the window closes asks for nothing more
            return
        region, token = self._settings.get("phone_region"), self._lookup_token

        def look_up(session: Session) -> CallerHistory | None:
            from callhelper.store import history

            return history.caller_history(session, phone, region)

        shared = self.shared_store()
        if shared is not None:
            shared.submit(look_up, partial(self._on_shared_history, token, look_up))
        else:
            self._store.submit(look_up, partial(self._on_history, token))

    def shared_store(self) -> StoreClient | None:
        """Team mode, while the server answers: a reader of the server, for the history
        every agent shares (None: read this computer's file)."""
        server = self._paths.server_url
        state = self.sync.state if self.sync is not None else None
        if server is None or state is None or state.unreachable or self._store.closed:
            return None
        if self._shared is None:
            from callhelper.store.sync import with_connect_timeout

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
        """Only the answer to the latest lookup counts; a failed one clears the history."""
        if token == self._lookup_token:
            self._show_history(found if error is None else None)

    def _show_history(self, found: CallerHistory | None) -> None:
        """The caller's history without the call under way; the repeat count includes this
        call (ringing or answered) when the customer is calling, not when we call them."""
        session = self.session
        if found is not None and session is not None:
            found = replace(found, contacts=[c for c in found.contacts if c.uid != session.uid])
        self.history = found
        self.history_loaded = True
        self._choose_default_case(found)
        since = self._clock.now() - timedelta(days=self.playbook.escalation.repeat_days)
        outgoing = (self.caller if session is not None else self.next_caller).outgoing
        this_call = 0 if outgoing else 1
        self.recent_contacts = found.contacts_since(since) + this_call if found else 0
        self.history_shown.emit(found)
        self.escalation_changed.emit()

    # ----------------------------------------------------------------- promises

    def check_promises(self) -> None:
        """Look for the agent's promises that have fallen due; ``promises_due`` names each
        once."""
        now, agent = self._clock.now(), self.agent

        def open_promises(session: Session) -> list:
            from callhelper.store import history

            return history.open_promises(session, due_before=now, agent=agent)

        self._store.submit(open_promises, self._on_due_promises)

    def _on_due_promises(self, due: list | None, error: BaseException | None) -> None:
        if error is None:
            self.due_promises = list(due or [])
            self.due_listed.emit(self.due_promises)
        fresh = [promise for promise in due or [] if promise.note_id not in self._reminded]
        if fresh:
            self._reminded.update(promise.note_id for promise in fresh)
            self.promises_due.emit(fresh)


def perform(session: Session, operation: Operation, rules: DemandRules, ship: bool) -> object:
    """store/operations.py's ``perform``, its module loaded on the store's worker."""
    from callhelper.store.operations import perform as apply

    return apply(session, operation, rules, ship)
