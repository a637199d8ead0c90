"""One window per user and database: a later launch hands its command to the running window
and exits.

The running window listens on a local socket whose address is made from the database, in a
folder that is its user's alone (channel.py: a Unix socket in a private folder, checked
before each use, on Windows a named pipe), so two users on one PC — or one user's test and
real databases — never meet. The window answers only connections of its own user (the
peer's credentials), and a launch talks only to a window of its own user. The socket alone
cannot keep a second window away: Qt closes a server whose accept fails (no file handles
left), and a clean-up of the folder may remove its file. So the window also holds a lock
beside the database file (``<file>.lock``) for as long as it runs, and listens again when it
finds its socket gone.

A launch first tries to hand its command over (launcher.py does so without Qt). If nobody
takes it, it tries the lock: with the lock it opens the window, which removes what a crashed
instance may have left and listens once it has painted (app/instance_server.py); without it, it asks the window that holds the lock again for a few
seconds, then gives up with NotAnswering — it never opens a second window on the same
database.

This module is what a launch needs (the lock, the client); the window's server is in
app/instance_server.py, loaded once the window has painted.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile

from callhelper import channel
from callhelper.channel import ACK_MS, CONNECT_MS, REPLY_MS, WRITE_MS, address, runtime_folder
from callhelper.core.commands import QUEUED_AFTER_MS, Command

log = logging.getLogger(__name__)
#: A connection without a complete line (or an answer) for this long is dropped; longer
#: than a note waits for its answer (QUEUED_AFTER_MS).
IDLE_MS = QUEUED_AFTER_MS + 2000
#: How long a launch keeps asking a window that holds the database's lock but does not
#: take its command (longer than IDLE_MS, after which a place is free again).
GIVE_UP_MS = IDLE_MS + 3000
RETRY_MS = 200


class NotAnswering(RuntimeError):
    """A window holds this database's lock but took no command."""

    def __init__(self) -> None:
        super().__init__("CallHelper is already running on this database but does not answer")


def lock_files(database_url: str) -> Iterator[Path]:
    """Where a window's lock can be: beside the database file; in the channel's folder, per
    user and database like the socket, when there is no file or no lock can be made beside
    it (a read-only folder)."""
    prefix = "sqlite:///"
    if database_url.startswith(prefix):
        yield Path(f"{database_url[len(prefix):]}.lock")
    name = os.path.basename(address(database_url, create=True))
    yield Path(runtime_folder()) / f"{name}.lock"


def take_lock(database_url: str) -> QLockFile | None:
    """The database's lock, now held; None when a window holds it. When no lock file can be
    made anywhere, a lock that is not held: the window opens as it would without one."""
    for path in lock_files(database_url):
        lock = QLockFile(str(path))
        lock.setStaleLockTime(0)  # a window runs for days: only an owner gone makes it stale
        if lock.tryLock(0):
            return lock
        if lock.error() == QLockFile.LockError.LockFailedError:
            return None
        log.warning("cannot make the lock file %s (%s)", path, lock.error().name)
    return lock


def window_runs(database_url: str) -> bool:
    """Whether a window holds the database's lock (whether or not it answers)."""
    lock = take_lock(database_url)
    if lock is None:
        return True
    lock.unlock()
    return False


def send(name: str, command: Command, wait_reply: bool = False) -> bytes | None:
    """Hand ``command`` to the window listening at ``name`` (channel.send, whose answers it
    gives); on Windows, where the window listens on a named pipe, with Qt's client."""
    if sys.platform != "win32":
        return channel.send(name, command.to_line(), wait_reply)
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_MS):
        return None
    socket.write(command.to_line())
    socket.waitForBytesWritten(WRITE_MS)
    reply = b""
    while b"\n" not in reply and socket.waitForReadyRead(REPLY_MS if wait_reply else ACK_MS):
        reply += bytes(socket.readAll().data())
    if not reply and socket.state() != QLocalSocket.LocalSocketState.ConnectedState:
        return None
    socket.disconnectFromServer()
    return reply.strip()


def _attempts() -> Iterator[None]:
    """The attempts of a launch at a window that holds the database's lock: for GIVE_UP_MS,
    then NotAnswering."""
    give_up = time.monotonic() + GIVE_UP_MS / 1000
    while True:
        yield
        if time.monotonic() > give_up:
            raise NotAnswering
        time.sleep(RETRY_MS / 1000)


def ask(database_url: str, command: Command) -> bytes | None:
    """The running window's answer to ``command`` (``b""`` if it did not answer in time);
    None when no window runs on the database."""
    name = address(database_url)
    for _ in _attempts():
        reply = send(name, command, wait_reply=True)
        if reply is not None or not window_runs(database_url):
            return reply


@dataclass
class Claim:
    """This process is to open the window on the database: the channel's address, and the
    database's lock, held from now on (app/instance_server.py serves the channel)."""

    name: str
    lock: QLockFile | None


def claim(database_url: str, command: Command) -> Claim | None:
    """Become the running window on the database, or hand ``command`` to the one that runs.

    Returns the claim when this process is to open the window: it holds the database's lock,
    so no other launch opens one, and the window serves the channel once it has painted
    (``instance_server.serve``); a launch meanwhile finds the lock held and asks again, as it
    would a window busy starting. Returns None when the command went to another window.
    Raises NotAnswering when a window holds the lock but does not take the command,
    channel.UnsafeChannel when the channel's folder or socket is another user's."""
    name = address(database_url, create=True)
    for _ in _attempts():
        lock = take_lock(database_url)
        if lock is not None:
            break
        if send(name, command) is not None:
            return None
    return Claim(name, lock)
