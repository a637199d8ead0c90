"""Backups: checked copies named by date and time, the newest kept, and a restore that never
overwrites the database it replaces."""

import os
import sqlite3
import stat
import subprocess
import sys
import threading
from datetime import timedelta

import pytest

from callhelper.store.backup import (BackupError, back_up, back_up_if_due, check_backup,
                                     is_due, list_backups, make_backup, restore)
from callhelper.store.engine import Store
from callhelper.store.integrity import check_file
from damage import DEMO_NOW, case_count, damage, database_with_cases

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


@pytest.fixture
def database(tmp_path):
    return database_with_cases(tmp_path / "data" / "callhelper.db")


@pytest.fixture
def backups(tmp_path):
    return tmp_path / "data" / "backups"


def backup_now(database, folder, moment, keep=7):
    return back_up(database, folder, keep, moment)


def test_a_backup_is_a_sound_single_file_named_by_date_and_time(database, backups):
    made = backup_now(database, backups, DEMO_NOW)
    local = DEMO_NOW.astimezone()
    assert made.path == backups / f"callhelper-{local:%Y%m%d-%H%M%S}.db"
    assert made.made_at == local
    assert sorted(p.name for p in backups.iterdir()) == [made.path.name, "callhelper.anchors"]
    assert check_file(made.path, thorough=True) is None
    assert case_count(made.path) == case_count(database) == 30
    with sqlite3.connect(made.path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    connection.close()


def test_a_backup_holds_what_was_committed_a_moment_before(database, backups):
    store = Store(f"sqlite:///{database}")
    try:
        with store.unit_of_work() as session:
            session.connection().exec_driver_sql(
                "UPDATE support_case SET subject = '直前の変更' WHERE id = 1")
        made = back_up(database, backups, 7, DEMO_NOW)  # while the app has it open
    finally:
        store.close()
    with sqlite3.connect(made.path) as connection:
        assert connection.execute("SELECT subject FROM support_case WHERE id = 1").fetchone() \
            == ("直前の変更",)
    connection.close()


@posix_only
def test_backups_are_private_to_their_user(database, backups):
    made = backup_now(database, backups, DEMO_NOW)
    assert stat.S_IMODE(backups.stat().st_mode) == 0o700
    assert stat.S_IMODE(made.path.stat().st_mode) == 0o600


def test_only_the_newest_backups_are_kept(database, backups):
    made = [backup_now(database, backups, DEMO_NOW + timedelta(days=day), keep=3)
            for day in range(5)]
    assert [backup.path for backup in list_backups(backups, database)] == \
        [backup.path for backup in reversed(made[2:])]
    assert [backup.made_at for backup in list_backups(backups, database)] == \
        [backup.made_at for backup in reversed(made[2:])]


def test_two_backups_in_the_same_second_both_stay(database, backups):
    first = backup_now(database, backups, DEMO_NOW)
    second = backup_now(database, backups, DEMO_NOW)
    assert first.path != second.path and first.path.exists() and second.path.exists()
    assert list_backups(backups, database)[0].path == second.path


def test_a_copy_that_fails_its_check_is_not_kept_and_the_older_backups_stay(
        database, backups, tmp_path):
    good = backup_now(database, backups, DEMO_NOW, keep=1)
    damage(database)
    source = sqlite3.connect(database)
    try:
        with pytest.raises(BackupError, match="not sound"):
            make_backup(source, database, backups, 1, DEMO_NOW + timedelta(days=1))
    finally:
        source.close()
    assert list_backups(backups, database) == [good]


def test_a_backup_is_due_a_day_after_the_newest(database, backups):
    assert is_due(backups, database, DEMO_NOW)
    backup_now(database, backups, DEMO_NOW)
    assert not is_due(backups, database, DEMO_NOW + timedelta(hours=23))
    assert is_due(backups, database, DEMO_NOW + timedelta(days=1))


def test_the_daily_backup_skips_an_empty_database(tmp_path, backups):
    Store(f"sqlite:///{tmp_path / 'empty.db'}").close()
    assert back_up_if_due(tmp_path / "empty.db", backups, 7, DEMO_NOW) is None
    assert not backups.exists()


def test_a_stopped_backup_leaves_no_file_and_the_older_backups(database, backups):
    older = backup_now(database, backups, DEMO_NOW - timedelta(days=2))
    stop = threading.Event()
    stop.set()
    with pytest.raises(sqlite3.OperationalError, match="interrupt"):
        back_up(database, backups, 7, DEMO_NOW, stop)
    assert list_backups(backups, database) == [older]


def test_a_backup_made_while_the_app_writes_holds_a_consistent_moment(database, backups):
    """The window goes on saving notes while its backup is made: the copy holds every call
    or none of a call's notes half-written, and the writes are not held up."""
    store = Store(f"sqlite:///{database}")
    done, writing = threading.Event(), threading.Event()

    def write_while_backing_up():
        number = 0
        while not done.is_set():
            number += 1
            with store.unit_of_work() as session:
                session.connection().exec_driver_sql(
                    f"UPDATE support_case SET subject = 'during {number}' WHERE id = 1")
                session.connection().exec_driver_sql(
                    f"UPDATE support_case SET subject = 'during {number}' WHERE id = 2")
            writing.set()

    writer = threading.Thread(target=write_while_backing_up)
    writer.start()
    try:
        assert writing.wait(10)
        made = back_up(database, backups, 7, DEMO_NOW)
    finally:
        done.set()
        writer.join()
        store.close()
    with sqlite3.connect(made.path) as connection:
        first, second = connection.execute(
            "SELECT subject FROM support_case WHERE id IN (1, 2) ORDER BY id").fetchall()
    connection.close()
    assert first == second and first[0].startswith("during ")


def crash_after_writing(database, statement):
    """A process that commits ``statement`` and dies without closing: its log stays behind,
    holding the change."""
    subprocess.run([sys.executable, "-c", "import os, sqlite3, sys\n"
                    "connection = sqlite3.connect(sys.argv[1])\n"
                    "connection.execute('PRAGMA journal_mode=WAL')\n"
                    "connection.execute(sys.argv[2])\n"
                    "connection.commit()\n"
                    "os._exit(0)", str(database), statement], check=True)


def test_restore_moves_the_current_database_aside_with_its_log_and_copies_the_backup_in(
        database, backups):
    made = backup_now(database, backups, DEMO_NOW)
    crash_after_writing(database, "UPDATE support_case SET subject = '後の変更'")
    files = {suffix: database.with_name(database.name + suffix).read_bytes()
             for suffix in ("", "-wal", "-shm")}
    moved = restore(made.path, database, DEMO_NOW + timedelta(hours=1))
    assert moved.name.startswith("callhelper.db.before-restore-")
    for suffix, content in files.items():
        assert moved.with_name(moved.name + suffix).read_bytes() == content
        assert suffix == "" or not database.with_name(database.name + suffix).exists()
    assert database.read_bytes() == made.path.read_bytes()
    with sqlite3.connect(moved) as connection:
        assert {row[0] for row in connection.execute("SELECT subject FROM support_case")} == \
            {"後の変更"}
    connection.close()


def test_restore_refuses_what_is_not_a_sound_callhelper_database(database, backups, tmp_path):
    before = database.read_bytes()
    text = tmp_path / "notes.txt"
    text.write_text("これはデータベースではありません", encoding="utf-8")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    newer = backup_now(database, backups, DEMO_NOW).path
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.close()
    broken = backup_now(database, backups, DEMO_NOW + timedelta(days=1)).path
    damage(broken)
    for candidate, reason in ((tmp_path / "missing.db", "no such file"),
                              (text, "not a database"),
                              (other, "not a CallHelper database"),
                              (newer, "newer version"), (broken, "damaged")):
        with pytest.raises(BackupError, match=reason):
            check_backup(candidate)
        with pytest.raises(BackupError):
            restore(candidate, database, DEMO_NOW)
    assert database.read_bytes() == before
    assert sorted(p.name for p in database.parent.iterdir()) == [
        "backups", "callhelper.db", "callhelper.db.anchor"]
