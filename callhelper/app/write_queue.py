"""The window's writes, in order, each until it is committed.

One write is in flight at a time, so a later write never overtakes an earlier one (a note
never arrives before its contact). A write that fails for a passing reason — a lock, a full
disk — stays at the head and is retried; one that can never succeed is dropped and
reported. Each write is an operation (store/operations.py), applied by ``perform`` (in
team mode it also keeps the operation in the outbox for the server). What is still waiting
when the app closes is journalled (see store/journal.py): in the data folder, or, when that
cannot be written (the disk is full, the folder read-only), in a spare journal elsewhere.

A queue made ``held`` waits for ``release()`` (the call window's: until its database is
open, which happens after the window is shown; or, when the database cannot be written at
start, until it can, see ``hold``): each write put meanwhile is journalled at once, so a
kill before the database opens loses nothing, and the journal is removed again once those
writes are committed. The storage stack is imported only when a write is journalled or has
failed, never when this module is.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from callhelper.app.store_client import StoreClient

if TYPE_CHECKING:
    from sqlmodel import Session

    from callhelper.store.engine import WriteFault
    from callhelper.store.operations import Operation

#: How long a write that failed for a passing reason waits before it is tried again.
RETRY_INTERVAL_MS = 3000
#: store/journal.py's JOURNAL_FILE (a test keeps them the same): named here so that the
#: window can be made before the store's modules are loaded.
JOURNAL_FILE = "unsaved-writes.jsonl"
#: A journal taken for the replay at this start (``claim_kept``); replayed, then removed.
REPLAYING_FILE = "unsaved-writes.replaying.jsonl"
log = logging.getLogger(__name__)


def claim_kept(journal_path: Path) -> Path:
    """Before this session writes to ``journal_path``: what an earlier session kept there
    moves to REPLAYING_FILE beside it (appended to one left by a start that did not finish
    its replay), so that the replay at this start applies those writes, and only those,
    while this session journals its own in ``journal_path``. Returns the path to replay.
    A rename, or an append made durable before the journal is removed: a kill at any
    moment leaves each kept write in one file or the other (or, harmlessly, both: an
    operation is applied once)."""
    replaying = journal_path.with_name(REPLAYING_FILE)
    try:
        if not journal_path.exists():
            return replaying
        if not replaying.exists():
            os.replace(journal_path, replaying)
            return replaying
        data = journal_path.read_bytes()
        handle = os.open(replaying, os.O_WRONLY | os.O_APPEND | getattr(os, "O_BINARY", 0))
        try:
            os.write(handle, data if data.endswith(b"\n") or not data else data + b"\n")
            os.fsync(handle)
        finally:
            os.close(handle)
        journal_path.unlink()
    except OSError as exc:
        log.warning("kept writes not taken for the replay from %s: %s", journal_path, exc)
        if not replaying.exists():  # a folder that cannot be written: replayed where it is
            return journal_path
    return replaying


def operation(name: str, /, **args) -> Operation:
    """``Operation.of(name, **args)`` (store/operations.py): a write for the queue. Its
    module is loaded at the first write, not with the window."""
    from callhelper.store.operations import Operation

    return Operation.of(name, **args)


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
                 spare_journal_path: Path | None = None, held: bool = False,
                 retry_interval_ms: int = RETRY_INTERVAL_MS):
        super().__init__(parent)
        self._held = held
        self._store = store
        self._perform = perform
        self._journal_paths = [journal_path] + ([spare_journal_path] if spare_journal_path
                                                else [])
        self._journals_used: set[Path] = set()
        self._kept: dict[int, Write] = {}
        self._queue: deque[Write] = deque()
        self._in_flight = False
        self._closed = False
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
        if self.problem is None:
            return None
        from callhelper.store.engine import write_fault

        return write_fault(self.problem)

    @property
    def held(self) -> bool:
        return self._held

    def hold(self, problem: BaseException) -> None:
        """The database could not be opened, for ``problem`` (it cannot be written): nothing
        is sent to it, and each write is journalled as it is put (``keep``), so that neither
        a quit nor a crash can lose it. ``release`` once the database is open."""
        self._held = True
        self.problem = problem
        if not self.keep():
            log.error("writes waiting for the database could not be journalled")
        self.changed.emit()

    def release(self) -> None:
        """The database is open: the writes held so far go, in order (their journal is
        removed once they are all committed)."""
        if not self._held:
            return
        self._held = False
        self.problem = None
        self.changed.emit()
        self._pump()

    def put(self, write: Write) -> None:
        if self._closed:
            raise RuntimeError("the write queue is closed")
        self._queue.append(write)
        if self._held and not self.keep():
            log.error("a write waiting for the database could not be journalled")
        self.changed.emit()
        self._pump()

    def _pump(self) -> None:
        if (self._held or self._in_flight or not self._queue or self._closed
                or self._store.closed or self._retry.isActive()):
            return
        self._in_flight = True
        self._store.submit(self._job(self._queue[0]), self._done)

    def _done(self, result: object, error: BaseException | None) -> None:
        self._in_flight = False
        if error is not None and _is_transient(error):
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
        self._kept.pop(id(write), None)
        if self._journals_used and not self._kept:
            self._drop_journals()  # every write journalled is committed (or reported)
        self.changed.emit()
        self._pump()

    def _drop_journals(self) -> None:
        for path in self._journals_used:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        self._journals_used.clear()
        self.kept_in = None

    def _job(self, write: Write) -> Callable[[Session], object]:
        return partial(self._perform, operation=write.operation)

    def keep(self) -> bool:
        """Journal the waiting writes now, so that closing cannot lose them. False when some
        are waiting and neither journal can be written: closing now would lose them, so the
        window stays open."""
        waiting = [write for write in self._queue if id(write) not in self._kept]
        if not waiting:
            return True
        from callhelper.store import journal

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
        if self._held:  # the database never opened: the writes stay in the journal for the
            return len(self._kept)  # next start, whose opening decides where they go
        errors = self._store.run_here([self._job(write) for write in left]) if left else []
        kept = len(self._kept)
        if all(error is None for error in errors):
            self._drop_journals()
        return kept


def _is_transient(error: BaseException) -> bool:
    from callhelper.store.engine import is_transient

    return is_transient(error)
