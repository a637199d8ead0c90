"""Two-character search: SQLite keeps contentless FTS5 tables of the overlapping
character pairs of each note's text ("返金します" is written as "返金 金し しま ます") and of
each case's subject, fix and prevention, which answer queries of two characters as the
trigram tables answer longer ones. The app's writers of notes and cases keep them in step
(store/grams.py); this migration fills them from the rows already stored, with its own copy
of how a text is written as pairs (core/bigrams.py when it was released).

PostgreSQL: nothing to do, its pg_trgm indexes (0003) already serve such patterns.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

NOTE_BIGRAMS = "note_bigram"
CASE_BIGRAMS = "case_bigram"
#: The ascii tokenizer splits at ASCII punctuation and white space only, and folds the case
#: of ASCII letters only (as LIKE does); ``bigram_words`` shifts the punctuation out of its way.
CREATE = ("CREATE VIRTUAL TABLE {table} USING fts5(grams, content='', detail=none, "
          "columnsize=0, tokenize='ascii')")
FILL_BATCH = 20_000
#: ASCII characters other than letters and digits, each to a private-use character (the
#: ascii tokenizer would split words at them).
_KEEP_WHOLE = {code: 0xF000 + code for code in range(128) if not chr(code).isalnum()}


def bigram_words(text: str) -> str:
    """The distinct overlapping character pairs of ``text``, space-separated, in the order
    they first appear; pairs that hold white space are left out."""
    seen: dict[str, None] = {}
    for word in text.split():
        if len(word) > 1:
            word = word.translate(_KEEP_WHOLE)
            seen.update(dict.fromkeys(map(str.__add__, word, word[1:])))
    return " ".join(seen)


def fill(connection, table: str, query: str, words_of) -> None:
    """Index every row that ``query`` pages through, a batch at a time."""
    after = 0
    while rows := connection.exec_driver_sql(query, (after, FILL_BATCH)).fetchall():
        indexed = [(row[0], words) for row in rows if (words := words_of(row))]
        if indexed:
            connection.exec_driver_sql(f"INSERT INTO {table} (rowid, grams) VALUES (?, ?)",
                                       indexed)
        after = rows[-1][0]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for table in (NOTE_BIGRAMS, CASE_BIGRAMS):
        bind.exec_driver_sql(CREATE.format(table=table))
    fill(bind, NOTE_BIGRAMS, "SELECT id, text FROM note WHERE id > ? ORDER BY id LIMIT ?",
         lambda row: bigram_words(row[1]))
    fill(bind, CASE_BIGRAMS, "SELECT id, subject, fix, prevention FROM support_case "
                             "WHERE id > ? ORDER BY id LIMIT ?",
         lambda row: bigram_words("\n".join(row[1:4])))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in (NOTE_BIGRAMS, CASE_BIGRAMS):
        op.execute(f"DROP TABLE IF EXISTS {table}")
