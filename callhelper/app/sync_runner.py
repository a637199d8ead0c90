"""Team mode in the window: the shipper (store/sync.py) on a thread of its own (the status
line's word on it is ui/sync_label.py).

The thread delivers the outbox whenever a write has been saved (``nudge``) and every few
seconds besides; while the server cannot be reached it waits longer and longer between
attempts (store/sync.py ``retry_delay``), and a write saved meanwhile only updates the
count. It is a daemon thread: a close that finds it waiting for a slow server does not wait
for it, since everything it has not delivered is still in the outbox.
"""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QObject, Signal

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the store's modules are loaded by the shipper's thread
    from callhelper.core.flags import DemandRules
    from callhelper.store.sync import Shipper, SyncState

log = logging.getLogger(__name__)

#: Seconds between looks at the outbox when nothing nudges the thread.
IDLE_S = 5.0
#: Seconds a close waits for a delivery under way to finish.
CLOSE_WAIT_S = 3.0


class SyncRunner(QObject):
    """``changed`` carries each new SyncState (emitted from the thread, received on the
    GUI's)."""

    changed = Signal(object)

    def __init__(self, local_url: str, server_url: str, rules: DemandRules,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._local_url, self._server_url, self._rules = local_url, server_url, rules
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.state: SyncState | None = None
        self.changed.connect(self._remember)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="shipper", daemon=True)
            self._thread.start()

    def nudge(self) -> None:
        """Something was written: deliver it (or, while the server is away, count it)."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(CLOSE_WAIT_S)

    def _remember(self, state: SyncState) -> None:
        self.state = state

    def _tell(self, state: SyncState) -> None:
        """From the thread: the window is told (unless it is gone, after a close that did not
        wait for the thread: then the thread ends)."""
        try:
            self.changed.emit(state)
        except RuntimeError:
            self._stop.set()

    def _run(self) -> None:
        from callhelper.store.sync import Shipper, SyncState

        try:
            shipper = Shipper(self._local_url, self._server_url, self._rules)
        except Exception:  # a broken URL: said once, in the log and the window
            log.exception("the server's URL cannot be used")
            self._tell(SyncState(unreachable=True, problem="bad URL"))
            return
        try:
            try:
                again = shipper.retry_refused()
                if again:
                    log.warning("%d operations the server refused are tried again", again)
            except Exception:  # the file is busy: they are tried at the next start
                log.exception("refused operations not reset")
            self._loop(shipper)
        finally:
            shipper.close()

    def _loop(self, shipper: Shipper) -> None:
        from callhelper.store.sync import SyncState, describe, retry_delay

        failures = 0
        while not self._stop.is_set():
            self._wake.clear()
            try:
                state = shipper.ship(stop=self._stop.is_set, progress=self._tell)
            except Exception as error:  # the agent's own file is busy or broken: try later
                log.exception("the outbox could not be read")
                state = SyncState(unreachable=False, problem=describe(error))
                failures += 1
            else:
                failures = failures + 1 if state.unreachable else 0
            self._tell(state)
            if not failures:
                self._wake.wait(IDLE_S)
                continue
            deadline = time.monotonic() + retry_delay(failures)
            while not self._stop.is_set() and (left := deadline - time.monotonic()) > 0:
                if self._wake.wait(left):  # a write meanwhile: counted, not sent
                    self._wake.clear()
                    try:
                        waiting, refused = shipper.counts()
                    except Exception:  # counted at the next attempt
                        continue
                    self._tell(SyncState(waiting, refused, state.unreachable,
                                         state.login_refused, state.problem))

