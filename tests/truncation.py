"""The end of an audit trail: where the app last anchored it, where the file's trail ends,
the app adding a call, and someone cutting the last notes off together with their entries."""

import json
import sqlite3
from contextlib import closing
from datetime import datetime, timezone

from callhelper.config import resources_dir
from callhelper.core.case import NoteKind
from callhelper.core.flags import load_rules
from callhelper.store import repository
from callhelper.store.engine import Store
from callhelper.store.repository import NewContact

RULES = load_rules(resources_dir() / "rules" / "demands.toml")
NOW = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)


def anchor_of(database):
    """The anchor file beside ``database``, as the docs name it."""
    return database.with_name(database.name + ".anchor")


def anchored(database):
    """The trail's end as the anchor beside ``database`` holds it: (id, hash, entries)."""
    content = json.loads(anchor_of(database).read_text(encoding="utf-8"))
    return content["entry"], content["hash"], content["entries"]


def trail_end(database):
    """The trail's end as the file holds it: (id, hash, entries)."""
    with closing(sqlite3.connect(database)) as connection:
        return connection.execute(
            "SELECT id, hash, (SELECT count(*) FROM audit_entry) FROM audit_entry "
            "ORDER BY id DESC LIMIT 1").fetchone()


def add_call(store, uid, words):
    """The app's writes: a call started, then one note per word, each saved on its own."""
    with store.unit_of_work() as session:
        repository.start_contact(session, NewContact(uid, "鈴木", "complaint", 2, NOW,
                                                     "03-1234-5678"))
    for number, text in enumerate(words):
        with store.unit_of_work() as session:
            repository.add_note(session, uid, f"{uid}-{number}", NoteKind.QUOTE, text,
                                number * 1000, "鈴木", NOW, RULES)


def add_call_to_file(database, uid, words):
    store = Store(f"sqlite:///{database}")
    try:
        add_call(store, uid, words)
    finally:
        store.close()


def cut_off_the_end(database, notes):
    """Remove the last ``notes`` notes and the audit entries that recorded them, as someone
    with a SQLite tool would: the trail's append-only trigger dropped first. Their entries
    must be the last of the trail."""
    with closing(sqlite3.connect(database)) as connection, connection:
        last = connection.execute("SELECT id, entity, uid FROM audit_entry ORDER BY id DESC "
                                  "LIMIT ?", (notes,)).fetchall()
        assert all(entity == "note" for _id, entity, _uid in last), last
        connection.execute("DROP TRIGGER audit_entry_no_delete")
        connection.executemany("DELETE FROM note WHERE uid = ?",
                               [(uid,) for _id, _entity, uid in last])
        connection.execute("DELETE FROM audit_entry WHERE id >= ?", (last[-1][0],))
