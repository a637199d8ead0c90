"""The two-character search indexes (SQLite only): contentless FTS5 tables of the
overlapping character pairs of each note's text (``note_bigram``, rowid = the note's id)
and of each case's subject, fix and prevention (``case_bigram``, rowid = the case's id).

A contentless table keeps no text, so it cannot tell by itself what to take out when a row
changes: every writer of those columns calls ``notes_changed`` or ``cases_changed`` (both
through ``reindex``) with the old words and the new ones, in the same transaction: adding,
editing and deleting notes and updating cases (repository.py, which the journal's replay and
team mode's operations go through too) and the retention purge; the demo data, whose rows
are new, calls ``index``. A row is in the index exactly when its words have at
least one pair (core/bigrams.py), so removing is always given what was added.

PostgreSQL keeps no such table: its pg_trgm indexes serve two-character patterns, and every
function here does nothing there.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.engine import Connection

from callhelper.core.bigrams import bigram_words
from callhelper.store.compiled import Compiled
from callhelper.store.dialect import keeps_search_tables

NOTE_BIGRAMS = "note_bigram"
CASE_BIGRAMS = "case_bigram"
FILL_BATCH = 20_000


def case_words(subject: str, fix: str, prevention: str) -> str:
    """The pairs of a case's searchable fields (each field's own; none across two)."""
    return bigram_words("\n".join((subject, fix, prevention)))


def fill(connection: Connection) -> None:
    """Index every note and case already stored, a batch of rows at a time."""
    _fill(connection, NOTE_BIGRAMS, "SELECT id, text FROM note WHERE id > ? ORDER BY id LIMIT ?",
          lambda row: bigram_words(row[1]))
    _fill(connection, CASE_BIGRAMS, "SELECT id, subject, fix, prevention FROM support_case "
                                    "WHERE id > ? ORDER BY id LIMIT ?",
          lambda row: case_words(row[1], row[2], row[3]))


def _fill(connection: Connection, table: str, query: str, words_of) -> None:
    after = 0
    while rows := connection.exec_driver_sql(query, (after, FILL_BATCH)).fetchall():
        indexed = [(row[0], words) for row in rows if (words := words_of(row))]
        if indexed:
            connection.exec_driver_sql(f"INSERT INTO {table} (rowid, grams) VALUES (?, ?)",
                                       indexed)
        after = rows[-1][0]


_ADD = {table: Compiled(f"INSERT INTO {table} (rowid, grams) VALUES (:id, :grams)")
        for table in (NOTE_BIGRAMS, CASE_BIGRAMS)}
_REMOVE = {table: Compiled(f"INSERT INTO {table} ({table}, rowid, grams) "
                           "VALUES ('delete', :id, :grams)")
           for table in (NOTE_BIGRAMS, CASE_BIGRAMS)}


def index(connection: Connection, table: str, rows: Iterable[tuple[int, str]]) -> None:
    """Add new rows given as (id, words as core/bigrams.py writes them); empty words are
    skipped (a bulk writer's, whose rows were in no index before)."""
    if keeps_search_tables(connection):
        _ADD[table].run_many(connection, [{"id": row_id, "grams": words}
                                          for row_id, words in rows if words])


def reindex(connection: Connection, table: str, rows: Iterable[tuple[int, str, str]]) -> None:
    """The one way a row's words in the index change: rows given as (id, the words it was
    indexed with, its words now), '' for none; a row whose words are the same is left."""
    changed = [(row_id, old, new) for row_id, old, new in rows if old != new]
    if changed and keeps_search_tables(connection):
        _REMOVE[table].run_many(connection, [{"id": row_id, "grams": old}
                                             for row_id, old, _new in changed if old])
        index(connection, table, [(row_id, new) for row_id, _old, new in changed])


def notes_changed(connection: Connection, notes: Iterable[tuple[int, str, str]]) -> None:
    """Notes given as (id, old text, new text): '' as the old text of a note added, and as
    the new text of a note deleted."""
    reindex(connection, NOTE_BIGRAMS,
            [(note_id, bigram_words(old), bigram_words(new)) for note_id, old, new in notes])


def cases_changed(connection: Connection, cases: Iterable[tuple[int, tuple[str, str, str],
                                                                 tuple[str, str, str]]]) -> None:
    """Cases given as (id, old fields, new fields): their subject, fix and prevention;
    ('', '', '') for none."""
    reindex(connection, CASE_BIGRAMS,
            [(case_id, case_words(*old), case_words(*new)) for case_id, old, new in cases])
