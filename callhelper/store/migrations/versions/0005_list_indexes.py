"""Indexes for the lists: cases by last activity, and open promises by due time.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_support_case_updated_at", "support_case", ["updated_at"])
    op.create_index("ix_note_open_promise_due", "note", ["due_at"],
                    sqlite_where=sa.text("kind = 'promise' AND done_at IS NULL"),
                    postgresql_where=sa.text("kind = 'promise' AND done_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_note_open_promise_due", "note")
    op.drop_index("ix_support_case_updated_at", "support_case")
