"""A call taken on a real X11 desktop: the keys a person presses, as the X server delivers
them, reach the app on Qt's xcb platform with that platform's own key bindings."""

import sys

import pytest

from processes import wait_for

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="an X11 desktop (Xvfb) runs on Linux only")

NUMBER = "0312345678"
WORDS = "It broke after one week and nobody called me back"


def test_a_call_from_the_first_words_to_the_saved_case(desktop, app, tmp_path):
    desktop.type(NUMBER)
    desktop.key("F7")
    assert wait_for(lambda: (app.status() or {}).get("call") == "active"), app.log()
    assert app.status()["number"] == "03-1234-5678"  # shown normalised

    desktop.type(WORDS)
    desktop.key("Return")
    assert wait_for(lambda: app.query("SELECT text FROM note") == [(WORDS,)]), app.log()

    # Ctrl+E is "end of line" for an X11 line edit; here it hands over
    desktop.key("ctrl+e")
    assert wait_for(lambda: app.query("SELECT count(*) FROM escalation") == [(1,)]), (
        "Ctrl+E in the entry line did not hand over")
    (summary,), = app.query("SELECT summary FROM escalation")
    assert WORDS in summary
    assert desktop.clipboard().strip() == summary.strip()

    desktop.type("Tanaka")
    desktop.key("Return")
    assert wait_for(lambda: app.query("SELECT name, role FROM contact_handler ORDER BY id")
                    == [("Suzuki", "agent"), ("Tanaka", "senior")])

    desktop.key("F9")
    assert wait_for(lambda: (app.status() or {}).get("call") == "ended")
    desktop.type("Broken after a week")
    desktop.key("ctrl+s")
    assert wait_for(lambda: app.query("SELECT state FROM contact") == [("closed",)]), app.log()
    assert app.query("SELECT subject FROM support_case") == [("Broken after a week",)]
    assert app.status()["call"] == "none"

    picture = desktop.screenshot(tmp_path / "desktop.png")
    colours = desktop.run("identify", "-format", "%k", str(picture)).stdout
    assert int(colours) > 16, "the screenshot shows no window"


def test_flags_confirmed_dismissed_and_added_with_the_keys(desktop, app):
    """Ctrl+Shift+Y, Ctrl+Shift+N and Ctrl+Shift+F reach the window with the entry line
    focused, and the category list that Ctrl+Shift+F opens takes arrows and Enter."""
    desktop.type(NUMBER)
    desktop.key("F7")
    assert wait_for(lambda: (app.status() or {}).get("call") == "active"), app.log()

    def said(words):
        desktop.type(words)
        desktop.key("Return")
        assert wait_for(lambda: (words,) in app.query("SELECT text FROM note")), app.log()

    def decisions():
        return app.query("SELECT n.text, r.category, r.state FROM flag_review r "
                         "JOIN note n ON n.uid = r.note_uid ORDER BY r.id")

    said("You useless idiot")
    desktop.key("ctrl+shift+y")
    assert wait_for(lambda: decisions() == [("You useless idiot", "insult", "confirmed")]), \
        "Ctrl+Shift+Y did not confirm the suspected insult"
    said("Refund me or I will post this online")
    desktop.key("ctrl+shift+n")
    assert wait_for(lambda: len(decisions()) == 2), "Ctrl+Shift+N did not dismiss"
    assert decisions()[1] == ("Refund me or I will post this online", "threat", "dismissed")
    said("Fine whatever just do it")
    desktop.key("ctrl+shift+f")
    for _ in range(3):  # violence, threat, insult, then intimidation
        desktop.key("Down")
    desktop.key("Return")
    assert wait_for(lambda: len(decisions()) == 3), "Ctrl+Shift+F added no flag"
    assert decisions()[2] == ("Fine whatever just do it", "intimidation", "manual")


def test_a_note_deleted_with_ctrl_delete_comes_back_with_ctrl_z(desktop, app):
    """No dialog during the call: Ctrl+Delete deletes the note being corrected at once, and
    Ctrl+Z on the empty entry line (the line's own undo otherwise) restores it."""
    desktop.type(NUMBER)
    desktop.key("F7")
    assert wait_for(lambda: (app.status() or {}).get("call") == "active"), app.log()
    for words in ("Written by mistake", "Keep this one"):
        desktop.type(words)
        desktop.key("Return")
        assert wait_for(lambda: (words,) in app.query("SELECT text FROM note")), app.log()

    desktop.key("Up")
    desktop.key("Up")
    desktop.key("ctrl+Delete")
    assert wait_for(lambda: app.query("SELECT text FROM note") == [("Keep this one",)]), \
        "Ctrl+Delete did not delete the note at once"

    desktop.key("ctrl+z")
    assert wait_for(lambda: sorted(app.query("SELECT text FROM note")) == [
        ("Keep this one",), ("Written by mistake",)]), "Ctrl+Z did not restore the note"
    assert app.query("SELECT action FROM audit_entry WHERE entity = 'note' AND uid = "
                     "(SELECT uid FROM note WHERE text = 'Written by mistake') ORDER BY id") \
        == [("create",), ("delete",), ("create",)]


def test_three_calls_of_one_caller_the_first_two_on_one_case(desktop, app):
    """A caller calling back continues the open case; Alt+U and Alt+I set urgency and impact
    with the entry line or the wrap-up focused; Alt+C, ↓ and Enter start a new case."""
    def call(subject=None, before=(), during=(), in_wrap_up=()):
        calls = len(app.query("SELECT id FROM contact"))
        desktop.type(NUMBER)
        assert wait_for(lambda: (app.status() or {}).get("past_contacts") == calls), app.log()
        for key in before:
            desktop.key(key)
        desktop.key("F7")
        assert wait_for(lambda: (app.status() or {}).get("call") == "active"), app.log()
        for key in during:
            desktop.key(key)
        desktop.key("F9")
        assert wait_for(lambda: (app.status() or {}).get("call") == "ended")
        for key in in_wrap_up:
            desktop.key(key)
        if subject:
            desktop.type(subject)
        desktop.key("ctrl+s")
        assert wait_for(lambda: (app.status() or {}).get("call") == "none"), app.log()

    call("Noise from the laptop")
    call(during=["alt+u"], in_wrap_up=["alt+i"])
    call("Wrong invoice", before=["alt+c", "Down", "Return"])
    cases = [case for (case,) in app.query("SELECT case_id FROM contact ORDER BY id")]
    assert cases[0] == cases[1] != cases[2]
    assert app.query("SELECT subject, urgency, impact FROM support_case ORDER BY id") == [
        ("Noise from the laptop", "high", "high"), ("Wrong invoice", "", "")]
