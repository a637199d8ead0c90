"""Let a bulk writer index many rows at once: the search-index triggers on insert step aside
while the table ``fts_suspended`` has a row. The bulk writer adds that row, inserts, indexes
the new rows in one statement and removes the row again, all in one transaction, so a crash
leaves nothing unindexed. (Indexing row by row costs several times as much.)

SQLite only: PostgreSQL's trigram indexes (0003) are kept by the server as rows are written,
with no trigger to step aside.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INSERT_TRIGGERS = {
    "note_fts_insert": """
        CREATE TRIGGER note_fts_insert AFTER INSERT ON note {when}BEGIN
            INSERT INTO note_fts (rowid, text) VALUES (new.id, new.text);
        END""",
    "case_fts_insert": """
        CREATE TRIGGER case_fts_insert AFTER INSERT ON support_case {when}BEGIN
            INSERT INTO case_fts (rowid, subject, fix, prevention)
            VALUES (new.id, new.subject, new.fix, new.prevention);
        END""",
}
UNLESS_SUSPENDED = "WHEN NOT EXISTS (SELECT 1 FROM fts_suspended) "


def _recreate_triggers(when: str) -> None:
    for name, statement in INSERT_TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(statement.format(when=when))


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE TABLE fts_suspended (id INTEGER PRIMARY KEY)")
    _recreate_triggers(UNLESS_SUSPENDED)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _recreate_triggers("")
    op.execute("DROP TABLE fts_suspended")
