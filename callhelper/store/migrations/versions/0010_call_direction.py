"""Each call's direction: ``incoming`` (the customer called) or ``outgoing`` (the agent
called, e.g. a callback). Only incoming calls count as the customer calling again. Calls
recorded before are incoming: the app had no outgoing calls then.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contact") as batch:
        batch.add_column(sa.Column("direction", sa.String, nullable=False,
                                   server_default="incoming"))


def downgrade() -> None:
    with op.batch_alter_table("contact") as batch:
        batch.drop_column("direction")
