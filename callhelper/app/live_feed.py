"""Team mode's live layer in a window: store/live.py's LiveLink on a thread of its own, its
news brought to the GUI thread as signals.

The link keeps one connection to the server that LISTENs for changes of raised hands and
calls in progress; ``read`` (given by the window) runs on the link's thread, with that
connection, when the connection is made and whenever a change it cares for is notified
(``wanted``), and what it returns arrives in ``read_done``. The GUI thread never waits for
the server: a job (a supervisor's answer) goes to the link's thread too, and its result
comes back to the callback given, on the GUI thread.

The thread is a daemon: a window closing while the server does not answer does not wait
for it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

log = logging.getLogger(__name__)

#: Seconds a close waits for the link's thread to end.
CLOSE_WAIT_S = 2.0


class LiveFeed(QObject):
    """``read_done`` carries what ``read`` returned; ``link_changed`` whether the link is
    connected, and why not (empty when it is)."""

    read_done = Signal(object)
    link_changed = Signal(bool, str)
    _job_done = Signal(object, object, object)

    def __init__(self, url: str, application: str, read: Callable[[Connection], Any],
                 wanted: Callable[[list[dict]], bool] = lambda _changes: True,
                 reread_on_keepalive: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._url, self._application = url, application
        self._read, self._wanted = read, wanted
        self._reread_on_keepalive = reread_on_keepalive
        self._link = None
        self._thread: threading.Thread | None = None
        self.connected = False
        self.problem = ""
        self.link_changed.connect(self._remember)
        self._job_done.connect(lambda done, result, error: done(result, error))

    def _remember(self, connected: bool, problem: str) -> None:
        self.connected, self.problem = connected, problem

    def start(self) -> None:
        if self._thread is not None:
            return
        from callhelper.store import live

        feed = self

        class Handler(live.LinkHandler):
            def connected(self, connection) -> None:
                feed._tell(feed.link_changed, True, "")
                feed._read_now(connection)

            def notified(self, connection, changes) -> None:
                if feed._wanted(changes):
                    feed._read_now(connection)

            def keepalive(self, connection) -> None:
                super().keepalive(connection)
                if feed._reread_on_keepalive:
                    feed._read_now(connection)

            def lost(self, problem: str) -> None:
                feed._tell(feed.link_changed, False, problem)

        try:
            self._link = live.LiveLink(self._url, self._application, Handler())
        except Exception as error:  # a URL that cannot be used: said once
            log.exception("the live link cannot be made")
            self._remember(False, str(error))
            return
        self._thread = threading.Thread(target=self._run, name="live-link", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._link.run()
        except Exception:  # never silently: the window says the link is lost
            log.exception("the live link stopped")
            self._tell(self.link_changed, False, "stopped")

    def _read_now(self, connection) -> None:
        try:
            found = self._read(connection)
        except Exception as error:
            from sqlalchemy import exc

            if isinstance(error, (exc.OperationalError, exc.InterfaceError)):
                raise  # the connection is gone: the link says so and connects again
            log.exception("the live read failed")
            return
        self._tell(self.read_done, found)

    def _tell(self, signal, *values) -> None:
        """From the link's thread (the window may be gone: then the link stops)."""
        try:
            signal.emit(*values)
        except RuntimeError:
            if self._link is not None:
                self._link.stop()

    def submit(self, job: Callable[[Connection], Any],
               done: Callable[[Any, BaseException | None], None]) -> None:
        """``job(connection)`` on the link's thread; ``done(result, error)`` on this one.
        Without a connection it fails at once, saying so."""
        if self._link is None or not self.connected:
            done(None, ConnectionError(self.problem or "not connected"))
            return
        self._link.submit(job, lambda result, error: self._tell(self._job_done, done, result,
                                                                 error))

    def stop(self) -> None:
        if self._link is not None:
            self._link.stop()
        if self._thread is not None:
            self._thread.join(CLOSE_WAIT_S)
