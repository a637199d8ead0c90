"""``callhelper board`` as a real process: refused in one line without a team server and for
a login that is not a supervisor's; a supervisor's board connects to the server, where it is
seen as a board, and closes cleanly."""

import pytest
from databases import raw_rows
from processes import cli, launch, stop, wait_for
from team_server import team  # noqa: F401 (a fixture)


def test_without_a_server_the_board_says_it_needs_one(tmp_path):
    result = cli(tmp_path, "board")
    assert result.returncode == 1
    assert result.stderr.startswith("callhelper board: the board shows a team's calls and "
                                    "needs the team's server")


@pytest.mark.postgresql
def test_an_agent_is_refused_and_a_supervisor_opens_the_board(tmp_path, team):  # noqa: F811
    agent, boss = team.agents[0], team.supervisor
    refused = cli(tmp_path, "board", CALLHELPER_DATABASE_URL=team.url(agent))
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f"callhelper board: only supervisors open the board, and the login {agent} is not one "
        "(not in callhelper_supervisor); an agent sees their own raised hand and its answer "
        "in the call window")

    board = launch(tmp_path, "board", CALLHELPER_DATABASE_URL=team.url(boss))
    try:
        assert wait_for(lambda: raw_rows(
            team.owner_url, "SELECT usename FROM pg_stat_activity "
                            "WHERE application_name = 'callhelper-board'") == [(boss,)]
            or board.poll() is not None, 60)
        assert board.poll() is None, board.stderr.read()
    finally:
        stop(board)
    assert board.returncode == 0, board.stderr.read()
