"""The audit trail follows every field an evidence report prints: a note's capture and edit
times and how many card numbers were masked in it, a case's opening time and customer, and
two entities of their own — each call (``contact``: its case and customer, who took it, the
caller's number and name, when it started and ended, talk and hold time, its handlers,
escalation summaries and step times) and each customer (``customer``: name, company,
numbers, profile).

Every call and customer gets one baseline entry, as it is now; so does every note and case
whose fields still match the last state the trail recorded for it, with its fuller state
(one that no longer matches is left for ``callhelper verify`` to report, not covered up).
From here on the app records the fuller states. Entries written before hold the fields
they held, and are checked on those (core/audit.py).

Written with this file's own copy of the trail's rules, like 0007 and 0014, and anchored
through ``audit_appended``. A downgrade leaves the entries: the trail is append-only.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-12
"""

import hashlib
import json
from datetime import datetime, timezone
from itertools import groupby

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
SEPARATOR = "\x1f"
AUDIT_CHAIN_LOCK = 0x43_48_41_55_44_49_54
ENTRY_FIELDS = ("at", "actor", "action", "entity", "uid", "before", "after", "before_digest",
                "after_digest", "prev_hash", "hash")
BATCH = 5000


def timestamp(moment):
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def canonical(state) -> str:
    return json.dumps(state, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def listed(value) -> list:
    return json.loads(value) if isinstance(value, str) else list(value or [])


def notes(bind):
    for row in bind.execute(sa.text(
            "SELECT n.uid, k.uid, n.kind, n.text, n.offset_ms, n.agent, n.flags, n.requests, "
            "n.due_at, n.done_at, n.done_by, n.created_at, n.edited_at, n.masked_cards "
            "FROM note n JOIN contact k ON k.id = n.contact_id ORDER BY n.id")):
        yield "note", row[0], {
            "contact": row[1], "kind": row[2], "text": row[3], "offset_ms": int(row[4]),
            "agent": row[5], "flags": listed(row[6]), "requests": listed(row[7]),
            "due_at": timestamp(row[8]), "done_at": timestamp(row[9]), "done_by": row[10],
            "created_at": timestamp(row[11]), "edited_at": timestamp(row[12]),
            "masked_cards": int(row[13] or 0)}


def cases(bind):
    for row in bind.execute(sa.text(
            "SELECT uid, subject, status, urgency, impact, fix, prevention, created_at, "
            "customer_id FROM support_case ORDER BY id")):
        yield "case", row[0], {
            "subject": row[1], "status": row[2], "urgency": row[3], "impact": row[4],
            "fix": row[5], "prevention": row[6], "created_at": timestamp(row[7]),
            "customer": "" if row[8] is None else str(row[8])}


def parts(bind, query):
    return {key: [row[1:] for row in group] for key, group in
            groupby(bind.execute(sa.text(query)).all(), key=lambda row: row[0])}


def contacts(bind):
    handlers = parts(bind, "SELECT contact_id, name, role, joined_at FROM contact_handler "
                           "ORDER BY contact_id, id")
    escalations = parts(bind, "SELECT contact_id, reasons, summary, agent, offset_ms, "
                              "created_at FROM escalation ORDER BY contact_id, id")
    steps = parts(bind, "SELECT contact_id, step_id, done, offset_ms, step_elapsed_ms, agent, "
                        "created_at FROM step_event ORDER BY contact_id, id")
    for row in bind.execute(sa.text(
            "SELECT k.id, k.uid, c.uid, k.customer_id, k.agent, k.phone, k.caller_name, "
            "k.direction, k.playbook_id, k.playbook_version, k.started_at, k.ended_at, "
            "k.talk_seconds, k.hold_seconds FROM contact k "
            "JOIN support_case c ON c.id = k.case_id ORDER BY k.id")):
        yield "contact", row[1], {
            "case": row[2], "customer": "" if row[3] is None else str(row[3]),
            "agent": row[4], "phone": row[5], "caller_name": row[6], "direction": row[7],
            "playbook_id": row[8], "playbook_version": int(row[9]),
            "started_at": timestamp(row[10]), "ended_at": timestamp(row[11]),
            "talk_seconds": float(row[12] or 0), "hold_seconds": float(row[13] or 0),
            "handlers": [[name, role, timestamp(joined)]
                         for name, role, joined in handlers.get(row[0], [])],
            "escalations": [[listed(reasons), summary, agent, int(offset), timestamp(made)]
                            for reasons, summary, agent, offset, made
                            in escalations.get(row[0], [])],
            "steps": [[step, bool(done), int(offset), int(elapsed), agent, timestamp(made)]
                      for step, done, offset, elapsed, agent, made in steps.get(row[0], [])]}


def customers(bind):
    numbers = parts(bind, "SELECT customer_id, phone FROM customer_phone "
                          "ORDER BY customer_id, id")
    for row in bind.execute(sa.text(
            "SELECT id, name, company, phone, preferred_channel, unavailable, note "
            "FROM customer ORDER BY id")):
        yield "customer", str(row[0]), {
            "name": row[1], "company": row[2], "phone": row[3],
            "preferred_channel": row[4], "unavailable": row[5], "note": row[6],
            "numbers": sorted(phone for (phone,) in numbers.get(row[0], []))}


def still_as_recorded(bind, entity: str):
    """The uids of the notes or cases whose state, on the fields their last entry holds,
    is that entry's (the others were changed outside the app, or have none)."""
    last = dict(bind.execute(sa.text(
        "SELECT a.uid, a.after FROM audit_entry a WHERE a.entity = :entity AND a.id = "
        "(SELECT max(b.id) FROM audit_entry b WHERE b.entity = a.entity AND b.uid = a.uid)"),
        {"entity": entity}).all())
    return last


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_CHAIN_LOCK})
    previous = bind.execute(sa.text(
        "SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1")).scalar() or GENESIS
    moment, rows, written = timestamp(datetime.now(timezone.utc)), [], False
    insert = sa.text(f"INSERT INTO audit_entry ({', '.join(ENTRY_FIELDS)}) "
                     f"VALUES ({', '.join(f':{name}' for name in ENTRY_FIELDS)})")
    recorded = {"note": still_as_recorded(bind, "note"),
                "case": still_as_recorded(bind, "case")}

    def followed():
        for source in (cases, notes):
            for entity, uid, state in source(bind):
                last = recorded[entity].get(uid)
                if not last:
                    continue  # never recorded, or deleted: verify reports it
                fields = json.loads(last)
                if canonical({name: state.get(name) for name in fields}) == last:
                    yield entity, uid, state
        yield from contacts(bind)
        yield from customers(bind)

    for entity, uid, state in followed():
        after = canonical(state)
        after_digest = hashlib.sha256(after.encode("utf-8")).hexdigest()
        link = hashlib.sha256(SEPARATOR.join(
            (previous, moment, "", "baseline", entity, uid, "", after_digest)
        ).encode("utf-8")).hexdigest()
        rows.append({"at": moment, "actor": "", "action": "baseline", "entity": entity,
                     "uid": uid, "before": "", "after": after, "before_digest": "",
                     "after_digest": after_digest, "prev_hash": previous, "hash": link})
        previous = link
        if len(rows) >= BATCH:
            bind.execute(insert, rows)
            rows, written = [], True
    if rows:
        bind.execute(insert, rows)
        written = True
    appended = op.get_context().config.attributes.get("audit_appended")
    if written and appended is not None:
        appended(bind, previous)


def downgrade() -> None:
    pass
