"""Writing the demo data: bulk inserts in batches, ids assigned up front."""

from __future__ import annotations

from collections.abc import Callable
import json
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from sqlalchemy import func, insert, select

from callhelper.core.case import NoteKind
from callhelper.core.demo import demo_data
from callhelper.core.flags import Analysis, DemandRules, analyze
from callhelper.core.phones import phone_key
from callhelper.store.engine import Store
from callhelper.store.models import (Contact, ContactHandler, Customer, CustomerPhone, Note,
                                     StepEvent, SupportCase)
from callhelper.store.repository import CUSTOMER_WORDS

BATCH = 2000


def fill_demo(store: Store, cases: int, seed: int, rules: DemandRules, now: datetime,
              progress: Callable[[int, int], None] | None = None) -> None:
    """Add ``cases`` sample cases (with customers, contacts, notes, ticks) to the database."""
    checked = lru_cache(maxsize=None)(lambda text: analyze(text, rules))
    customers, generated = demo_data(cases, seed, now)
    with store.engine.begin() as connection:
        ids = {table: (connection.execute(select(func.max(model.id))).scalar() or 0)
               for table, model in (("customer", Customer), ("case", SupportCase),
                                    ("contact", Contact), ("note", Note))}
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
    batch: dict[str, list[dict]] = _empty_batch()
    done = 0
    for case in generated:
        ids["case"] += 1
        customer = customer_rows[case.customer_index]
        flag_count = 0
        for contact in case.contacts:
            ids["contact"] += 1
            batch["contact"].append({
                "id": ids["contact"], "uid": contact.uid, "case_id": ids["case"],
                "customer_id": customer["id"], "agent": contact.agent, "phone": customer["phone"],
                "phone_key": customer["phone_key"], "caller_name": customer["name"],
                "playbook_id": "complaint", "playbook_version": 2, "state": "closed",
                "started_at": contact.started_at,
                "ended_at": contact.started_at + timedelta(seconds=contact.talk_seconds),
                "talk_seconds": contact.talk_seconds, "hold_seconds": 0.0, "on_hold": False})
            batch["handler"].append({"contact_id": ids["contact"], "name": contact.agent,
                                     "role": "agent", "joined_at": contact.started_at})
            for step, elapsed in contact.ticked:
                batch["step"].append({"contact_id": ids["contact"], "step_id": step, "done": True,
                                      "offset_ms": elapsed, "step_elapsed_ms": elapsed // 3,
                                      "agent": contact.agent,
                                      "created_at": contact.started_at
                                      + timedelta(milliseconds=elapsed)})
            for note in contact.notes:
                ids["note"] += 1
                analysis = checked(note.text) if note.kind in CUSTOMER_WORDS else \
                    Analysis(note.text)
                flag_count += len(analysis.flag_categories)
                at = contact.started_at + timedelta(milliseconds=note.offset_ms)
                batch["note"].append({
                    "id": ids["note"], "uid": f"{contact.uid}-{ids['note']}",
                    "contact_id": ids["contact"], "kind": note.kind.value, "text": analysis.text,
                    "offset_ms": note.offset_ms, "agent": contact.agent, "created_at": at,
                    "masked_cards": 0, "flags": list(analysis.flag_categories),
                    "requests": list(analysis.request_categories), "due_at": note.due_at,
                    "done_at": (note.due_at if note.kind is NoteKind.PROMISE and
                                case.status.value == "resolved" else None),
                    "done_by": contact.agent if case.status.value == "resolved" else ""})
        first = case.contacts[0].started_at
        batch["case"].append({
            "id": ids["case"], "uid": case.uid, "customer_id": customer["id"],
            "subject": case.subject, "status": case.status.value, "urgency": case.urgency.value,
            "impact": case.impact.value, "fix": case.fix, "prevention": case.prevention,
            "flag_count": flag_count, "created_at": first,
            "updated_at": case.contacts[-1].started_at})
        done += 1
        if len(batch["case"]) >= BATCH:
            _write(store, batch)
            batch = _empty_batch()
            if progress:
                progress(done, cases)
    _write(store, batch)
    if progress:
        progress(done, cases)


def _empty_batch() -> dict[str, list[dict]]:
    return {"case": [], "contact": [], "handler": [], "step": [], "note": []}


def _stored(value: object) -> object:
    """A value in the form the SQLite columns hold it (as SQLAlchemy writes them)."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, list):
        return json.dumps(value)
    return value


def _write(store: Store, batch: dict[str, list[dict]]) -> None:
    """Insert a batch straight through the driver: the demo writes millions of rows, and
    converting each value through the ORM's types would take most of the time."""
    with store.engine.begin() as connection:
        for key, model in (("case", SupportCase), ("contact", Contact),
                           ("handler", ContactHandler), ("step", StepEvent), ("note", Note)):
            rows = batch[key]
            if not rows:
                continue
            columns = list(rows[0])
            sql = (f"INSERT INTO {model.__tablename__} ({', '.join(columns)}) "
                   f"VALUES ({', '.join('?' for _ in columns)})")
            connection.exec_driver_sql(sql, [tuple(_stored(row[c]) for c in columns)
                                             for row in rows])
