"""The agents' decisions on demand flags: ``flag_review`` holds each confirmation,
dismissal and flag added by hand, with who and when. Flags stored before have no decision,
so they are suspected.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flag_review",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uid", sa.String, nullable=False, unique=True),
        sa.Column("note_uid", sa.String, nullable=False),
        sa.Column("category", sa.String, nullable=False),
        sa.Column("state", sa.String, nullable=False),
        sa.Column("actor", sa.String, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_flag_review_note_uid", "flag_review", ["note_uid"])


def downgrade() -> None:
    op.drop_table("flag_review")
