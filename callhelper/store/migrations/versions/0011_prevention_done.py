"""A case's prevention of recurrence (再発防止) is done on its own: ``prevention_done_at``
and ``prevention_done_by`` say when and by whom it was marked done. It stays open in the
supervisor's review until then, whether or not the case is resolved.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("support_case") as batch:
        batch.add_column(sa.Column("prevention_done_at", sa.DateTime, nullable=True))
        batch.add_column(sa.Column("prevention_done_by", sa.String, nullable=False,
                                   server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("support_case") as batch:
        batch.drop_column("prevention_done_by")
        batch.drop_column("prevention_done_at")
