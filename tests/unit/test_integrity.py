"""The check at start-up: a damaged database is found, moved aside unchanged with its
companions, and the window's opener offers the latest sound backup. What is not a CallHelper
database is refused and left alone, and a database whose log was lost is set aside."""

import os
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import text

from callhelper.store.backup import back_up, make_backup
from callhelper.store.engine import NotCallHelperDatabase, Store, check_database_file
from callhelper.store.integrity import (LOG_WRITES_SUFFIX, check_file, damaged_files,
                                        set_aside_if_damaged)
from callhelper.store.startup import ChoiceNeeded, StartupOpener
from damage import (DEMO_NOW, another_programs_database, case_count, damage,
                    database_with_cases)
from lost_log import lose_log, log_of, lost_notes, write_and_die


@pytest.fixture
def database(tmp_path):
    return database_with_cases(tmp_path / "data" / "callhelper.db")


def test_the_quick_check_tells_a_sound_file_from_a_damaged_one(database, tmp_path):
    assert check_file(database) is None
    damage(database)
    assert check_file(database)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database" * 100)
    assert "not a database" in check_file(garbage)


def test_a_damaged_file_is_moved_aside_unchanged_with_its_companions(database):
    content = damage(database)
    wal = database.with_name(database.name + "-wal")
    wal.write_bytes(b"log pages")
    set_aside = set_aside_if_damaged(database, DEMO_NOW)
    assert set_aside.path.name.startswith("callhelper.db.corrupt-")
    assert set_aside.path.read_bytes() == content
    assert set_aside.path.with_name(set_aside.path.name + "-wal").read_bytes() == b"log pages"
    assert not database.exists() and not wal.exists()
    assert damaged_files(database) == [set_aside.path]


def test_a_second_damaged_file_never_overwrites_the_first(database):
    damage(database)
    first = set_aside_if_damaged(database, DEMO_NOW)
    database_with_cases(database, cases=5)
    second_content = damage(database)
    second = set_aside_if_damaged(database, DEMO_NOW)
    assert first.path != second.path
    assert second.path.read_bytes() == second_content
    assert first.path.exists()


def test_a_sound_file_and_a_missing_one_stay_as_they_are(database, tmp_path):
    before = database.read_bytes()
    assert set_aside_if_damaged(database, DEMO_NOW) is None
    assert database.read_bytes() == before
    assert set_aside_if_damaged(tmp_path / "none.db", DEMO_NOW) is None


def backed_up(database, folder, moment):
    source = sqlite3.connect(database)
    try:
        return make_backup(source, database, folder, 7, moment)
    finally:
        source.close()


def opener_for(database, backups):
    return StartupOpener(f"sqlite:///{database}", backups, lambda: DEMO_NOW)


def cases_in(store):
    with store.unit_of_work() as session:
        return session.connection().execute(text("SELECT count(*) FROM support_case")).scalar()


def test_a_damaged_database_waits_for_the_choice_and_the_latest_sound_backup_is_restored(
        database, tmp_path):
    backups = tmp_path / "data" / "backups"
    good = backed_up(database, backups, DEMO_NOW - timedelta(days=2))
    damage(backed_up(database, backups, DEMO_NOW - timedelta(days=1)).path)
    damage(database)
    opener = opener_for(database, backups)
    with pytest.raises(ChoiceNeeded) as asked:
        opener()
    trouble = asked.value.trouble
    assert trouble.backup.path == good.path
    assert trouble.set_aside.path.exists() and not database.exists()
    opener.choose(trouble.backup)
    store = opener()
    try:
        assert cases_in(store) == 30
    finally:
        store.close()
    assert opener.opened().restored.path == good.path
    assert opener.opened().trouble == trouble


def test_starting_empty_instead_keeps_the_damaged_file_and_the_backups(database, tmp_path):
    backups = tmp_path / "data" / "backups"
    backed_up(database, backups, DEMO_NOW - timedelta(days=1))
    content = damage(database)
    opener = opener_for(database, backups)
    with pytest.raises(ChoiceNeeded) as asked:
        opener()
    opener.choose(None)
    store = opener()
    try:
        assert cases_in(store) == 0
    finally:
        store.close()
    assert asked.value.trouble.set_aside.path.read_bytes() == content
    assert len(list(backups.glob('*.db'))) == 1
    assert opener.opened().restored is None


def test_without_a_backup_a_damaged_database_is_replaced_by_an_empty_one_at_once(database):
    damage(database)
    opener = opener_for(database, database.parent / "backups")
    store = opener()
    try:
        assert cases_in(store) == 0
    finally:
        store.close()
    trouble = opener.opened().trouble
    assert trouble.backup is None and trouble.set_aside.path.exists()


def test_a_missing_database_with_backups_waits_for_the_choice(database, tmp_path):
    backups = tmp_path / "data" / "backups"
    made = backed_up(database, backups, DEMO_NOW)
    database.unlink()
    opener = opener_for(database, backups)
    with pytest.raises(ChoiceNeeded) as asked:
        opener()
    assert asked.value.trouble.set_aside is None
    assert asked.value.trouble.backup.path == made.path
    opener.choose(made)
    opener().close()
    assert case_count(database) == 30


def test_the_first_start_and_a_sound_database_open_without_a_word(database, tmp_path):
    for path in (database, tmp_path / "new" / "callhelper.db"):
        opener = opener_for(path, tmp_path / "backups")
        opener().close()
        assert opener.opened().trouble is None


HOSTS = b"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"



def newer_callhelpers_database(path):
    database_with_cases(path, cases=1)
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.commit()
    connection.close()


def fifo(path):
    os.mkfifo(path)


NOT_OURS = {"a text file": lambda path: path.write_bytes(HOSTS),
            "a short file": lambda path: path.write_bytes(b"SQLite"),
            "a folder": lambda path: path.mkdir(),
            "another program's SQLite database": another_programs_database,
            "a newer CallHelper's database": newer_callhelpers_database}
if hasattr(os, "mkfifo"):
    NOT_OURS["a pipe"] = fifo


def snapshot(folder):
    """Every name in ``folder``, with the bytes of each file."""
    return {path.name: path.read_bytes() if path.is_file() else None
            for path in sorted(folder.iterdir())}


@pytest.mark.parametrize("make", NOT_OURS.values(), ids=NOT_OURS.keys())
def test_what_is_not_a_callhelper_database_is_refused_and_left_as_it_is(database, tmp_path,
                                                                        make):
    """A mistyped path or setting must never cost the file it names: not moved aside as if
    damaged, not written to, not made into a database — even when a backup is there."""
    backups = tmp_path / "data" / "backups"
    backed_up(database, backups, DEMO_NOW - timedelta(days=1))
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    path = folder / "callhelper.db"
    make(path)
    before = snapshot(folder)
    with pytest.raises(NotCallHelperDatabase, match="it was left as it is"):
        check_database_file(path)
    with pytest.raises(NotCallHelperDatabase):
        Store(f"sqlite:///{path}")
    opener = StartupOpener(f"sqlite:///{path}", backups, lambda: DEMO_NOW)
    with pytest.raises(ChoiceNeeded) as refused:
        opener()
    trouble = refused.value.trouble
    assert trouble.refused and str(path) in trouble.refused
    assert trouble.set_aside is None and trouble.backup is None
    assert snapshot(folder) == before


def test_a_path_below_a_file_is_refused(tmp_path):
    (tmp_path / "data").write_bytes(HOSTS)
    with pytest.raises(NotCallHelperDatabase, match="a file exists where a folder"):
        Store(f"sqlite:///{tmp_path / 'data' / 'callhelper.db'}")
    assert (tmp_path / "data").read_bytes() == HOSTS


def test_an_empty_file_and_an_empty_sqlite_database_become_callhelper_databases(tmp_path):
    """Neither holds anything that could be lost: SQLite itself takes both as new."""
    empty = tmp_path / "empty.db"
    empty.touch()
    bare = tmp_path / "bare.db"
    sqlite3.connect(bare).execute("PRAGMA user_version = 1").connection.close()
    for path in (empty, bare):
        check_database_file(path)
        opener = opener_for(path, tmp_path / "backups")
        store = opener()
        try:
            assert cases_in(store) == 0
        finally:
            store.close()
        assert opener.opened().trouble is None


def test_a_damaged_callhelper_database_is_not_taken_for_another_file(database):
    damage(database)
    check_database_file(database)
    garbled = database.read_bytes()
    database.write_bytes(garbled[:100] + b"\xff" * 4000)
    check_database_file(database)


def test_only_a_log_lost_with_writes_in_it_is_reported_and_the_file_is_set_aside(
        database, tmp_path):
    """After a crash the log holds the last writes; deleted, the file would open without
    them and without a word. Writes folded in already, or none at all, are no loss."""
    backups = tmp_path / "data" / "backups"
    good = backed_up(database, backups, DEMO_NOW - timedelta(hours=2))

    def open_quietly():
        opener = opener_for(database, backups)
        opener().close()
        assert opener.opened().trouble is None

    write_and_die(database, 3)  # the log is there: SQLite replays it
    open_quietly()
    assert lost_notes(database) == 3
    assert not database.with_name(database.name + LOG_WRITES_SUFFIX).exists()

    write_and_die(database, 0)  # nothing written since the file was opened
    lose_log(database)
    open_quietly()

    write_and_die(database, 2)  # a backup folds the log in before it goes
    back_up(database, tmp_path / "elsewhere", 7, DEMO_NOW)
    assert not log_of(database).exists()
    open_quietly()
    assert lost_notes(database) == 5

    write_and_die(database, 4)
    without_log = lose_log(database)
    opener = opener_for(database, backups)
    with pytest.raises(ChoiceNeeded) as asked:
        opener()
    trouble = asked.value.trouble
    assert trouble.set_aside.lost_log and trouble.backup.path == good.path
    assert trouble.set_aside.path.read_bytes() == without_log
    assert not database.exists()
    opener.choose(trouble.backup)
    store = opener()
    try:
        assert cases_in(store) == 30
    finally:
        store.close()
