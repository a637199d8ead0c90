"""The database's daily upkeep, started once the window's database is open: a checked
backup when the newest is a day old, then — when ``retention_days`` is set — the deletion of
the cases past it. Everything runs on the store's worker, the purge a batch per job, so the
window's own writes get their turn in between."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, Signal

from callhelper.config import Paths, Settings
from callhelper.core.clock import Clock
from callhelper.store import retention
from callhelper.store.backup import Backup, back_up_if_due
from callhelper.ui.store_client import StoreClient


class DailyUpkeep(QObject):
    """``failed`` carries a message for the agent; ``finished`` fires when all is done, with
    the backup made (or None) and what was purged."""

    failed = Signal(str)
    finished = Signal(object, object)

    def __init__(self, store: StoreClient, paths: Paths, settings: Settings, clock: Clock,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._paths = paths
        self._settings = settings
        self._clock = clock
        self._started = False
        self._backup: Backup | None = None
        self._purged = retention.Purged()

    def start(self) -> None:
        """Once per window; nothing for a server database (its backups are the server's)."""
        if self._started or self._paths.database_file is None:
            return
        self._started = True
        folder, keep, now = self._paths.backup_dir, self._settings.get("backup_keep"), \
            self._clock.now()
        self._store.submit(lambda session: back_up_if_due(session, folder, keep, now),
                           self._backed_up)

    def _backed_up(self, backup: Backup | None, error: BaseException | None) -> None:
        if error is not None:
            self.failed.emit(self.tr("Today's backup could not be made; details are in the "
                                     "log. It is tried again at the next start."))
            self.finished.emit(None, self._purged)
            return
        self._backup = backup
        days = self._settings.get("retention_days")
        if backup is None or days < 1:
            self.finished.emit(backup, self._purged)
            return
        now = self._clock.now()
        self._purge_after(0, retention.cutoff(days, now), now)

    def _purge_after(self, after: int, before: datetime, now: datetime) -> None:
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
            self.finished.emit(self._backup, self._purged)

        if not self._store.closed:
            self._store.submit(job, done)
