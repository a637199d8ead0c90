"""The audit trail's anchor with the real commands on real files: demo and purge keep it at
the trail's end; verify and doctor find notes cut off the end together with their entries,
and a copy that left its write-ahead log behind; a file set aside for a lost log keeps its
anchor; a restore anchors the restored trail; a file without an anchor verifies as before."""

import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from processes import run_cli

from callhelper.store.integrity import damaged_files
from callhelper.store.startup import StartupOpener
from lost_log import log_of, lose_log, write_and_die
from truncation import add_call_to_file, anchor_of, anchored, cut_off_the_end, trail_end

SHORTER = ("the audit trail is shorter than when it was last written: {before} entries "
           r"anchored at \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d, {after} now — entries were removed "
           "or a write-ahead log was lost")
ANCHOR_MET = "none is missing from the end anchored at "


@pytest.fixture
def database(app_dirs):
    made = run_cli("demo", "--cases", "30", "--seed", "5")
    assert made.returncode == 0, made.stderr
    return app_dirs["data"] / "callhelper.db"


def test_demo_and_purge_keep_the_anchor_at_the_end_of_the_trail(database):
    assert anchored(database) == trail_end(database)
    before = trail_end(database)
    purged = run_cli("purge", "--older-than", "30", "--yes")
    assert purged.returncode == 0, purged.stderr
    assert trail_end(database)[2] > before[2]
    assert anchored(database) == trail_end(database)
    verified = run_cli("verify")
    assert verified.returncode == 0, verified.stdout
    assert ANCHOR_MET in verified.stdout


def test_notes_cut_off_the_end_with_their_entries_break_verify_and_doctor(database):
    add_call_to_file(database, "last-call", ["返金してほしい", "上司を出せ", "二度と買わない"])
    entries = trail_end(database)[2]
    cut_off_the_end(database, 2)
    verified = run_cli("verify")
    assert verified.returncode == 3
    assert re.fullmatch(re.escape(f"{database}: BROKEN: ")
                        + SHORTER.format(before=entries, after=entries - 2) + "\n",
                        verified.stdout), verified.stdout
    doctor = run_cli("doctor")
    assert doctor.returncode == 1
    assert re.search(r"PROBLEM +audit trail +" + SHORTER.format(before=entries,
                                                                after=entries - 2),
                     doctor.stdout), doctor.stdout


def test_a_copy_that_left_its_write_ahead_log_behind_is_shorter(database, tmp_path):
    before = trail_end(database)[2]
    write_and_die(database, 3)  # the app saved a call and was killed: it is in the log only
    entries = anchored(database)[2]  # (a connection to the file would fold the log in)
    assert entries == before + 6  # the call's case, customer, the call, its three notes
    copy = tmp_path / "copy" / "callhelper.db"
    copy.parent.mkdir()
    for path in (database, anchor_of(database)):
        shutil.copy(path, copy.parent / path.name)
    verified = run_cli("verify", str(copy))
    assert verified.returncode == 3
    assert re.search(SHORTER.format(before=entries, after=before), verified.stdout), \
        verified.stdout


def test_a_file_set_aside_for_its_lost_log_keeps_its_anchor_and_verifies_once_it_is_back(
        database):
    before = trail_end(database)[2]
    write_and_die(database, 3)
    entries = anchored(database)[2]
    log = log_of(database).read_bytes()
    lose_log(database)
    StartupOpener(f"sqlite:///{database}", database.parent / "backups",
                  lambda: datetime.now(timezone.utc))().close()  # as the window's start does
    [set_aside] = damaged_files(database)
    without_log = run_cli("verify", str(set_aside))
    assert without_log.returncode == 3
    assert re.search(SHORTER.format(before=entries, after=before), without_log.stdout), \
        without_log.stdout
    log_of(set_aside).write_bytes(log)  # the lost log found again, and put back
    with_log = run_cli("verify", str(set_aside))
    assert with_log.returncode == 0, with_log.stdout
    assert ANCHOR_MET in with_log.stdout


def test_a_restore_anchors_the_restored_trail_and_the_replaced_file_keeps_its_anchor(
        database):
    backup = Path(run_cli("backup").stdout.strip())
    add_call_to_file(database, "after-the-backup", ["返金してほしい"])
    replaced = anchored(database)
    restored = run_cli("restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    [moved] = database.parent.glob("callhelper.db.before-restore-*[0-9]")
    assert anchored(database) == trail_end(database) == trail_end(backup)
    assert anchored(moved) == replaced
    for path in (database, moved):
        verified = run_cli("verify", str(path))
        assert verified.returncode == 0, verified.stdout
        assert ANCHOR_MET in verified.stdout


def test_a_file_without_an_anchor_verifies_and_says_none_was_found(database):
    backup = Path(run_cli("backup").stdout.strip())
    assert not anchor_of(backup).exists()
    verified = run_cli("verify", str(backup))
    assert verified.returncode == 0, verified.stdout
    assert verified.stdout.splitlines() == [
        f"{backup}: ok, {trail_end(backup)[2]} audit entries, every note and case matches "
        "them",
        f"{backup}: info: no anchor beside the file ({backup.name}.anchor): entries removed "
        "from the end of the trail could not be looked for"]
