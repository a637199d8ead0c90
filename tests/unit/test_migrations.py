"""The Alembic migrations: SQLite's schema exactly as released, and the same migrations on a
real PostgreSQL server, up and down."""

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from callhelper.store.engine import (_alembic_config, head_revision, known_revisions,
                                     make_engine, schema_revision, upgrade_schema)

SQLITE_SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sqlite_schema.json"
TABLES = {"alembic_version", "audit_entry", "contact", "contact_handler", "customer",
          "customer_phone", "escalation", "flag_review", "note", "outbox",
          "received_operation", "step_event", "support_case", "raised_hand", "live_call"}
TRIGRAM_INDEXES = {"ix_note_text_trgm", "ix_support_case_subject_trgm",
                   "ix_support_case_fix_trgm", "ix_support_case_prevention_trgm"}
AUDIT_TRIGGERS = {"audit_entry_no_update", "audit_entry_no_delete", "audit_entry_no_truncate"}
#: The live layer's notifications (migration 0016, store/live.py).
LIVE_TRIGGERS = {"raised_hand_notify", "live_call_notify"}


def downgrade_schema(engine, revision):
    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), revision)


def sqlite_schema(path):
    connection = sqlite3.connect(path)
    try:
        return [list(row) for row in connection.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")]
    finally:
        connection.close()


def test_every_revision_makes_the_sqlite_schema_it_always_made(tmp_path):
    """The migrations were made to run on PostgreSQL too; on SQLite, every revision must
    still make exactly the schema it made when it was released (its SQL, as SQLite keeps
    it)."""
    recorded = json.loads(SQLITE_SCHEMA.read_text(encoding="utf-8"))
    assert set(recorded) == known_revisions()
    path = tmp_path / "callhelper.db"
    engine = make_engine(f"sqlite:///{path}")
    for revision in sorted(recorded):
        upgrade_schema(engine, revision)
        assert sqlite_schema(path) == recorded[revision], f"revision {revision}"
    engine.dispose()


def postgres_objects(connection):
    tables = set(inspect(connection).get_table_names())
    indexes = set(connection.execute(text(
        "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")).scalars())
    triggers = set(connection.execute(text(
        "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
    functions = set(connection.execute(text(  # the schema's own, not pg_trgm's
        "SELECT proname FROM pg_proc p WHERE pronamespace = current_schema()::regnamespace "
        "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"
    )).scalars())
    return tables, indexes, triggers, functions


@pytest.mark.postgresql
def test_postgresql_upgrades_to_the_head_down_to_nothing_and_up_again(empty_postgres_url):
    engine = make_engine(empty_postgres_url)
    upgrade_schema(engine)
    assert schema_revision(engine) == head_revision()
    with engine.connect() as connection:
        head = postgres_objects(connection)
    tables, indexes, triggers, functions = head
    assert tables == TABLES
    assert TRIGRAM_INDEXES | {"ix_note_open_promise_due", "ix_audit_entry_entity_uid"} \
        <= indexes
    assert triggers == AUDIT_TRIGGERS | LIVE_TRIGGERS
    assert functions == {"audit_entry_append_only", "callhelper_live_notify"}

    downgrade_schema(engine, "base")
    assert schema_revision(engine) is None
    with engine.connect() as connection:
        tables, indexes, triggers, functions = postgres_objects(connection)
    assert tables == {"alembic_version"}
    assert not triggers and not functions

    upgrade_schema(engine)
    with engine.connect() as connection:
        assert postgres_objects(connection) == head
    engine.dispose()


#: An app opening the database: connected, it says so and waits for the others, then opens
#: the schema as the app does (upgrading it if it must).
OPEN_APP = """
import sys, time
from pathlib import Path
from callhelper.store.engine import make_engine, upgrade_schema
url, ready, go = sys.argv[1:]
engine = make_engine(url)
engine.connect().close()
Path(ready).touch()
while not Path(go).exists():
    time.sleep(0.01)
upgrade_schema(engine)
"""


@pytest.mark.postgresql
def test_apps_opening_a_new_server_database_at_once_upgrade_it_one_after_the_other(
        empty_postgres_url, tmp_path):
    go, ready = tmp_path / "go", [tmp_path / f"ready-{number}" for number in range(4)]
    apps = [subprocess.Popen([sys.executable, "-c", OPEN_APP, empty_postgres_url, str(path),
                              str(go)], stderr=subprocess.PIPE, text=True) for path in ready]
    try:
        deadline = time.monotonic() + 60
        while not all(path.exists() for path in ready) and time.monotonic() < deadline:
            time.sleep(0.01)
        go.touch()
        errors = [app.communicate(timeout=60)[1] for app in apps]
    finally:
        for app in apps:
            if app.poll() is None:
                app.kill()
    assert [app.returncode for app in apps] == [0] * len(apps), errors
    engine = make_engine(empty_postgres_url)
    assert schema_revision(engine) == head_revision()
    engine.dispose()


@pytest.mark.postgresql
def test_postgresql_goes_down_and_up_one_revision_at_a_time(empty_postgres_url):
    engine = make_engine(empty_postgres_url)
    revisions = sorted(known_revisions())
    for revision in revisions:
        upgrade_schema(engine, revision)
        assert schema_revision(engine) == revision
    for below in reversed(["base", *revisions[:-1]]):
        downgrade_schema(engine, below)
        assert schema_revision(engine) == (None if below == "base" else below)
    engine.dispose()


@pytest.mark.postgresql
def test_postgresql_searches_through_its_trigram_indexes(postgres_url):
    """A search of three characters or more can use pg_trgm's indexes (the planner is told
    not to scan, as it would on a table this small)."""
    engine = make_engine(postgres_url)
    with engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))
        assert connection.execute(text("SELECT show_trgm('電源が入らない')")).scalar(), \
            "the server's LC_CTYPE must count Japanese characters as letters"
        for table, column, index in (("note", "text", "ix_note_text_trgm"),
                                     ("support_case", "fix", "ix_support_case_fix_trgm")):
            plan = "\n".join(connection.execute(text(
                f"EXPLAIN SELECT id FROM {table} WHERE {column} ILIKE :q ESCAPE '\\'"),
                {"q": "%電源が入らない%"}).scalars())
            assert index in plan, plan
    engine.dispose()


def test_the_revisions_read_from_the_migration_files_are_those_alembic_finds():
    """Opening a database reads the head from the files' own lines, without Alembic."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(_alembic_config(None))
    assert known_revisions() == {script.revision for script in scripts.walk_revisions()}
    assert head_revision() == scripts.get_current_head()


#: Opens the database as the window does, then says whether Alembic had to be loaded.
OPEN_AND_TELL = """
import sys
from callhelper.store.engine import Store
Store(sys.argv[1]).close()
print("alembic" in sys.modules)
"""


def test_alembic_runs_only_when_the_schema_is_not_at_the_head(tmp_path):
    url = f"sqlite:///{tmp_path / 'callhelper.db'}"
    engine = make_engine(url)
    upgrade_schema(engine, sorted(known_revisions())[-2])
    engine.dispose()

    def open_and_tell():
        return subprocess.run([sys.executable, "-c", OPEN_AND_TELL, url], check=True,
                              capture_output=True, text=True).stdout.strip()

    assert open_and_tell() == "True"   # one revision behind: upgraded
    engine = make_engine(url)
    assert schema_revision(engine) == head_revision()
    engine.dispose()
    assert open_and_tell() == "False"  # at the head: nothing to do
