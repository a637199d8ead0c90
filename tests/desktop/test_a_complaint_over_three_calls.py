"""The day the app is for, on a real X11 desktop by keyboard alone: one customer calls three
times about one complaint; every call joins the open case, the second is handed over
(Ctrl+E), urgency and impact are assessed by keys, a promise is given with its due time.
Then the supervisor: the review (Ctrl+Shift+R) shows one case with the three calls, the
handoff, the urgency and impact as assessed and the promise with its due time, read off the
screen by the keyboard (selected and copied); the .xlsx export is read back by LibreOffice
Calc with Japanese headers, and opened as a double-click opens it (xdg-open: the file's type
by its content, the desktop's application for that type), in a Calc window on the same
desktop whose first cell is a Japanese header."""

import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from calc import JAPANESE, rows_in_calc
from processes import stop, wait_for

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="an X11 desktop (Xvfb) runs on Linux only")

NUMBER = "0312345678"
SUBJECT = "Laptop makes a noise"
PROMISE = "Call back with the repair date"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: A LibreOffice profile as a user has it after the first start: no tip of the day over
#: the sheet.
CALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="ShowTipOfTheDay"
 oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


def case_on_screen(desktop) -> str:
    """The text of the case the review shows: Enter on the selected case takes the keyboard
    into it, then it is selected and copied as a person would."""
    desktop.key("Return", "ctrl+a", "ctrl+c")
    return desktop.clipboard()


def opened_by_double_click(desktop, tmp_path, xlsx) -> tuple[str, str]:
    """``xlsx`` opened as a file manager opens it on a double-click (xdg-open): the window
    it opens in, and its first cell as copied from there."""
    assert shutil.which("xdg-open"), "xdg-utils is needed: bash .ci/system-packages --test"
    assert desktop.run("xdg-mime", "query", "filetype", str(xlsx)).stdout.strip() == XLSX, \
        "recognised by its content as an Excel workbook"
    assert "calc" in desktop.run("xdg-mime", "query", "default", XLSX).stdout, \
        "the desktop opens Excel workbooks with a spreadsheet"
    config = tmp_path / "xdg-config"
    profile = config / "libreoffice" / "4" / "user"
    profile.mkdir(parents=True)
    (profile / "registrymodifications.xcu").write_text(CALC_PROFILE, encoding="utf-8")
    env = dict(desktop.env, XDG_CONFIG_HOME=str(config))
    with open(tmp_path / "xdg-open.log", "w") as output:
        opener = subprocess.Popen(["xdg-open", str(xlsx)], env=env, stdout=output,
                                  stderr=output)
    calc = None
    try:
        assert wait_for(lambda: desktop.window(re.escape(xlsx.name)) is not None,
                        timeout=120), (tmp_path / "xdg-open.log").read_text()
        window = desktop.window(re.escape(xlsx.name))
        calc = int(desktop.run("xdotool", "getwindowpid", window).stdout)
        title = desktop.run("xdotool", "getwindowname", window).stdout.strip()
        desktop.focus(window)

        def first_cell():
            desktop.key("ctrl+Home", "ctrl+c")
            return desktop.clipboard().strip()

        assert wait_for(lambda: first_cell() != "", timeout=30)
        return title, first_cell()
    finally:
        if calc is not None:
            desktop.run("kill", str(calc), check=False)
        stop(opener)


def test_three_calls_about_one_complaint_by_keyboard_alone(desktop, app, tmp_path):
    def said(words):
        desktop.type(words)
        desktop.key("Return")
        assert wait_for(lambda: (words,) in app.query("SELECT text FROM note")), app.log()

    def call(words, during=(), subject=None):
        calls = len(app.query("SELECT id FROM contact"))
        desktop.type(NUMBER)
        assert wait_for(lambda: (app.status() or {}).get("past_contacts") == calls), app.log()
        desktop.key("F7")
        assert wait_for(lambda: (app.status() or {}).get("call") == "active"), app.log()
        said(words)
        for step in during:
            step()
        desktop.key("F9")
        assert wait_for(lambda: (app.status() or {}).get("call") == "ended")
        if subject:
            desktop.type(subject)
        desktop.key("ctrl+s")
        assert wait_for(lambda: (app.status() or {}).get("call") == "none"), app.log()

    def hand_over():
        desktop.key("ctrl+e")
        assert wait_for(lambda: app.query("SELECT count(*) FROM escalation") == [(1,)]), \
            "Ctrl+E did not hand over"
        desktop.type("Tanaka")
        desktop.key("Return")
        assert wait_for(lambda: ("Tanaka", "senior") in app.query(
            "SELECT name, role FROM contact_handler"))

    def promise():
        desktop.key("alt+p")
        desktop.type(PROMISE)
        desktop.key("Tab")
        desktop.type("tomorrow 10")
        desktop.key("Return")
        assert wait_for(lambda: app.query(
            "SELECT count(*) FROM note WHERE text = ? AND due_at IS NOT NULL", PROMISE)
            == [(1,)]), app.log()

    call("The laptop makes a grinding noise", subject=SUBJECT)
    call("It is still making the noise", during=[hand_over, lambda: desktop.key("alt+u"),
                                                  lambda: desktop.key("alt+i")])
    call("When will it be repaired", during=[promise])

    cases = app.query("SELECT case_id FROM contact")
    assert len(cases) == 3 and len(set(cases)) == 1, "the calls back joined the open case"
    assert app.query("SELECT subject, urgency, impact FROM support_case") == [
        (SUBJECT, "high", "high")]

    # the supervisor's review, by keyboard: the case selected at once, Enter into its text
    (case_id,), = app.query("SELECT id FROM support_case")
    tomorrow = datetime.now().date() + timedelta(days=1)  # "tomorrow 10", as said
    desktop.key("ctrl+shift+r")
    assert wait_for(lambda: desktop.window("^Review") is not None), app.log()
    heading = f"#{case_id} {SUBJECT}"
    assert wait_for(lambda: heading in case_on_screen(desktop), timeout=20), \
        desktop.clipboard()
    shown = desktop.clipboard()
    calls = re.findall(r"^\d{4}-\d\d-\d\d \d\d:\d\d · (.*)$", shown, re.MULTILINE)
    assert len(calls) == 3 and "Calls: 3" in shown, shown
    assert calls[1] == "Suzuki, Tanaka (senior)", "the handoff, with who took over"
    assert "⚠ Escalated (Suzuki)" in shown, shown
    assert "03-1234-5678 · Open" in shown, "the customer, by the number as agents read it"
    assert "Urgency: High · Impact: High" in shown, shown
    assert f"[Promise] {PROMISE} (open, due {tomorrow:%m/%d} 10:00)" in shown, shown
    # one case in the list: its last row is the first (Shift+Tab back to the list)
    desktop.key("shift+Tab", "ctrl+End")
    assert heading in case_on_screen(desktop)
    desktop.key("ctrl+w")
    assert wait_for(lambda: desktop.window("^Review") is None)

    cases_xlsx, notes_xlsx = tmp_path / "cases.xlsx", tmp_path / "notes.xlsx"
    for out, what in ((cases_xlsx, "cases"), (notes_xlsx, "notes")):
        subprocess.run([sys.executable, "-m", "callhelper", "export", "--out", str(out),
                        "--what", what, "--language", "ja"], env=app.env, check=True,
                       capture_output=True, timeout=120)
    case_rows, note_rows = (rows_in_calc(tmp_path, xlsx) for xlsx in (cases_xlsx, notes_xlsx))
    for rows in (case_rows, note_rows):
        headers = [text for text, _ in rows[0] if text]
        assert headers and all(JAPANESE.search(text) for text in headers), headers
    assert len(case_rows) == 2, "one case"
    case = [text for text, _ in case_rows[1]]
    assert SUBJECT in case and "高" in case, case
    assert len(note_rows) == 1 + 4, "the three calls' notes and the promise"
    promise_row = next(row for row in note_rows if (PROMISE, "string") in row)
    assert (SUBJECT, "string") in promise_row
    assert sum(kind == "date" for _, kind in promise_row) == 2, "when said and when due"

    # opened by a double-click: in Calc, on this desktop, with its Japanese header first
    title, first_cell = opened_by_double_click(desktop, tmp_path, notes_xlsx)
    assert title.startswith("notes.xlsx") and "Calc" in title, title
    assert first_cell == note_rows[0][0][0] and JAPANESE.search(first_cell), first_cell
