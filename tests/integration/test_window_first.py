"""Window first: the call window is on screen and takes keys before the storage stack is
loaded; what is typed meanwhile waits, journalled, and is saved once the database opens — or,
if the app is killed before that, at the next start."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

from processes import wait_for
from processes import database, environment, launch, ready

def storage_modules(names):
    """The storage stack among ``names``: none of it may be loaded before the window shows
    (the settings' helpers for files and URLs live below the store, callhelper/files.py and
    callhelper/urls.py)."""
    return sorted(name for name in names
                  if name.split(".")[0] in ("sqlalchemy", "sqlmodel", "alembic")
                  or name == "callhelper.store" or name.startswith("callhelper.store."))


def test_the_window_is_shown_before_sqlalchemy_or_the_store_is_loaded(tmp_path):
    report = tmp_path / "modules-at-first-paint.txt"
    app = launch(tmp_path, CALLHELPER_MODULES_AT_FIRST_PAINT=str(report))
    try:
        assert wait_for(report.exists), "the window never painted"
        assert wait_for(lambda: ready(tmp_path)), "the database did not open after the window"
    finally:
        app.terminate()
        app.wait(timeout=30)
    loaded = report.read_text(encoding="utf-8").split()
    assert "callhelper.ui.call_window" in loaded
    assert storage_modules(loaded) == []
    # nor what only later work needs: the phone numbers' tables (the first number), the
    # CTI endpoint's HTTP server (started after the first paint), the other commands and
    # the demand rules (compiled on their thread after the first paint)
    later = ("phonenumbers", "http.server", "callhelper.app.cti", "callhelper.cli.data",
             "callhelper.cli.safety", "callhelper.cli.team", "callhelper.core.flags",
             "callhelper.core.model")
    assert [name for name in later if name in loaded] == []
    # nor the call's own views, nor the channel's server (QtNetwork), nor Qt's namespace,
    # whose Python enums PySide makes all at once the first time it is named (~20 ms), nor
    # the playbooks (TOML): the window completes itself right after it has painted
    after_the_paint = ("callhelper.ui.checklist_panel", "callhelper.ui.caller_panel",
                       "callhelper.ui.notes_view", "callhelper.ui.note_entry",
                       "callhelper.ui.wrap_up", "callhelper.app.instance_server",
                       "PySide6.QtNetwork", "PySide6.QtCore.Qt", "tomllib")
    assert [name for name in after_the_paint if name in loaded] == []


# A window as `callhelper` builds it (window first) whose database has not opened yet: the
# store's worker is not started, so the moment before the opening lasts as long as needed.
TYPING_BEFORE_THE_OPENING = textwrap.dedent("""
    import sys
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from callhelper.config import Settings, make_private_folders, resolve_paths
    from callhelper.app.bootstrap import create_application
    from callhelper.ui.start import build_call_window

    app = create_application()
    paths = resolve_paths()
    make_private_folders(paths)
    window = build_call_window(paths, Settings.for_paths(paths), window_first=True)
    window.show()
    window.start_call("03-1234-5678")
    for text in sys.argv[1:]:
        window.note_entry.setText(text)
        QTest.keyClick(window.note_entry, Qt.Key.Key_Return)
    print("typed", window.controller.writes.waiting, window.notes_model.rowCount(),
          flush=True)
    app.exec()
""")


def test_notes_typed_before_the_database_opens_survive_a_kill(tmp_path):
    words = ["一つ目", "カード 4111 1111 1111 1111", "三つ目"]
    typing = subprocess.Popen([sys.executable, "-c", TYPING_BEFORE_THE_OPENING, *words],
                              env=environment(tmp_path), stdout=subprocess.PIPE, text=True)
    try:
        line = typing.stdout.readline().split()
        assert line == ["typed", "4", "0"], "a call and three notes waiting, none shown yet"
        journal = tmp_path / "data" / "unsaved-writes.jsonl"
        kept = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
        assert [record["op"] for record in kept] == ["start_contact"] + ["add_note"] * 3
        assert "4111 1111 1111 1111" not in journal.read_text(encoding="utf-8")
    finally:
        typing.send_signal(signal.SIGKILL)
        typing.wait(timeout=30)
    assert not database(tmp_path).exists(), "nothing was written to the database"

    again = launch(tmp_path)
    try:
        assert wait_for(lambda: ready(tmp_path))
    finally:
        again.terminate()
        again.wait(timeout=30)
    with sqlite3.connect(database(tmp_path)) as connection:
        stored = [row[0] for row in connection.execute("SELECT text FROM note ORDER BY id")]
        phones = connection.execute("SELECT phone FROM contact").fetchall()
    connection.close()
    assert len(stored) == 3 and stored[0] == "一つ目" and stored[2] == "三つ目"
    assert "4111 1111 1111 1111" not in stored[1], "the card number is masked"
    assert len(phones) == 1
    assert not [name for name in os.listdir(tmp_path / "data") if name.startswith("unsaved")]
