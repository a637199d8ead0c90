"""Personal data on disk: the folders are their user's only (POSIX), exports too, errors
written to the log carry no note text, and the backup and retention settings are declared
with the others."""

import json
import os
import stat
from datetime import datetime, timezone

import pytest
from sqlalchemy.exc import IntegrityError

from callhelper.config import Settings, make_private_folders
from callhelper.core.export import write_csv
from callhelper.store.engine import Store, make_engine
from callhelper.store.files import is_private, private_folder
from callhelper.store.models import Note

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


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
