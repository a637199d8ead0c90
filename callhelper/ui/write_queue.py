"""The window's writes, in order, each until it is committed.

One write is in flight at a time, so a later write never overtakes an earlier one (a note
never arrives before its contact). A write that fails for a passing reason — a lock, a full
disk — stays at the head and is retried; one that can never succeed is dropped and
reported. Each write is an operation (store/operations.py), applied by ``perform`` (in
team mode it also keeps the operation in the outbox for the server). What is still waiting
when the app closes is journalled (see store/journal.py): in the data folder, or, when that
cannot be written (the disk is full, the folder read-only), in a spare journal elsewhere.
When the database cannot even be opened (its folder read-only at start), the queue is held:
each write is journalled as it is made, and sent once the database opens (``hold``).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from sqlmodel import Session

from callhelper.store import journal
from callhelper.store.engine import WriteFault, is_transient, write_fault
from callhelper.store.operations import Operation
from callhelper.ui.store_client import StoreClient

#: How long a write that failed for a passing reason waits before it is tried again.
RETRY_INTERVAL_MS = 3000
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Write:
    operation: Operation
    on_saved: Callable[[object], None] | None = None
    on_failed: Callable[[BaseException], None] | None = None


class WriteQueue(QObject):
    """``changed`` fires whenever the number waiting or the retry problem changes."""

    changed = Signal()

    def __init__(self, store: StoreClient, journal_path: Path,
                 perform: Callable[[Session, Operation], object], parent: QObject | None = None,
                 spare_journal_path: Path | None = None,
                 retry_interval_ms: int = RETRY_INTERVAL_MS):
        super().__init__(parent)
        self._store = store
        self._perform = perform
        self._journal_paths = [journal_path] + ([spare_journal_path] if spare_journal_path
                                                else [])
        self._journals_used: set[Path] = set()
        self._kept: dict[int, Write] = {}
        self._queue: deque[Write] = deque()
        self._in_flight = False
        self._closed = False
        self._held = False
        self.problem: BaseException | None = None
        #: The journal the waiting writes were last kept in (None: none kept yet).
        self.kept_in: Path | None = None
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(retry_interval_ms)
        self._retry.timeout.connect(self._pump)

    @property
    def retry_interval_ms(self) -> int:
        """How long a write that failed for a passing reason waits before its next try."""
        return self._retry.interval()

    @retry_interval_ms.setter
    def retry_interval_ms(self, interval: int) -> None:
        self._retry.setInterval(interval)

    @property
    def waiting(self) -> int:
        return len(self._queue)

    @property
    def fault(self) -> WriteFault | None:
        """Why the write at the head is being retried (None: nothing is)."""
        return None if self.problem is None else write_fault(self.problem)

    @property
    def held(self) -> bool:
        return self._held

    def hold(self, problem: BaseException) -> None:
        """The database could not be opened, for ``problem`` (it cannot be written): nothing
        is sent to it, and each write is journalled as it is put (``keep``), so that neither
        a quit nor a crash can lose it. ``release`` once the database is open."""
        self._held = True
        self.problem = problem
        self.keep()
        self.changed.emit()

    def release(self) -> None:
        """The database is open again, and has applied the journal the held writes were kept
        in (journal.replay_kept, which set the journal aside): they are sent once more, which
        changes nothing for those applied (an operation is applied once) and answers their
        callers."""
        self._held = False
        self.problem = None
        self._kept.clear()
        self.changed.emit()
        self._pump()

    def put(self, write: Write) -> None:
        if self._closed:
            raise RuntimeError("the write queue is closed")
        self._queue.append(write)
        if self._held:
            self.keep()
        self.changed.emit()
        self._pump()

    def _pump(self) -> None:
        if (self._in_flight or not self._queue or self._closed or self._store.closed
                or self._retry.isActive() or self._held):
            return
        self._in_flight = True
        self._store.submit(self._job(self._queue[0]), self._done)

    def _done(self, result: object, error: BaseException | None) -> None:
        self._in_flight = False
        if error is not None and is_transient(error):
            self.problem = error
            self._retry.start()
            self.changed.emit()
            return
        write = self._queue.popleft()
        self.problem = None
        if error is None:
            if write.on_saved is not None:
                write.on_saved(result)
        else:
            log.error("write dropped, it cannot succeed: %s", error)
            if write.on_failed is not None:
                write.on_failed(error)
        self.changed.emit()
        self._pump()

    def _job(self, write: Write) -> Callable[[Session], object]:
        return partial(self._perform, operation=write.operation)

    def keep(self) -> bool:
        """Journal the waiting writes now, so that closing cannot lose them. False when some
        are waiting and neither journal can be written: closing now would lose them, so the
        window stays open."""
        waiting = [write for write in self._queue if id(write) not in self._kept]
        if not waiting:
            return True
        paths = sorted(self._journal_paths, key=lambda path: path not in self._journals_used)
        try:
            self.kept_in = journal.keep(paths, [write.operation.record() for write in waiting])
        except OSError:
            return False
        self._journals_used.add(self.kept_in)
        self._kept.update((id(write), write) for write in waiting)
        return True

    def close(self) -> int:
        """Finish: journal what is waiting (``keep``), close the store (its answers still
        arrive), then try what is left once more on this thread, stopping at the first
        failure; returns how many writes were journalled (the journal is removed again if
        they all went through).

        A journalled write that did commit is harmless: an operation is applied once.
        """
        self._retry.stop()
        if not self.keep():
            log.error("%d waiting writes could not be kept: no journal could be written",
                      len(self._queue))
        self._store.close()
        self._closed = True
        left = list(self._queue)
        self._queue.clear()
        if self._held:  # the journal may hold an earlier session's writes, not yet applied:
            return len(self._kept)  # all wait for the next start, which applies them in order
        errors = self._store.run_here([self._job(write) for write in left]) if left else []
        if all(error is None for error in errors):
            for path in self._journals_used:
                path.unlink(missing_ok=True)
        return len(self._kept)
