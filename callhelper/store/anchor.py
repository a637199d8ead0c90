"""The audit trail's anchor: where its end was, kept outside the database.

A hash chain shows an entry changed, removed or inserted anywhere inside it, but not its end
cut off: removing the last entries together with their notes, or losing a write-ahead log
after a crash, leaves a shorter chain that still verifies. So after every commit that
appended to the trail of a SQLite database, the app writes beside the file
(``callhelper.db.anchor``) the last entry's id and hash, how many entries the chain had, and
when. A trail that no longer holds that entry, or has fewer entries, lost its end
(``Anchor.shortened``). Entries are numbered from 1 and never removed (the database refuses
it), so the last entry's id is how many the chain has.

The connections of the app's engine write it (``AnchoredConnection``): the transaction that
appends notes the entry (``appended``), and its commit, once it succeeded, writes the file.
A note saved reads nothing more for it: the id and hash come from the insert (a bulk
writer looks the id up once per batch). The anchor is one record of fixed size written in
place with a single ``pwrite`` (about 10 µs; a temporary file renamed over it took 0.25–1.5
ms, a good part of a note's save): a process killed at any moment leaves the old record or
the new one, as the write of a few hundred bytes is not cut short by a signal. It is not
forced to disk, as it need not outlive a power cut: one may leave an older anchor, which
expects less, or one that does not read (taken for none) — never one ahead of the
database, whose commit is on disk before the anchor is written.

The anchor belongs to the file's contents: a database set aside or replaced by a restore
takes its anchor along (``move_anchor``), and a restore anchors the restored trail anew.
It finds a trail cut short by a lost log, or by someone who did not know of the anchor, as
long as the app has not written since (its next commit anchors the trail where it then
ends). Whoever can rewrite the database can rewrite or delete the anchor too, and a copy of
the file without it cannot be checked this way.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine

from callhelper.files import PRIVATE_FILE

log = logging.getLogger(__name__)

ANCHOR_SUFFIX = ".anchor"


def anchor_file(database: Path) -> Path:
    """Where the anchor of ``database`` is kept: beside it, its name with ``.anchor``."""
    database = Path(database)
    return database.with_name(database.name + ANCHOR_SUFFIX)


@dataclass(frozen=True)
class Anchor:
    """The end of a trail as it was written: its last entry (``entry``, ``hash``), how many
    entries it had, and when."""

    entry: int
    hash: str
    entries: int
    written_at: datetime

    @property
    def when(self) -> str:
        """When it was written, in local time, as messages give it."""
        return f"{self.written_at.astimezone():%Y-%m-%d %H:%M:%S}"

    def shortened(self, connection: Connection, entries: int) -> str | None:
        """What the trail on ``connection``, with ``entries`` entries, lost since the anchor
        was written, in plain words; None when it still holds the anchored entry."""
        if entries < self.entries:
            return (f"the audit trail is shorter than when it was last written: "
                    f"{self.entries} entries anchored at {self.when}, {entries} now — "
                    "entries were removed or a write-ahead log was lost")
        found = connection.execute(text("SELECT hash FROM audit_entry WHERE id = :id"),
                                   {"id": self.entry}).scalar()
        if found != self.hash:
            return (f"the audit trail no longer holds entry #{self.entry} anchored at "
                    f"{self.when} ({self.entries} entries then, {entries} now) — entries "
                    "were removed and others written in their place")
        return None


def read_anchor(database: Path) -> Anchor | None:
    """The anchor beside ``database``; None when there is none, or none that reads."""
    try:
        content = json.loads(anchor_file(database).read_text(encoding="utf-8"))
        return Anchor(int(content["entry"]), str(content["hash"]), int(content["entries"]),
                      datetime.fromisoformat(content["written_at"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError) as exc:
        log.warning("the anchor of %s does not read: %s", database, exc)
        return None


#: The anchor's size on disk: its JSON, padded with spaces, always written whole at the start.
RECORD_BYTES = 256


def write_anchor(anchor: Path, entry: int, entry_hash: str) -> None:
    """Write into the anchor file ``anchor`` (private, like every file beside the database)
    the trail ending at ``entry``. A failure is logged: what was committed stays so, and the
    next commit that appends tries again."""
    content = json.dumps({"entry": entry, "hash": entry_hash, "entries": entry,
                          "written_at": datetime.now(timezone.utc).isoformat(
                              timespec="seconds")}).encode("utf-8").ljust(RECORD_BYTES)
    try:
        descriptor = os.open(anchor, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE)
        try:
            os.pwrite(descriptor, content, 0)
        finally:
            os.close(descriptor)
    except OSError as exc:
        log.warning("the audit trail's anchor %s was not written: %s", anchor, exc)


class AnchoredConnection(sqlite3.Connection):
    """A SQLite connection that writes its database's anchor (``anchor``, set when the
    engine connects) after each commit of a transaction that appended to the trail
    (``appended``: the last entry's id and hash). A rolled-back transaction writes none, and
    entries rolled back to a savepoint are forgotten with it."""

    anchor: Path | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.appended: tuple[int, str] | None = None
        self._at_savepoints: list[tuple[int, str] | None] = []  # the open ones, innermost last

    def commit(self) -> None:
        appended, self.appended = self.appended, None
        self._at_savepoints.clear()
        committing = self.in_transaction  # not when SQLite rolled it back itself
        super().commit()
        if appended is not None and committing and self.anchor is not None:
            write_anchor(self.anchor, *appended)

    def rollback(self) -> None:
        self.appended = None
        self._at_savepoints.clear()
        super().rollback()

    def savepoint_made(self) -> None:
        self._at_savepoints.append(self.appended)

    def savepoint_ended(self, rolled_back: bool) -> None:
        """The innermost savepoint is released, or rolled back with what was appended
        since it was made."""
        at_savepoint = self._at_savepoints.pop() if self._at_savepoints else None
        if rolled_back:
            self.appended = at_savepoint


def keep_anchor(engine: Engine, database: Path) -> None:
    """Anchor the trail of ``database`` after the commits on ``engine``, whose connections
    are ``AnchoredConnection``s; they follow its savepoints (SQLAlchemy's nested
    transactions), which SQLite runs as statements."""
    anchor = anchor_file(database)

    def connected(dbapi_connection, _record) -> None:
        dbapi_connection.anchor = anchor

    def savepoint_made(connection, _name) -> None:
        connection.connection.dbapi_connection.savepoint_made()

    def released(connection, _name, _context) -> None:
        connection.connection.dbapi_connection.savepoint_ended(rolled_back=False)

    def rolled_back(connection, _name, _context) -> None:
        connection.connection.dbapi_connection.savepoint_ended(rolled_back=True)

    event.listen(engine, "connect", connected)
    event.listen(engine, "savepoint", savepoint_made)
    event.listen(engine, "release_savepoint", released)
    event.listen(engine, "rollback_savepoint", rolled_back)


def appended(connection: Connection, entry_hash: str, entry: int | None = None) -> None:
    """Note that the transaction on ``connection`` appended to the trail, up to the entry
    ``entry_hash`` (id ``entry``, looked up when not given): its commit writes the anchor.
    Nothing on a database that has none (a server)."""
    dbapi_connection = connection.connection.dbapi_connection
    if not isinstance(dbapi_connection, AnchoredConnection):
        return
    if entry is None:
        entry = connection.execute(text("SELECT id FROM audit_entry WHERE hash = :hash"),
                                   {"hash": entry_hash}).scalar_one()
    dbapi_connection.appended = (entry, entry_hash)


def move_anchor(database: Path, moved: Path) -> None:
    """``database`` was renamed to ``moved`` (set aside, or replaced by a restore): its
    anchor goes with it, so that the file can still be checked against it."""
    try:
        os.rename(anchor_file(database), anchor_file(moved))
    except FileNotFoundError:
        pass
