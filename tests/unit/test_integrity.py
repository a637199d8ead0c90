"""The check at start-up: a damaged database is found, moved aside unchanged with its
companions, and the window's opener offers the latest sound backup."""

import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import text

from callhelper.store.backup import make_backup
from callhelper.store.integrity import check_file, damaged_files, set_aside_if_damaged
from callhelper.store.startup import ChoiceNeeded, StartupOpener
from damage import DEMO_NOW, case_count, damage, database_with_cases


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
    assert len(list(backups.iterdir())) == 1
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
