"""The raised hand by real keys on an X11 desktop (team mode): Ctrl+Shift+H reaches the
window from the entry line, whose editing keys on X11 do not claim it, the reason list takes
a digit, and the words being typed stay in the entry."""

import sys

import pytest
from databases import raw_rows
from processes import wait_for
from team_server import team  # noqa: F401 (a fixture)
from xdesktop import App, shown_app

pytestmark = [pytest.mark.postgresql,
              pytest.mark.skipif(not sys.platform.startswith("linux"),
                                 reason="an X11 desktop (Xvfb) runs on Linux only")]


@pytest.fixture
def team_app(desktop, tmp_path, team):  # noqa: F811
    yield from shown_app(desktop, App(desktop, tmp_path, team.url(team.agents[0])))


def test_ctrl_shift_h_raises_the_hand_from_the_entry_line(desktop, team_app, team):  # noqa: F811
    agent = team.agents[0]
    desktop.type("0312345678")
    desktop.key("F7")
    assert wait_for(lambda: (team_app.status() or {}).get("call") == "active"), team_app.log()
    desktop.type("half typed")
    desktop.key("ctrl+shift+h")
    desktop.key("1")
    assert wait_for(lambda: raw_rows(team.owner_url, "SELECT agent, reason FROM raised_hand")
                    == [(agent, "harassment")]), team_app.log()
    desktop.type(" words")
    desktop.key("Return")
    assert wait_for(lambda: raw_rows(team.owner_url, "SELECT text FROM note")
                    == [("half typed words",)]), "the entry lost its words or its focus"
    desktop.key("ctrl+shift+h")
    assert wait_for(lambda: raw_rows(team.owner_url, "SELECT count(*) FROM raised_hand WHERE "
                                     "lowered_at IS NOT NULL") == [(1,)])
