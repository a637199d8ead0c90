"""Two-character search: SQLite keeps contentless FTS5 tables of the overlapping
character pairs of each note's text ("返金します" is written as "返金 金し しま ます") and of
each case's subject, fix and prevention, which answer queries of two characters as the
trigram tables answer longer ones. The app's writers of notes and cases keep them in step
(store/grams.py); this migration fills them from the rows already stored.

PostgreSQL: nothing to do, its pg_trgm indexes (0003) already serve such patterns.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from alembic import op

from callhelper.store import grams

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    grams.create(bind)
    grams.fill(bind)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in (grams.NOTE_BIGRAMS, grams.CASE_BIGRAMS):
        op.execute(f"DROP TABLE IF EXISTS {table}")
