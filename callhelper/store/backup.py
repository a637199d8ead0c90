"""Backups of the database and putting one back.

A backup is a copy made with ``VACUUM INTO`` through a read-only connection of its own: a
consistent snapshot of everything committed when it starts, even while the app goes on
writing (WAL mode lets one writer and readers work at once), so the window's store never
waits for it. It is made under a temporary name, checked with ``PRAGMA integrity_check`` and
only then named ``<database>-<local date>-<time>.db`` in the backups folder; older backups
are removed only after that, keeping the newest ``keep``. Each backup is a single file (no
``-wal``). A backup can be stopped (``stop``): the copy and the check then end within a few
milliseconds, and no partial file is left.

Restoring never overwrites: the current database and its companions are moved aside
(``callhelper.db.before-restore-<time>``), with the anchor of its audit trail, before the
backup is copied in; the restored trail is then anchored where it ends (anchor.py).
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from callhelper.store.anchor import (GENESIS_HASH, LogKind, account_key, anchor_file,
                                     move_anchor, record_in_log, write_anchor)
from callhelper.store.engine import known_revisions
from callhelper.files import (PRIVATE_FOLDER, companions, durable_copy, fsync_folder,
                             move_aside, private_folder, temporary_beside)
from callhelper.store.integrity import (BUSY_TIMEOUT_S, check_file, is_damage, read_only,
                                        stop_when)

log = logging.getLogger(__name__)

DEFAULT_KEEP = 7
#: A backup is due when the newest is at least this old.
INTERVAL = timedelta(days=1)
#: A temporary copy left this long by an interrupted backup is removed.
STALE_PART = timedelta(days=1)
BEFORE_RESTORE_LABEL = "before-restore"
_STAMP = "%Y%m%d-%H%M%S"


class BackupError(ValueError):
    """A backup that could not be made, or a file that cannot be restored, in plain words."""


@dataclass(frozen=True)
class Backup:
    path: Path
    made_at: datetime
    size: int


def _pattern(database: Path) -> re.Pattern:
    return re.compile(re.escape(database.stem) + r"-(\d{8}-\d{6})(?:-(\d+))?\.db")


def list_backups(folder: Path, database: Path) -> list[Backup]:
    """The backups of ``database`` in ``folder``, newest first."""
    pattern, found = _pattern(database), []
    try:
        entries = list(Path(folder).iterdir())
    except FileNotFoundError:
        return []
    for path in entries:
        match = pattern.fullmatch(path.name)
        if match is None:
            continue
        try:
            made_at = datetime.strptime(match[1], _STAMP).astimezone()
            size = path.stat().st_size
        except (ValueError, OSError):
            continue
        found.append((made_at, int(match[2] or 1), Backup(path, made_at, size)))
    return [backup for *_, backup in sorted(found, key=lambda item: item[:2], reverse=True)]


def newest_backup(folder: Path, database: Path) -> Backup | None:
    backups = list_backups(folder, database)
    return backups[0] if backups else None


def is_due(folder: Path, database: Path, moment: datetime) -> bool:
    newest = newest_backup(folder, database)
    return newest is None or moment - newest.made_at >= INTERVAL


def _free_name(folder: Path, database: Path, moment: datetime) -> Path:
    base = f"{database.stem}-{moment.astimezone().strftime(_STAMP)}"
    target, number = folder / f"{base}.db", 1
    while target.exists():
        number += 1
        target = folder / f"{base}-{number}.db"
    return target


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """The database open on ``source`` into the empty file ``target``, as one file."""
    source.execute("VACUUM INTO ?", (str(target),))


def make_backup(source: sqlite3.Connection, database: Path, folder: Path, keep: int,
                moment: datetime, stop: threading.Event | None = None) -> Backup:
    """Copy the database open on ``source`` into ``folder``, check the copy, then remove the
    backups beyond the newest ``keep``. Raises BackupError if the copy is not sound (the
    older backups then stay), ``sqlite3.OperationalError`` (interrupted) if ``stop`` is set
    meanwhile."""
    folder = private_folder(Path(folder))
    target = _free_name(folder, database, moment)
    temporary = temporary_beside(target)
    try:
        try:
            with stop_when(source, stop):
                _copy(source, temporary)
            problem = check_file(temporary, thorough=True, stop=stop)
        except sqlite3.Error as exc:
            if stop is not None and stop.is_set():
                raise
            if is_damage(exc):  # found while copying
                raise BackupError(f"{database.name} is not sound ({exc}); the older backups "
                                  "were kept") from exc
            raise BackupError(f"the backup of {database.name} failed: {exc}") from exc
        if problem is not None:
            raise BackupError(f"the copy of {database.name} is not sound ({problem}); "
                              "the older backups were kept")
        with open(temporary, "rb") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_folder(folder)
    entry, end = file_trail_end(target) or (0, GENESIS_HASH)
    record_in_log(folder, database, LogKind.BACKUP, target.name, entry, end)
    prune(folder, database, keep, moment)
    return Backup(target, moment.astimezone().replace(microsecond=0), target.stat().st_size)


def prune(folder: Path, database: Path, keep: int, moment: datetime) -> list[Path]:
    """Remove the backups beyond the newest ``keep`` (at least one is always kept), and the
    temporary copies of interrupted backups; returns what was removed."""
    removed = [backup.path for backup in list_backups(folder, database)[max(1, keep):]]
    for part in Path(folder).glob(f".{database.stem}-*.part"):
        if moment.timestamp() - part.stat().st_mtime > STALE_PART.total_seconds():
            removed.append(part)
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def _source(database: Path) -> sqlite3.Connection:
    """A connection to copy ``database`` from. It only reads, but may write: the last one to
    close a database in WAL mode folds the log in and removes it, which a read-only one
    cannot, so a backup made while nothing else has the file open leaves no ``-wal`` and
    ``-shm`` behind."""
    return sqlite3.connect(f"file:{quote(str(database.resolve()))}?mode=rw", uri=True,
                           timeout=BUSY_TIMEOUT_S)


def back_up(database: Path, folder: Path, keep: int, moment: datetime,
            stop: threading.Event | None = None) -> Backup:
    """A backup of the database file ``database``, read through a connection of its own."""
    database = Path(database)
    if not database.is_file():
        raise BackupError(f"no database at {database}")
    source = _source(database)
    try:
        return make_backup(source, database, folder, keep, moment, stop)
    finally:
        source.close()


def back_up_if_due(database: Path, folder: Path, keep: int, moment: datetime,
                   stop: threading.Event | None = None) -> Backup | None:
    """A backup if the newest is a day old or more and the database holds a case."""
    database = Path(database)
    if not is_due(folder, database, moment):
        return None
    source = _source(database)
    try:
        if source.execute("SELECT 1 FROM support_case LIMIT 1").fetchone() is None:
            return None
        return make_backup(source, database, folder, keep, moment, stop)
    finally:
        source.close()


def check_backup(path: Path) -> None:
    """Raise BackupError unless ``path`` is a sound CallHelper database this version opens."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        problem = check_file(path, thorough=True)
    except sqlite3.Error as exc:
        problem = str(exc)
    if problem is not None:
        raise BackupError(f"{path}: damaged, or not a database ({problem})")
    connection = read_only(path)
    try:
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        connection.execute("SELECT 1 FROM support_case LIMIT 1")
    except sqlite3.Error as exc:
        raise BackupError(f"{path}: not a CallHelper database ({exc})") from exc
    finally:
        connection.close()
    if revision is None or revision[0] not in known_revisions():
        raise BackupError(f"{path}: written by a newer version of CallHelper "
                          f"(schema {revision and revision[0]})")


def restore(backup: Path, database: Path, moment: datetime,
            backups: Path | None = None) -> Path | None:
    """Put ``backup`` in place of ``database``: the backup is checked first, the current
    database (with its ``-wal`` and ``-shm``) is moved aside, and the backup copied in.
    Returns where the current database was moved, or None if there was none. The restored
    trail is anchored where it ends, and the restore recorded beside the backups in
    ``backups`` (the record of the trail's ends goes on from there): a restore is a
    deliberate step back."""
    check_backup(backup)
    database = Path(database)
    database.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    moved = move_aside(database, BEFORE_RESTORE_LABEL, moment) \
        if database.exists() or companions(database) else None
    if moved is not None:
        move_anchor(database, moved)
    durable_copy(Path(backup), database)
    end = _anchor_where_it_ends(database)
    if backups is not None:
        record_in_log(backups, database, LogKind.RESTORE, Path(backup).name, *end)
    log.warning("the backup %s was restored to %s (the database it replaced: %s)", backup,
                database, moved or "none")
    return moved


def file_trail_end(database: Path) -> tuple[int, str] | None:
    """The last entry of the trail in the file ``database`` (read-only): its id and hash;
    None when it has none (or no trail yet)."""
    connection = read_only(database, quiet=True)
    try:
        last = connection.execute(
            "SELECT id, hash FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.OperationalError:  # no audit_entry table yet
        last = None
    finally:
        connection.close()
    return (int(last[0]), str(last[1])) if last is not None else None


def _anchor_where_it_ends(database: Path) -> tuple[int, str]:
    """Anchor the trail of ``database`` at its last entry; a file without entries (or from
    before the trail, which starts when the app opens it) gets no anchor. Returns the end
    (0 and the genesis hash for none)."""
    last = file_trail_end(database)
    if last is None:
        anchor_file(database).unlink(missing_ok=True)
        return 0, GENESIS_HASH
    write_anchor(anchor_file(database), *last, account_key())
    return last


def record_new_database(backups: Path, database: Path) -> None:
    """A new, empty database was started in place of ``database`` (chosen at start, the
    old one set aside): the record beside the backups goes on from an empty trail."""
    record_in_log(backups, database, LogKind.NEW, "", 0, GENESIS_HASH)
