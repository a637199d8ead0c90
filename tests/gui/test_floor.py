"""A floor on one server: three agents on calls — two of them the real ``callhelper`` app in
processes of their own, one a call window here — and a supervisor's board. A hand raised in
the window is answered on the board; the board's figures match the calls; the server stops
mid-shift and starts again, and the board, the hands and the calls lose and duplicate
nothing."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from databases import raw_rows
from processes import cli, launch, stop, wait_for

from callhelper.store import roles
from callhelper.store.engine import make_engine
from callhelper.ui.board_window import BoardModel
from team_server import make_team
from live_floor import (TIMEOUT, board_text, clock, open_board, press_hand_key,  # noqa: F401
                        start_call, take_note)

pytestmark = [pytest.mark.postgresql,
              pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")]

CALLERS = {"window": "山田 太郎", 2: "佐藤 花子", 3: "高橋 一郎"}


class AgentApp:
    """The real app of one agent, on a data folder of its own, pointed at the server."""

    def __init__(self, folder, url):
        self.folder, self.url = folder, url
        self.process = launch(folder, CALLHELPER_DATABASE_URL=url)

    def run(self, *args):
        return cli(self.folder, *args, CALLHELPER_DATABASE_URL=self.url)

    def status(self):
        import json

        result = self.run("call", "status", "--json")
        return json.loads(result.stdout) if result.returncode == 0 else {}


def test_three_agents_and_a_board_through_a_server_outage(
        qtbot, postgres_cluster, postgres_url, open_team_window, tmp_path):
    team = make_team(postgres_cluster, postgres_url)
    third = f"{team.agents[1]}_3"
    engine = make_engine(postgres_url)
    with engine.begin() as connection:
        roles.add_member(connection, third, roles.AGENT, "third agent's password")
    engine.dispose()
    team.logins[third] = "third agent's password"
    apps = {2: AgentApp(tmp_path / "agent2", team.url(team.agents[1])),
            3: AgentApp(tmp_path / "agent3", team.url(third))}
    try:
        window, _paths = open_team_window(team.url(team.agents[0]))
        for number, app in apps.items():
            assert wait_for(lambda: app.status().get("ready"), 60), app.process.poll()
            assert app.run("call", "start", "--number", f"03-0000-000{number}", "--name",
                           CALLERS[number]).returncode == 0
        assert apps[2].run("call", "note", "土下座しろ").returncode == 0
        board = open_board(qtbot, team.url(team.supervisor), team.supervisor)
        start_call(qtbot, window, name=CALLERS["window"])

        qtbot.waitUntil(lambda: sorted(board_text(board, BoardModel.CALLER))
                        == sorted(CALLERS.values()), timeout=TIMEOUT)
        qtbot.waitUntil(lambda: board.agents_label.text().startswith("Signed in: 3 — "),
                        timeout=TIMEOUT)
        flags = dict(zip(board_text(board, BoardModel.CALLER),
                         board_text(board, BoardModel.FLAGS)))
        assert flags == {CALLERS["window"]: "", CALLERS[2]: "1 suspected", CALLERS[3]: ""}
        assert {call.agent for call in board.model.calls} == {*team.agents, third}

        # a hand, answered on the board, the answer in the agent's window
        press_hand_key(window)
        QTest.keyClick(window.hand_bar.reasons, Qt.Key.Key_2)
        qtbot.waitUntil(lambda: bool(board.model.calls)
                        and board.model.calls[0].hand is not None, timeout=TIMEOUT)
        assert board_text(board, BoardModel.CALLER)[0] == CALLERS["window"], "hands first"
        board.table.selectRow(0)
        qtbot.keyClick(board.table, Qt.Key.Key_2)
        qtbot.waitUntil(lambda: window.hand_bar.text() == (
            f"Supervisor {team.supervisor}: Put the customer on hold and wait"),
                        timeout=TIMEOUT)

        # the server stops mid-shift: the board says so, the agents work on
        stopped = postgres_cluster.pg_ctl("-m", "fast", "-w", "stop")
        assert stopped.returncode == 0, stopped.stderr
        try:
            qtbot.waitUntil(lambda: "Connection to the server lost" in board.link_label.text(),
                            timeout=TIMEOUT)
            assert apps[3].run("call", "note", "誠意を見せろ、ネットに晒すぞ").returncode == 0
            window.activateWindow()
            qtbot.waitUntil(window.isActiveWindow)
            take_note(qtbot, window, "バカにしてるのか")
        finally:
            postgres_cluster.start_again()

        qtbot.waitUntil(lambda: board.link_label.text().startswith("Live"), timeout=60_000)
        qtbot.waitUntil(lambda: dict(zip(board_text(board, BoardModel.CALLER),
                                         board_text(board, BoardModel.FLAGS)))
                        == {CALLERS["window"]: "1 suspected", CALLERS[2]: "1 suspected",
                            CALLERS[3]: "2 suspected"}, timeout=60_000)  # threat, money
        assert raw_rows(postgres_url, "SELECT count(*), count(DISTINCT contact_uid) FROM "
                        "live_call") == [(3, 3)]
        assert raw_rows(postgres_url, "SELECT count(*) FROM raised_hand") == [(1,)]
        qtbot.waitUntil(lambda: raw_rows(postgres_url, "SELECT count(*), count(DISTINCT uid) "
                                         "FROM note") == [(3, 3)], timeout=60_000)
        window.close()
        board.close()
    finally:
        for app in apps.values():
            stop(app.process)
