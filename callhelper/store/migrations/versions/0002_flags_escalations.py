"""Demand flags and requests on notes, flag count and levels on cases, escalations and the
handlers of a contact (backfilled with each contact's agent).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("note") as note:
        note.add_column(sa.Column("flags", sa.JSON, nullable=False, server_default="[]"))
        note.add_column(sa.Column("requests", sa.JSON, nullable=False, server_default="[]"))
    with op.batch_alter_table("support_case") as case:
        case.add_column(sa.Column("flag_count", sa.Integer, nullable=False, server_default="0"))
    op.create_table(
        "contact_handler",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contact_id", sa.Integer, sa.ForeignKey("contact.id"), nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("role", sa.String, nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_contact_handler_contact_id", "contact_handler", ["contact_id"])
    op.create_table(
        "escalation",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contact_id", sa.Integer, sa.ForeignKey("contact.id"), nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("summary", sa.String, nullable=False),
        sa.Column("agent", sa.String, nullable=False),
        sa.Column("offset_ms", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_escalation_contact_id", "escalation", ["contact_id"])
    op.execute("INSERT INTO contact_handler (contact_id, name, role, joined_at) "
               "SELECT id, agent, 'agent', started_at FROM contact")


def downgrade() -> None:
    op.drop_table("escalation")
    op.drop_table("contact_handler")
    with op.batch_alter_table("support_case") as case:
        case.drop_column("flag_count")
    with op.batch_alter_table("note") as note:
        note.drop_column("requests")
        note.drop_column("flags")
