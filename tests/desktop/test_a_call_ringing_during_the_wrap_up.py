"""A call rings while the agent is still writing up the last one, on a real X11 desktop: the
phone system runs `callhelper NUMBER` as it does for every ringing call; the wrap-up goes on
and is saved with Ctrl+S, and then the ringing call is waiting with its number and the
caller's history, answered with F7."""

import subprocess
import sys

import pytest

from processes import wait_for

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="an X11 desktop (Xvfb) runs on Linux only")

KNOWN, OTHER = "0312345678", "0398765432"


def take_call(desktop, app, number, words, subject, while_wrapping_up=lambda: None):
    desktop.type(number)
    desktop.key("F7")
    assert wait_for(lambda: (app.status() or {}).get("call") == "active"), app.log()
    desktop.type(words)
    desktop.key("Return")
    assert wait_for(lambda: (words,) in app.query("SELECT text FROM note")), app.log()
    desktop.key("F9")
    assert wait_for(lambda: (app.status() or {}).get("call") == "ended"), app.log()
    while_wrapping_up()
    desktop.type(subject)
    desktop.key("ctrl+s")
    assert wait_for(lambda: (subject,) in app.query("SELECT subject FROM support_case")), \
        app.log()
    assert wait_for(lambda: app.status()["call"] == "none")


def test_a_call_ringing_during_the_wrap_up_waits_with_its_history(desktop, app):
    take_call(desktop, app, KNOWN, "The screen flickers since Monday", "Flickering screen")

    def the_known_caller_rings():
        subprocess.run([sys.executable, "-m", "callhelper", KNOWN], env=app.env, check=True,
                       capture_output=True, timeout=60)
        status = app.status()
        assert status["call"] == "ended", "the wrap-up is left alone"

    take_call(desktop, app, OTHER, "The parcel never arrived", "Lost parcel",
              while_wrapping_up=the_known_caller_rings)
    (subject,), = app.query(
        "SELECT c.subject FROM support_case c JOIN contact x ON x.case_id = c.id "
        "WHERE x.id = (SELECT max(id) FROM contact)")
    assert subject == "Lost parcel", "the wrap-up saved is the call's, typed after the ring"

    # waiting: the number, and the caller's history looked up
    assert wait_for(lambda: (app.status() or {}).get("past_contacts") == 1), app.status()
    assert app.status()["number"].replace("-", "") == KNOWN
    desktop.key("F7")
    assert wait_for(lambda: (app.status() or {}).get("call") == "active"), app.log()
    cases = app.query("SELECT c.subject FROM contact x JOIN support_case c ON c.id = x.case_id "
                      "ORDER BY x.id")
    assert cases == [("Flickering screen",), ("Lost parcel",), ("Flickering screen",)], \
        "the call answered joins the caller's open case"
