"""The call window in team mode: it writes to the agent's own file, the shipper brings the
writes to the server, and the status line says how far that has got."""

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from databases import raw_rows

from callhelper.config import Settings
from callhelper.core.case import NoteKind
from callhelper.store import repository
from callhelper.store.engine import Store
from callhelper.store.repository import NewContact
from callhelper.app.bootstrap import demand_rules
from keyboard import type_text
from processes import free_port

CALLER = "03-1234-5678"


def take_note(qtbot, window, text):
    before = window.notes_model.rowCount()
    type_text(window.note_entry, text)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == before + 1, timeout=10_000)


@pytest.mark.postgresql
def test_notes_reach_the_server_and_the_caller_history_is_the_teams(
        qtbot, clock, postgres_url, open_team_window):
    server = Store(postgres_url)
    with server.unit_of_work() as session:  # another agent took this caller's last call
        repository.start_contact(session, NewContact(
            "earlier", "佐藤", "complaint", 1, clock.now() - timedelta(days=2), CALLER,
            "山田 太郎"))
    server.close()
    window, paths = open_team_window(postgres_url)
    qtbot.waitUntil(lambda: window.status_line.sync_label.text() == "✓ Synced", timeout=20_000)
    type_text(window.number_input, CALLER)
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: window.status()["past_contacts"] == 1, timeout=20_000)
    assert window.status()["customer"] == "山田 太郎"
    take_note(qtbot, window, "共有される言葉")
    qtbot.waitUntil(lambda: raw_rows(postgres_url, "SELECT text FROM note")
                    == [("共有される言葉",)], timeout=20_000)
    qtbot.waitUntil(lambda: window.status_line.sync_label.text() == "✓ Synced", timeout=20_000)
    assert window.status()["sync"] == {"waiting": 0, "refused": 0, "unreachable": False,
                                       "synced": True}
    assert raw_rows(paths.capture_url, "SELECT text FROM note") == [("共有される言葉",)]
    assert raw_rows(paths.capture_url, "SELECT count(*) FROM outbox") == [(0,)]
    window.close()


def test_an_unreachable_server_leaves_the_notes_safe_on_this_computer(qtbot, clock,
                                                                       open_team_window):
    url = f"postgresql+psycopg://agent:secret@127.0.0.1:{free_port()}/callhelper"
    window, paths = open_team_window(url)
    type_text(window.number_input, CALLER)
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    take_note(qtbot, window, "サーバーが止まっていても残る言葉")
    assert window.saved_label.text().startswith("✓ Saved")
    qtbot.waitUntil(lambda: (window.status()["sync"] or {}).get("waiting") == 2,
                    timeout=20_000)
    assert window.status()["sync"]["unreachable"]
    assert window.status_line.sync_label.text() == "Server offline: 2 kept here"
    assert window.status_line.sync_label.toolTip().startswith(
        "The server cannot be reached. 2 changes are safe on this computer and will be sent "
        "when it is back.")
    assert "secret" not in window.status_line.sync_label.toolTip()
    assert window.status_line.sync_label.isVisible() and not window.status_line.keys_hint.isVisible(), \
        "the shortcut hint makes room for the server's state"
    assert raw_rows(paths.capture_url, "SELECT count(*) FROM outbox") == [(2,)]
    assert raw_rows(paths.capture_url, "SELECT text FROM note") == \
        [("サーバーが止まっていても残る言葉",)]
    window.close()


@pytest.mark.postgresql
def test_the_history_browser_shows_the_teams_cases_and_marks_their_promises_kept(
        qtbot, clock, postgres_url, open_team_window):
    """In team mode Ctrl+H reads the server: another agent's case (the one the caller
    lookup showed, by the server's case number) with its words, and that agent's promise,
    which this agent marks kept; the mark reaches the server through the outbox, though this
    computer's file never held the promise."""
    server = Store(postgres_url)
    with server.unit_of_work() as session:
        case_id = repository.start_contact(session, NewContact(
            "earlier", "佐藤", "complaint", 1, clock.now() - timedelta(days=2), CALLER,
            "山田 太郎")).case_id
        repository.add_note(session, "earlier", "earlier-promise", NoteKind.PROMISE,
                            "明日の午前に折り返す", 60_000, "佐藤",
                            clock.now() - timedelta(days=2), demand_rules(),
                            due_at=clock.now() - timedelta(days=1))
    server.close()
    window, paths = open_team_window(postgres_url)
    qtbot.waitUntil(lambda: window.status_line.sync_label.text() == "✓ Synced", timeout=20_000)
    browser = window.windows.open_history(case_id)
    qtbot.waitUntil(lambda: "明日の午前に折り返す" in browser.detail.toPlainText(),
                    timeout=20_000)
    assert raw_rows(paths.capture_url, "SELECT count(*) FROM note") == [(0,)]

    browser.promises_only.setChecked(True)
    qtbot.waitUntil(lambda: browser.promises_model.rowCount() == 1, timeout=20_000)
    browser.table.selectRow(0)
    browser.activateWindow()
    qtbot.waitUntil(browser.isActiveWindow)
    qtbot.keyClick(browser.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    agent = Settings.for_paths(paths).agent_name  # the server login
    qtbot.waitUntil(lambda: raw_rows(postgres_url, "SELECT done_by FROM note")
                    == [(agent,)], timeout=20_000)
    qtbot.waitUntil(lambda: window.status_line.sync_label.text() == "✓ Synced", timeout=20_000)
    window.close()
