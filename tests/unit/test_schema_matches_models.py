"""The tables the code declares (store/models.py, and the team-mode tables of
store/operations.py) are the tables the migrations make: Alembic's autogenerate compares
them with a database migrated to the head, on SQLite and on PostgreSQL. A column, index or
constraint the code expects but no migration made (or the other way round) fails here, not
on an agent's file."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from callhelper.store import models  # noqa: F401  (declares the tables on SQLModel.metadata)
from callhelper.store import operations
from callhelper.store.engine import make_engine, upgrade_schema

#: The search indexes are the migrations' alone, kept by triggers and store/grams.py (and
#: on PostgreSQL by pg_trgm's GIN indexes on the columns): no model reads them as rows.
SEARCH_TABLES = ("note_fts", "case_fts", "note_bigram", "case_bigram")
SEARCH_OBJECTS = {
    # FTS5's own shadow tables of each search table (``note_fts_data`` …)
    *(f"{table}_{shadow}" for table in SEARCH_TABLES
      for shadow in ("data", "idx", "config", "docsize", "content")),
    *SEARCH_TABLES,
    # the row that stops the search triggers while the demo data is indexed in one go
    "fts_suspended",
    # pg_trgm's indexes (migration 0003): an operator class the models do not describe
    "ix_note_text_trgm", "ix_support_case_subject_trgm", "ix_support_case_fix_trgm",
    "ix_support_case_prevention_trgm",
}


def migrations_only(name, type_, _parent_names) -> bool:
    return not (type_ in ("table", "index") and name in SEARCH_OBJECTS)


def is_justified(difference) -> bool:
    """A difference in server defaults that is none:

    - a default the database has and the model does not: the migrations give the text and
      number columns a default for the rows already there when a column is added (and
      0001 gave its own); the app always writes every column, so the models declare none;
    - SQLite's ``DEFAULT ''`` (``outbox.problem``), which Alembic reads back as ``('')``
      and takes for another default than the ``''`` declared."""
    if isinstance(difference, list):
        return all(is_justified(change) for change in difference)
    if difference[0] != "modify_default":
        return False
    in_database, declared = difference[-2:]
    return declared is None or (declared.arg == "" and
                                getattr(in_database.arg, "text", None) in ("''", "('')"))


def differences(url: str) -> list:
    engine = make_engine(url)
    upgrade_schema(engine)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "compare_server_default": True,
                "include_name": migrations_only})
            found = compare_metadata(context, [SQLModel.metadata, operations.metadata])
    finally:
        engine.dispose()
    return [difference for difference in found if not is_justified(difference)]


def test_the_models_match_the_migrated_schema(database_url):
    found = differences(database_url)
    assert not found, "the models and the migrations differ:\n" + "\n".join(map(str, found))
