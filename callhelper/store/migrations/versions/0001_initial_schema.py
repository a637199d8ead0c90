"""Initial schema: customer, support case, contact, note, step event.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String, nullable=False, server_default=""),
        sa.Column("company", sa.String, nullable=False, server_default=""),
        sa.Column("phone", sa.String, nullable=False, server_default=""),
        sa.Column("note", sa.String, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_customer_phone", "customer", ["phone"])
    op.create_table(
        "support_case",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uid", sa.String, nullable=False, unique=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customer.id"), nullable=True),
        sa.Column("subject", sa.String, nullable=False, server_default=""),
        sa.Column("status", sa.String, nullable=False, server_default="open"),
        sa.Column("urgency", sa.String, nullable=False, server_default=""),
        sa.Column("impact", sa.String, nullable=False, server_default=""),
        sa.Column("fix", sa.String, nullable=False, server_default=""),
        sa.Column("prevention", sa.String, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_support_case_customer_id", "support_case", ["customer_id"])
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uid", sa.String, nullable=False, unique=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("support_case.id"), nullable=False),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customer.id"), nullable=True),
        sa.Column("agent", sa.String, nullable=False),
        sa.Column("phone", sa.String, nullable=False, server_default=""),
        sa.Column("caller_name", sa.String, nullable=False, server_default=""),
        sa.Column("playbook_id", sa.String, nullable=False),
        sa.Column("playbook_version", sa.Integer, nullable=False),
        sa.Column("state", sa.String, nullable=False, server_default="active"),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("talk_seconds", sa.Float, nullable=False, server_default="0"),
        sa.Column("hold_seconds", sa.Float, nullable=False, server_default="0"),
        sa.Column("on_hold", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_contact_case_id", "contact", ["case_id"])
    op.create_index("ix_contact_customer_id", "contact", ["customer_id"])
    op.create_index("ix_contact_state", "contact", ["state"])
    op.create_table(
        "note",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uid", sa.String, nullable=False, unique=True),
        sa.Column("contact_id", sa.Integer, sa.ForeignKey("contact.id"), nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("text", sa.String, nullable=False),
        sa.Column("offset_ms", sa.Integer, nullable=False),
        sa.Column("agent", sa.String, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("masked_cards", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_note_contact_id", "note", ["contact_id"])
    op.create_table(
        "step_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contact_id", sa.Integer, sa.ForeignKey("contact.id"), nullable=False),
        sa.Column("step_id", sa.String, nullable=False),
        sa.Column("done", sa.Boolean, nullable=False),
        sa.Column("offset_ms", sa.Integer, nullable=False),
        sa.Column("step_elapsed_ms", sa.Integer, nullable=False),
        sa.Column("agent", sa.String, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_step_event_contact_id", "step_event", ["contact_id"])


def downgrade() -> None:
    for table in ("step_event", "note", "contact", "support_case", "customer"):
        op.drop_table(table)
