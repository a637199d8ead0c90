"""Checking a database file the way SQLite does, and putting a damaged one aside.

A damaged file is never written to or deleted: it is renamed with its companions
(``callhelper.db.corrupt-<time>``), so whatever it still holds can be recovered later. So
is a file whose write-ahead log was lost (``log_lost``): without the log it lacks what was
saved last. Only these count: a file that is locked or cannot be opened for another reason
(its permissions, a missing folder) raises, and is left where it is; so is anything that is
not a CallHelper database at all (engine.check_database_file), which is never set aside.
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

from callhelper.store.anchor import ANCHOR_SUFFIX, move_anchor
from callhelper.files import COMPANIONS, PRIVATE_FILE, companions, move_aside

log = logging.getLogger(__name__)

DAMAGE_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
CORRUPT_LABEL = "corrupt"
PROBLEM_LINES = 5
BUSY_TIMEOUT_S = 5.0
#: How many SQLite instructions run between two looks at a ``stop`` event.
STOP_CHECK_INSTRUCTIONS = 1000
#: Beside the database after a clean close: its size and time then (see ``closed_cleanly``).
CLEAN_CLOSE_SUFFIX = ".clean-close"
#: Beside the database once the app wrote to its log: the file's size and time before
#: those writes (see ``LogWrites``).
LOG_WRITES_SUFFIX = ".log-writes"
WAL_SUFFIX = "-wal"
#: Why a database whose log was lost is set aside, in the log and the commands' messages.
LOST_LOG = ("its write-ahead log (-wal), which held what was saved since the app last "
            "opened it, is missing")


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
    """A database that was put aside: where it is now, and what was wrong with it — what
    SQLite found, or (``lost_log``) that its write-ahead log was gone."""

    path: Path
    problem: str
    lost_log: bool = False


def _set_aside(path: Path, problem: str, moment: datetime, lost_log: bool) -> SetAside:
    moved = move_aside(path, CORRUPT_LABEL, moment)
    move_anchor(path, moved)
    why = problem if lost_log else f"it is damaged ({problem})"
    log.error("the database %s cannot be used as it is: %s; it was moved, unchanged, to %s",
              path, why, moved)
    return SetAside(moved, problem, lost_log)


def set_aside_if_damaged(path: Path, moment: datetime) -> SetAside | None:
    """Check ``path`` (if it exists); a damaged file is renamed with its companions. Only
    for a path known to hold a CallHelper database (engine.check_database_file): to SQLite,
    any other file is damaged too."""
    path = Path(path)
    if not path.exists():
        return None
    problem = check_file(path)
    if problem is None:
        return None
    return _set_aside(path, problem, moment, lost_log=False)


def set_aside_if_log_lost(path: Path, moment: datetime) -> SetAside | None:
    """``path`` renamed with its companions if its write-ahead log was lost (``log_lost``)."""
    path = Path(path)
    if not log_lost(path):
        return None
    set_aside = _set_aside(path, LOST_LOG, moment, lost_log=True)
    _beside(path, LOG_WRITES_SUFFIX).unlink(missing_ok=True)
    return set_aside


def damaged_files(database: Path) -> list[Path]:
    """The damaged files put aside from ``database`` so far, newest first."""
    found = database.parent.glob(f"{database.name}.{CORRUPT_LABEL}-*")
    return sorted((path for path in found
                   if not path.name.endswith((*COMPANIONS, ANCHOR_SUFFIX))), reverse=True)


def _beside(database: Path, suffix: str) -> Path:
    """The file named ``database``'s name and ``suffix``: a record, the log."""
    return database.with_name(database.name + suffix)


def _stamp(database: Path) -> dict[str, int]:
    """What the records keep of the database file: its size and modification time."""
    status = database.stat()
    return {"size": status.st_size, "mtime_ns": status.st_mtime_ns}


def _write_record(record: Path, content: dict) -> None:
    """A small private file, on disk when this returns (so that it outlives a power cut)."""
    handle = os.open(record, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(content, stream)
        stream.flush()
        os.fsync(stream.fileno())


def _read_record(record: Path) -> dict | None:
    try:
        content = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return content if isinstance(content, dict) else None


# A clean close lets the next start skip the check of the whole file, which reads every
# page (seconds for a large database). The record holds the file's size and modification
# time as the app left it; a file that was written since — by a crash that left its log,
# a copy, a restore, another program — no longer matches and is checked in full.


def remember_clean_close(database: Path) -> None:
    """Note that the app closed ``database`` cleanly (its log folded in and removed)."""
    database = Path(database)
    if companions(database) or not database.is_file():
        return  # another connection still has it open: it may still change
    try:
        _write_record(_beside(database, CLEAN_CLOSE_SUFFIX), _stamp(database))
    except OSError as exc:
        log.warning("the clean close of %s was not recorded: %s", database, exc)


def closed_cleanly(database: Path) -> bool:
    """Whether ``database`` is as the app left it at a clean close. The record is used up:
    until the next clean close, a start checks the whole file."""
    database = Path(database)
    record = _beside(database, CLEAN_CLOSE_SUFFIX)
    remembered = _read_record(record)
    try:
        record.unlink()
        stamp = _stamp(database)
    except OSError:
        return False
    return not companions(database) and remembered == stamp


# In WAL mode a write goes to the log (``-wal``) first; the database file itself changes only
# when a checkpoint folds the log in — now and then while the app runs, and when it closes.
# After a crash the log holds the last writes, and SQLite replays it at the next opening.
# If the log is deleted meanwhile (by a cleaner, or a copy that left it behind), the file
# opens as it was at the last checkpoint, without a word. So the app notes, before a commit
# that writes, the file's size and time at that moment: writes followed them. If at the next
# start the file still has that size and time (no checkpoint since) and there is no log,
# those writes were only in the lost log. A session that wrote nothing leaves no record, and
# the record goes once a close has folded the log in.


class LogWrites:
    """The record (``callhelper.db.log-writes``) that the app wrote to ``database``'s log
    after the file had the size and time noted in it (see ``log_lost``). ``writing`` is
    called before each commit that writes, on one thread at a time: a look at the file's
    size and time, and a new record only when they changed since the last one (at the
    first write, and after a checkpoint)."""

    def __init__(self, database: Path) -> None:
        self._database = Path(database)
        self._record = _beside(self._database, LOG_WRITES_SUFFIX)
        self._noted: dict[str, int] | None = None

    def writing(self) -> None:
        try:
            stamp = _stamp(self._database)
        except OSError:
            return
        if stamp == self._noted:
            return
        self._noted = stamp  # tried once per change, so a folder that refuses is told once
        try:
            _write_record(self._record, stamp)
        except OSError as exc:
            log.warning("the writes to the log of %s were not recorded: %s", self._database,
                        exc)

    def closed(self) -> None:
        """After the app closed the database: once the close folded the log in (no ``-wal``
        is left), nothing written is only in the log, and the record goes."""
        if not _beside(self._database, WAL_SUFFIX).exists():
            self._record.unlink(missing_ok=True)


def log_lost(database: Path) -> bool:
    """Whether what the app last wrote to ``database`` went with a write-ahead log that is
    no longer there: the app wrote after the file had the size and time it has now (so no
    checkpoint folded those writes in since), and no log (or an empty one) is beside it. A
    crash that leaves the log, a first start and a session without writes have nothing to
    report; neither has a crash's log folded in later (at the next close, or by a command),
    which changes the file. Nothing is changed."""
    database = Path(database)
    remembered = _read_record(_beside(database, LOG_WRITES_SUFFIX))
    if remembered is None:
        return False
    try:
        if _beside(database, WAL_SUFFIX).stat().st_size > 0:
            return False
    except FileNotFoundError:
        pass
    try:
        return _stamp(database) == remembered
    except OSError:
        return False
