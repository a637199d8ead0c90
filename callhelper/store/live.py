"""Team mode's live layer: raised hands and the calls in progress, delivered as they change.

What the agent's window writes (a hand raised, its reason, lowered; the small ``live_call``
row of the call under way) are operations like every other write (store/operations.py):
saved in the agent's own file, kept in the outbox, and applied on the server by the
shipper, exactly once, whenever the server is there. A hand raised while the server is away
reaches it late: ``arrived_at`` is when it was applied on the server, ``raised_at`` when the
agent raised it, and the board marks it late.

On the server, migration 0016's trigger sends ``NOTIFY callhelper_live`` with the table, the
row's key and its agent at each insert and update of either table. ``LiveLink`` keeps one
connection that LISTENs on that channel, on a thread of the caller's: the supervisors' board
reads its snapshot again when told (``board_snapshot``, two small tables and the server's
list of connections), the agent's window reads its own hand. Nothing polls the tables;
while the connection is lost the link says so, and reads everything again once it is back
(notifications sent meanwhile are lost with the connection, the snapshot is not).

A supervisor's answer is written on the server directly (``answer_hand``), by the board: a
supervisor has no outbox, and an answer that cannot reach the server is refused at once.

Nothing here knows about Qt.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, make_url
from sqlmodel import Session, select

from callhelper.store import dialect
from callhelper.store.engine import make_engine
from callhelper.store.models import LiveCall, RaisedHand

log = logging.getLogger(__name__)

#: The channel migration 0016's trigger notifies.
CHANNEL = "callhelper_live"
#: How the agents' windows and the boards name their connections to the server: the board
#: counts an agent signed in while their window's link is connected.
AGENT_APPLICATION = "callhelper-agent"
BOARD_APPLICATION = "callhelper-board"

#: Why a hand is raised (the agent picks one by key, or none).
REASONS = ("harassment", "decision", "long_call", "other")
#: The answers a supervisor gives with one key; any other answer is a short text.
COMING, HOLD_ON, TAKING_OVER = "coming", "hold", "take_over"
ANSWERS = (COMING, HOLD_ON, TAKING_OVER)
TEXT_PREFIX = "text:"
#: The longest answer typed by a supervisor, and the longest caller label on the board.
ANSWER_LENGTH = 200
CALLER_LENGTH = 80
#: A hand that reached the server this much after it was raised waited for it: late.
LATE_AFTER = timedelta(seconds=10)
#: A call not updated for this long (its app closed or killed mid-call) is not shown live.
STALE_AFTER = timedelta(hours=12)

#: States of a live call.
ACTIVE, ON_HOLD, WRAP_UP, ENDED = "active", "on_hold", "wrap_up", "ended"

#: Seconds between notifications looked for and jobs run; between checks that the
#: connection still stands (and the board's list of agents signed in is read again).
TICK_S = 0.2
KEEPALIVE_S = 5.0
#: A burst of notifications is gathered this long before the snapshot is read again.
GATHER_S = 0.05


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _now() -> datetime:
    return datetime.now(timezone.utc)


# ------------------------------------------------------------------ the operations' writes


class UnknownReason(ValueError):
    """A reason for a raised hand that is none of REASONS."""


def _check_reason(reason: str) -> str:
    if reason and reason not in REASONS:
        raise UnknownReason(f"no reason {reason!r} for a raised hand")
    return reason


def raise_hand(session: Session, hand_uid: str, contact_uid: str, agent: str, reason: str,
               at: datetime) -> RaisedHand:
    """The agent raised a hand on a call; ``arrived_at`` is now, on this database."""
    hand = RaisedHand(uid=hand_uid, contact_uid=contact_uid, agent=agent,
                      reason=_check_reason(reason), raised_at=at, arrived_at=_now())
    session.add(hand)
    session.flush()
    return hand


def _hand(session: Session, hand_uid: str) -> RaisedHand | None:
    return session.exec(select(RaisedHand).where(RaisedHand.uid == hand_uid)).first()


def set_hand_reason(session: Session, hand_uid: str, reason: str) -> RaisedHand | None:
    hand = _hand(session, hand_uid)
    if hand is not None:
        hand.reason = _check_reason(reason)
        session.add(hand)
    return hand


def lower_hand(session: Session, hand_uid: str, at: datetime) -> RaisedHand | None:
    """Lowered by the agent (or at the call's close). Once lowered it stays so."""
    hand = _hand(session, hand_uid)
    if hand is not None and hand.lowered_at is None:
        hand.lowered_at = at
        session.add(hand)
    return hand


@dataclass(frozen=True)
class LiveState:
    """What the agent's window publishes of the call under way (no note text)."""

    contact_uid: str
    agent: str
    caller: str
    state: str
    started_at: datetime
    step: str = ""
    step_due_at: datetime | None = None
    limit_at: datetime | None = None
    suspected: int = 0
    confirmed: int = 0
    escalations: int = 0


def publish_call(session: Session, live: LiveState, at: datetime) -> LiveCall:
    """The call's row, made or replaced."""
    row = session.exec(select(LiveCall).where(LiveCall.contact_uid == live.contact_uid)
                       ).first()
    if row is None:
        row = LiveCall(contact_uid=live.contact_uid, agent=live.agent, state=live.state,
                       started_at=live.started_at, updated_at=at)
    for name in ("caller", "state", "step", "step_due_at", "limit_at", "suspected",
                 "confirmed", "escalations"):
        setattr(row, name, getattr(live, name))
    row.caller = row.caller[:CALLER_LENGTH]
    row.updated_at = at
    session.add(row)
    return row


# ------------------------------------------------------------------ reading the server


@dataclass(frozen=True)
class Hand:
    uid: str
    contact_uid: str
    agent: str
    reason: str
    raised_at: datetime
    arrived_at: datetime
    lowered_at: datetime | None
    answered_at: datetime | None
    answered_by: str
    answer: str

    @property
    def late(self) -> bool:
        return self.arrived_at - self.raised_at > LATE_AFTER

    @property
    def open(self) -> bool:
        return self.lowered_at is None

    def waited(self, now: datetime) -> timedelta:
        """How long it waited for an answer (so far, while none came)."""
        return (self.answered_at or now) - self.raised_at


HAND_COLUMNS = ("uid", "contact_uid", "agent", "reason", "raised_at", "arrived_at",
                "lowered_at", "answered_at", "answered_by", "answer")


def _hand_of(row) -> Hand:
    values = dict(zip(HAND_COLUMNS, row))
    for name in ("raised_at", "arrived_at", "lowered_at", "answered_at"):
        values[name] = _utc(values[name])
    return Hand(**values)


def _hand_select():
    table = RaisedHand.__table__
    return sa.select(*(table.c[name] for name in HAND_COLUMNS))


def hand(connection: Connection, hand_uid: str) -> Hand | None:
    row = connection.execute(_hand_select().where(RaisedHand.__table__.c.uid == hand_uid)
                             ).first()
    return _hand_of(row) if row is not None else None


def open_hands(connection: Connection, agent: str | None = None) -> list[Hand]:
    """The hands not lowered (an agent's, or everyone's), longest-waiting first."""
    table = RaisedHand.__table__
    query = _hand_select().where(table.c.lowered_at.is_(None)).order_by(table.c.raised_at)
    if agent is not None:
        query = query.where(table.c.agent == agent)
    return [_hand_of(row) for row in connection.execute(query)]


@dataclass(frozen=True)
class BoardCall:
    """A call in progress on the board, with its open hand (if any)."""

    contact_uid: str
    agent: str
    caller: str
    state: str
    started_at: datetime
    step: str
    step_due_at: datetime | None
    limit_at: datetime | None
    suspected: int
    confirmed: int
    escalations: int
    updated_at: datetime
    hand: Hand | None = None

    def elapsed(self, now: datetime) -> timedelta:
        return now - self.started_at

    def step_overdue(self, now: datetime) -> bool:
        return self.step_due_at is not None and self.state == ACTIVE and now > self.step_due_at

    def over_limit(self, now: datetime) -> bool:
        return self.limit_at is not None and now > self.limit_at


@dataclass(frozen=True)
class Board:
    """What the board shows, read in one go: the agents signed in, the calls in progress
    (raised hands first, longest-waiting first, then the longest calls), and hands on calls
    the board has no row for (a call whose row has not arrived yet)."""

    agents: tuple[str, ...]
    calls: tuple[BoardCall, ...]
    read_at: datetime = field(default_factory=_now)


CALL_COLUMNS = ("contact_uid", "agent", "caller", "state", "started_at", "step",
                "step_due_at", "limit_at", "suspected", "confirmed", "escalations",
                "updated_at")


def signed_in(connection: Connection) -> list[str]:
    """The logins whose call window is connected to this database now."""
    return list(connection.execute(sa.text(
        "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() "
        "AND application_name = :app ORDER BY usename"), {"app": AGENT_APPLICATION}).scalars())


def board_snapshot(connection: Connection, now: datetime | None = None) -> Board:
    now = now or _now()
    table = LiveCall.__table__
    rows = connection.execute(
        sa.select(*(table.c[name] for name in CALL_COLUMNS))
        .where(table.c.state != ENDED, table.c.updated_at > now - STALE_AFTER)).all()
    hands = {hand.contact_uid: hand for hand in open_hands(connection)}
    calls = []
    for row in rows:
        values = dict(zip(CALL_COLUMNS, row))
        for name in ("started_at", "step_due_at", "limit_at", "updated_at"):
            values[name] = _utc(values[name])
        calls.append(BoardCall(**values, hand=hands.pop(values["contact_uid"], None)))
    for orphan in hands.values():  # the call's row is on its way (or was never sent)
        calls.append(BoardCall(orphan.contact_uid, orphan.agent, "", ACTIVE, orphan.raised_at,
                               "", None, None, 0, 0, 0, orphan.arrived_at, orphan))
    calls.sort(key=board_order)
    agents = signed_in(connection) if dialect.knows_who_is_connected(connection) else []
    return Board(tuple(agents), tuple(calls), now)


def board_order(call: BoardCall) -> tuple:
    """Unanswered raised hands first, longest-waiting first; then answered hands; then the
    other calls, longest first."""
    if call.hand is not None:
        return (0 if call.hand.answered_at is None else 1, call.hand.raised_at)
    return (2, call.started_at)


class AnswerRefused(Exception):
    """The hand was lowered or answered meanwhile, or this login may not answer."""


def answer_hand(connection: Connection, hand_uid: str, answer: str, supervisor: str) -> Hand:
    """A supervisor's answer to a raised hand, written on the server (in the connection's
    own transaction). ``answer``: one of ANSWERS, or a short text."""
    answer = answer.strip()
    if answer not in ANSWERS:
        if not answer:
            raise ValueError("an answer needs words")
        answer = TEXT_PREFIX + answer[:ANSWER_LENGTH]
    table = RaisedHand.__table__
    done = connection.execute(
        table.update().where(table.c.uid == hand_uid, table.c.lowered_at.is_(None),
                             table.c.answered_at.is_(None))
        .values(answered_at=_now(), answered_by=supervisor, answer=answer)).rowcount
    found = hand(connection, hand_uid)
    if not done or found is None:
        raise AnswerRefused("the hand was lowered or answered meanwhile")
    return found


def answer_text(answer: str) -> str:
    """A typed answer's words (the code of a one-key answer as it is)."""
    return answer.removeprefix(TEXT_PREFIX)


def call_notes(connection: Connection, contact_uid: str) -> list[tuple[int, str, str]]:
    """The notes of a call the supervisor opened on the board: offset (ms), kind, words."""
    return [tuple(row) for row in connection.execute(sa.text(
        "SELECT n.offset_ms, n.kind, n.text FROM note n JOIN contact c ON c.id = n.contact_id "
        "WHERE c.uid = :uid ORDER BY n.offset_ms, n.id"), {"uid": contact_uid})]


def open_call(connection: Connection, contact_uid: str, supervisor: str,
              at: datetime | None = None) -> list[tuple[int, str, str]]:
    """A supervisor opens a call's notes on the board: the opening is recorded in the audit
    trail first (action ``view`` on the entity ``access``, the call's uid, no state), in a
    transaction of its own, then the notes are read."""
    from callhelper.core.audit import Action, Entity
    from callhelper.store import audit

    with connection.engine.begin() as recording:
        audit.append(recording, supervisor, Action.VIEW, Entity.ACCESS, contact_uid, None,
                     None, at or _now())
    return call_notes(connection, contact_uid)


# ------------------------------------------------------------------ listening


def listener_url(url: str, application: str) -> str:
    """The server's URL with the connection named ``application`` (pg_stat_activity)."""
    from callhelper.store.sync import with_connect_timeout

    parsed = make_url(with_connect_timeout(url))
    return parsed.update_query_dict({"application_name": application}).render_as_string(
        hide_password=False)


class LinkHandler:
    """What a LiveLink tells, on its thread. Override what is needed."""

    def connected(self, connection: Connection) -> None:
        """The connection is made (again): read everything."""

    def notified(self, connection: Connection, changes: list[dict[str, Any]]) -> None:
        """Rows changed (each change: ``table``, ``uid``, ``agent``)."""

    def keepalive(self, connection: Connection) -> None:
        """Every KEEPALIVE_S seconds (a statement that fails tells the connection is gone)."""
        connection.execute(sa.text("SELECT 1"))

    def lost(self, problem: str) -> None:
        """The connection is lost (or could not be made); tried again after a while."""


class LiveLink:
    """One connection to the server that LISTENs on CHANNEL, run by ``run`` on a thread of
    the caller's until ``stop`` is called; jobs given to ``submit`` run on that thread with
    the connection (a supervisor's answer), or fail with the reason when it is lost."""

    def __init__(self, url: str, application: str, handler: LinkHandler) -> None:
        self._url = listener_url(url, application)
        self._handler = handler
        self._stop = threading.Event()
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.connected = False

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def submit(self, job: Callable[[Connection], Any],
               done: Callable[[Any, BaseException | None], None]) -> None:
        """Run ``job(connection)`` on the link's thread; ``done(result, error)`` after it."""
        self._jobs.put((job, done))

    def run(self) -> None:
        from callhelper.store.sync import describe, retry_delay

        failures = 0
        while not self._stop.is_set():
            engine = None
            try:
                engine = make_engine(self._url)
                with engine.connect().execution_options(
                        isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(sa.text(f"LISTEN {CHANNEL}"))
                    self.connected = True
                    failures = 0
                    self._handler.connected(connection)
                    self._listen(connection)
            except Exception as error:  # the server went away, or could not be reached
                if self._stop.is_set():
                    break
                failures += 1
                self.connected = False
                problem = describe(error)
                log.warning("the live connection to the server is lost: %s", problem)
                self._fail_jobs(error)
                self._handler.lost(problem)
                self._stop.wait(retry_delay(failures))
            finally:
                self.connected = False
                if engine is not None:
                    engine.dispose()

    def _listen(self, connection: Connection) -> None:
        raw = connection.connection.driver_connection
        last_check = time.monotonic()
        while not self._stop.is_set():
            changes = [_payload(note.payload)
                       for note in raw.notifies(timeout=TICK_S, stop_after=1)]
            if changes:  # a burst: gather what follows closely
                changes += [_payload(note.payload)
                            for note in raw.notifies(timeout=GATHER_S)]
                self._handler.notified(connection, [c for c in changes if c])
            self._run_jobs(connection)
            if time.monotonic() - last_check > KEEPALIVE_S:
                self._handler.keepalive(connection)
                last_check = time.monotonic()

    def _run_jobs(self, connection: Connection) -> None:
        while True:
            try:
                job, done = self._jobs.get_nowait()
            except queue.Empty:
                return
            try:
                result = job(connection)  # autocommit: each statement commits
            except Exception as error:  # told to whoever asked; the link goes on
                done(None, error)
                if isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError)):
                    raise
                continue
            done(result, None)

    def _fail_jobs(self, error: BaseException) -> None:
        while True:
            try:
                _job, done = self._jobs.get_nowait()
            except queue.Empty:
                return
            done(None, error)


def _payload(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def mine(changes: Iterable[dict[str, Any]], agent: str) -> list[str]:
    """The uids of the hands of ``agent`` among ``changes``."""
    return [change.get("uid", "") for change in changes
            if change.get("table") == "raised_hand" and change.get("agent") == agent]
