"""Writing and checking the audit trail (the rules are in core/audit.py).

Entries are written in the same transaction as the change they describe, after it, and
the end of the chain is read under the chain's lock (on SQLite the database's write lock
that transaction already holds, on PostgreSQL an advisory lock, see dialect.py): two
writers can never both extend the same link (and a unique index on ``prev_hash`` would
refuse it if they tried). On SQLite, each writing transaction notes the last entry it
appended, and its commit anchors the trail beside the file (anchor.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlmodel import Session

from callhelper.core.audit import (ENTRY_COLUMNS, GENESIS, Action, Entity, Entry, Finding,
                                   canonical, case_state, compare_records, contact_state,
                                   customer_state, digest, entry_hash, first_broken_link,
                                   note_state, prevention_state, record_uid, timestamp)
from callhelper.core.flag_review import flag_review_state
from callhelper.store import anchor
from callhelper.store.compiled import Compiled
from callhelper.store.dialect import code_point_order, lock_audit_chain
from callhelper.store.models import AuditEntry, Contact, FlagReview, Note, SupportCase

BATCH = 5000

log = logging.getLogger(__name__)


def note_snapshot(note: Note, contact_uid: str) -> dict[str, Any]:
    return note_state(contact_uid, note.kind, note.text, note.offset_ms, note.agent, note.flags,
                      note.requests, note.due_at, note.done_at, note.done_by, note.created_at,
                      note.edited_at, note.masked_cards)


def case_snapshot(case: SupportCase) -> dict[str, Any]:
    return case_state(case.subject, case.status, case.urgency, case.impact, case.fix,
                      case.prevention, case.created_at, record_uid(case.customer_id))


def prevention_snapshot(case: SupportCase) -> dict[str, Any]:
    return prevention_state(case.prevention_done_at, case.prevention_done_by)


LAST_HASH = Compiled("SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1")
ENTRY_FIELDS = ENTRY_COLUMNS[1:]
INSERT_ENTRY = Compiled(f"INSERT INTO audit_entry ({', '.join(ENTRY_FIELDS)}) "
                        f"VALUES ({', '.join(f':{name}' for name in ENTRY_FIELDS)}) "
                        "RETURNING id")


def last_hash(connection: Connection) -> str:
    """The end of the chain, for extending it: the chain stays locked for this writer until
    its transaction ends."""
    lock_audit_chain(connection)
    found = LAST_HASH.rows(connection, {})
    return found[0][0] if found else GENESIS


def append(connection: Connection, actor: str, action: Action, entity: Entity, uid: str,
           before: dict[str, Any] | None, after: dict[str, Any] | None,
           at: datetime) -> dict[str, str] | None:
    """Append one entry for a change already written on ``connection`` (in its transaction);
    nothing if nothing changed. Returns the entry's columns."""
    before_text, after_text = canonical(before), canonical(after)
    if action is Action.EDIT and before_text == after_text:
        return None
    previous = last_hash(connection)
    moment = timestamp(at)
    before_digest, after_digest = digest(before_text), digest(after_text)
    entry = {"at": moment, "actor": actor, "action": action.value, "entity": entity.value,
             "uid": uid, "before": before_text, "after": after_text,
             "before_digest": before_digest, "after_digest": after_digest,
             "prev_hash": previous,
             "hash": entry_hash(previous, moment, actor, action.value, entity.value, uid,
                                before_digest, after_digest)}
    [(entry_id,)] = INSERT_ENTRY.rows(connection, entry)
    anchor.appended(connection, entry["hash"], entry_id)
    return entry


def record(session: Session, actor: str, action: Action, entity: Entity, uid: str,
           before: dict[str, Any] | None, after: dict[str, Any] | None,
           at: datetime) -> AuditEntry | None:
    """Append one entry for a change made in this session; nothing if nothing changed."""
    if action is Action.EDIT and canonical(before) == canonical(after):
        return None
    session.flush()  # the change first: its write takes the lock before the chain is read
    entry = append(session.connection(), actor, action, entity, uid, before, after, at)
    return AuditEntry(**entry) if entry is not None else None


class Chain:
    """Builds entries for bulk writers (demo data, the first trail of an older file, a
    purge) that insert rows themselves: hashes follow on from ``previous``."""

    COLUMNS = list(ENTRY_COLUMNS[1:])

    def __init__(self, previous: str) -> None:
        self.previous = previous

    def row(self, at: str, actor: str, action: Action, entity: Entity, uid: str,
            after: dict[str, Any] | None, before: dict[str, Any] | None = None) -> tuple:
        before_text, after_text = canonical(before), canonical(after)
        before_digest, after_digest = digest(before_text), digest(after_text)
        link = entry_hash(self.previous, at, actor, action.value, entity.value, uid,
                          before_digest, after_digest)
        row = (at, actor, action.value, entity.value, uid, before_text, after_text,
               before_digest, after_digest, self.previous, link)
        self.previous = link
        return row

    @classmethod
    def insert(cls, connection: Connection, rows: list[tuple]) -> None:
        if rows:
            connection.execute(
                text(f"INSERT INTO audit_entry ({', '.join(cls.COLUMNS)}) "
                     f"VALUES ({', '.join(f':{column}' for column in cls.COLUMNS)})"),
                [dict(zip(cls.COLUMNS, row)) for row in rows])
            anchor.appended(connection, rows[-1][-1])


SELECT_ENTRIES = f"SELECT {', '.join(ENTRY_COLUMNS)} FROM audit_entry"


def redact(connection: Connection, entity: Entity, uids: list[str]) -> None:
    """Remove the words of deleted records from the trail (a retention purge): their
    digests stay, so the chain still verifies. The database refuses it for anything else."""
    for start in range(0, len(uids), 500):
        chunk = uids[start:start + 500]
        marks = ", ".join(f":u{i}" for i in range(len(chunk)))
        connection.execute(text(
            "UPDATE audit_entry SET before = '', after = '' "
            f"WHERE entity = :entity AND uid IN ({marks})"),
            {"entity": entity.value, **{f"u{i}": uid for i, uid in enumerate(chunk)}})


def history_of(session: Session, entity: Entity, uid: str) -> list[Entry]:
    """Every entry about one record, oldest first (a note's revisions, say)."""
    rows = session.connection().execute(
        text(f"{SELECT_ENTRIES} WHERE entity = :entity AND uid = :uid ORDER BY id"),
        {"entity": entity.value, "uid": uid})
    return [Entry(*row) for row in rows]


def revised_notes(session: Session, note_uids: list[str]) -> dict[str, list[Entry]]:
    """The edits and deletions of these notes, oldest first, keyed by note uid."""
    found: dict[str, list[Entry]] = {}
    for start in range(0, len(note_uids), 500):
        chunk = note_uids[start:start + 500]
        marks = ", ".join(f":u{i}" for i in range(len(chunk)))
        rows = session.connection().execute(
            text(f"{SELECT_ENTRIES} WHERE entity = 'note' AND action IN ('edit', 'delete') "
                 f"AND uid IN ({marks}) ORDER BY id"),
            {f"u{i}": uid for i, uid in enumerate(chunk)})
        for row in rows:
            found.setdefault(row[5], []).append(Entry(*row))
    return found


@dataclass(frozen=True)
class Verification:
    """``fuller_since``: when the trail began to follow every field of the evidence (calls,
    customers, note and case times: schema 0015) in a file upgraded then, as the trail
    writes times; None when it did from its first entry."""

    entries: int
    finding: Finding | None
    fuller_since: str | None = None

    @property
    def ok(self) -> bool:
        return self.finding is None


@dataclass(frozen=True)
class FileVerification:
    """A database file's trail checked, and its end compared with every anchor found for it
    (anchor.check_anchors): ``anchored`` is the one beside the file (None when there is
    none), ``anchors`` what the comparison found (None when the chain itself is broken)."""

    verification: Verification
    anchored: anchor.Anchor | None
    anchors: anchor.AnchorFindings | None = None

    @property
    def problems(self) -> tuple[str, ...]:
        return self.anchors.problems if self.anchors is not None else ()

    @property
    def shortened(self) -> str | None:
        """The first problem the anchors found, in plain words; None when there is none."""
        return self.problems[0] if self.problems else None

    @property
    def ok(self) -> bool:
        return self.verification.ok and not self.problems


class Stopped(Exception):
    """Verification was asked to stop before it finished."""


def verify(connection: Connection, stop: Callable[[], bool] | None = None) -> Verification:
    """Check the whole chain, then every record (case, flag decision, note, prevention item
    done) against its last recorded state.
    ``stop`` is asked between batches of rows; when it says so, Stopped is raised."""
    finding, count = first_broken_link(_entries(connection, stop))
    if finding is None:
        finding = compare_records(_latest(connection, stop), _records(connection, stop))
    return Verification(count, finding, fuller_since(connection))


def fuller_since(connection: Connection) -> str | None:
    """When migration 0015 started following calls and customers in an older file (its
    baseline entries' time); None for a file whose trail followed them from the start."""
    return connection.execute(text(
        "SELECT min(at) FROM audit_entry WHERE action = 'baseline' "
        "AND entity IN ('contact', 'customer')")).scalar()


def verify_file(path: Path, backups: Path | None = None, own: bool = False,
                given: tuple[anchor.Anchor, ...] = ()) -> FileVerification:
    """Check the trail of the database file ``path`` (read-only) as ``verify`` does, and,
    when the chain itself is sound, its end against every anchor found for it: beside the
    file, in the record of the backups folder ``backups``, and ``given`` (a report's, say).
    ``own``: the file is this account's own database (its anchors must bear its seal)."""
    from callhelper.store.review import open_source

    anchored = anchor.read_anchor(path)  # first: a commit meanwhile only lengthens the trail
    source = open_source(path)
    try:
        with source.connect() as connection:
            result = verify(connection)
            found = anchor.check_anchors(connection, result.entries, Path(path), backups,
                                         own=own, given=given) if result.ok else None
    finally:
        source.engine.dispose()
    return FileVerification(result, anchored, found)


def trail_end(connection: Connection) -> tuple[int, str]:
    """The trail's last entry: its id (how many entries there are) and hash."""
    return anchor.trail_end(connection)


def _stream(connection: Connection, query: str,
            stop: Callable[[], bool] | None = None) -> Iterator[tuple]:
    # The option for this statement only: Connection.execution_options would set it for
    # every later statement of the connection too (a server-side cursor on PostgreSQL).
    result = connection.exec_driver_sql(query, execution_options={"stream_results": True})
    while rows := result.fetchmany(BATCH):
        if stop is not None and stop():
            result.close()
            raise Stopped
        yield from rows


def _entries(connection: Connection, stop=None) -> Iterator[Entry]:
    for row in _stream(connection, f"{SELECT_ENTRIES} ORDER BY id", stop):
        yield Entry(*row)


def _latest(connection: Connection, stop=None) -> Iterator[tuple[str, str, str, str, bool]]:
    """Each record's last state (digest and text), and whether any of its entries had
    words removed; sorted by (entity, uid)."""
    current = None
    order = f"{code_point_order('entity', connection)}, {code_point_order('uid', connection)}"
    for entity, uid, after, after_digest, redacted in _stream(
            connection, "SELECT entity, uid, after, after_digest, "
                        "(before = '' AND before_digest != '') OR "
                        "(after = '' AND after_digest != '') "
                        f"FROM audit_entry ORDER BY {order}, id", stop):
        if current is not None and (current[0], current[1]) != (entity, uid):
            yield tuple(current)
            current = None
        if current is None:
            current = [entity, uid, after_digest, after, bool(redacted)]
        else:
            current[2:4] = after_digest, after
            current[4] = current[4] or bool(redacted)
    if current is not None:
        yield tuple(current)


#: Each case (by uid), for the trail: its fields in case_state's order.
CASES = ("SELECT uid, subject, status, urgency, impact, fix, prevention, created_at, "
         "CAST(customer_id AS TEXT) FROM support_case")
#: Each call, with its case's uid and customer's, in contact_state's order; then what hangs
#: off it, each with the call's uid first, in the order written.
CONTACTS = ("SELECT k.uid, c.uid, CAST(k.customer_id AS TEXT), k.agent, k.phone, "
            "k.caller_name, k.direction, k.playbook_id, k.playbook_version, k.started_at, "
            "k.ended_at, k.talk_seconds, k.hold_seconds "
            "FROM contact k JOIN support_case c ON c.id = k.case_id")
CONTACT_PARTS = (
    "SELECT k.uid, h.name, h.role, h.joined_at FROM contact_handler h "
    "JOIN contact k ON k.id = h.contact_id",
    "SELECT k.uid, e.reasons, e.summary, e.agent, e.offset_ms, e.created_at FROM escalation e "
    "JOIN contact k ON k.id = e.contact_id",
    "SELECT k.uid, s.step_id, s.done, s.offset_ms, s.step_elapsed_ms, s.agent, s.created_at "
    "FROM step_event s JOIN contact k ON k.id = s.contact_id")
PART_IDS = ("h.id", "e.id", "s.id")
CUSTOMERS = ("SELECT CAST(id AS TEXT), name, company, phone, preferred_channel, unavailable, "
             "note FROM customer")
CUSTOMER_NUMBERS = "SELECT CAST(customer_id AS TEXT), phone FROM customer_phone"
NOTES = ("SELECT n.uid, k.uid, n.kind, n.text, n.offset_ms, n.agent, n.flags, n.requests, "
         "n.due_at, n.done_at, n.done_by, n.created_at, n.edited_at, n.masked_cards "
         "FROM note n JOIN contact k ON k.id = n.contact_id")


def _case(row) -> dict[str, Any]:
    return case_state(*row[1:8], row[8] or "")


def _note(row) -> dict[str, Any]:
    return note_state(row[1], row[2], row[3], row[4], row[5], _list(row[6]), _list(row[7]),
                      *row[8:])


def _contact(row, handlers, escalations, steps) -> dict[str, Any]:
    return contact_state(row[1], row[2] or "", *row[3:],
                         handlers=[part[1:] for part in handlers],
                         escalations=[(_list(part[1]), *part[2:]) for part in escalations],
                         steps=[part[1:] for part in steps])


def _customer(row, numbers) -> dict[str, Any]:
    return customer_state(*row[1:], numbers=[part[1] for part in numbers])


def _grouped(rows: Iterator[tuple]) -> Iterator[tuple[str, list[tuple]]]:
    """Rows sorted by their first column, as (that value, its rows)."""
    from itertools import groupby
    for key, group in groupby(rows, key=lambda row: row[0]):
        yield key, list(group)


def _joined(keys: Iterator[tuple], *parts: Iterator[tuple]) -> Iterator[tuple[tuple, list]]:
    """Each row of ``keys`` with, from each of ``parts``, the rows whose first column is its
    first column; all sorted by it (by code point)."""
    streams = [_grouped(part) for part in parts]
    heads = [next(stream, None) for stream in streams]
    for row in keys:
        found = []
        for index, stream in enumerate(streams):
            while heads[index] is not None and heads[index][0] < row[0]:
                heads[index] = next(stream, None)
            if heads[index] is not None and heads[index][0] == row[0]:
                found.append(heads[index][1])
                heads[index] = next(stream, None)
            else:
                found.append([])
        yield row, found


def state_of(connection: Connection, entity: Entity, uid: str) -> dict[str, Any] | None:
    """The current state of one case, call or customer as the trail records it; None when
    it is not in the file."""
    where = {Entity.CASE: "uid", Entity.CONTACT: "k.uid",
             Entity.CUSTOMER: "CAST(id AS TEXT)"}[entity]
    params = {"uid": uid}
    if entity is Entity.CASE:
        row = connection.execute(text(f"{CASES} WHERE {where} = :uid"), params).first()
        return None if row is None else _case(row)
    if entity is Entity.CUSTOMER:
        row = connection.execute(text(f"{CUSTOMERS} WHERE {where} = :uid"), params).first()
        numbers = connection.execute(text(
            f"{CUSTOMER_NUMBERS} WHERE CAST(customer_id AS TEXT) = :uid ORDER BY id"),
            params).all()
        return None if row is None else _customer(row, numbers)
    row = connection.execute(text(f"{CONTACTS} WHERE k.uid = :uid"), params).first()
    if row is None:
        return None
    parts = [connection.execute(text(f"{query} WHERE k.uid = :uid ORDER BY {order}"),
                                params).all()
             for query, order in zip(CONTACT_PARTS, PART_IDS)]
    return _contact(row, *parts)


LAST_STATE = Compiled("SELECT after, after_digest FROM audit_entry "
                      "WHERE entity = :entity AND uid = :uid ORDER BY id DESC LIMIT 1")


def reseal(connection: Connection, actor: str, entity: Entity, uid: str,
           at: datetime) -> dict[str, str] | None:
    """Record the current state of a case, call or customer changed in this transaction,
    when it differs from the one the trail last recorded: created, edited or deleted.
    Nothing when it is as recorded. For writers that change these records in several
    places (a call's times, handlers, steps; a customer's profile and numbers)."""
    state = state_of(connection, entity, uid)
    last = LAST_STATE.rows(connection, {"entity": entity.value, "uid": uid})
    before = json.loads(last[0][0]) if last and last[0][0] else None
    recorded = bool(last and last[0][1])
    if state is None:
        if not recorded:
            return None
        return append(connection, actor, Action.DELETE, entity, uid, before, None, at)
    if recorded and canonical(state) == (last[0][0] or None):
        return None
    return append(connection, actor, Action.EDIT if recorded else Action.CREATE, entity, uid,
                  before, state, at)


def reseal_session(session: Session, actor: str, entity: Entity, uid: str,
                   at: datetime) -> None:
    """``reseal`` for a change made in this session."""
    session.flush()
    reseal(session.connection(), actor, entity, uid, at)


def _records(connection: Connection, stop=None, decisions: bool = True,
             prevention: bool = True, fuller: bool = True
             ) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every case, call, customer, flag decision, note, then prevention item marked done
    (entity names sort that way), each sorted by uid (by code point, as Python compares
    them). ``decisions`` and ``prevention`` False: none of those (a trail started by
    migration 0007 predates their table and columns); ``fuller`` False: no calls nor
    customers (followed since migration 0015)."""
    order = lambda column: f"ORDER BY {code_point_order(column, connection)}"  # noqa: E731
    for row in _stream(connection, f"{CASES} {order('uid')}", stop):
        yield Entity.CASE.value, row[0], _case(row)
    if fuller:
        keys = _stream(connection, f"{CONTACTS} {order('k.uid')}", stop)
        parts = [_stream(connection, f"{query} {order('k.uid')}, {part_id}", stop)
                 for query, part_id in zip(CONTACT_PARTS, PART_IDS)]
        for row, found in _joined(keys, *parts):
            yield Entity.CONTACT.value, row[0], _contact(row, *found)
        keys = _stream(connection, f"{CUSTOMERS} {order('CAST(id AS TEXT)')}", stop)
        numbers = _stream(connection, f"{CUSTOMER_NUMBERS} "
                                      f"{order('CAST(customer_id AS TEXT)')}, id", stop)
        for row, (found,) in _joined(keys, numbers):
            yield Entity.CUSTOMER.value, row[0], _customer(row, found)
    if decisions:
        for row in _stream(connection, "SELECT uid, note_uid, category, state FROM flag_review "
                                       f"{order('uid')}", stop):
            yield Entity.FLAG.value, row[0], flag_review_state(*row[1:])
    for row in _stream(connection, f"{NOTES} {order('n.uid')}", stop):
        yield Entity.NOTE.value, row[0], _note(row)
    if prevention:
        for row in _stream(connection, "SELECT uid, prevention_done_at, prevention_done_by "
                                       "FROM support_case WHERE prevention_done_at IS NOT NULL "
                                       f"{order('uid')}", stop):
            yield Entity.PREVENTION.value, row[0], prevention_state(*row[1:])


def _list(value) -> list:
    return json.loads(value) if isinstance(value, str) else list(value or [])


def baseline(connection: Connection, at: datetime) -> int:
    """Start the trail of a file that has records but no trail yet: one baseline entry per
    case, flag decision and note, and prevention item marked done (once their table and
    columns exist), as they are now. Returns how many entries were written."""
    chain = Chain(last_hash(connection))
    moment, written, rows = timestamp(at), 0, []
    schema = inspect(connection)
    decisions = schema.has_table(FlagReview.__tablename__)
    prevention = "prevention_done_at" in {column["name"] for column in
                                          schema.get_columns(SupportCase.__tablename__)}
    fuller = "direction" in {column["name"] for column in
                             schema.get_columns(Contact.__tablename__)}
    for entity, uid, state in _records(connection, decisions=decisions,
                                       prevention=prevention, fuller=fuller):
        rows.append(chain.row(moment, "", Action.BASELINE, Entity(entity), uid, state))
        if len(rows) >= BATCH:
            Chain.insert(connection, rows)
            written += len(rows)
            rows = []
    Chain.insert(connection, rows)
    return written + len(rows)


@dataclass(frozen=True)
class AnchorsFound:
    """What the app found as it opened its database: the trail no longer holds ends
    recorded outside it (``findings``; ``problems``: each as an English sentence), the
    anchor beside the file kept aside in ``kept`` (None: it still held, or there was none),
    and when."""

    findings: tuple[anchor.Finding, ...]
    kept: Path | None
    found_at: datetime

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(finding.text for finding in self.findings)


def anchors_at_open(engine, database: Path, backups: Path,
                    now: datetime) -> AnchorsFound | None:
    """Before anything is written to ``database``: compare its trail's end with the anchors
    the app has not noted yet (beside the file, the record in ``backups``). When it no
    longer holds one, the anchor beside the file is kept aside (the next commit would
    overwrite it) and each problem logged. Only the end is compared, not the whole chain:
    two queries."""
    with engine.connect() as connection:
        entries = anchor.trail_end(connection)[0] \
            if inspect(connection).has_table(AuditEntry.__tablename__) else 0
        found = anchor.check_anchors(connection, entries, database, backups, own=True,
                                     at_start=True)
    if found.ok:
        return None
    kept = anchor.keep_aside(database, now) if found.beside_broken else None
    for problem in found.problems:
        log.warning("%s: %s", database, problem)
    return AnchorsFound(found.findings, kept, now)


#: Who the trail names for what the app itself noted.
APP_ACTOR = "CallHelper"


def note_anchors_found(engine, database: Path, backups: Path, found: AnchorsFound) -> None:
    """Once the schema is up to date: record the finding in the trail (an ``anchor`` entry,
    ``found``) and in the record beside the backups, whose line is the trail's new end."""
    state = {"problems": list(found.problems),
             "kept_in": found.kept.name if found.kept is not None else ""}
    with engine.begin() as connection:
        entry = append(connection, APP_ACTOR, Action.FOUND, Entity.ANCHOR,
                       timestamp(found.found_at), state, None, found.found_at)
        [(entry_id,)] = connection.execute(text(
            "SELECT id FROM audit_entry WHERE hash = :hash"), {"hash": entry["hash"]}).all()
    anchor.record_in_log(backups, database, anchor.LogKind.FOUND,
                         found.kept.name if found.kept is not None else "", entry_id,
                         entry["hash"])


def ship_end(connection: Connection, actor: str, uid: str, end: tuple[int, str],
             at: datetime) -> None:
    """On a team's server: record that the agent's file ``uid`` had its trail end at
    ``end`` (id, hash) — an entry of the server's own trail, which agents cannot change."""
    append(connection, actor, Action.SHIPPED, Entity.ANCHOR, uid,
           {"entry": end[0], "hash": end[1], "entries": end[0]}, None, at)


def shipped_end(connection: Connection, uid: str) -> anchor.Anchor | None:
    """The last end of the agent's file ``uid`` the server received; None if none."""
    row = connection.execute(text(
        "SELECT before, at FROM audit_entry WHERE entity = :entity AND action = :action "
        "AND uid = :uid ORDER BY id DESC LIMIT 1"),
        {"entity": Entity.ANCHOR.value, "action": Action.SHIPPED.value, "uid": uid}).first()
    if row is None:
        return None
    state, at = json.loads(row[0]), datetime.fromisoformat(row[1])
    when = f"{at.astimezone():%Y-%m-%d %H:%M:%S}"
    return anchor.Anchor(int(state["entry"]), str(state["hash"]), int(state["entries"]), at,
                         f"when it was last sent to the team's server ({when})",
                         place=anchor.Place(anchor.Origin.SERVER, when))
