"""Checking a database file the way SQLite does, and putting a damaged one aside.

A damaged file is never written to or deleted: it is renamed with its companions
(``callhelper.db.corrupt-<time>``), so whatever it still holds can be recovered later.
Only damage counts: a file that is locked or cannot be opened for another reason (its
permissions, a missing folder) raises, and is left where it is.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from callhelper.store.files import COMPANIONS, PRIVATE_FILE, companions, move_aside

log = logging.getLogger(__name__)

DAMAGE_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
CORRUPT_LABEL = "corrupt"
PROBLEM_LINES = 5
BUSY_TIMEOUT_S = 5.0
#: How many SQLite instructions run between two looks at a ``stop`` event.
STOP_CHECK_INSTRUCTIONS = 1000
#: Beside the database after a clean close: its size and time then (see ``closed_cleanly``).
CLEAN_CLOSE_SUFFIX = ".clean-close"


def is_damage(error: BaseException) -> bool:
    """Whether a SQLite error means the file's contents are damaged (not a lock, say)."""
    return getattr(error, "sqlite_errorcode", None) in DAMAGE_CODES


def read_only(path: Path, quiet: bool = False) -> sqlite3.Connection:
    """A connection that can neither change ``path`` nor create it.

    A database in WAL mode gets its ``-wal`` and ``-shm`` files created beside it even so;
    ``quiet`` avoids that when it has none (nothing has it open): the file is then read as
    immutable, which is right only while nobody starts writing to it — fine for a look
    (``callhelper doctor``), not for a decision."""
    path = Path(path).resolve()
    mode = "immutable=1" if quiet and not companions(path) else "mode=ro"
    return sqlite3.connect(f"file:{quote(str(path))}?{mode}", uri=True, timeout=BUSY_TIMEOUT_S)


@contextlib.contextmanager
def stop_when(connection: sqlite3.Connection, stop: threading.Event | None) -> Iterator[None]:
    """What ``connection`` runs in the block is interrupted (``sqlite3.OperationalError``)
    soon after ``stop`` is set, from any thread."""
    if stop is None:
        yield
        return
    connection.set_progress_handler(stop.is_set, STOP_CHECK_INSTRUCTIONS)
    try:
        yield
    finally:
        connection.set_progress_handler(None, 0)


def check_file(path: Path, thorough: bool = False, quiet: bool = False,
               stop: threading.Event | None = None) -> str | None:
    """None when SQLite finds the file sound, otherwise what it found, in its words.

    ``PRAGMA quick_check`` by default; ``thorough`` runs ``integrity_check``, which also
    compares every index with its table; ``quiet`` as for ``read_only``. Raises
    ``sqlite3.Error`` for trouble that is not damage (a lock held too long, a file that
    cannot be opened, ``stop`` set meanwhile)."""
    pragma = "integrity_check" if thorough else "quick_check"
    connection = read_only(path, quiet)
    try:
        with stop_when(connection, stop):
            rows = connection.execute(f"PRAGMA {pragma}").fetchall()
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            return str(exc)
        raise
    finally:
        connection.close()
    if rows == [("ok",)]:
        return None
    lines = [line for row in rows for line in str(row[0]).splitlines()
             if not line.startswith("***")]
    return "; ".join(lines[:PROBLEM_LINES])


@dataclass(frozen=True)
class SetAside:
    """A damaged database that was put aside: where it is now, and what SQLite found."""

    path: Path
    problem: str


def set_aside_if_damaged(path: Path, moment: datetime) -> SetAside | None:
    """Check ``path`` (if it exists); a damaged file is renamed with its companions."""
    path = Path(path)
    if not path.exists():
        return None
    problem = check_file(path)
    if problem is None:
        return None
    moved = move_aside(path, CORRUPT_LABEL, moment)
    log.error("the database %s is damaged (%s); it was moved, unchanged, to %s", path, problem,
              moved)
    return SetAside(moved, problem)


def damaged_files(database: Path) -> list[Path]:
    """The damaged files put aside from ``database`` so far, newest first."""
    found = database.parent.glob(f"{database.name}.{CORRUPT_LABEL}-*")
    return sorted((path for path in found if not path.name.endswith(COMPANIONS)),
                  reverse=True)


# A clean close lets the next start skip the check of the whole file, which reads every
# page (seconds for a large database). The record holds the file's size and modification
# time as the app left it; a file that was written since — by a crash that left its log,
# a copy, a restore, another program — no longer matches and is checked in full.


def _clean_close_record(database: Path) -> Path:
    return database.with_name(database.name + CLEAN_CLOSE_SUFFIX)


def remember_clean_close(database: Path) -> None:
    """Note that the app closed ``database`` cleanly (its log folded in and removed)."""
    database = Path(database)
    record = _clean_close_record(database)
    if companions(database) or not database.is_file():
        return  # another connection still has it open: it may still change
    status = database.stat()
    try:
        handle = os.open(record, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump({"size": status.st_size, "mtime_ns": status.st_mtime_ns}, stream)
    except OSError as exc:
        log.warning("the clean close of %s was not recorded: %s", database, exc)


def closed_cleanly(database: Path) -> bool:
    """Whether ``database`` is as the app left it at a clean close. The record is used up:
    until the next clean close, a start checks the whole file."""
    database = Path(database)
    record = _clean_close_record(database)
    try:
        remembered = json.loads(record.read_text(encoding="utf-8"))
        record.unlink()
        status = database.stat()
    except (OSError, ValueError):
        return False
    return (not companions(database) and isinstance(remembered, dict)
            and remembered.get("size") == status.st_size
            and remembered.get("mtime_ns") == status.st_mtime_ns)
