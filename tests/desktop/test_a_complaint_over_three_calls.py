"""The day the app is for, on a real X11 desktop by keyboard alone: one customer calls three
times about one complaint; every call joins the open case, the second is handed over
(Ctrl+E), urgency and impact are assessed by keys, a promise is given with its due time;
the supervisor's export shows one case with three calls, and LibreOffice reads the .xlsx
with Japanese headers."""

import re
import shutil
import subprocess
import sys
import zipfile
from xml.etree import ElementTree

import pytest

from processes import wait_for

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="an X11 desktop (Xvfb) runs on Linux only")

NUMBER = "0312345678"
SUBJECT = "Laptop makes a noise"
PROMISE = "Call back with the repair date"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ODS = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
       "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0"}


def rows_in_calc(tmp_path, xlsx):
    """The rows of ``xlsx`` (each cell's text and value type) as LibreOffice Calc opens
    it."""
    assert shutil.which("soffice"), "LibreOffice Calc is needed: bash .ci/system-packages --test"
    out = tmp_path / "calc"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
                    "--headless", "--convert-to", "ods", "--outdir", str(out), str(xlsx)],
                   check=True, capture_output=True, timeout=300)
    with zipfile.ZipFile(out / f"{xlsx.stem}.ods") as archive:
        root = ElementTree.fromstring(archive.read("content.xml"))
    value_type = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}value-type"
    return [[("".join(cell.itertext()), cell.get(value_type)) for cell in row]
            for row in root.find(".//table:table", ODS).iter(f"{{{ODS['table']}}}table-row")
            if any("".join(cell.itertext()) for cell in row)]


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
