"""Opening the window's database at start-up: checked before anything is written to it.

The file gets SQLite's quick check first, unless the app closed it cleanly and nothing
has written to it since (then the window's daily upkeep checks it in the background,
once it is open). A damaged file is moved aside, unchanged (see integrity.py), and so is
one whose write-ahead log was lost since the app wrote to it. Then, if a sound backup
exists, nothing is opened until the user chooses between that backup and an empty database
(``ChoiceNeeded`` says so); without a backup a new, empty database is started. A database
file that is missing while backups exist gets the same choice: it was moved or deleted, and
starting empty would hide that. A path that holds something other than a CallHelper
database (engine.check_database_file) is refused: nothing is opened, moved or written, and
the user is told.

The opener runs on the store's worker, so the check and a restore never hold up the
window; ``opened()`` then tells the window what happened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

from callhelper.store.backup import (Backup, BackupError, check_backup, list_backups,
                                     record_new_database, restore)
from callhelper.store.anchor import move_anchor
from callhelper.store.audit import AnchorsFound
from callhelper.store.dialect import sqlite_file
from callhelper.store.engine import NotCallHelperDatabase, Store, check_database_file
from callhelper.store.integrity import (LogWrites, SetAside, closed_cleanly,
                                        remember_clean_close, set_aside_if_damaged,
                                        set_aside_if_log_lost)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Trouble:
    """The database could not be used as it was: set aside (damaged, or its log lost),
    missing, or refused (``refused`` says why: its path holds something else)."""

    database: Path
    set_aside: SetAside | None
    backup: Backup | None
    refused: str | None = None


@dataclass(frozen=True)
class Opened:
    """What happened on the way to an open database (both None: nothing worth telling)."""

    trouble: Trouble | None
    restored: Backup | None
    #: The trail no longer held an end recorded outside it (audit.anchors_at_open).
    anchors: AnchorsFound | None = None


class ChoiceNeeded(Exception):
    """Nothing is opened until the user has seen the trouble: the database was set aside or
    is missing and a backup could replace it (the user chooses, ``StartupOpener.choose``),
    or its path was refused (``trouble.refused``), and the only way on is a correct path."""

    def __init__(self, trouble: Trouble) -> None:
        if trouble.refused is not None:
            message = f"refused: {trouble.refused}"
        else:
            what = f"moved to {trouble.set_aside.path}" if trouble.set_aside else "missing"
            message = f"the database {trouble.database} is {what}; a backup is offered"
        super().__init__(message)
        self.trouble = trouble


class StartupOpener:
    """The store worker's opener for the call window (``StoreClient(opener=...)``)."""

    def __init__(self, url: str, backup_dir: Path, now: Callable[[], datetime]) -> None:
        self._url = url
        self._database = sqlite_file(url)
        self._backup_dir = Path(backup_dir)
        self._now = now
        self._choice: Backup | bool | None = None
        self._opened = Opened(None, None)
        self._damage_found = False

    def choose(self, backup: Backup | None) -> None:
        """At the next opening: restore ``backup``, or (None) start an empty database."""
        self._choice = backup if backup is not None else False

    def opened(self) -> Opened:
        """What happened at the last opening that succeeded."""
        return self._opened

    def damage_found(self) -> None:
        """A check of the open file found damage: the next start checks it in full (and
        sets it aside), however the app closes."""
        self._damage_found = True

    def __call__(self) -> Store:
        if self._database is None:
            return Store(self._url)
        database = self._database
        try:
            self._prepare(database)
            store = Store(self._url, self._backup_dir)
        except NotCallHelperDatabase as exc:
            raise ChoiceNeeded(Trouble(database, None, None, refused=str(exc))) from exc
        self._opened = replace(self._opened, anchors=store.anchors_found)
        writes = LogWrites(database)
        _note_writes(store.engine, writes)
        store.after_close(lambda: self._closed(database, writes))
        return store

    def _closed(self, database: Path, writes: LogWrites) -> None:
        if not self._damage_found:
            remember_clean_close(database)
        writes.closed()

    def _prepare(self, database: Path) -> None:
        choice, self._choice = self._choice, None
        trouble = self._opened.trouble
        if isinstance(choice, Backup):
            restore(choice.path, database, self._now(), self._backup_dir)
            self._opened = Opened(trouble, choice)
            return
        if choice is False:
            if not database.exists():  # missing: its anchor stays, under the name it had
                move_anchor(database, database.with_name(
                    f"{database.name}.missing-{self._now().astimezone():%Y%m%d-%H%M%S}"))
            record_new_database(self._backup_dir, database)
            self._opened = Opened(trouble, None)
            return
        if closed_cleanly(database):
            return
        set_aside = set_aside_if_log_lost(database, self._now())
        if set_aside is None:
            check_database_file(database)
            set_aside = set_aside_if_damaged(database, self._now())
        if set_aside is None and database.exists():
            return
        backup = self._latest_sound_backup(database)
        if set_aside is None and backup is None:
            return  # the first start: nothing to tell
        trouble = Trouble(database, set_aside, backup)
        self._opened = Opened(trouble, None)
        if backup is not None:
            raise ChoiceNeeded(trouble)

    def _latest_sound_backup(self, database: Path) -> Backup | None:
        for backup in list_backups(self._backup_dir, database):
            try:
                check_backup(backup.path)
            except BackupError as exc:
                log.warning("an older backup is offered: %s", exc)
            else:
                return backup
        return None


#: Where a pooled connection keeps SQLite's count of the rows it changed, as last seen.
_CHANGES_SEEN = "changes_seen"


def _note_writes(engine: Engine, writes: LogWrites) -> None:
    """``writes.writing()`` before each commit on ``engine`` that changes a row: SQLite's
    connection is in a transaction once a statement wrote, and its count of changed rows
    has grown since its last commit. A statement that changed nothing (a retried write
    that finds its row saved) leaves the file as it was, and is no write to lose."""

    def before_commit(connection) -> None:
        pooled = connection.connection
        changes = pooled.dbapi_connection.total_changes
        if pooled.dbapi_connection.in_transaction and changes != pooled.info.get(
                _CHANGES_SEEN):
            writes.writing()
        pooled.info[_CHANGES_SEEN] = changes

    event.listen(engine, "commit", before_commit)
