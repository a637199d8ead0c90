"""Database work off the GUI thread.

One worker thread owns the Store; the GUI submits jobs (functions taking a
Session) and gets each result back on the GUI thread, in the order submitted.
Each job is one unit of work: committed when it returns, so a result that
reaches the GUI is on disk.

This module imports nothing of the storage stack at module level: the window is shown
before SQLAlchemy and the store's modules are loaded, and the worker loads them when it
opens the store (docs/architecture.md, "Window first").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

if TYPE_CHECKING:
    from sqlmodel import Session

Job = Callable[["Session"], Any]
Opener = Callable[[], Any]
Callback = Callable[[Any, BaseException | None], None]

log = logging.getLogger(__name__)


def open_store(url: str):
    """``Store(url)``, its module (and SQLAlchemy) loaded by the thread that opens it."""
    from callhelper.store.engine import Store

    return Store(url)
#: A passing fault's traceback is logged again after this long, if it still happens.
FAULT_TRACEBACK_EVERY_S = 600


class _StoreWorker(QObject):
    done = Signal(object, object, object)

    def __init__(self, opener: Opener) -> None:
        super().__init__()
        self._opener = opener
        self._store = None
        self._faults_logged: dict[tuple[str, str], float] = {}  # when, by monotonic time

    @Slot(object, object)
    def run(self, job: Job, callback: Callback | None) -> None:
        try:
            if self._store is None:
                self._store = self._opener()
            with self._store.unit_of_work() as session:
                result = job(session)
        except Exception as exc:  # every failure goes back to the GUI, which tells the user
            self._log_failure(exc)
            self.done.emit(callback, None, exc)
        else:
            self.done.emit(callback, result, None)

    def _log_failure(self, error: Exception) -> None:
        """A passing fault (a lock, a full disk) fails every retry the same way for as long
        as it lasts: its traceback is logged once in FAULT_TRACEBACK_EVERY_S, each repeat in
        one line, so that an hour of retries does not push the rest of the log out of its
        rotation."""
        from callhelper.store.engine import is_transient, write_fault

        if not is_transient(error):
            log.exception("database job failed")
            return
        fault = (type(error).__name__, str(getattr(error, "orig", None) or error))
        now = time.monotonic()
        logged = self._faults_logged.get(fault)
        if logged is not None and now - logged < FAULT_TRACEBACK_EVERY_S:
            log.warning("database job failed again: %s (%s)", write_fault(error).value,
                        fault[0])
            return
        self._faults_logged[fault] = now
        log.exception("database job failed (%s); retried while it lasts",
                      write_fault(error).value)

    @Slot()
    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class StoreClient(QObject):
    """The GUI side: ``submit(job, callback)``; ``close()`` waits for queued jobs; ``idle``
    says whether every job submitted has had its answer delivered."""

    _submitted = Signal(object, object)
    _closing = Signal()

    def __init__(self, url: str, parent: QObject | None = None,
                 opener: Opener | None = None, start: bool = True) -> None:
        """The worker opens ``Store(url)`` on first use, or whatever ``opener`` returns: an
        object with ``unit_of_work()`` and ``close()`` (the review's read-only files).
        ``start=False``: jobs wait until ``start()`` (the call window's, once it is shown)."""
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("store")
        self._url = url
        self._worker = _StoreWorker(opener or partial(open_store, url))
        self._worker.moveToThread(self._thread)
        self._submitted.connect(self._worker.run)
        self._worker.done.connect(self._deliver)
        self._closed = False
        self._unanswered = 0
        if start:
            self.start()

    def start(self) -> None:
        """Start the worker: the jobs submitted so far run, in order."""
        if not self._closed and not self.started:
            # Qt's namespace is named here, not at the window's construction: PySide makes
            # the Python enums of all of it at once, a sixth of a bare window's start-up
            from PySide6.QtCore import Qt

            self._closing.connect(self._worker.close,
                                  Qt.ConnectionType.BlockingQueuedConnection)
            self._thread.start()

    @property
    def started(self) -> bool:
        return self._thread.isRunning() or self._thread.isFinished()

    def submit(self, job: Job, callback: Callback | None = None) -> None:
        if self._closed:
            raise RuntimeError("the store is closed")
        self._unanswered += 1
        self._submitted.emit(job, callback)

    @property
    def idle(self) -> bool:
        """Whether every job submitted so far has run and its answer has reached the GUI
        thread (its callback called): nothing more comes from the worker until the next
        ``submit``."""
        return self._unanswered == 0

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Finish every job submitted so far, deliver their results, stop the worker."""
        if self._closed:
            return
        self._closed = True
        if not self.started:  # never started: nothing ran, nothing to wait for
            return
        self._closing.emit()
        self._thread.quit()
        self._thread.wait()
        from PySide6.QtCore import QEvent  # not at start: its enums cost the first paint

        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)

    def run_here(self, jobs: list[Job]) -> list[BaseException | None]:
        """After close: run jobs in the calling thread, each its own unit of work, in order,
        stopping at the first failure (the rest get the same error); returns each one's
        error, None for success. For the last writes at shutdown."""
        if not self._closed:
            raise RuntimeError("run_here is for after close()")
        errors: list[BaseException | None] = []
        try:
            store = open_store(self._url)
        except Exception as exc:  # the database cannot be opened: every job fails with it
            log.exception("database not opened for the last writes")
            return [exc] * len(jobs)
        try:
            for job in jobs:
                try:
                    with store.unit_of_work() as session:
                        job(session)
                    errors.append(None)
                except Exception as exc:  # reported to the caller, which journals the write
                    log.exception("last write failed")
                    errors.extend([exc] * (len(jobs) - len(errors)))
                    break
        finally:
            store.close()
        return errors

    def _deliver(self, callback: Callback | None, result: Any, error: BaseException | None) -> None:
        self._unanswered -= 1
        if callback is not None:
            callback(result, error)
