"""Writing the demo data: bulk inserts in batches, ids assigned up front."""

from __future__ import annotations

from collections.abc import Callable
import json
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from sqlalchemy import func, insert, select

from callhelper.core.audit import (Action, Entity, case_state, contact_state, customer_state,
                                   note_state, record_uid)
from callhelper.core.bigrams import bigram_words
from callhelper.core.case import NoteKind
from callhelper.core.demo import DemoReviewer, demo_data
from callhelper.core.flag_review import flag_review_state, note_flags
from callhelper.core.flags import FLAG, Analysis, DemandRules, analyze
from callhelper.core.phones import phone_key
from callhelper.store import grams
from callhelper.store.audit import Chain, last_hash
from callhelper.store.engine import Store
from callhelper.store.models import (Contact, Customer, CustomerPhone, FlagReview, Note,
                                     SupportCase)
from callhelper.store.repository import CUSTOMER_WORDS

BATCH = 2000
#: How long after a statement its agent decides on its flags (before handing it to a senior).
REVIEW_DELAY = timedelta(seconds=10)


def fill_demo(store: Store, cases: int, seed: int, rules: DemandRules, now: datetime,
              progress: Callable[[int, int], None] | None = None) -> None:
    """Add ``cases`` sample cases (with customers, contacts, notes, ticks, the agents'
    decisions on flags) to the database.

    Keys follow the ids (``demo-note-123``), so the unique indexes grow at their end."""
    checked = lru_cache(maxsize=None)(lambda text: analyze(text, rules))
    customers, generated = demo_data(cases, seed, now)
    reviewer = DemoReviewer(seed)
    heard_flags = {category.id for category in rules.categories if category.kind == FLAG}
    with store.engine.begin() as connection:
        ids = {table: (connection.execute(select(func.max(model.id))).scalar() or 0)
               for table, model in (("customer", Customer), ("case", SupportCase),
                                    ("contact", Contact), ("note", Note),
                                    ("flag_review", FlagReview))}
        customer_rows = [
            {"id": ids["customer"] + index + 1, "name": c.name, "company": c.company,
             "phone": c.phone, "phone_key": phone_key(c.phone), "note": c.note,
             "preferred_channel": c.preferred_channel, "unavailable": c.unavailable,
             "created_at": now - timedelta(days=200)}
            for index, c in enumerate(customers)]
        connection.execute(insert(Customer), customer_rows)
        connection.execute(insert(CustomerPhone), [
            {"customer_id": row["id"], "phone": row["phone"], "phone_key": row["phone_key"]}
            for row in customer_rows])
        chain = Chain(last_hash(connection))
        Chain.insert(connection, [chain.row(
            audit_time(_time(row["created_at"])), "", Action.CREATE, Entity.CUSTOMER,
            record_uid(row["id"]), customer_state(
                row["name"], row["company"], row["phone"], row["preferred_channel"],
                row["unavailable"], row["note"], [row["phone"]]))
            for row in customer_rows])
    batch = _Batch()
    done = 0
    for case in generated:
        ids["case"] += 1
        customer = customer_rows[case.customer_index]
        resolved = case.status.value == "resolved"
        flag_count = 0
        for contact in case.contacts:
            ids["contact"] += 1
            contact_id, started = ids["contact"], contact.started_at
            contact_uid = f"demo-contact-{contact_id}"
            batch.contacts.append((
                contact_id, contact_uid, ids["case"], customer["id"], contact.agent,
                customer["phone"], customer["phone_key"], customer["name"], "complaint", 2,
                "closed", _time(started),
                _time(started + timedelta(seconds=contact.talk_seconds)), contact.talk_seconds,
                0.0, 0))
            handlers = [(contact_id, contact.agent, "agent", _time(started))]
            steps = [(contact_id, step, 1, elapsed, elapsed // 3, contact.agent,
                      _time(started + timedelta(milliseconds=elapsed)))
                     for step, elapsed in contact.ticked]
            escalations_before = len(batch.escalations)
            batch.handlers.extend(handlers)
            batch.steps.extend(steps)
            escalated = False
            for note in contact.notes:
                ids["note"] += 1
                analysis = checked(note.text) if note.kind in CUSTOMER_WORDS else \
                    Analysis(note.text)
                flag_count += len(analysis.flag_categories)
                decisions = reviewer.decide(analysis.flag_categories,
                                            note.heard if note.heard in heard_flags else "")
                if not escalated and (decisions or analysis.flag_categories) and any(
                        flag.active for flag in note_flags(analysis.flag_categories, decisions)):
                    # the playbook's rule: a flagged statement (not dismissed) goes to a senior
                    escalated = True
                    moment = started + timedelta(milliseconds=note.offset_ms + 20_000)
                    batch.escalations.append((
                        contact_id, _json(("flags",)), "", contact.agent,
                        note.offset_ms + 20_000, _time(moment)))
                promise_kept = note.kind is NoteKind.PROMISE and resolved
                row = (ids["note"], f"demo-note-{ids['note']}", contact_id, note.kind.value,
                       analysis.text, note.offset_ms, contact.agent,
                       _time(started + timedelta(milliseconds=note.offset_ms)), 0,
                       _json(analysis.flag_categories), _json(analysis.request_categories),
                       _time(note.due_at), _time(note.due_at) if promise_kept else None,
                       contact.agent if promise_kept else "")
                batch.notes.append(row)
                batch.audit.append(chain.row(
                    audit_time(row[7]), contact.agent, Action.CREATE, Entity.NOTE, row[1],
                    note_state(contact_uid, row[3], row[4], row[5], row[6],
                               analysis.flag_categories, analysis.request_categories,
                               row[11], row[12], row[13], row[7], None, row[8])))
                for decision in decisions:
                    ids["flag_review"] += 1
                    decided_at = _time(started + timedelta(milliseconds=note.offset_ms)
                                       + REVIEW_DELAY)
                    review_uid = f"demo-review-{ids['flag_review']}"
                    batch.reviews.append((ids["flag_review"], review_uid, row[1],
                                          decision.category, decision.state.value,
                                          contact.agent, decided_at))
                    batch.audit.append(chain.row(
                        audit_time(decided_at), contact.agent, Action.CREATE, Entity.FLAG,
                        review_uid, flag_review_state(row[1], decision.category,
                                                      decision.state)))
            stored = batch.contacts[-1]
            batch.audit.append(chain.row(
                audit_time(stored[11]), contact.agent, Action.CREATE, Entity.CONTACT,
                contact_uid, contact_state(
                    f"demo-case-{ids['case']}", record_uid(customer["id"]), contact.agent,
                    customer["phone"], customer["name"], "incoming", "complaint", 2,
                    stored[11], stored[12], stored[13], stored[14],
                    [part[1:] for part in handlers],
                    [(json.loads(part[1]), *part[2:])
                     for part in batch.escalations[escalations_before:]],
                    [part[1:] for part in steps])))
        row = (ids["case"], f"demo-case-{ids['case']}", customer["id"], case.subject,
               case.status.value, case.urgency.value, case.impact.value, case.fix,
               case.prevention, flag_count, _time(case.contacts[0].started_at),
               _time(case.contacts[-1].started_at))
        batch.cases.append(row)
        batch.audit.append(chain.row(
            audit_time(row[11]), case.contacts[0].agent, Action.CREATE, Entity.CASE, row[1],
            case_state(*row[3:9], row[10], record_uid(customer["id"]))))
        done += 1
        if len(batch.cases) >= BATCH:
            batch.write(store)
            batch = _Batch()
            if progress:
                progress(done, cases)
    batch.write(store)
    if progress:
        progress(done, cases)


def _time(moment: datetime | None) -> str | None:
    """A time in the form the SQLite columns hold it (as SQLAlchemy writes them)."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(" ", "microseconds")


def audit_time(stored: str) -> str:
    """The trail's form of a time held as ``_time`` writes it (UTC, no zone)."""
    return stored.replace(" ", "T") + "+00:00"


# The generator repeats its sentences: their pairs are worked out once each.
_note_words = lru_cache(maxsize=100_000)(bigram_words)
_case_words = lru_cache(maxsize=100_000)(grams.case_words)


@lru_cache(maxsize=None)
def _json(values: tuple[str, ...]) -> str:
    return json.dumps(list(values))


class _Batch:
    """Rows for one transaction, as tuples in the column order below.

    They go straight through the driver: the demo writes millions of rows, and converting
    each value through the ORM's types would take most of the time.
    """

    COLUMNS = {
        "support_case": "id uid customer_id subject status urgency impact fix prevention "
                        "flag_count created_at updated_at",
        "contact": "id uid case_id customer_id agent phone phone_key caller_name playbook_id "
                   "playbook_version state started_at ended_at talk_seconds hold_seconds on_hold",
        "contact_handler": "contact_id name role joined_at",
        "step_event": "contact_id step_id done offset_ms step_elapsed_ms agent created_at",
        "escalation": "contact_id reasons summary agent offset_ms created_at",
        "note": "id uid contact_id kind text offset_ms agent created_at masked_cards flags "
                "requests due_at done_at done_by",
        "flag_review": "id uid note_uid category state actor at",
    }

    def __init__(self) -> None:
        self.audit: list[tuple] = []
        self.cases: list[tuple] = []
        self.contacts: list[tuple] = []
        self.handlers: list[tuple] = []
        self.steps: list[tuple] = []
        self.escalations: list[tuple] = []
        self.notes: list[tuple] = []
        self.reviews: list[tuple] = []

    def write(self, store: Store) -> None:
        """One transaction: the rows, then their search index in one statement per table
        (the per-row index triggers step aside meanwhile, see migration 0006), and their
        two-character search index (store/grams.py)."""
        rows = {"support_case": self.cases, "contact": self.contacts,
                "contact_handler": self.handlers, "step_event": self.steps, "note": self.notes,
                "escalation": self.escalations, "flag_review": self.reviews}
        with store.engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO fts_suspended (id) VALUES (1)")
            for table, columns in self.COLUMNS.items():
                if rows[table]:
                    names = columns.split()
                    connection.exec_driver_sql(
                        f"INSERT INTO {table} ({', '.join(names)}) "
                        f"VALUES ({', '.join('?' for _ in names)})", rows[table])
            if self.notes:
                connection.exec_driver_sql(
                    "INSERT INTO note_fts (rowid, text) SELECT id, text FROM note "
                    "WHERE id BETWEEN ? AND ?", (self.notes[0][0], self.notes[-1][0]))
            if self.cases:
                connection.exec_driver_sql(
                    "INSERT INTO case_fts (rowid, subject, fix, prevention) "
                    "SELECT id, subject, fix, prevention FROM support_case "
                    "WHERE id BETWEEN ? AND ?", (self.cases[0][0], self.cases[-1][0]))
            grams.index(connection, grams.NOTE_BIGRAMS,
                        [(row[0], _note_words(row[4])) for row in self.notes])
            grams.index(connection, grams.CASE_BIGRAMS,
                        [(row[0], _case_words(row[3], row[7], row[8])) for row in self.cases])
            Chain.insert(connection, self.audit)
            connection.exec_driver_sql("DELETE FROM fts_suspended")
