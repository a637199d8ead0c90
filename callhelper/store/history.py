"""Reading the history: a caller's past contacts and promises, and Japanese substring search.

Search on SQLite uses the FTS5 trigram indexes kept by the migrations for queries of three
characters or more, and the indexes of character pairs (store/grams.py) for queries of two
(返金, 解約); a single character scans the text newest first, which stops as soon as enough
rows are found. On PostgreSQL every query is one ILIKE pattern, which the server answers
from its pg_trgm indexes when the query has three characters or more, and by a scan
otherwise.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import text
from sqlmodel import Session, col, select

from callhelper.core.bigrams import bigram_query
from callhelper.core.case import NoteKind
from callhelper.core.flag_review import NoteFlag
from callhelper.core.phones import DEFAULT_REGION, normalize_phone
from callhelper.store import flag_reviews
from callhelper.store.compiled import Compiled
from callhelper.store.dialect import contains_operator, distinct_list, keeps_search_tables
from callhelper.store.grams import CASE_BIGRAMS, NOTE_BIGRAMS
from callhelper.store.repository import INCOMING, loaded
from callhelper.store.models import (Contact, ContactHandler, Customer, Escalation, Note,
                                     RaisedHand, StepEvent, SupportCase)

TRIGRAM = 3


@dataclass(frozen=True)
class PastContact:
    uid: str
    contact_id: int
    case_id: int
    started_at: datetime
    agent: str
    subject: str
    status: str
    flag_count: int
    direction: str = INCOMING

    @property
    def open(self) -> bool:
        return self.status != "resolved"


@dataclass(frozen=True)
class OpenPromise:
    note_id: int
    case_id: int
    text: str
    agent: str
    due_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class OpenCase:
    """A case of the caller's not resolved yet, which a new call may continue; the wrap-up
    of that call starts from what it holds."""

    uid: str
    case_id: int
    subject: str
    status: str
    urgency: str
    impact: str
    fix: str
    prevention: str
    last_contact_at: datetime

    @classmethod
    def of(cls, case: SupportCase, last_contact_at: datetime) -> OpenCase:
        return cls(case.uid, case.id, case.subject, case.status, case.urgency, case.impact,
                   case.fix, case.prevention, last_contact_at)


@dataclass(frozen=True)
class CallerHistory:
    """What the window shows when a known number calls."""

    customer: Customer | None
    contacts: list[PastContact]
    promises: list[OpenPromise]
    other_numbers: list[str] = field(default_factory=list)
    #: The caller's open cases, the one called about most recently first.
    open_cases: list[OpenCase] = field(default_factory=list)

    def contacts_since(self, since: datetime) -> int:
        """The customer's calls since then: incoming ones only (a callback the agent made
        is not the customer calling again)."""
        return sum(1 for contact in self.contacts
                   if contact.started_at >= since and contact.direction == INCOMING)


def caller_history(session: Session, phone: str, region: str = DEFAULT_REGION,
                   limit: int = 50) -> CallerHistory:
    """A caller's profile, contacts (open cases first, then newest first) and open promises."""
    key = normalize_phone(phone, region).key
    if not key:
        return CallerHistory(None, [], [])
    session.flush()  # as a query through the session would
    connection = session.connection()
    found = _LOOKUP_CUSTOMER.rows(connection, {"key": key})
    customer = _customer(found[0]) if found else None
    same_caller = {"key": key, "customer": customer.id if customer else None}
    contacts = [PastContact(uid, contact_id, case_id, _as_utc(started_at), agent, subject,
                            status, flag_count, direction)
                for (uid, contact_id, case_id, started_at, agent, subject, status, flag_count,
                     direction) in _LOOKUP_CONTACTS.rows(connection, {**same_caller, "limit": limit})]
    contacts.sort(key=lambda c: not c.open)
    promises = [OpenPromise(note_id, case_id, words, agent, _as_utc(due_at) if due_at else None,
                            _as_utc(created_at))
                for note_id, case_id, words, agent, due_at, created_at
                in _LOOKUP_PROMISES.rows(connection, same_caller)]
    others = [number for number, number_key in
              _LOOKUP_NUMBERS.rows(connection, {"customer": customer.id})
              if number_key != key] if customer else []
    open_cases = [OpenCase(*row[:-1], _as_utc(row[-1]))
                  for row in _LOOKUP_OPEN_CASES.rows(connection, same_caller)]
    return CallerHistory(customer, contacts, promises, others, open_cases)


@functools.lru_cache(maxsize=64)
def _statement(sql: str) -> Compiled:
    return Compiled(sql)


CUSTOMER_COLUMNS = ("id", "name", "company", "phone", "phone_key", "preferred_channel",
                    "unavailable", "note", "created_at")
#: The customer one of whose numbers has the key (the oldest record, if several), as
#: repository.find_customer finds it.
_LOOKUP_CUSTOMER = Compiled(
    f"SELECT {', '.join(f'c.{name}' for name in CUSTOMER_COLUMNS)} FROM customer c "
    "JOIN customer_phone p ON p.customer_id = c.id WHERE p.phone_key = :key "
    "ORDER BY c.id LIMIT 1")
#: The caller's calls: from this number, or (when the number is a known customer's) from
#: any of the customer's.
_SAME_CALLER = "(k.phone_key = :key OR k.customer_id = :customer)"
_LOOKUP_CONTACTS = Compiled(
    "SELECT k.uid, k.id, c.id, k.started_at, k.agent, c.subject, c.status, c.flag_count, "
    "k.direction FROM contact k JOIN support_case c ON c.id = k.case_id "
    f"WHERE {_SAME_CALLER} ORDER BY k.started_at DESC LIMIT :limit")
_LOOKUP_PROMISES = Compiled(
    "SELECT n.id, k.case_id, n.text, n.agent, n.due_at, n.created_at "
    "FROM note n JOIN contact k ON k.id = n.contact_id "
    f"WHERE {_SAME_CALLER} AND n.kind = '{NoteKind.PROMISE.value}' AND n.done_at IS NULL "
    "ORDER BY n.due_at IS NULL, n.due_at, n.id")
_LOOKUP_OPEN_CASES = Compiled(
    "SELECT c.uid, c.id, c.subject, c.status, c.urgency, c.impact, c.fix, c.prevention, "
    "max(k.started_at) AS last_at FROM contact k JOIN support_case c ON c.id = k.case_id "
    f"WHERE {_SAME_CALLER} AND c.status != 'resolved' "
    "GROUP BY c.id, c.uid, c.subject, c.status, c.urgency, c.impact, c.fix, c.prevention "
    "ORDER BY last_at DESC, c.id DESC")
_LOOKUP_NUMBERS = Compiled(
    "SELECT phone, phone_key FROM customer_phone WHERE customer_id = :customer ORDER BY id")


def _customer(row: tuple) -> Customer:
    """The customer of a looked-up row (not part of the session: the window only reads it)."""
    return loaded(Customer, {**dict(zip(CUSTOMER_COLUMNS, row)), "created_at": _as_utc(row[-1])})


def contacts_of_number(session: Session, phone: str, region: str = DEFAULT_REGION,
                       limit: int = 100) -> list[PastContact]:
    """Prior contacts of a caller, newest first."""
    history = caller_history(session, phone, region, limit)
    return sorted(history.contacts, key=lambda c: c.started_at, reverse=True)


@dataclass(frozen=True)
class SearchHit:
    """A note or case field that contains the query; ``spans`` are where, in ``text``."""

    kind: str
    id: int
    case_id: int
    field: str
    text: str
    at: datetime
    agent: str
    spans: tuple[tuple[int, int], ...]


def find_spans(haystack: str, needle: str) -> tuple[tuple[int, int], ...]:
    """Every place the query stands in the text, ignoring case."""
    if not needle:
        return ()
    return _spans(re.compile(re.escape(needle), re.IGNORECASE), haystack)


def _spans(pattern: re.Pattern, haystack: str) -> tuple[tuple[int, int], ...]:
    return tuple(match.span() for match in pattern.finditer(haystack))


def _like(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matching_ids(session: Session, query: str, limit: int) -> tuple[str, str, dict]:
    """The statements that find the ids of the newest notes and cases containing ``query``,
    and their parameters."""
    if len(query) >= TRIGRAM and keeps_search_tables(session):
        phrase = '"' + query.replace('"', '""') + '"'
        note_ids = "SELECT rowid FROM note_fts WHERE note_fts MATCH :q ORDER BY rowid DESC LIMIT :n"
        case_ids = "SELECT rowid FROM case_fts WHERE case_fts MATCH :q ORDER BY rowid DESC LIMIT :n"
        return note_ids, case_ids, {"q": phrase, "n": limit}
    like = f"{contains_operator(session)} :q ESCAPE '\\'"
    pair = bigram_query(query) if keeps_search_tables(session) else None
    if pair is not None:
        # The pair index finds the rows that may hold the query, newest first; LIKE, as a
        # scan would, decides which do.
        note_ids = (f"SELECT n.id FROM {NOTE_BIGRAMS} b JOIN note n ON n.id = b.rowid "
                    f"WHERE {NOTE_BIGRAMS} MATCH :pair AND n.text {like} "
                    "ORDER BY b.rowid DESC LIMIT :n")
        case_ids = (f"SELECT c.id FROM {CASE_BIGRAMS} b JOIN support_case c ON c.id = b.rowid "
                    f"WHERE {CASE_BIGRAMS} MATCH :pair AND (c.subject {like} OR c.fix {like} "
                    f"OR c.prevention {like}) ORDER BY b.rowid DESC LIMIT :n")
        return note_ids, case_ids, {"pair": pair, "q": _like(query), "n": limit}
    note_ids = f"SELECT id FROM note WHERE text {like} ORDER BY id DESC LIMIT :n"
    case_ids = (f"SELECT id FROM support_case WHERE subject {like} OR fix {like} "
                f"OR prevention {like} ORDER BY id DESC LIMIT :n")
    return note_ids, case_ids, {"q": _like(query), "n": limit}


def search(session: Session, query: str, limit: int = 50) -> list[SearchHit]:
    """Notes and cases containing ``query``, newest first."""
    query = query.strip()
    if not query:
        return []
    note_ids, case_ids, params = _matching_ids(session, query, limit)
    session.flush()  # as a query through the session would
    pattern = re.compile(re.escape(query), re.IGNORECASE)
    hits: list[SearchHit] = []
    for note_id, case_id, kind, words, created_at, agent in _statement(
            "SELECT n.id, k.case_id, n.kind, n.text, n.created_at, n.agent "
            f"FROM note n JOIN contact k ON k.id = n.contact_id WHERE n.id IN ({note_ids}) "
            "ORDER BY n.id").rows(session.connection(), params):
        hits.append(SearchHit("note", note_id, case_id, kind, words, _as_utc(created_at), agent,
                              _spans(pattern, words)))
    for case_id, updated_at, *values in _statement(
            "SELECT id, updated_at, subject, fix, prevention FROM support_case "
            f"WHERE id IN ({case_ids}) ORDER BY id").rows(session.connection(), params):
        for column, value in zip(("subject", "fix", "prevention"), values):
            spans = _spans(pattern, value)
            if spans:
                hits.append(SearchHit("case", case_id, case_id, column, value,
                                      _as_utc(updated_at), "", spans))
    hits.sort(key=lambda hit: hit.at, reverse=True)
    return hits[:limit]


@dataclass(frozen=True)
class CaseFilter:
    """What the history browser narrows the cases to; empty fields do not filter."""

    since: datetime | None = None
    until: datetime | None = None
    status: str = ""
    handler: str = ""
    flagged: bool = False
    escalated: bool = False
    #: Cases with a prevention measure (再発防止策) not marked done yet.
    open_prevention: bool = False


@dataclass(frozen=True)
class CaseRow:
    case_id: int
    updated_at: datetime
    customer: str
    phone: str
    subject: str
    status: str
    handlers: str
    flag_count: int
    escalated: bool


#: A case whose prevention item is open: it has one, and it is not marked done (whether the
#: case is resolved or not).
OPEN_PREVENTION = "c.prevention != '' AND c.prevention_done_at IS NULL"


def case_conditions(filters: CaseFilter) -> tuple[str, dict]:
    """The filters as a WHERE clause over ``support_case c``, with its parameters."""
    conditions, params = [], {}
    if filters.since:
        conditions.append("c.updated_at >= :since")
        params["since"] = _stored(filters.since)
    if filters.until:
        conditions.append("c.updated_at < :until")
        params["until"] = _stored(filters.until)
    if filters.status:
        conditions.append("c.status = :status")
        params["status"] = filters.status
    if filters.flagged:
        conditions.append("c.flag_count > 0")
    if filters.open_prevention:
        conditions.append(OPEN_PREVENTION)
    if filters.handler:
        conditions.append("EXISTS (SELECT 1 FROM contact h WHERE h.case_id = c.id "
                          "AND h.agent = :handler)")
        params["handler"] = filters.handler
    if filters.escalated:
        conditions.append(ESCALATED)
    return (f"WHERE {' AND '.join(conditions)}" if conditions else ""), params


ESCALATED = ("EXISTS (SELECT 1 FROM escalation e JOIN contact x ON x.id = e.contact_id "
             "WHERE x.case_id = c.id)")


def _stored(moment: datetime) -> str:
    """A time as the columns hold it (UTC, no zone), for comparing in SQL."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def list_cases(session: Session, filters: CaseFilter, limit: int = 500) -> list[CaseRow]:
    """The cases matching the filters, the most recently active first."""
    where, params = case_conditions(filters)
    agents = distinct_list("agent", session)
    rows = session.connection().execute(text(
        "SELECT c.id, c.updated_at, coalesce(cu.name, ''), coalesce(cu.phone, ''), c.subject, "
        f"c.status, (SELECT {agents} FROM contact k WHERE k.case_id = c.id), "
        f"c.flag_count, {ESCALATED} FROM support_case c "
        f"LEFT JOIN customer cu ON cu.id = c.customer_id {where} "
        "ORDER BY c.updated_at DESC, c.id DESC LIMIT :limit"), {**params, "limit": limit})
    return [CaseRow(row[0], _as_utc(row[1]), row[2], row[3], row[4], row[5], row[6] or "",
                    row[7], bool(row[8])) for row in rows]


def _as_utc(value) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def handlers(session: Session) -> list[str]:
    """Everyone who has handled a contact, for the handler filter."""
    return [row[0] for row in session.connection().execute(
        text("SELECT DISTINCT agent FROM contact ORDER BY agent"))]


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened in a contact, at an offset from its start."""

    offset_ms: int
    kind: str
    text: str
    who: str
    #: A note's flags as they stand: suspected, or as an agent decided (core/flag_review.py).
    flags: tuple[NoteFlag, ...] = ()
    requests: tuple[str, ...] = ()
    due_at: datetime | None = None
    done_at: datetime | None = None
    done_by: str = ""
    uid: str = ""
    edited_at: datetime | None = None
    #: A raised hand's (team mode): the supervisor's answer; ``done_at``/``done_by`` say
    #: when and who answered, ``text`` the reason, ``elapsed_ms`` how long it waited.
    answer: str = ""
    #: For a tick: how long the step took.
    elapsed_ms: int = 0


@dataclass(frozen=True)
class ContactTimeline:
    contact: Contact
    handlers: list[tuple[str, str]]
    entries: list[TimelineEntry]


@dataclass(frozen=True)
class CaseTimeline:
    case: SupportCase
    customer: Customer | None
    contacts: list[ContactTimeline]


def case_timeline(session: Session, case_id: int) -> CaseTimeline | None:
    """A case with each of its contacts as a timeline: ticks, notes (with the agents'
    decisions on their flags), escalations."""
    case = session.get(SupportCase, case_id)
    if case is None:
        return None
    customer = session.get(Customer, case.customer_id) if case.customer_id else None
    contacts = session.exec(select(Contact).where(Contact.case_id == case_id)
                            .order_by(col(Contact.started_at))).all()
    notes = {contact.id: session.exec(select(Note).where(Note.contact_id == contact.id)).all()
             for contact in contacts}
    flags = flag_reviews.flags_of(session, (note for found in notes.values() for note in found))
    timelines = []
    for contact in contacts:
        entries = [TimelineEntry(e.offset_ms, "untick" if not e.done else "tick", e.step_id,
                                 e.agent, elapsed_ms=e.step_elapsed_ms)
                   for e in session.exec(select(StepEvent).where(StepEvent.contact_id ==
                                                                 contact.id))]
        entries += [TimelineEntry(n.offset_ms, n.kind, n.text, n.agent, flags[n.uid],
                                  tuple(n.requests), n.due_at, n.done_at, n.done_by, n.uid,
                                  n.edited_at)
                    for n in notes[contact.id]]
        entries += [TimelineEntry(e.offset_ms, "escalation", ", ".join(e.reasons), e.agent)
                    for e in session.exec(select(Escalation).where(Escalation.contact_id ==
                                                                   contact.id))]
        entries += _hands(session, contact)
        entries.sort(key=lambda entry: entry.offset_ms)
        people = [(h.name, h.role) for h in session.exec(
            select(ContactHandler).where(ContactHandler.contact_id == contact.id)
            .order_by(col(ContactHandler.id)))]
        timelines.append(ContactTimeline(contact, people, entries))
    return CaseTimeline(case, customer, timelines)


def _hands(session: Session, contact: Contact) -> list[TimelineEntry]:
    """The hands raised on a call (team mode): who raised it, why, who answered what, after
    how long (the waiting until the answer, or until it was lowered)."""
    from callhelper.store.live import _utc

    started = _utc(contact.started_at)
    entries = []
    for hand in session.exec(select(RaisedHand).where(RaisedHand.contact_uid == contact.uid)
                             .order_by(col(RaisedHand.raised_at))):
        raised = _utc(hand.raised_at)
        until = _utc(hand.answered_at or hand.lowered_at)
        entries.append(TimelineEntry(
            max(0, round((raised - started).total_seconds() * 1000)), "hand", hand.reason,
            hand.agent, done_at=hand.answered_at, done_by=hand.answered_by, uid=hand.uid,
            elapsed_ms=round((until - raised).total_seconds() * 1000) if until else 0,
            answer=hand.answer))
    return entries


@dataclass(frozen=True)
class PromiseRow:
    note_id: int
    case_id: int
    due_at: datetime | None
    text: str
    agent: str
    customer: str
    phone: str


def open_promises(session: Session, due_before: datetime | None = None, agent: str = "",
                  limit: int = 500) -> list[PromiseRow]:
    """Promises not yet kept (by ``agent``, if given), the soonest due first (those without a
    due time last)."""
    query = (select(Note, Contact.case_id, Contact.caller_name, Contact.phone)
             .join(Contact, col(Contact.id) == Note.contact_id)
             .where(Note.kind == NoteKind.PROMISE.value, col(Note.done_at).is_(None)))
    if due_before is not None:
        query = query.where(col(Note.due_at) <= due_before)
    if agent:
        query = query.where(Note.agent == agent)
    query = query.order_by(col(Note.due_at).is_(None), col(Note.due_at), col(Note.id))
    return [PromiseRow(note.id, case_id, note.due_at, note.text, note.agent, name, phone)
            for note, case_id, name, phone in session.exec(query.limit(limit))]
