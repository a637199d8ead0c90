"""Deleting cases past the retention period (``callhelper purge``, the ``retention_days``
setting).

A case expires when its last activity — the case's own changes, its calls, and its notes'
creation, edits and completion — is older than the cut-off. A case with a call still open
(active or awaiting its wrap-up) is kept whatever its age. An expired case goes with its
calls, notes, the agents' decisions on the notes' flags, step times, handlers and
escalations; its customer goes too once no case or call of theirs is left.

Each deleted flag decision, note, call, case, customer and prevention item marked done gets an
``Action.DELETE`` entry in the audit trail (the entries ``audit.record`` would write, chained
in one go) in the same transaction, and then the words of every entry about it are removed
from the trail: only their digests stay, which is all the chain covers, so ``callhelper
verify`` still passes while nothing of the purged records' content is kept. The two-character search indexes (store/grams.py) lose them in
the same transaction.

The work is done a batch of cases at a time, each batch its own transaction, so a large
file needs little memory and the app's own writes get their turn between batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlmodel import Session, col, select

from callhelper.core.audit import Action, Entity, record_uid, timestamp
from callhelper.core.flag_review import flag_review_state
from callhelper.store import audit, grams
from callhelper.store.dialect import keeps_search_tables
from callhelper.store.engine import Store
from callhelper.store.history import _stored
from callhelper.store.models import Contact, Note, SupportCase

PURGE_ACTOR = "purge"
BATCH_CASES = 200

#: Cases whose last activity is before :cutoff and that have no call still open.
EXPIRED = """
    c.updated_at < :cutoff AND c.created_at < :cutoff
    AND NOT EXISTS (
        SELECT 1 FROM contact k WHERE k.case_id = c.id
        AND (k.state != 'closed' OR k.started_at >= :cutoff
             OR k.ended_at >= :cutoff))
    AND NOT EXISTS (
        SELECT 1 FROM contact k JOIN note n ON n.contact_id = k.id WHERE k.case_id = c.id
        AND (n.created_at >= :cutoff OR n.edited_at >= :cutoff OR n.done_at >= :cutoff))
"""
#: Customers of the cases in :ids (given as a subquery) that nothing else refers to.
LEFT_ALONE = """
    SELECT id FROM customer WHERE id IN (
        SELECT customer_id FROM support_case WHERE id IN ({ids})
        UNION SELECT customer_id FROM contact WHERE case_id IN ({ids}))
    AND NOT EXISTS (SELECT 1 FROM support_case s
                    WHERE s.customer_id = customer.id AND s.id NOT IN ({ids}))
    AND NOT EXISTS (SELECT 1 FROM contact k
                    WHERE k.customer_id = customer.id AND k.case_id NOT IN ({ids}))
"""
#: The agents' decisions on the flags of the notes of the cases in :ids.
DECISIONS = """
    SELECT r.uid, r.note_uid, r.category, r.state FROM flag_review r
    JOIN note n ON n.uid = r.note_uid JOIN contact k ON k.id = n.contact_id
    WHERE k.case_id IN ({ids}) ORDER BY r.id
"""
CONTACT_TABLES = ("note", "step_event", "contact_handler", "escalation")


def cutoff(days: int, now: datetime) -> datetime:
    if days < 1:
        raise ValueError(f"the retention period is at least one day, not {days}")
    return now - timedelta(days=days)


@dataclass(frozen=True)
class Purged:
    """What a purge deleted (or would delete)."""

    cases: int = 0
    contacts: int = 0
    notes: int = 0
    customers: int = 0

    def __add__(self, other: Purged) -> Purged:
        return Purged(self.cases + other.cases, self.contacts + other.contacts,
                      self.notes + other.notes, self.customers + other.customers)


def expired(session: Session, before: datetime) -> Purged:
    """What a purge with this cut-off would delete, counted without loading any row."""
    ids = f"SELECT c.id FROM support_case c WHERE {EXPIRED}"
    row = session.connection().execute(text(
        f"WITH expired AS ({ids}) SELECT "
        "(SELECT count(*) FROM expired), "
        "(SELECT count(*) FROM contact WHERE case_id IN (SELECT id FROM expired)), "
        "(SELECT count(*) FROM note n JOIN contact k ON k.id = n.contact_id "
        " WHERE k.case_id IN (SELECT id FROM expired)), "
        f"(SELECT count(*) FROM ({LEFT_ALONE.format(ids='SELECT id FROM expired')}) alone)"),
        {"cutoff": _stored(before)}).one()
    return Purged(*row)


@dataclass(frozen=True)
class Batch:
    """One batch done: what it deleted, and where the next one starts (None: all done)."""

    purged: Purged
    after: int | None


def purge_batch(session: Session, before: datetime, actor: str, at: datetime,
                after: int = 0, size: int = BATCH_CASES) -> Batch:
    """Delete the next ``size`` expired cases with an id above ``after``, recording each
    note and case in the audit trail. The caller commits."""
    connection = session.connection()
    params = {"cutoff": _stored(before), "after": after, "size": size}
    found = connection.execute(text(
        f"SELECT c.id FROM support_case c WHERE c.id > :after AND {EXPIRED} "
        "ORDER BY c.id LIMIT :size"), params).scalars().all()
    if not found:
        return Batch(Purged(), None)
    marks = _id_list(found)
    # A write first: from here the transaction holds the write lock, so what is read below
    # cannot change before it is deleted (and the audit chain cannot move on meanwhile).
    connection.execute(text(f"UPDATE support_case SET updated_at = updated_at "
                            f"WHERE id IN ({marks})"))
    ids = connection.execute(text(
        f"SELECT c.id FROM support_case c WHERE c.id IN ({marks}) AND {EXPIRED}"),
        params).scalars().all()
    marks = _id_list(ids)
    found_notes = session.exec(select(Note, Contact.uid)
                               .join(Contact, col(Contact.id) == Note.contact_id)
                               .where(col(Contact.case_id).in_(ids))
                               .order_by(col(Note.id))).all()
    notes = [(note.uid, audit.note_snapshot(note, contact_uid))
             for note, contact_uid in found_notes]
    found_cases = session.exec(select(SupportCase).where(col(SupportCase.id).in_(ids))
                               .order_by(col(SupportCase.id))).all()
    cases = [(case.uid, audit.case_snapshot(case)) for case in found_cases]
    prevention = [(case.uid, audit.prevention_snapshot(case)) for case in found_cases
                  if case.prevention_done_at is not None]
    grams.notes_changed(connection, [(note.id, note.text, "") for note, _ in found_notes])
    grams.cases_changed(connection, [(case.id, (case.subject, case.fix, case.prevention),
                                      ("", "", "")) for case in found_cases])
    decisions = [(uid, flag_review_state(note_uid, category, state)) for uid, note_uid,
                 category, state in connection.execute(text(DECISIONS.format(ids=marks)))]
    customers = connection.execute(text(LEFT_ALONE.format(ids=marks))).scalars().all()
    calls = [(uid, audit.state_of(connection, Entity.CONTACT, uid)) for uid in
             connection.execute(text(f"SELECT uid FROM contact WHERE case_id IN ({marks}) "
                                     "ORDER BY id")).scalars()]
    people_states = [(record_uid(customer), audit.state_of(connection, Entity.CUSTOMER,
                                                           record_uid(customer)))
                     for customer in customers]
    connection.execute(text(f"DELETE FROM flag_review WHERE uid IN "
                            f"(SELECT uid FROM ({DECISIONS.format(ids=marks)}) decided)"))
    contacts = f"SELECT id FROM contact WHERE case_id IN ({marks})"
    for table in CONTACT_TABLES:
        connection.execute(text(f"DELETE FROM {table} WHERE contact_id IN ({contacts})"))
    contact_count = connection.execute(text(
        f"DELETE FROM contact WHERE case_id IN ({marks})")).rowcount
    connection.execute(text(f"DELETE FROM support_case WHERE id IN ({marks})"))
    if customers:
        people = _id_list(customers)
        connection.execute(text(f"DELETE FROM customer_phone WHERE customer_id IN ({people})"))
        connection.execute(text(f"DELETE FROM customer WHERE id IN ({people})"))
    deleted = ((Entity.FLAG, decisions), (Entity.NOTE, notes), (Entity.CONTACT, calls),
               (Entity.CASE, cases), (Entity.PREVENTION, prevention),
               (Entity.CUSTOMER, people_states))
    chain, moment = audit.Chain(audit.last_hash(connection)), timestamp(at)
    audit.Chain.insert(connection, [
        chain.row(moment, actor, Action.DELETE, entity, uid, None, state)
        for entity, records in deleted for uid, state in records])
    for entity, records in deleted:
        audit.redact(connection, entity, [uid for uid, _ in records])
    return Batch(Purged(len(cases), contact_count, len(notes), len(customers)), max(found))


def _id_list(ids) -> str:
    """Row ids for an ``IN (…)``; an empty list matches nothing."""
    return ", ".join(str(int(row_id)) for row_id in ids) or "NULL"


def purge(store: Store, before: datetime, actor: str, at: datetime,
          progress: Callable[[Purged], None] | None = None) -> Purged:
    """Delete every expired case, a batch per transaction; ``progress`` gets the running
    total after each batch."""
    total, after = Purged(), 0
    while after is not None:
        with store.unit_of_work() as session:
            batch = purge_batch(session, before, actor, at, after)
        total, after = total + batch.purged, batch.after
        if progress is not None and batch.purged.cases:
            progress(total)
    if total.cases and keeps_search_tables(store.engine):
        _leave_no_fragment(store)
    return total


#: SQLite's search tables (migrations 0003 and 0008).
SEARCH_TABLES = ("note_fts", "case_fts", "note_bigram", "case_bigram")
#: Pages of a search table's index one ``merge_step`` writes at most (about 4 KB each): a
#: few milliseconds of work, so that the window's writes wait no longer than that.
MERGE_PAGES = 64


def _leave_no_fragment(store: Store) -> None:
    """A search table deletes a row by adding a marker; the purged words stay in its older
    segments until they are merged (SQLite before 3.42 has no secure delete for them). So
    each is rewritten as one segment — the freed pages are overwritten, as secure_delete is
    on — and the write-ahead log, which still holds the old pages, is emptied into the file."""
    with store.engine.connect() as connection:
        for table in SEARCH_TABLES:
            connection.execute(text(f"INSERT INTO {table} ({table}) VALUES ('optimize')"))
        connection.commit()
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def merge_step(session: Session, table: str, first: bool, pages: int | None = None) -> bool:
    """A small part of what ``optimize`` does to one of SEARCH_TABLES, for a caller that must
    not hold the write lock for long (the window's daily purge): merges up to ``pages``
    (MERGE_PAGES) pages of its segments. The ``first`` step starts a merge of all its segments into one (SQLite's
    'merge' with a negative count); the next ones carry that merge on, whatever segments
    are added meanwhile. Returns whether there is more to do: once a step changes less
    than two rows, every segment that existed at the first step is merged and the words
    deleted before it are gone from the table (the caller commits). The caller calls
    ``checkpoint`` afterwards. Nothing to do on a server (no search tables)."""
    if not keeps_search_tables(session):
        return False
    pages = pages or MERGE_PAGES
    raw = session.connection().connection.dbapi_connection
    before = raw.total_changes
    session.connection().execute(
        text(f"INSERT INTO {table} ({table}, rank) VALUES ('merge', :pages)"),
        {"pages": -pages if first else pages})
    return raw.total_changes - before >= 2


def checkpoint(session: Session) -> bool:
    """Fold the write-ahead log into the file and empty it, with the old pages it holds
    (those of the deleted words among them); False when another connection's read kept it
    from finishing (try again later). Run as a job of its own, before it writes anything."""
    if not keeps_search_tables(session):
        return True
    busy, _, _ = session.connection().execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).one()
    return not busy
