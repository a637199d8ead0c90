"""A customer may call from several numbers: each number of a customer, with its key.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_phone",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("phone", sa.String, nullable=False),
        sa.Column("phone_key", sa.String, nullable=False),
    )
    op.create_index("ix_customer_phone_customer_id", "customer_phone", ["customer_id"])
    op.create_index("ix_customer_phone_phone_key", "customer_phone", ["phone_key"])
    op.execute("INSERT INTO customer_phone (customer_id, phone, phone_key) "
               "SELECT id, phone, phone_key FROM customer WHERE phone_key != ''")


def downgrade() -> None:
    op.drop_table("customer_phone")
