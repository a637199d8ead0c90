"""The history browser on a real X11 desktop, keyboard only: Ctrl+H from the call window,
a search, Down into the results and Enter on the case, with the keys as the X server
delivers them."""

import sys

import pytest

from processes import wait_for

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="an X11 desktop (Xvfb) runs on Linux only")


def take_call(desktop, app, number, words, subject):
    desktop.type(number)
    desktop.key("F7")
    assert wait_for(lambda: (app.status() or {}).get("call") == "active"), app.log()
    desktop.type(words)
    desktop.key("Return")
    assert wait_for(lambda: (words,) in app.query("SELECT text FROM note")), app.log()
    desktop.key("F9")
    assert wait_for(lambda: (app.status() or {}).get("call") == "ended"), app.log()
    desktop.type(subject)
    desktop.key("ctrl+s")
    assert wait_for(lambda: (subject,) in app.query("SELECT subject FROM support_case")), \
        app.log()
    assert wait_for(lambda: app.status()["call"] == "none")


def test_a_case_found_and_opened_with_the_keys(desktop, app):
    take_call(desktop, app, "0312345678", "The screen flickers since Monday",
              "Flickering screen")
    take_call(desktop, app, "0398765432", "The parcel never arrived", "Lost parcel")
    (case_id,), = app.query("SELECT id FROM support_case WHERE subject = 'Flickering screen'")

    desktop.key("ctrl+h")
    assert wait_for(lambda: desktop.window("History") is not None), app.log()
    # the platform adds the app's name to the window's own title, once
    title = desktop.run("xdotool", "getactivewindow", "getwindowname").stdout.strip()
    assert title == "History — CallHelper"

    desktop.type("flickers")

    def opened():
        """From the search box (Ctrl+F): Down into the results, Enter on the case, then
        the case's text copied from where the keyboard is. The results come a moment after
        the typing, so this is tried until they are there."""
        desktop.key("ctrl+f", "Down", "Return", "ctrl+a", "ctrl+c")
        return desktop.clipboard().startswith(f"#{case_id} Flickering screen")

    assert wait_for(opened, timeout=20), app.log()
    assert "The screen flickers since Monday" in desktop.clipboard()
