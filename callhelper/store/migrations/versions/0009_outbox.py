"""Operations applied once, and the outbox of team mode (store/operations.py, store/sync.py):
``received_operation`` holds the uid of every operation a database has applied, so one that
arrives again is skipped; ``outbox`` holds, on an agent's file, the operations not yet
delivered to the team's server, oldest first. Both tables exist on both databases.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "received_operation",
        sa.Column("uid", sa.String, primary_key=True),
        sa.Column("received_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_received_operation_received_at", "received_operation",
                    ["received_at"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uid", sa.String, nullable=False, unique=True),
        sa.Column("operation", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("refused_at", sa.DateTime, nullable=True),
        sa.Column("problem", sa.Text, nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("received_operation")
