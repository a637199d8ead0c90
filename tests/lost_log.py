"""A database whose write-ahead log is lost: the app opens it as the window does, saves
notes and is killed (SIGKILL) before it can close it, and then its ``-wal`` is deleted, as a
cleaner or a copy that left it behind would."""

import signal
import subprocess
import sys

WRITE_AND_DIE = r"""
import os, signal, sys
from datetime import datetime, timezone
from pathlib import Path

from callhelper.config import resources_dir
from callhelper.core.case import NoteKind
from callhelper.core.flags import load_rules
from callhelper.store import repository
from callhelper.store.repository import NewContact
from callhelper.store.startup import StartupOpener

database, notes = Path(sys.argv[1]), int(sys.argv[2])
call = f"lost-{os.getpid()}"
now = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)
store = StartupOpener(f"sqlite:///{database}", database.parent / "backups", lambda: now)()
rules = load_rules(resources_dir() / "rules" / "demands.toml")
for number in range(notes):
    with store.unit_of_work() as session:
        if number == 0:
            repository.start_contact(session, NewContact(
                uid=call, agent="鈴木", playbook_id="complaint", playbook_version=1,
                started_at=now, phone="03-1234-5678"))
        repository.add_note(session, call, f"{call}-{number}", NoteKind.QUOTE,
                            f"消えた言葉 {number}", number * 1000, "鈴木", now, rules)
os.kill(os.getpid(), signal.SIGKILL)
"""


def write_and_die(database, notes):
    """A real process opens ``database``, saves ``notes`` new notes (in a call of their
    own) and is killed; its ``-wal`` is left beside the file."""
    died = subprocess.run([sys.executable, "-c", WRITE_AND_DIE, str(database), str(notes)],
                          capture_output=True, text=True, timeout=120)
    assert died.returncode == -signal.SIGKILL, died.stderr
    assert log_of(database).exists()


def log_of(database):
    return database.with_name(database.name + "-wal")


def lose_log(database):
    """Delete the log, and return what the file holds without it."""
    log_of(database).unlink()
    return database.read_bytes()


def lost_notes(database):
    """The notes the killed process saved that the file shows."""
    import sqlite3

    with sqlite3.connect(database) as connection:
        count = connection.execute("SELECT count(*) FROM note WHERE uid LIKE 'lost-%'"
                                   ).fetchone()[0]
    connection.close()
    return count
