"""Writing and checking the audit trail (the rules are in core/audit.py).

Entries are written in the same transaction as the change they describe, after it, so the
transaction already holds the database's write lock when the end of the chain is read:
two writers can never both extend the same link (and a unique index on ``prev_hash``
would refuse it if they tried).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import Session

from callhelper.core.audit import (GENESIS, Action, Entity, Entry, Finding, canonical,
                                   case_state, compare_records, entry_hash, first_broken_link,
                                   note_state, timestamp)
from callhelper.store.models import AuditEntry, Note, SupportCase

BATCH = 5000


def note_snapshot(note: Note, contact_uid: str) -> dict[str, Any]:
    return note_state(contact_uid, note.kind, note.text, note.offset_ms, note.agent, note.flags,
                      note.requests, note.due_at, note.done_at, note.done_by)


def case_snapshot(case: SupportCase) -> dict[str, Any]:
    return case_state(case.subject, case.status, case.urgency, case.impact, case.fix,
                      case.prevention)


def last_hash(connection: Connection) -> str:
    return connection.execute(
        text("SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1")).scalar() or GENESIS


def record(session: Session, actor: str, action: Action, entity: Entity, uid: str,
           before: dict[str, Any] | None, after: dict[str, Any] | None,
           at: datetime) -> AuditEntry | None:
    """Append one entry for a change made in this session; nothing if nothing changed."""
    before_text, after_text = canonical(before), canonical(after)
    if action is Action.EDIT and before_text == after_text:
        return None
    session.flush()  # the change first: its write takes the lock before the chain is read
    previous = last_hash(session.connection())
    moment = timestamp(at)
    entry = AuditEntry(at=moment, actor=actor, action=action.value, entity=entity.value,
                       uid=uid, before=before_text, after=after_text, prev_hash=previous,
                       hash=entry_hash(previous, moment, actor, action.value, entity.value, uid,
                                       before_text, after_text))
    session.add(entry)
    session.flush()
    return entry


class Chain:
    """Builds entries for bulk writers (demo data, the first trail of an older file)
    that insert rows themselves: hashes follow on from ``previous``."""

    COLUMNS = "at actor action entity uid before after prev_hash hash".split()

    def __init__(self, previous: str) -> None:
        self.previous = previous

    def row(self, at: str, actor: str, action: Action, entity: Entity, uid: str,
            after: dict[str, Any]) -> tuple:
        after_text = canonical(after)
        digest = entry_hash(self.previous, at, actor, action.value, entity.value, uid, "",
                            after_text)
        row = (at, actor, action.value, entity.value, uid, "", after_text, self.previous, digest)
        self.previous = digest
        return row

    @classmethod
    def insert(cls, connection: Connection, rows: list[tuple]) -> None:
        if rows:
            connection.exec_driver_sql(
                f"INSERT INTO audit_entry ({', '.join(cls.COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in cls.COLUMNS)})", rows)


def history_of(session: Session, entity: Entity, uid: str) -> list[Entry]:
    """Every entry about one record, oldest first (a note's revisions, say)."""
    rows = session.connection().execute(
        text("SELECT id, at, actor, action, entity, uid, before, after, prev_hash, hash "
             "FROM audit_entry WHERE entity = :entity AND uid = :uid ORDER BY id"),
        {"entity": entity.value, "uid": uid})
    return [Entry(*row) for row in rows]


def revised_notes(session: Session, note_uids: list[str]) -> dict[str, list[Entry]]:
    """The edits and deletions of these notes, oldest first, keyed by note uid."""
    found: dict[str, list[Entry]] = {}
    for start in range(0, len(note_uids), 500):
        chunk = note_uids[start:start + 500]
        marks = ", ".join(f":u{i}" for i in range(len(chunk)))
        rows = session.connection().execute(
            text("SELECT id, at, actor, action, entity, uid, before, after, prev_hash, hash "
                 "FROM audit_entry WHERE entity = 'note' AND action IN ('edit', 'delete') "
                 f"AND uid IN ({marks}) ORDER BY id"),
            {f"u{i}": uid for i, uid in enumerate(chunk)})
        for row in rows:
            found.setdefault(row[5], []).append(Entry(*row))
    return found


@dataclass(frozen=True)
class Verification:
    entries: int
    finding: Finding | None

    @property
    def ok(self) -> bool:
        return self.finding is None


def verify(connection: Connection) -> Verification:
    """Check the whole chain, then every note and case against its last recorded state."""
    finding, count = first_broken_link(_entries(connection))
    if finding is None:
        finding = compare_records(_latest(connection), _records(connection))
    return Verification(count, finding)


def _stream(connection: Connection, query: str) -> Iterator[tuple]:
    result = connection.execution_options(stream_results=True).exec_driver_sql(query)
    while rows := result.fetchmany(BATCH):
        yield from rows


def _entries(connection: Connection) -> Iterator[Entry]:
    for row in _stream(connection, "SELECT id, at, actor, action, entity, uid, before, after, "
                                   "prev_hash, hash FROM audit_entry ORDER BY id"):
        yield Entry(*row)


def _latest(connection: Connection) -> Iterator[tuple[str, str, str]]:
    """The last state of each record, sorted by (entity, uid)."""
    current = None
    for entity, uid, after in _stream(
            connection, "SELECT entity, uid, after FROM audit_entry ORDER BY entity, uid, id"):
        if current is not None and current[:2] != (entity, uid):
            yield current
        current = (entity, uid, after)
    if current is not None:
        yield current


def _records(connection: Connection) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every case, then every note (entity names sort that way), each sorted by uid."""
    for row in _stream(connection, "SELECT uid, subject, status, urgency, impact, fix, "
                                   "prevention FROM support_case ORDER BY uid"):
        yield Entity.CASE.value, row[0], case_state(*row[1:])
    for row in _stream(connection, "SELECT n.uid, k.uid, n.kind, n.text, n.offset_ms, n.agent, "
                                   "n.flags, n.requests, n.due_at, n.done_at, n.done_by "
                                   "FROM note n JOIN contact k ON k.id = n.contact_id "
                                   "ORDER BY n.uid"):
        yield Entity.NOTE.value, row[0], note_state(
            row[1], row[2], row[3], row[4], row[5], _list(row[6]), _list(row[7]), row[8],
            row[9], row[10])


def _list(value) -> list:
    return json.loads(value) if isinstance(value, str) else list(value or [])


def baseline(connection: Connection, at: datetime) -> int:
    """Start the trail of a file that has records but no trail yet: one baseline entry per
    case and note, as they are now. Returns how many entries were written."""
    chain = Chain(last_hash(connection))
    moment, written, rows = timestamp(at), 0, []
    for entity, uid, state in _records(connection):
        rows.append(chain.row(moment, "", Action.BASELINE, Entity(entity), uid, state))
        if len(rows) >= BATCH:
            Chain.insert(connection, rows)
            written += len(rows)
            rows = []
    Chain.insert(connection, rows)
    return written + len(rows)
