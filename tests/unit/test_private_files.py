"""Personal data on disk: the folders are their user's only (POSIX), exports too, errors
written to the log carry no note text, and the backup and retention settings are declared
with the others."""

import json
import logging
import os
import stat
from datetime import datetime, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from callhelper.cli.common import PrivateRotatingFileHandler
from callhelper.config import Settings, ensure_cti_token, make_private_folders
from callhelper.core.export import write_csv
from callhelper.doctor import PROBLEM, OK, diagnose
from callhelper.store.engine import Store, make_engine
from callhelper.files import is_private, private_folder
from callhelper.store.models import Note

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask():
    """The umask many systems give their users: new files readable by everyone."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@posix_only
def test_the_settings_with_the_cti_token_are_written_private(paths, permissive_umask):
    settings = Settings.for_paths(paths)
    ensure_cti_token(settings)
    settings_file = paths.config_dir / "settings.json"
    assert mode(settings_file) == 0o600 and mode(paths.config_dir) == 0o700
    settings.set("always_on_top", True)
    assert mode(settings_file) == 0o600
    assert [path.name for path in paths.config_dir.iterdir()] == ["settings.json"]


@posix_only
def test_settings_backups_and_their_folders_left_readable_are_tightened_at_start(
        paths, permissive_umask):
    paths.config_dir.mkdir(parents=True, mode=0o755)
    settings_file = paths.config_dir / "settings.json"
    settings_file.write_text('{"cti_token": "abcdefghijklmnop0123"}', encoding="utf-8")
    os.chmod(paths.config_dir, 0o755)
    paths.backup_dir.mkdir(parents=True)
    backup = paths.backup_dir / "callhelper-20261201-090000.db"
    backup.write_bytes(b"an older version's backup")
    make_private_folders(paths)
    assert mode(settings_file) == mode(backup) == 0o600 and mode(paths.config_dir) == 0o700
    assert Settings.for_paths(paths).get("cti_token") == "abcdefghijklmnop0123"


@posix_only
def test_the_database_and_its_companions_are_private(tmp_path, permissive_umask):
    database = tmp_path / "callhelper.db"
    store = Store(f"sqlite:///{database}")
    try:
        with store.unit_of_work() as session:
            session.exec(text("SELECT 1"))
        files = [database, *tmp_path.glob("callhelper.db-*")]
        assert {path.name for path in files} >= {"callhelper.db", "callhelper.db-wal",
                                                 "callhelper.db-shm"}
        assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}
    finally:
        store.close()


@posix_only
def test_a_database_left_readable_is_tightened_when_opened(tmp_path, permissive_umask):
    database = tmp_path / "callhelper.db"
    Store(f"sqlite:///{database}").close()
    os.chmod(database, 0o644)
    store = Store(f"sqlite:///{database}")
    try:
        assert mode(database) == 0o600
    finally:
        store.close()


@posix_only
def test_a_folder_where_the_database_should_be_is_left_as_it_is(tmp_path):
    folder = tmp_path / "callhelper.db"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    engine = make_engine(f"sqlite:///{folder}")
    try:
        with pytest.raises(OperationalError):
            engine.connect()
    finally:
        engine.dispose()
    assert folder.is_dir() and mode(folder) == 0o755


@posix_only
def test_log_files_are_private_also_after_a_rollover(tmp_path, permissive_umask):
    log_file = tmp_path / "callhelper.log"
    log_file.write_text("earlier\n", encoding="utf-8")
    handler = PrivateRotatingFileHandler(log_file, maxBytes=200, backupCount=2,
                                         encoding="utf-8")
    try:
        assert mode(log_file) == 0o600
        for number in range(10):
            handler.emit(logging.makeLogRecord({"msg": f"warning {number} " + "x" * 50}))
    finally:
        handler.close()
    files = sorted(tmp_path.glob("callhelper.log*"))
    assert len(files) == 3
    assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}


def test_the_log_rolls_over_keeping_the_newest_lines(tmp_path):
    log_file = tmp_path / "callhelper.log"
    handler = PrivateRotatingFileHandler(log_file, maxBytes=100, backupCount=2)
    try:
        for number in range(12):
            handler.emit(logging.makeLogRecord({"msg": f"warning {number:02} " + "x" * 30}))
    finally:
        handler.close()
    lines = {path.name: path.read_text(encoding="utf-8").splitlines()
             for path in tmp_path.glob("callhelper.log*")}
    assert sorted(lines) == ["callhelper.log", "callhelper.log.1", "callhelper.log.2"]
    assert all(path.stat().st_size < 100 for path in tmp_path.glob("callhelper.log*"))
    kept = lines["callhelper.log.2"] + lines["callhelper.log.1"] + lines["callhelper.log"]
    numbers = [int(line.split()[1]) for line in kept]
    assert numbers == list(range(12 - len(numbers), 12)), "the newest, in order, none lost"


@posix_only
def test_doctor_names_files_others_may_read(paths, permissive_umask):
    settings = Settings.for_paths(paths)
    settings.set("agent_name", "鈴木")
    make_private_folders(paths)
    Store(paths.database_url).close()
    assert next(check for check in diagnose(paths, settings).checks
                if check.name == "private files").status == OK
    os.chmod(paths.config_dir / "settings.json", 0o644)
    os.chmod(paths.config_dir, 0o755)
    checks = {check.name: check for check in diagnose(paths, settings).checks}
    assert checks["private files"].status == PROBLEM
    assert checks["private files"].data["shared"] == [str(paths.config_dir / "settings.json")]
    assert checks["private folders"].data["shared"] == ["config"]


@posix_only
def test_a_new_folder_is_private_and_an_existing_one_is_tightened(tmp_path):
    assert mode(private_folder(tmp_path / "new" / "data")) == 0o700
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o775)
    assert not is_private(shared)
    private_folder(shared)
    assert mode(shared) == 0o700 and is_private(shared)


@posix_only
def test_the_data_and_backups_folders_are_made_private_at_start(paths):
    paths.backup_dir.mkdir(parents=True)
    os.chmod(paths.data_dir, 0o755)
    os.chmod(paths.backup_dir, 0o755)
    make_private_folders(paths)
    assert mode(paths.data_dir) == mode(paths.backup_dir) == 0o700


@posix_only
def test_the_database_folder_is_created_private(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'agent' / 'callhelper.db'}")
    engine.dispose()
    assert mode(tmp_path / "agent") == 0o700


@posix_only
def test_an_export_is_readable_by_its_user_only(tmp_path):
    out = tmp_path / "notes.csv"
    write_csv(out, ["text"], [["返金しろ"]])
    assert mode(out) == 0o600


def test_backups_are_kept_for_a_week_and_cases_forever_unless_set(paths):
    settings = Settings.for_paths(paths)
    assert settings.get("backup_keep") == 7
    assert settings.get("retention_days") == 0
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    (paths.config_dir / "settings.json").write_text(
        json.dumps({"backup_keep": 0, "retention_days": -5}), encoding="utf-8")
    settings = Settings.for_paths(paths)
    assert settings.get("backup_keep") == 7 and settings.get("retention_days") == 0
    settings.set("retention_days", 365)
    assert Settings.for_paths(paths).get("retention_days") == 0, "the file waits to be saved"
    settings.save()
    assert Settings.for_paths(paths).get("retention_days") == 365


def test_a_failed_write_never_puts_the_words_in_its_message(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'callhelper.db'}")
    try:
        with pytest.raises(IntegrityError) as failed:
            with store.unit_of_work() as session:
                session.add(Note(uid="n1", contact_id=999, kind="quote", text="口外無用の言葉",
                                 offset_ms=0, agent="鈴木",
                                 created_at=datetime.now(timezone.utc)))
    finally:
        store.close()
    assert "FOREIGN KEY" in str(failed.value)
    assert "口外無用" not in str(failed.value)
