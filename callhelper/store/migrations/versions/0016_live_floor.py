"""Team mode's live layer: a raised hand (``raised_hand``: who raised it on which call,
why, when it was raised, when it reached this database, who answered what and when, when
it was lowered) and each call in progress as the supervisors' board shows it
(``live_call``: one small row per call, replaced as the call goes on).

On PostgreSQL a trigger on both tables tells every listening board and call window of each
change (``NOTIFY callhelper_live`` with the table, the row's uid and its agent), so nobody
polls the tables. The function and channel are this file's own copies: a migration keeps
making what it made, whatever the app's code becomes.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

CHANNEL = "callhelper_live"
FUNCTION = "callhelper_live_notify"

NOTIFY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    key text;
BEGIN
    IF TG_TABLE_NAME = 'raised_hand' THEN key := NEW.uid; ELSE key := NEW.contact_uid; END IF;
    PERFORM pg_notify('{CHANNEL}', json_build_object(
        'table', TG_TABLE_NAME, 'uid', key, 'agent', NEW.agent)::text);
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "raised_hand",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uid", sa.String, nullable=False, unique=True),
        sa.Column("contact_uid", sa.String, nullable=False),
        sa.Column("agent", sa.String, nullable=False),
        sa.Column("reason", sa.String, nullable=False, server_default=""),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lowered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String, nullable=False, server_default=""),
        sa.Column("answer", sa.String, nullable=False, server_default=""),
    )
    op.create_index("ix_raised_hand_contact_uid", "raised_hand", ["contact_uid"])
    op.create_index("ix_raised_hand_lowered_at", "raised_hand", ["lowered_at"])
    op.create_table(
        "live_call",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contact_uid", sa.String, nullable=False, unique=True),
        sa.Column("agent", sa.String, nullable=False),
        sa.Column("caller", sa.String, nullable=False, server_default=""),
        sa.Column("state", sa.String, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("step", sa.String, nullable=False, server_default=""),
        sa.Column("step_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("limit_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("suspected", sa.Integer, nullable=False, server_default="0"),
        sa.Column("confirmed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("escalations", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_live_call_state", "live_call", ["state"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NOTIFY_FUNCTION)
        for table in ("raised_hand", "live_call"):
            op.execute(f"CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()")


def downgrade() -> None:
    op.drop_table("live_call")
    op.drop_table("raised_hand")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
