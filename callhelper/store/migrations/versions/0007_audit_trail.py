"""The audit trail: an append-only, hash-chained table of every create, edit and deletion
of notes and cases, started with one baseline entry per record already in the file; and the
time a note was last edited.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from callhelper.store.audit import baseline

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
