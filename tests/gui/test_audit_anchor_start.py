"""The window compares the audit trail's end with its anchors as it opens the database,
before it writes: a trail cut short since is told in a banner, the anchor it no longer holds
is kept aside, the finding is noted in the log and the trail, and the agent goes on working;
the app's own writes (a daily backup, a restore chosen in the window, an empty database
chosen) are never reported."""

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from callhelper.store import audit
from callhelper.ui.start import build_call_window
from damage import DEMO_NOW, damage, database_with_cases
from keyboard import type_text
from test_database_recovery import backup_of
from truncation import add_call_to_file, anchor_of, cut_off_the_end, trail_end


@pytest.fixture
def database(paths):
    return database_with_cases(paths.database_file)


def opened_window(qtbot, paths, settings, clock):
    window = build_call_window(paths, settings, clock)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.ready, timeout=10_000):
        window.show()
    return window


def test_a_trail_cut_short_is_told_at_start_kept_aside_noted_and_work_goes_on(
        qtbot, paths, settings, clock, database, caplog):
    add_call_to_file(database, "last-call", ["返金してほしい", "上司を出せ", "二度と買わない"])
    anchored = anchor_of(database).read_bytes()
    entries = trail_end(database)[2]
    cut_off_the_end(database, 2)
    window = opened_window(qtbot, paths, settings, clock)
    assert window.recovery.isVisible()
    message = window.recovery.message.text()
    assert "The audit trail of the database no longer holds its end" in message
    assert f"{entries} entries anchored at " in message and f", {entries - 2} now" in message
    [kept] = database.parent.glob("callhelper.db.anchor.found-*")
    assert kept.read_bytes() == anchored and str(kept) in message
    assert window.header.start_button.isEnabled()

    window.number_input.setText("03-1234-5678")
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    type_text(window.note_entry, "警告の後の言葉")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == 1)
    qtbot.mouseClick(window.recovery.dismiss_button, Qt.MouseButton.LeftButton)
    assert not window.recovery.isVisible()
    window.close()

    assert any(record.levelname == "WARNING" and "the audit trail is shorter than when it "
               "was last written" in record.getMessage() for record in caplog.records)
    checked = audit.verify_file(database, paths.backup_dir, own=True)
    assert checked.verification.ok and not checked.ok
    assert any(f"kept in {kept.name}" in problem for problem in checked.problems)

    again = opened_window(qtbot, paths, settings, clock)
    assert not again.recovery.isVisible()  # told once: noted in the trail and the record


def test_the_apps_own_writes_are_never_told(qtbot, paths, settings, clock, database):
    """A daily backup, a damaged file's backup restored with one click, the next start."""
    window = build_call_window(paths, settings, clock)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.upkeep.finished, timeout=10_000):
        window.show()
    assert not window.recovery.isVisible()
    window.close()
    add_call_to_file(database, "later", ["返金してほしい"])
    damage(database)
    clock.advance(3600)
    restoring = build_call_window(paths, settings, clock)
    qtbot.addWidget(restoring)
    restoring.show()
    qtbot.waitUntil(restoring.recovery.restore_button.isVisible)
    with qtbot.waitSignal(restoring.ready, timeout=10_000):
        qtbot.mouseClick(restoring.recovery.restore_button, Qt.MouseButton.LeftButton)
    assert "was restored" in restoring.recovery.message.text()
    assert "audit trail" not in restoring.recovery.message.text()
    restoring.close()
    later = opened_window(qtbot, paths, settings, clock)
    assert not later.recovery.isVisible()
    later.close()
    assert audit.verify_file(database, paths.backup_dir, own=True).ok


def test_a_missing_database_started_empty_is_not_told(qtbot, paths, settings, clock, database):
    backup_of(database, paths, DEMO_NOW - timedelta(hours=3))
    database.unlink()
    window = build_call_window(paths, settings, clock)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(window.recovery.empty_button.isVisible)
    with qtbot.waitSignal(window.ready, timeout=10_000):
        qtbot.mouseClick(window.recovery.empty_button, Qt.MouseButton.LeftButton)
    assert "audit trail" not in window.recovery.message.text()
    window.close()
    assert audit.verify_file(database, paths.backup_dir, own=True).ok
    assert list(database.parent.glob("callhelper.db.missing-*.anchor"))
