"""The export by keyboard alone in a Japanese window, on a real X11 desktop: Ctrl+Shift+E
between calls, Tab to the format, ↓ to the Excel workbook, Tab to the file, its name typed,
Enter exports; LibreOffice Calc reads the workbook with Japanese headers and the call's
words in it."""

import sys

import pytest

from calc import JAPANESE, rows_in_calc
from processes import wait_for
from xdesktop import App

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="an X11 desktop (Xvfb) runs on Linux only")

WORDS = "The laptop makes a grinding noise"
SUBJECT = "Laptop noise"


@pytest.fixture
def japanese_app(desktop, tmp_path):
    running = App(desktop, tmp_path, language="ja")
    try:
        assert wait_for(lambda: (running.status() or {}).get("ready"), timeout=60), \
            running.log()
        assert wait_for(lambda: desktop.window("^CallHelper") is not None), running.log()
        desktop.focus(desktop.window("^CallHelper"))
        yield running
    finally:
        running.stop()


def test_the_notes_exported_to_a_workbook_by_keyboard(desktop, japanese_app, tmp_path):
    app = japanese_app
    desktop.type("0312345678")
    desktop.key("F7")
    assert wait_for(lambda: (app.status() or {}).get("call") == "active"), app.log()
    desktop.type(WORDS)
    desktop.key("Return")
    assert wait_for(lambda: (WORDS,) in app.query("SELECT text FROM note")), app.log()
    desktop.key("F9")
    assert wait_for(lambda: (app.status() or {}).get("call") == "ended"), app.log()
    desktop.type(SUBJECT)
    desktop.key("ctrl+s")
    assert wait_for(lambda: (app.status() or {}).get("call") == "none"), app.log()

    desktop.key("ctrl+shift+e")
    assert wait_for(lambda: desktop.window("^書き出し") is not None), app.log()
    workbook = tmp_path / "notes.xlsx"
    # what (notes) → from → to → agent → format: ↓ to the workbook; → ids → the file
    desktop.key("Tab", "Tab", "Tab", "Tab", "Down", "Tab", "Tab", "ctrl+a")
    desktop.type(str(workbook))
    desktop.key("Return")
    assert wait_for(workbook.exists, timeout=60), app.log()

    rows = rows_in_calc(tmp_path, workbook)
    headers = [text for text, _ in rows[0] if text]
    assert headers and all(JAPANESE.search(text) for text in headers), headers
    assert len(rows) == 2, rows
    note = rows[1]
    assert (WORDS, "string") in note and (SUBJECT, "string") in note, note
    assert ("03-1234-5678", "string") in note, "the number as agents read it, as text"
