"""backup, restore, doctor and purge as real processes on real files, and what the app does
to its folders and backups when it starts. The data commands on a path that holds no
database, something else, or a database whose log was lost."""

import json
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from processes import run_cli, wait_for

from damage import another_programs_database, case_count, damage
from lost_log import log_of, lose_log, write_and_die


@pytest.fixture
def database(app_dirs):
    made = run_cli("demo", "--cases", "60", "--seed", "5")
    assert made.returncode == 0, made.stderr
    return app_dirs["data"] / "callhelper.db"


def subjects(path):
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT subject FROM support_case ORDER BY id").fetchall()
    connection.close()
    return rows


def test_backup_prints_the_file_and_restore_puts_it_back_keeping_the_replaced_one(database):
    made = run_cli("backup")
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip())
    assert backup.parent == (database.parent / "backups").resolve() and backup.exists()
    assert subjects(backup) == subjects(database)
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE support_case SET subject = '上書きされた件名'")
    connection.close()
    changed = database.read_bytes()

    restored = run_cli("restore", backup.name, "--json")
    assert restored.returncode == 0, restored.stderr
    answer = json.loads(restored.stdout)
    moved = Path(answer["moved_aside"])
    assert moved.name.startswith("callhelper.db.before-restore-")
    assert moved.read_bytes() == changed
    assert subjects(database) == subjects(backup)
    assert run_cli("verify").returncode == 0


def test_restore_refuses_while_the_window_is_open_and_a_file_that_is_no_backup(
        database, app_dirs):
    backup = Path(run_cli("backup").stdout.strip())
    app = subprocess.Popen([sys.executable, "-m", "callhelper"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True,
                           env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    try:
        assert wait_for(lambda: run_cli("call", "status").returncode == 0), "no window"
        refused = run_cli("restore", str(backup))
        assert refused.returncode == 1
        assert "window is open" in refused.stderr
        app.send_signal(signal.SIGTERM)
        assert app.wait(timeout=30) == 0
    finally:
        if app.poll() is None:
            app.kill()
    before = database.read_bytes()
    damaged_copy = app_dirs["data"] / "copy.db"
    damaged_copy.write_bytes(backup.read_bytes())
    damage(damaged_copy)
    for candidate in (str(damaged_copy), str(app_dirs["data"] / "nothing.db")):
        result = run_cli("restore", candidate)
        assert result.returncode == 1
        assert result.stderr.startswith("callhelper restore: ") and "Traceback" not in \
            result.stderr
    assert database.read_bytes() == before
    assert not list(database.parent.glob("callhelper.db.before-restore-*"))


def test_doctor_says_all_is_well_then_names_a_damaged_database(database):
    assert run_cli("backup").returncode == 0
    healthy = run_cli("doctor")
    assert healthy.returncode == 0, healthy.stdout
    assert "All is well." in healthy.stdout
    for words in ("SQLite", "PySide6", "SQLAlchemy", "search (FTS5 trigram)", "quick_check: ok",
                  "audit trail", str(database)):
        assert words in healthy.stdout
    report = json.loads(run_cli("doctor", "--json").stdout)
    assert report["ok"] and report["problems"] == []
    checks = {check["name"]: check for check in report["checks"]}
    assert checks["audit trail"]["data"]["entries"] > 0
    assert checks["schema"]["data"]["revision"] == checks["schema"]["data"]["head"]
    assert checks["last backup"]["status"] == "ok"
    assert checks["sizes"]["data"]["database"] == database.stat().st_size

    damage(database)
    before = database.read_bytes()
    sick = run_cli("doctor")
    assert sick.returncode == 1
    assert "PROBLEM  database integrity" in sick.stdout
    assert "problem(s): database integrity: damaged" in sick.stdout
    assert database.read_bytes() == before
    assert sorted(p.name for p in database.parent.iterdir()) == [
        "backups", "callhelper.db", "callhelper.db.anchor"]


def test_purge_tells_first_then_deletes_and_the_audit_trail_still_verifies(database):
    before = case_count(database)
    told = run_cli("purge", "--older-than", "30")
    assert told.returncode == 0, told.stderr
    assert told.stdout.startswith("would delete ") and "--yes" in told.stdout
    assert case_count(database) == before
    would = int(told.stdout.split()[2])
    assert 0 < would < before

    done = run_cli("purge", "--older-than", "30", "--yes", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["deleted"] and result["cases"] == would
    assert case_count(database) == before - would
    verified = run_cli("verify")
    assert verified.returncode == 0, verified.stdout
    again = run_cli("purge", "--older-than", "30", "--yes")
    assert again.stdout.startswith("deleted 0 cases")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_app_makes_its_folders_private_and_the_days_backup_at_start(database, app_dirs):
    os.chmod(app_dirs["data"], 0o755)
    app = subprocess.Popen([sys.executable, "-m", "callhelper"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True,
                           env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    backups = app_dirs["data"] / "backups"
    try:
        assert wait_for(lambda: backups.exists() and any(backups.glob("callhelper-*.db"))), \
            "no backup was made at start"
        app.send_signal(signal.SIGTERM)
        assert app.wait(timeout=30) == 0
    finally:
        if app.poll() is None:
            app.kill()
    for folder in (app_dirs["data"], app_dirs["logs"], backups):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    [backup] = backups.glob("callhelper-*.db")
    assert subjects(backup) == subjects(database)


DATA_COMMANDS = [["search", "返金"], ["cases", "--number", "03-1234-5678"],
                 ["export", "--out", "notes.csv"], ["verify"], ["purge", "--older-than", "30"],
                 ["evidence", "1", "--out", "case.pdf"], ["backup"]]


def test_data_commands_on_a_mistyped_folder_say_there_is_no_database_and_make_none(
        tmp_path):
    """Searching a typo used to make an empty database there and find nothing in it."""
    typo = tmp_path / "dta"
    for command in DATA_COMMANDS:
        result = run_cli("--data-dir", str(typo), *command)
        assert result.returncode == 1, (command, result.stdout)
        assert result.stderr == \
            f"callhelper {command[0]}: no database at {typo / 'callhelper.db'} (no such file)\n"
    doctor = run_cli("--data-dir", str(typo), "doctor")
    assert re.search(r"INFO +database +not created yet", doctor.stdout)
    assert not typo.exists()



@pytest.mark.parametrize("make", [
    lambda path: path.write_bytes(b"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n"),
    another_programs_database], ids=["a text file", "another program's SQLite database"])
def test_every_command_refuses_a_path_that_holds_no_callhelper_database_and_leaves_it(
        database, tmp_path, make):
    """The window at start, the data commands, demo and restore: none moves, renames or
    writes to what a mistyped path or setting names."""
    backup = Path(run_cli("backup").stdout.strip())
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    other = folder / "hosts"
    make(other)
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    url = ["--database-url", f"sqlite:///{other}"]
    for command in [*DATA_COMMANDS, ["demo", "--cases", "2"], ["restore", str(backup)]]:
        result = run_cli(*url, *command)
        assert result.returncode == 1, (command, result.stdout)
        [line] = result.stderr.splitlines()
        assert line.startswith(f"callhelper {command[0]}: {other} is not a CallHelper database")
        assert line.endswith("it was left as it is")
    doctor = run_cli(*url, "doctor")
    assert doctor.returncode == 1
    assert re.search(rf"PROBLEM +database +{re.escape(str(other))} is not a CallHelper database",
                     doctor.stdout)
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


def test_after_a_lost_log_the_commands_say_so_instead_of_reading_what_is_left(database):
    """verify used to say ok, and search found nothing of what was lost with the log."""
    write_and_die(database, 3)
    without_log = lose_log(database)
    for command in (["verify"], ["search", "消えた言葉"], ["backup"]):
        result = run_cli(*command)
        assert result.returncode == 1, (command, result.stdout)
        assert result.stderr.startswith(f"callhelper {command[0]}: {database}: its "
                                        "write-ahead log (-wal)")
        assert "start CallHelper" in result.stderr
    assert not log_of(database).exists()
    doctor = run_cli("doctor")
    assert doctor.returncode == 1
    assert re.search(r"PROBLEM +database +its write-ahead log \(-wal\)", doctor.stdout)
    assert database.read_bytes() == without_log
