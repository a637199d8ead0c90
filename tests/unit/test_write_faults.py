"""Why a write failed, told apart from the database's own errors; and the journal of unsaved
writes, which goes elsewhere when the data folder cannot take it."""

import errno
import json
import os
import sqlite3
import stat

import pytest
from sqlalchemy import exc, text

from callhelper.store import journal
from callhelper.store.engine import Store, WriteFault, is_transient, write_fault


@pytest.fixture
def store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'callhelper.db'}")
    yield store
    store.close()


def failure(store, *pragmas, statement="INSERT INTO fts_suspended (id) VALUES (1)"):
    with pytest.raises(exc.OperationalError) as caught:
        with store.engine.connect() as connection:
            for pragma in pragmas:
                connection.execute(text(pragma))
            connection.execute(text(statement))
            connection.commit()
    assert is_transient(caught.value)
    return caught.value


def test_a_lock_held_by_another_program(store, tmp_path):
    other = sqlite3.connect(tmp_path / "callhelper.db", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        assert write_fault(failure(store, "PRAGMA busy_timeout = 0")) is WriteFault.LOCKED
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_full_disk(store):
    """SQLite's own size limit fails a write the way a full disk does (SQLITE_FULL)."""
    error = failure(store, "PRAGMA max_page_count = 1",  # no more pages than it has
                    statement="INSERT INTO customer (name, created_at) "
                              "VALUES (hex(randomblob(1000000)), '2026-11-23')")
    assert "full" in str(error)
    assert write_fault(error) is WriteFault.FULL


def test_a_read_only_database(store):
    assert write_fault(failure(store, "PRAGMA query_only = ON")) is WriteFault.READ_ONLY


@pytest.mark.parametrize("number, fault", [
    (errno.ENOSPC, WriteFault.FULL), (errno.EROFS, WriteFault.READ_ONLY),
    (errno.EACCES, WriteFault.READ_ONLY), (errno.EIO, WriteFault.OTHER)])
def test_system_errors(number, fault):
    assert write_fault(OSError(number, os.strerror(number))) is fault


RECORD = {"op": "add_note", "text": "閉じる直前の言葉"}


def test_the_journal_is_its_users_alone(tmp_path):
    path = tmp_path / "data" / journal.JOURNAL_FILE
    journal.append(path, [RECORD])
    assert journal.load(path) == [RECORD]
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_journal_that_cannot_be_written_gives_way_to_the_spare_one(tmp_path):
    blocked = tmp_path / "data"
    blocked.write_text("a file where the data folder should be")
    spare = tmp_path / "config" / journal.JOURNAL_FILE
    used = journal.keep([blocked / journal.JOURNAL_FILE, spare], [RECORD])
    assert used == spare
    assert [json.loads(line) for line in spare.read_text(encoding="utf-8").splitlines()] \
        == [RECORD]


def test_when_no_journal_can_be_written_the_error_is_raised(tmp_path):
    blocked = tmp_path / "data"
    blocked.write_text("")
    with pytest.raises(OSError):
        journal.keep([blocked / journal.JOURNAL_FILE, blocked / "spare.jsonl"], [RECORD])
