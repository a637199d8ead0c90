"""The raised hand and the supervisors' board (team mode), with real parts: an agent's call
window raises a hand by key, the hand goes through the outbox to the throw-away PostgreSQL
server, a real board window sees it through LISTEN/NOTIFY and answers it by key, and the
answer appears in the agent's window while the agent goes on typing."""

from datetime import datetime, timezone

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from databases import raw_rows
from keyboard import type_text
from live_floor import (TIMEOUT, board_text, clock, open_board, press_hand_key,  # noqa: F401
                        start_call, take_note)
from processes import free_port
from team_server import team  # noqa: F401 (a fixture)

from callhelper.cli.safety import verify_server
from callhelper.store.live import LATE_AFTER
from callhelper.ui.board_window import BoardModel, BoardWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")


def test_without_a_server_the_hand_says_there_is_no_board(qtbot, window):
    window.resize(400, 700)  # as narrow as the window goes beside a phone system
    start_call(qtbot, window)
    assert not window.hand_bar.button.isVisible(), "no hand to raise without a team server"
    type_text(window.note_entry, "途中の言葉")
    press_hand_key(window)
    label = window.saved_label
    qtbot.waitUntil(lambda: label.text() == "No team board here: raise your hand for real.")
    qtbot.waitUntil(lambda: not window.status_line.keys_hint.isVisible())
    qtbot.waitUntil(lambda: label.fontMetrics().horizontalAdvance(label.text())
                    <= label.contentsRect().width())  # whole, not cut at the window's edge
    assert window.controller.hand is None and window.hand_bar.reasons is None
    assert QApplication.focusWidget() is window.note_entry
    assert window.note_entry.text() == "途中の言葉"


def test_an_unreachable_server_shows_the_hand_not_delivered_and_the_board_offline(
        qtbot, open_team_window):
    url = f"postgresql+psycopg://agent:secret@127.0.0.1:{free_port()}/callhelper"
    window, paths = open_team_window(url)
    start_call(qtbot, window)
    assert window.hand_bar.button.isVisible()
    widest = window.minimumSizeHint().width()
    window.hand_bar.button.hide()
    assert window.minimumSizeHint().width() == widest, "the Hand button widens no window"
    window.hand_bar.button.show()
    press_hand_key(window)
    menu = window.hand_bar.reasons
    qtbot.waitUntil(menu.isVisible)
    QTest.keyClick(menu, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: "NOT delivered" in window.hand_bar.text(), timeout=TIMEOUT)
    assert window.hand_bar.text() == ("Hand raised — NOT delivered: the server cannot be "
                                      "reached. Raise your hand for real.")
    qtbot.waitUntil(lambda: raw_rows(paths.capture_url, "SELECT agent, lowered_at FROM "
                                     "raised_hand") == [("agent", None)], timeout=TIMEOUT)
    assert raw_rows(paths.capture_url, "SELECT count(*) FROM outbox WHERE operation LIKE "
                    "'%raise_hand%'") == [(1,)]

    board = BoardWindow(url, "boss")
    qtbot.addWidget(board)
    board.show()
    qtbot.waitUntil(lambda: "Connection to the server lost" in board.link_label.text(),
                    timeout=TIMEOUT)
    assert not board.table.isEnabled(), "no calls shown as live"
    window.close()


@pytest.mark.postgresql
def test_a_hand_raised_by_key_is_answered_on_the_board_and_the_answer_shows_to_the_agent(
        qtbot, team, open_team_window):  # noqa: F811
    agent, boss = team.agents[0], team.supervisor
    window, paths = open_team_window(team.url(agent))
    board = open_board(qtbot, team.url(boss), boss)
    start_call(qtbot, window)
    uid = window.session.uid

    # the call appears on the board as it goes on: caller, step, a flag captured
    qtbot.waitUntil(lambda: board_text(board, BoardModel.CALLER) == ["山田 太郎"],
                    timeout=TIMEOUT)
    first_step = board_text(board, BoardModel.STEP)[0]
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: board_text(board, BoardModel.STEP)[0] != first_step,
                    timeout=TIMEOUT)
    take_note(qtbot, window, "土下座しろ")
    qtbot.waitUntil(lambda: board_text(board, BoardModel.FLAGS) == ["1 suspected"],
                    timeout=TIMEOUT)
    assert board.agents_label.text().startswith("Signed in: 1 — " + agent)

    # the agent raises a hand while typing, and gives the reason by key
    type_text(window.note_entry, "書きかけ")
    press_hand_key(window)
    menu = window.hand_bar.reasons
    qtbot.waitUntil(menu.isVisible)
    QTest.keyClick(menu, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.note_entry)
    assert window.note_entry.text() == "書きかけ"
    qtbot.waitUntil(lambda: raw_rows(team.owner_url, "SELECT agent, contact_uid, reason "
                                     "FROM raised_hand") == [(agent, uid, "harassment")],
                    timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.hand_bar.text()
                    == "Hand raised (Harassment) — on the supervisors' board", timeout=TIMEOUT)
    qtbot.waitUntil(lambda: board_text(board, BoardModel.HAND)[0].startswith("Hand 00:")
                    and board_text(board, BoardModel.HAND)[0].endswith(" · Harassment"),
                    timeout=TIMEOUT)

    # the supervisor answers with one key; the agent sees it without losing the entry
    board.activateWindow()
    board.table.setFocus()
    qtbot.keyClick(board.table, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: raw_rows(team.owner_url, "SELECT answered_by, answer FROM "
                                     "raised_hand") == [(boss, "coming")], timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.hand_bar.text() == f"Supervisor {boss}: I'm coming",
                    timeout=TIMEOUT)
    assert window.status()["hand"] == {"reason": "harassment", "delivered": True,
                                       "late": False, "answer": "coming",
                                       "answered_by": boss}
    assert window.note_entry.text() == "書きかけ"
    qtbot.waitUntil(lambda: board_text(board, BoardModel.HAND) == ["Answered: I'm coming"],
                    timeout=TIMEOUT)

    # lowered by the same key: gone from the board
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    press_hand_key(window)
    qtbot.waitUntil(lambda: raw_rows(team.owner_url, "SELECT count(*) FROM raised_hand "
                                     "WHERE lowered_at IS NULL") == [(0,)], timeout=TIMEOUT)
    qtbot.waitUntil(lambda: board_text(board, BoardModel.HAND) == [""], timeout=TIMEOUT)
    assert window.hand_bar.isHidden()

    # 「引き継ぎます」: the handoff is recorded with the supervisor as the senior
    press_hand_key(window)
    QTest.keyClick(window.hand_bar.reasons, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: board_text(board, BoardModel.HAND)[0].startswith("Hand"),
                    timeout=TIMEOUT)
    qtbot.keyClick(board.table, Qt.Key.Key_3)
    qtbot.waitUntil(lambda: raw_rows(team.owner_url, "SELECT h.name, h.role FROM "
                                     "contact_handler h JOIN contact c ON c.id = h.contact_id "
                                     "WHERE h.role = 'senior'") == [(boss, "senior")],
                    timeout=TIMEOUT)
    assert window.hand_bar.text() == f"Supervisor {boss}: I'll take over"
    qtbot.waitUntil(lambda: board_text(board, BoardModel.ESCALATIONS) == ["1"],
                    timeout=TIMEOUT)
    assert raw_rows(team.owner_url, "SELECT count(*) FROM escalation") == [(1,)]

    # a short text, and opening the call's notes, recorded in the audit trail
    press_hand_key(window)  # lowered
    press_hand_key(window)  # raised again
    QTest.keyClick(window.hand_bar.reasons, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: board_text(board, BoardModel.HAND)[0].startswith("Hand"),
                    timeout=TIMEOUT)
    qtbot.keyClick(board.table, Qt.Key.Key_T)
    assert board.focusWidget() is board.answer_input
    type_text(board.answer_input, "5分後に行きます")
    qtbot.keyClick(board.answer_input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.hand_bar.text() == f"Supervisor {boss}: 5分後に行きます",
                    timeout=TIMEOUT)
    qtbot.keyClick(board.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "土下座しろ" in board.notes_view.toPlainText(), timeout=TIMEOUT)
    assert raw_rows(team.owner_url, "SELECT actor, action, entity, uid FROM audit_entry "
                    "WHERE entity = 'access'") == [(boss, "view", "access", uid)]
    qtbot.waitUntil(lambda: window.status_line.sync_label.text() == "✓ Synced", timeout=TIMEOUT)
    checked, problems = verify_server(team.owner_url)
    assert checked.ok and not problems, (checked.finding, problems)
    window.close()
    board.close()


@pytest.mark.postgresql
def test_a_hand_raised_while_the_server_is_down_arrives_once_late_on_the_board(
        qtbot, team, open_team_window, postgres_cluster):  # noqa: F811
    agent, boss = team.agents[0], team.supervisor
    window, paths = open_team_window(team.url(agent))
    board = open_board(qtbot, team.url(boss), boss)
    start_call(qtbot, window)
    qtbot.waitUntil(lambda: board_text(board, BoardModel.CALLER) == ["山田 太郎"],
                    timeout=TIMEOUT)
    stopped = postgres_cluster.pg_ctl("-m", "fast", "-w", "stop")
    assert stopped.returncode == 0, stopped.stderr
    try:
        qtbot.waitUntil(lambda: "Connection to the server lost" in board.link_label.text(),
                        timeout=TIMEOUT)
        assert not board.table.isEnabled(), "the calls are not shown as live"
        assert board_text(board, BoardModel.CALLER) == ["山田 太郎"], "as they were then"
        press_hand_key(window)
        QTest.keyClick(window.hand_bar.reasons, Qt.Key.Key_3)
        qtbot.waitUntil(lambda: window.hand_bar.text() == (
            "Hand raised (Long call) — NOT delivered: the server cannot be reached. Raise your "
            "hand for real."), timeout=TIMEOUT)
        raised_at = window.controller.hand.raised_at
        # the outage lasts long enough for the hand to count as late when it arrives
        qtbot.waitUntil(lambda: datetime.now(timezone.utc) - raised_at > LATE_AFTER,
                        timeout=TIMEOUT)
    finally:
        postgres_cluster.start_again()
    qtbot.waitUntil(lambda: window.hand_bar.text()
                    == "Hand raised (Long call) — on the supervisors' board", timeout=60_000)
    qtbot.waitUntil(lambda: board.table.isEnabled() and board.link_label.text().startswith(
        "Live"), timeout=60_000)
    qtbot.waitUntil(lambda: board_text(board, BoardModel.HAND)[0].endswith(
        " · Long call · late"), timeout=TIMEOUT)
    assert raw_rows(team.owner_url, "SELECT agent, reason, count(*) FROM raised_hand "
                    "GROUP BY agent, reason") == [(agent, "long_call", 1)], \
        "delivered once"
    window.close()
    board.close()


@pytest.mark.postgresql
def test_the_review_on_the_server_opens_the_board_for_a_supervisor_only(
        qtbot, team, paths, clock):  # noqa: F811
    from PySide6.QtCore import QSettings

    from callhelper.app.bootstrap import demand_rules, playbook_catalog
    from callhelper.ui.review_window import ReviewWindow

    def review_as(login):
        state = QSettings(str(paths.config_dir / "window.ini"), QSettings.Format.IniFormat)
        review = ReviewWindow([], playbook_catalog(paths), demand_rules(), "en", state, clock,
                              server=team.url(login))
        qtbot.addWidget(review)
        review.show()
        qtbot.waitExposed(review)
        review.activateWindow()
        qtbot.waitUntil(review.isActiveWindow)
        QTest.keyClick(review.windowHandle(), Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
        assert review.board is not None
        qtbot.addWidget(review.board)
        return review

    review = review_as(team.supervisor)
    qtbot.waitUntil(lambda: review.board.link_label.text().startswith("Live"),
                    timeout=TIMEOUT)
    assert review.board.supervisor == team.supervisor
    review.board.close()
    review.close()

    agent = team.agents[0]
    review = review_as(agent)
    qtbot.waitUntil(lambda: review.board.link_label.text()
                    == f"Only supervisors see the board: the login {agent} is not one.",
                    timeout=TIMEOUT)
    assert review.board.model.rowCount() == 0 and not review.board.table.isEnabled()
    review.board.close()
    review.close()


def test_calls_past_the_limit_and_overdue_steps_stand_out_and_waiting_hands_come_first(qtbot):
    from datetime import timedelta

    from PySide6.QtGui import QBrush

    from callhelper.store import live
    from callhelper.ui.board_window import ALERT, HAND_ROW, OVER_LIMIT_ROW

    now = datetime.now(timezone.utc)

    def call(uid, minutes, limit=None, due=None, hand=None, state=live.ACTIVE):
        started = now - timedelta(minutes=minutes)
        return live.BoardCall(uid, "鈴木", f"お客様{uid}", state, started, "事実確認",
                              due and now + due, limit and started + limit, 1, 1, 0, now,
                              hand)

    hand = live.Hand("h1", "waiting", "鈴木", "decision", now - timedelta(seconds=75),
                     now - timedelta(seconds=74), None, None, "", "")
    calls = sorted([call("long", 65, limit=timedelta(minutes=60)),
                    call("waiting", 5, hand=hand),
                    call("late_step", 8, due=-timedelta(seconds=30)),
                    call("held", 3, due=-timedelta(seconds=30), state=live.ON_HOLD)],
                   key=live.board_order)
    model = BoardModel()
    model.set_calls(calls, now)
    rows = {model.calls[row].contact_uid: row for row in range(model.rowCount())}
    assert rows["waiting"] == 0 and rows["long"] == 1, "hands first, then the longest calls"

    def cell(uid, column, role=Qt.ItemDataRole.DisplayRole):
        return model.data(model.index(rows[uid], column), role)

    assert cell("waiting", BoardModel.HAND) == "Hand 01:15 · Decision needed"
    assert cell("waiting", BoardModel.HAND, Qt.ItemDataRole.BackgroundRole) == \
        QBrush(HAND_ROW)
    assert cell("long", BoardModel.TIME) == "65:00 · past the limit"
    assert cell("long", BoardModel.CALLER, Qt.ItemDataRole.BackgroundRole) == \
        QBrush(OVER_LIMIT_ROW)
    assert cell("late_step", BoardModel.STEP) == "事実確認 (overdue)"
    assert cell("late_step", BoardModel.STEP, Qt.ItemDataRole.ForegroundRole) == QBrush(ALERT)
    assert cell("held", BoardModel.STEP) == "事実確認", "a step's time does not run on hold"
    assert cell("held", BoardModel.TIME) == "03:00 · on hold"
    assert cell("long", BoardModel.FLAGS) == "1 confirmed · 1 suspected"


def test_the_case_timeline_records_each_hand_who_answered_what_and_after_how_long(
        qtbot, tmp_path, paths):
    from datetime import timedelta

    from callhelper.store import history, live, operations
    from callhelper.store.engine import Store
    from callhelper.store.operations import Operation
    from callhelper.app.bootstrap import demand_rules, playbook_catalog
    from callhelper.ui.timeline_view import TimelineRenderer

    rules = demand_rules()
    store = Store(f"sqlite:///{tmp_path / 'team.db'}")
    started = datetime.now(timezone.utc) - timedelta(minutes=10)
    with store.unit_of_work() as session:
        for operation in (
                Operation.of("start_contact", uid="call-1", agent="鈴木", playbook_id="complaint",
                             playbook_version=1, started_at=started, phone="03-1234-5678"),
                Operation.of("raise_hand", hand_uid="h1", contact_uid="call-1", agent="鈴木",
                             reason="harassment", at=started + timedelta(minutes=2)),
                Operation.of("raise_hand", hand_uid="h2", contact_uid="call-1", agent="鈴木",
                             reason="", at=started + timedelta(minutes=5)),
                Operation.of("lower_hand", hand_uid="h2", at=started + timedelta(minutes=6))):
            operations.perform(session, operation, rules)
    with store.unit_of_work() as session:
        live.answer_hand(session.connection(), "h1", live.COMING, "田中")
        session.connection().exec_driver_sql(  # answered 75 seconds after it was raised
            "UPDATE raised_hand SET answered_at = ? WHERE uid = 'h1'",
            ((started + timedelta(minutes=3, seconds=15)).replace(tzinfo=None),))
    with store.unit_of_work() as session:
        case_id = session.connection().exec_driver_sql("SELECT id FROM support_case").scalar()
        timeline = history.case_timeline(session, case_id)
    store.close()
    hands = [entry for entry in timeline.contacts[0].entries if entry.kind == "hand"]
    assert [(entry.offset_ms, entry.who, entry.text) for entry in hands] == \
        [(120_000, "鈴木", "harassment"), (300_000, "鈴木", "")]
    html = TimelineRenderer(playbook_catalog(paths), rules, "en").html(timeline)
    assert ("鈴木 raised a hand (Harassment) — answered by 田中 after 01:15: I&#x27;m coming"
            in html)
    assert "鈴木 raised a hand — lowered after 01:00 without an answer" in html


@pytest.mark.postgresql
def test_a_resumed_call_shows_its_hand_and_answer_and_records_a_takeover_once(
        qtbot, team, open_team_window):  # noqa: F811
    agent, boss = team.agents[0], team.supervisor
    window, _paths = open_team_window(team.url(agent))
    board = open_board(qtbot, team.url(boss), boss)
    start_call(qtbot, window)
    press_hand_key(window)
    QTest.keyClick(window.hand_bar.reasons, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: bool(board.model.calls) and board.model.calls[0].hand is not None
                    and board.model.calls[0].hand.reason == "decision", timeout=TIMEOUT)
    board.table.selectRow(0)
    qtbot.keyClick(board.table, Qt.Key.Key_3)
    qtbot.waitUntil(lambda: raw_rows(team.owner_url, "SELECT count(*) FROM escalation")
                    == [(1,)], timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.status_line.sync_label.text() == "✓ Synced", timeout=TIMEOUT)
    window.close()  # mid-call: the call is resumed at the next start

    window, _paths = open_team_window(team.url(agent))
    qtbot.waitUntil(lambda: window.hand_bar.text() == f"Supervisor {boss}: I'll take over",
                    timeout=TIMEOUT)
    assert window.status()["hand"]["reason"] == "decision"
    qtbot.waitUntil(lambda: window.status_line.sync_label.text() == "✓ Synced", timeout=TIMEOUT)
    assert raw_rows(team.owner_url, "SELECT count(*) FROM escalation") == [(1,)]
    assert raw_rows(team.owner_url, "SELECT name FROM contact_handler WHERE role = 'senior'") \
        == [(boss,)]
    window.close()
    board.close()
