"""A damaged or missing database at start-up, or one whose log was lost: the agent is told
in plain words, the file is kept, and the latest backup is one click away; a path that holds
another kind of file is refused and the file left alone. And the daily upkeep: a backup, and
the retention setting applied."""

import os
import sqlite3
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from callhelper.core.commands import Action, Command
from callhelper.store import audit
from callhelper.store.backup import list_backups, make_backup
from callhelper.store.integrity import CLEAN_CLOSE_SUFFIX, damaged_files
from callhelper.store.review import open_source
from callhelper.ui.start import build_call_window
from damage import DEMO_NOW, case_count, damage, database_with_cases
from keyboard import type_text
from lost_log import log_of, lose_log, write_and_die


@pytest.fixture
def database(paths):
    return database_with_cases(paths.database_file)


def backup_of(database, paths, moment):
    source = sqlite3.connect(database)
    try:
        return make_backup(source, database, paths.backup_dir, 7, moment)
    finally:
        source.close()


def start(qtbot, paths, settings, clock):
    window = build_call_window(paths, settings, clock)
    qtbot.addWidget(window)
    window.show()
    return window


def test_a_damaged_database_is_put_aside_and_the_backup_restored_with_one_click(
        qtbot, paths, settings, clock, database):
    backup = backup_of(database, paths, DEMO_NOW - timedelta(hours=20))
    damaged = damage(database)
    window = start(qtbot, paths, settings, clock)
    qtbot.waitUntil(window.recovery.restore_button.isVisible)
    [set_aside] = damaged_files(database)
    message = window.recovery.message.text()
    assert "damaged" in message and str(set_aside) in message
    assert "Nothing else is lost" in message
    assert f"{backup.made_at:%Y-%m-%d %H:%M}" in window.recovery.restore_button.text()
    assert not window.header.start_button.isEnabled()

    with qtbot.waitSignal(window.ready, timeout=10_000):
        qtbot.mouseClick(window.recovery.restore_button, Qt.MouseButton.LeftButton)
    assert window.recovery.isVisible() and not window.recovery.restore_button.isVisible()
    assert "was restored" in window.recovery.message.text()
    assert str(set_aside) in window.recovery.message.text()
    assert set_aside.read_bytes() == damaged

    window.number_input.setText("03-1234-5678")
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    type_text(window.note_entry, "復元の後の言葉")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == 1)
    window.close()
    assert case_count(database) == 31
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT text FROM note ORDER BY id DESC LIMIT 1").fetchone() \
            == ("復元の後の言葉",)
    connection.close()


def test_without_a_backup_the_window_says_so_and_starts_an_empty_database(
        qtbot, paths, settings, clock, database):
    damaged = damage(database)
    window = build_call_window(paths, settings, clock)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.ready, timeout=10_000):
        window.show()
    [set_aside] = damaged_files(database)
    assert set_aside.read_bytes() == damaged
    assert window.recovery.isVisible()
    assert str(set_aside) in window.recovery.message.text()
    assert "new, empty database" in window.recovery.message.text()
    assert window.header.start_button.isEnabled()
    qtbot.mouseClick(window.recovery.dismiss_button, Qt.MouseButton.LeftButton)
    assert not window.recovery.isVisible()
    assert case_count(database) == 0


def test_a_missing_database_can_also_start_empty_and_the_backups_stay(
        qtbot, paths, settings, clock, database):
    backup = backup_of(database, paths, DEMO_NOW - timedelta(hours=3))
    database.unlink()
    window = start(qtbot, paths, settings, clock)
    qtbot.waitUntil(window.recovery.empty_button.isVisible)
    assert "is missing" in window.recovery.message.text()
    with qtbot.waitSignal(window.ready, timeout=10_000):
        qtbot.mouseClick(window.recovery.empty_button, Qt.MouseButton.LeftButton)
    assert "new, empty database" in window.recovery.message.text()
    assert case_count(database) == 0
    assert backup.path.exists()


def test_calls_announced_while_the_choice_is_open_wait_for_it(
        qtbot, paths, settings, clock, database):
    backup_of(database, paths, DEMO_NOW - timedelta(hours=3))
    damage(database)
    window = start(qtbot, paths, settings, clock)
    qtbot.waitUntil(window.recovery.restore_button.isVisible)
    window.handle_command(Command(Action.START, "03-9999-0000"))
    assert window.session is None
    with qtbot.waitSignal(window.ready, timeout=10_000):
        qtbot.mouseClick(window.recovery.restore_button, Qt.MouseButton.LeftButton)
    assert window.session is not None


def test_the_daily_backup_is_made_at_start_once_a_day(qtbot, paths, settings, clock, database):
    window = build_call_window(paths, settings, clock)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.upkeep.finished, timeout=10_000) as done:
        window.show()
    backup, purged = done.args
    assert backup.path.parent == paths.backup_dir
    assert f"{clock.now().astimezone():%Y%m%d-%H%M%S}" in backup.path.name
    assert case_count(backup.path) == 30 and purged.cases == 0
    window.close()

    clock.advance(3600)
    again = build_call_window(paths, settings, clock)
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.upkeep.finished, timeout=10_000) as done:
        again.show()
    assert done.args[0] is None
    assert [b.path for b in list_backups(paths.backup_dir, database)] == [backup.path]


def test_the_retention_setting_is_applied_at_start_and_the_trail_stays_whole(
        qtbot, paths, settings, clock, database):
    settings.set("retention_days", 60)
    window = build_call_window(paths, settings, clock)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.upkeep.finished, timeout=20_000) as done:
        window.show()
    backup, purged = done.args
    assert case_count(backup.path) == 30, "the backup is made before anything is deleted"
    assert purged.cases > 0
    assert case_count(database) == 30 - purged.cases
    window.close()
    cutoff = (clock.now() - timedelta(days=60)).strftime("%Y-%m-%d %H:%M:%S")
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM contact WHERE started_at >= ?",
                                  (cutoff,)).fetchone()[0] > 0
        assert connection.execute(
            "SELECT count(*) FROM support_case c WHERE NOT EXISTS (SELECT 1 FROM contact k "
            "WHERE k.case_id = c.id AND k.started_at >= ?)", (cutoff,)).fetchone()[0] == 0
        assert connection.execute("SELECT count(*) FROM audit_entry WHERE actor = 'purge' "
                                  "AND action = 'delete' AND entity = 'case'").fetchone() \
            == (purged.cases,)
    connection.close()
    source = open_source(database)
    try:
        with source.connect() as connection:
            assert audit.verify(connection).ok
    finally:
        source.engine.dispose()


def test_after_a_clean_close_the_start_skips_the_whole_file_check_and_the_upkeep_does_it(
        qtbot, paths, settings, clock, database):
    """Checking every page holds up a large database's start by seconds, so a file the app
    closed cleanly and nobody wrote since is opened at once and checked in the background.
    Damage that leaves the file's size and time as they were (a failing disk) is found
    there, shown until dismissed, and the next start sets the file aside as usual."""
    backup = backup_of(database, paths, DEMO_NOW - timedelta(hours=20))
    window = start(qtbot, paths, settings, clock)
    qtbot.waitSignal(window.upkeep.finished, timeout=10_000).wait()
    window.close()
    assert database.with_name(database.name + CLEAN_CLOSE_SUFFIX).exists()

    status = database.stat()
    damaged = damage(database)
    os.utime(database, ns=(status.st_atime_ns, status.st_mtime_ns))
    clock.advance(3600)
    again = build_call_window(paths, settings, clock)
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.upkeep.damaged, timeout=10_000):
        again.show()
    assert not damaged_files(database), "opened without the check of every page"
    assert again.recovery.isVisible() and "damaged" in again.recovery.message.text()
    again.close()
    assert not database.with_name(database.name + CLEAN_CLOSE_SUFFIX).exists()

    third = start(qtbot, paths, settings, clock)
    qtbot.waitUntil(third.recovery.restore_button.isVisible)
    [set_aside] = damaged_files(database)
    assert set_aside.read_bytes() == damaged
    assert f"{backup.made_at:%Y-%m-%d %H:%M}" in third.recovery.restore_button.text()


def test_a_file_changed_after_a_clean_close_is_checked_in_full_at_start(
        qtbot, paths, settings, clock, database):
    window = start(qtbot, paths, settings, clock)
    qtbot.waitSignal(window.upkeep.finished, timeout=10_000).wait()
    window.close()
    damage(database)  # its time changes, as a copy or another program would change it
    again = start(qtbot, paths, settings, clock)
    qtbot.waitUntil(again.recovery.isVisible)
    assert len(damaged_files(database)) == 1


def test_a_log_lost_after_a_crash_is_told_the_file_set_aside_and_the_backup_offered(
        qtbot, paths, settings, clock, database):
    """The file opened without its log would show the cases of the last checkpoint and
    none of the notes since, without a word."""
    backup = backup_of(database, paths, DEMO_NOW - timedelta(hours=20))
    write_and_die(database, 3)
    without_log = lose_log(database)
    window = start(qtbot, paths, settings, clock)
    qtbot.waitUntil(window.recovery.restore_button.isVisible)
    [set_aside] = damaged_files(database)
    message = window.recovery.message.text()
    assert "write-ahead log" in message and str(log_of(database)) in message
    assert str(set_aside) in message
    assert "Nothing else is lost" not in message
    assert f"{backup.made_at:%Y-%m-%d %H:%M}" in window.recovery.restore_button.text()
    assert not window.header.start_button.isEnabled()
    assert set_aside.read_bytes() == without_log

    with qtbot.waitSignal(window.ready, timeout=10_000):
        qtbot.mouseClick(window.recovery.restore_button, Qt.MouseButton.LeftButton)
    assert "was restored" in window.recovery.message.text()
    assert str(set_aside) in window.recovery.message.text()
    window.close()
    assert case_count(database) == 30
    assert set_aside.read_bytes() == without_log


def test_a_path_that_holds_another_file_is_refused_and_the_file_left_as_it_is(
        qtbot, paths, settings, clock, database):
    """A settings typo or a mistyped --data-dir names a file of another kind: the window
    says so and leaves it alone — neither set aside as damaged nor replaced by a new
    database — even with a backup at hand."""
    backup_of(database, paths, DEMO_NOW - timedelta(hours=3))
    hosts = b"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n"
    database.write_bytes(hosts)
    before = sorted(database.parent.iterdir())
    window = start(qtbot, paths, settings, clock)
    qtbot.waitUntil(window.recovery.isVisible)
    message = window.recovery.message.text()
    assert str(database) in message and "not a database this version of CallHelper" in message
    assert "left it as it is" in message and "database_url" in message
    for button in (window.recovery.restore_button, window.recovery.empty_button,
                   window.recovery.dismiss_button):
        assert not button.isVisible()
    assert not window.header.start_button.isEnabled()
    window.close()
    assert database.read_bytes() == hosts
    assert sorted(database.parent.iterdir()) == before


#: Words whose characters occur nowhere else in the file: any of their bytes left in the
#: database or its log is a fragment of the purged notes.
RARE_WORDS = "鰻鱧鯰鱒鰰鱚"


def filler(seed, length=600):
    """Varied CJK text (far from RARE_WORDS), so that the search tables grow by many pages."""
    return "".join(chr(0x4E00 + (seed * 397 + index * 7919) % 5000) for index in range(length))


def old_calls(database, at, count):
    """``count`` closed calls made at ``at``, each with a note of RARE_WORDS, one transaction
    each (so the search tables get a segment each, as a day of calls gives them)."""
    from callhelper.core.case import CaseStatus, Level, NoteKind, WrapUp
    from callhelper.store import repository
    from callhelper.store.engine import Store
    from callhelper.store.repository import NewContact
    from damage import RULES

    store = Store(f"sqlite:///{database}")
    try:
        for number in range(count):
            uid = f"old-{number}"
            with store.unit_of_work() as session:
                repository.start_contact(session, NewContact(uid, "鈴木", "complaint", 2, at,
                                                             f"03-1111-{number:04}", "山田"))
                repository.add_note(session, uid, f"{uid}-q", NoteKind.QUOTE,
                                    f"{RARE_WORDS}の件です、{number}回目 " + filler(number),
                                    5_000, "鈴木", at, RULES)
                repository.save_wrap_up(session, uid, WrapUp(f"{RARE_WORDS}{number}", Level.LOW,
                                                             Level.LOW, "再送", "",
                                                             CaseStatus.RESOLVED), "鈴木", at)
    finally:
        store.close()


def test_the_daily_purge_leaves_no_fragment_of_the_words_while_notes_are_saved_meanwhile(
        qtbot, paths, settings, clock, monkeypatch):
    """The search tables' old segments and the write-ahead log held the purged words; the
    window merges them away a few pages per job, with the agent's notes saved in between."""
    from callhelper.store import retention

    database = paths.database_file
    old_calls(database, clock.now() - timedelta(days=400), 40)
    settings.set("retention_days", 30)
    monkeypatch.setattr(retention, "MERGE_PAGES", 1)  # many small steps on a small file
    happened = []
    merge_step = retention.merge_step

    def step(*args, **kwargs):
        happened.append("merge")
        return merge_step(*args, **kwargs)

    monkeypatch.setattr(retention, "merge_step", step)
    window = build_call_window(paths, settings, clock)
    qtbot.addWidget(window)
    finished = []
    window.upkeep.finished.connect(lambda backup, purged: finished.append(purged))
    window.notes_model.rowsInserted.connect(lambda *_: happened.append("note"))
    with qtbot.waitSignal(window.ready, timeout=10_000):
        window.show()
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    typed = []
    while not finished:
        typed.append(f"合間の言葉{len(typed)}")
        type_text(window.note_entry, typed[-1])
        qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: window.notes_model.rowCount() == len(typed), timeout=10_000)
    assert finished[0].cases == 40
    merges = [index for index, what in enumerate(happened) if what == "merge"]
    assert len(merges) > 4 and "note" in happened[merges[0]:merges[-1]], \
        "notes are saved between the merge's steps"

    raw = b"".join(path.read_bytes() for path in database.parent.iterdir()
                   if path.is_file() and path.name in (database.name, database.name + "-wal"))
    left = [char for char in RARE_WORDS if char.encode("utf-8") in raw]
    assert left == [], f"fragments of the purged words stay in the file: {left}"
    window.close()
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT text FROM note ORDER BY id").fetchall() \
            == [(words,) for words in typed]
    connection.close()
