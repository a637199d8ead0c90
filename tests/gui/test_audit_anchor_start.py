"""The window compares the audit trail's end with its anchors as it opens the database,
before it writes: a trail cut short since is told in a banner, the anchor it no longer holds
is kept aside, the finding is noted in the log and the trail, and the agent goes on working;
the app's own writes (a daily backup, a restore chosen in the window, an empty database
chosen) are never reported."""

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from callhelper.store import anchor, audit
from callhelper.ui.start import build_call_window
from damage import DEMO_NOW, damage, database_with_cases
from keyboard import type_text
from test_database_recovery import backup_of
from test_translations import japanese  # noqa: F401  (the window's Japanese, installed)
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


def test_a_trail_cut_short_is_told_in_japanese_with_its_counts_and_time(
        qtbot, japanese, paths, settings, clock, database, caplog):
    add_call_to_file(database, "last-call", ["返金してほしい", "上司を出せ"])
    anchored = anchor.read_anchor(database)
    entries = trail_end(database)[2]
    cut_off_the_end(database, 2)
    settings.set("language", "ja")
    window = opened_window(qtbot, paths, settings, clock)
    assert window.recovery.isVisible()
    message = window.recovery.message.text()
    assert "データベースの監査証跡が、ファイルの外に記録された末尾を保持していません" in message
    assert (f"監査証跡が最後に書き込まれた時より短くなっています: {anchored.when} にアンカーを"
            f"記録した時点で {entries} 件、現在 {entries - 2} 件。") in message
    for english in ("the audit trail is shorter", "entries anchored at", " now", "then",
                    "entries were removed", "write-ahead log"):
        assert english not in message.lower()
    assert any("the audit trail is shorter than when it was last written" in
               record.getMessage() for record in caplog.records)  # the log stays English
    window.close()


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


def test_every_kind_of_finding_is_worded_in_japanese(qtbot, japanese, tmp_path):
    """Each finding, wherever its anchor was recorded, keeps its numbers, times and files
    and has no English left but the names of the app and its command."""
    from callhelper.ui.recovery import RecoveryBanner

    kinds, origins = anchor.FindingKind, anchor.Origin
    record = str(tmp_path / "callhelper.anchors")
    places = [anchor.Place(origin, "2026-12-01 10:00:00", "backup-1.db", record,
                           3 if origin in (origins.RECORD, origins.BACKUP) else 0,
                           "2026-12-02 09:00:00") for origin in origins]
    findings = [anchor.Finding(kind, "the English sentence", place, 12, 7, 11, "Permission")
                for kind in kinds for place in places]
    banner = RecoveryBanner()
    qtbot.addWidget(banner)
    banner.warn_anchors(audit.AnchorsFound(tuple(findings), None, DEMO_NOW))
    lines = banner.message.text().splitlines()[1:-1]
    assert len(lines) == len(findings)
    for line, finding in zip(lines, findings):
        rest = line.replace(record, "").replace("backup-1.db", "").replace("Permission", "")
        assert not [word for word in rest.replace("CallHelper", "").split()
                    if any("a" <= c.lower() <= "z" for c in word)], line
        if finding.kind in (kinds.SHORTER, kinds.NO_LONGER_HOLDS):
            assert "12 件" in line and "7 件" in line, line
