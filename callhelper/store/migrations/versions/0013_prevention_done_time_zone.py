"""PostgreSQL: a case's ``prevention_done_at`` becomes a time with its zone, as every other
time of the records is (0011 made it a time without one). The times stored are UTC (the
app's sessions run in UTC), so they keep their moment.

SQLite: nothing to do, its columns keep any time as written.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("support_case", "prevention_done_at", existing_nullable=True,
                        type_=sa.DateTime(timezone=True),
                        postgresql_using="prevention_done_at AT TIME ZONE 'UTC'")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("support_case", "prevention_done_at", existing_nullable=True,
                        type_=sa.DateTime(timezone=False),
                        postgresql_using="prevention_done_at AT TIME ZONE 'UTC'")
