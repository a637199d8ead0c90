"""The audit trail: an append-only, hash-chained table of every create, edit and deletion
of notes and cases, started with one baseline entry per record already in the file; and the
time a note was last edited.

The baseline is written with this file's own copy of the trail's rules (core/audit.py and
store/audit.py when it was released): a migration keeps writing what it wrote, whatever the
app's code becomes. The app's commit anchors the trail beside a SQLite file when the app
hands over ``audit_appended`` (store/anchor.py) in the Alembic configuration's attributes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

import hashlib
import json
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Entries are never changed or removed; the one exception is removing the words of a record
# deleted for good (their digests stay, and the chain covers only those).
KEPT = ("id", "at", "actor", "action", "entity", "uid", "before_digest", "after_digest",
        "prev_hash", "hash")
REFUSED = "the audit trail is append-only"


def refused_update(differs: str) -> str:
    """When an update of an entry is refused; ``differs`` is the database's null-safe
    "is not equal" (SQLite: IS NOT, PostgreSQL: IS DISTINCT FROM)."""
    return (" OR ".join(f"NEW.{column} {differs} OLD.{column}" for column in KEPT)
            + f" OR (NEW.before {differs} OLD.before AND NEW.before != '')"
            + f" OR (NEW.after {differs} OLD.after AND NEW.after != '')")


APPEND_ONLY = {
    "audit_entry_no_update": "BEFORE UPDATE ON audit_entry WHEN " + refused_update("IS NOT"),
    "audit_entry_no_delete": "BEFORE DELETE ON audit_entry",
}

#: PostgreSQL: the same rule, with a trigger function that refuses; TRUNCATE, which SQLite
#: does not have, is refused too. The error is an integrity violation, as SQLite's ABORT is.
PG_REFUSE = "audit_entry_append_only"
PG_APPEND_ONLY = {
    "audit_entry_no_update": "BEFORE UPDATE ON audit_entry FOR EACH ROW WHEN ("
                             + refused_update("IS DISTINCT FROM") + ")",
    "audit_entry_no_delete": "BEFORE DELETE ON audit_entry FOR EACH ROW",
    "audit_entry_no_truncate": "BEFORE TRUNCATE ON audit_entry FOR EACH STATEMENT",
}


GENESIS = "0" * 64
SEPARATOR = "\x1f"
#: PostgreSQL's advisory lock that writers of the trail hold while they extend the chain.
AUDIT_CHAIN_LOCK = 0x43_48_41_55_44_49_54
ENTRY_FIELDS = ("at", "actor", "action", "entity", "uid", "before", "after", "before_digest",
                "after_digest", "prev_hash", "hash")
BATCH = 5000


def canonical(state: dict) -> str:
    return json.dumps(state, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def timestamp(moment: datetime | str | None) -> str | None:
    """UTC, ISO 8601, microseconds; a time stored without a zone is UTC."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _list(value) -> list:
    return json.loads(value) if isinstance(value, str) else list(value or [])


def records(bind):
    """Every case, then every note (as the entity names sort), each by uid in code point
    order: (entity, uid, state as the trail records it)."""
    order = (lambda column: f'{column} COLLATE "C"') if bind.dialect.name == "postgresql" \
        else (lambda column: column)
    stream = {"stream_results": True}
    cases = bind.exec_driver_sql("SELECT uid, subject, status, urgency, impact, fix, "
                                 f"prevention FROM support_case ORDER BY {order('uid')}",
                                 execution_options=stream)
    for uid, subject, status, urgency, impact, fix, prevention in cases:
        yield "case", uid, {"subject": subject, "status": status, "urgency": urgency,
                            "impact": impact, "fix": fix, "prevention": prevention}
    notes = bind.exec_driver_sql(
        "SELECT n.uid, k.uid, n.kind, n.text, n.offset_ms, n.agent, n.flags, n.requests, "
        "n.due_at, n.done_at, n.done_by FROM note n JOIN contact k ON k.id = n.contact_id "
        f"ORDER BY {order('n.uid')}", execution_options=stream)
    for uid, contact, kind, text, offset_ms, agent, flags, requests, due, done, by in notes:
        yield "note", uid, {"contact": contact, "kind": kind, "text": text,
                            "offset_ms": int(offset_ms), "agent": agent,
                            "flags": _list(flags), "requests": _list(requests),
                            "due_at": timestamp(due), "done_at": timestamp(done),
                            "done_by": by}


def baseline(bind, at: datetime) -> None:
    """One baseline entry per case and note as they are now, chained after the trail's end
    (nothing yet, unless a downgrade left entries)."""
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_CHAIN_LOCK})
    previous = bind.exec_driver_sql(
        "SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1").scalar() or GENESIS
    moment, rows, written = timestamp(at), [], False
    insert = sa.text(f"INSERT INTO audit_entry ({', '.join(ENTRY_FIELDS)}) "
                     f"VALUES ({', '.join(f':{name}' for name in ENTRY_FIELDS)})")
    for entity, uid, state in records(bind):
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


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.String, nullable=False),
        sa.Column("actor", sa.String, nullable=False),
        sa.Column("action", sa.String, nullable=False),
        sa.Column("entity", sa.String, nullable=False),
        sa.Column("uid", sa.String, nullable=False),
        sa.Column("before", sa.String, nullable=False, server_default=""),
        sa.Column("after", sa.String, nullable=False, server_default=""),
        sa.Column("before_digest", sa.String, nullable=False, server_default=""),
        sa.Column("after_digest", sa.String, nullable=False, server_default=""),
        sa.Column("prev_hash", sa.String, nullable=False, unique=True),
        sa.Column("hash", sa.String, nullable=False, unique=True),
    )
    op.create_index("ix_audit_entry_entity_uid", "audit_entry", ["entity", "uid", "id"])
    with op.batch_alter_table("note") as note:
        note.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name, when in APPEND_ONLY.items():
            op.execute(f"CREATE TRIGGER {name} {when} BEGIN "
                       f"SELECT RAISE(ABORT, '{REFUSED}'); END")
    elif bind.dialect.name == "postgresql":
        op.execute(f"CREATE FUNCTION {PG_REFUSE}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN RAISE EXCEPTION '{REFUSED}' "
                   "USING ERRCODE = 'integrity_constraint_violation'; END $$")
        for name, when in PG_APPEND_ONLY.items():
            op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION {PG_REFUSE}()")
    baseline(bind, datetime.now(timezone.utc))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif bind.dialect.name == "postgresql":
        for name in PG_APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON audit_entry")
        op.execute(f"DROP FUNCTION IF EXISTS {PG_REFUSE}()")
    with op.batch_alter_table("note") as note:
        note.drop_column("edited_at")
    op.drop_index("ix_audit_entry_entity_uid", "audit_entry")
    op.drop_table("audit_entry")
