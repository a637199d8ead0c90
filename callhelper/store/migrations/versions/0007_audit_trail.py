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
CHANGED = " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in KEPT)
APPEND_ONLY = {
    "audit_entry_no_update": "BEFORE UPDATE ON audit_entry WHEN " + CHANGED
    + " OR (NEW.before IS NOT OLD.before AND NEW.before != '')"
    + " OR (NEW.after IS NOT OLD.after AND NEW.after != '')",
    "audit_entry_no_delete": "BEFORE DELETE ON audit_entry",
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
                       "SELECT RAISE(ABORT, 'the audit trail is append-only'); END")
    baseline(bind, datetime.now(timezone.utc))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table("note") as note:
        note.drop_column("edited_at")
    op.drop_index("ix_audit_entry_entity_uid", "audit_entry")
    op.drop_table("audit_entry")
