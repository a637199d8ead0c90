"""The database's daily upkeep, started once the window's database is open.

First, on a thread of its own, a check of the whole file (SQLite's quick check, through a
read-only connection), which the start skips after a clean close; then, when the newest
backup is a day old, a checked backup. Neither holds up the store's worker, so notes are
saved meanwhile as always. Then, when ``retention_days`` is set, the deletion of the cases
past it, then the forgetting of the operations applied a month ago (store/operations.py),
both on the store's worker a batch per job, so the window's own writes get their turn in
between. After a purge, last, the purged words are taken out of the search tables' old
segments a few pages per job (retention.merge_step) and the write-ahead log is emptied, so
that no byte of them is left in the file. Closing the window stops the check and the backup
within a few milliseconds.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

if TYPE_CHECKING:  # the store's modules are loaded once the database is open (start)
    from callhelper.config import Paths, Settings
    from callhelper.core.clock import Clock
    from callhelper.store.backup import Backup
    from callhelper.store.startup import StartupOpener
    from callhelper.app.store_client import StoreClient

log = logging.getLogger(__name__)
#: Tries at emptying the write-ahead log after a purge, and the wait between them.
CHECKPOINT_TRIES = 5
CHECKPOINT_RETRY_MS = 2000


class DailyUpkeep(QObject):
    """``failed`` carries a message for the agent, ``damaged`` one to keep in view until it
    is dismissed; ``finished`` fires when all is done, with the backup made (or None) and
    what was purged."""

    failed = Signal(str)
    damaged = Signal(str)
    finished = Signal(object, object)
    _checked = Signal(object, object)  # (damage found or None, backup or an error)

    def __init__(self, store: StoreClient, paths: Paths, settings: Settings, clock: Clock,
                 parent: QObject | None = None, opener: StartupOpener | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._paths = paths
        self._settings = settings
        self._clock = clock
        self._opener = opener
        self._started = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._backup: Backup | None = None
        self._purged = None  # retention.Purged, from start()
        self._checked.connect(self._after_check)

    def start(self) -> None:
        """Once per window; nothing for a server database (its backups are the server's)."""
        database = self._paths.database_file
        if self._started or database is None:
            return
        from callhelper.store import retention

        self._started = True
        self._purged = retention.Purged()
        folder, keep, now = self._paths.backup_dir, self._settings.get("backup_keep"), \
            self._clock.now()
        self._thread = threading.Thread(target=self._check_and_back_up, name="upkeep",
                                        args=(database, folder, keep, now), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the check or backup under way (a partial backup is removed) and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _check_and_back_up(self, database: Path, folder: Path, keep: int,
                           now: datetime) -> None:
        """On the upkeep's thread: the results go back to the GUI thread as ``_checked``."""
        import sqlite3

        from callhelper.store.backup import back_up_if_due
        from callhelper.store.integrity import check_file

        try:
            problem = check_file(database, stop=self._stop)
        except sqlite3.Error as exc:  # not damage: a lock, the file unreachable, stopped
            if self._stop.is_set():
                return
            log.warning("the database could not be checked: %s", exc)
            problem = None
        if problem is not None:
            self._checked.emit(problem, None)
            return
        try:
            backup = back_up_if_due(database, folder, keep, now, self._stop)
        except Exception as exc:  # reported to the agent; tried again at the next start
            if self._stop.is_set():
                return
            log.exception("the daily backup failed")
            self._checked.emit(None, exc)
            return
        if not self._stop.is_set():
            self._checked.emit(None, backup)

    def _after_check(self, problem: str | None, outcome: Backup | BaseException | None) -> None:
        if problem is not None:
            log.error("the check of the open database found damage: %s", problem)
            if self._opener is not None:
                self._opener.damage_found()
            self.damaged.emit(self.tr("The database file is damaged. Notes are still being "
                                     "saved, but restart CallHelper soon: it will set the "
                                     "damaged file aside and offer the latest backup."))
            self.finished.emit(None, self._purged)
            return
        if isinstance(outcome, BaseException):
            self.failed.emit(self.tr("Today's backup could not be made; details are in the "
                                     "log. It is tried again at the next start."))
            self._forget_applied()
            return
        self._backup = outcome
        days = self._settings.get("retention_days")
        if outcome is None or days < 1:
            self._forget_applied()
            return
        from callhelper.store import retention

        now = self._clock.now()
        self._purge_after(0, retention.cutoff(days, now), now)

    def _purge_after(self, after: int, before: datetime, now: datetime) -> None:
        from callhelper.store import retention

        def job(session):
            return retention.purge_batch(session, before, retention.PURGE_ACTOR, now, after)

        def done(batch: retention.Batch | None, error: BaseException | None) -> None:
            if error is not None:
                self.failed.emit(self.tr("Old cases could not be deleted as the retention "
                                         "setting asks; details are in the log."))
            elif batch.after is not None:
                self._purged += batch.purged
                self._purge_after(batch.after, before, now)
                return
            self._forget_applied()

        if not self._store.closed:
            self._store.submit(job, done)

    def _forget_applied(self) -> None:
        """Last, the operations applied long ago are forgotten (store/operations.py), a
        batch per job; then ``finished``."""
        from callhelper.store import operations

        before = self._clock.now() - operations.REMEMBER_APPLIED

        def done(forgotten: int | None, error: BaseException | None) -> None:
            if error is None and forgotten == operations.FORGET_BATCH:
                self._forget_applied()
                return
            if error is not None:
                log.warning("applied operations were not forgotten: %s", error)
            if self._purged.cases:
                self._merge(0, first=True)
            else:
                self.finished.emit(self._backup, self._purged)

        if not self._store.closed:
            self._store.submit(lambda session: operations.forget_applied(session, before), done)

    def _merge(self, table: int, first: bool) -> None:
        """After a purge, the purged words are taken out of the search tables' old segments
        (retention.merge_step), a few pages per job, table by table, so that the window's
        writes never wait long; then the write-ahead log is emptied (``_checkpoint``)."""
        from callhelper.store import retention

        if table == len(retention.SEARCH_TABLES):
            self._checkpoint(CHECKPOINT_TRIES)
            return
        name = retention.SEARCH_TABLES[table]

        def done(more: bool | None, error: BaseException | None) -> None:
            if error is not None:  # left for the next purge, or `callhelper purge`
                log.warning("the search table %s was not merged after the purge: %s", name,
                            error)
                self.finished.emit(self._backup, self._purged)
            elif more:
                self._merge(table, first=False)
            else:
                self._merge(table + 1, first=True)

        if not self._store.closed:
            self._store.submit(lambda session: retention.merge_step(session, name, first), done)

    def _checkpoint(self, tries: int) -> None:
        """The write-ahead log still holds the old pages: it is folded into the file and
        emptied, tried again a little later while another connection is reading."""
        from callhelper.store import retention

        def done(emptied: bool | None, error: BaseException | None) -> None:
            if error is None and not emptied and tries > 1:
                QTimer.singleShot(CHECKPOINT_RETRY_MS, self, lambda: self._checkpoint(tries - 1))
                return
            if error is not None or not emptied:
                log.warning("the write-ahead log was not emptied after the purge: %s",
                            error or "a reader kept it")
            self.finished.emit(self._backup, self._purged)

        if not self._store.closed:
            self._store.submit(retention.checkpoint, done)
