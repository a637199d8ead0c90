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
takes it, it tries the lock: with the lock it removes what a crashed instance may have left
and listens itself; without it, it asks the window that holds the lock again for a few
seconds, then gives up with NotAnswering — it never opens a second window on the same
database.

Every line is answered, so a launch knows its command was taken. A connection that sends
no complete line for IDLE_MS is dropped, and at most MAX_CONNECTIONS are served at once
(more are closed at once): idle connections cannot use up the window's file handles.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLockFile, QObject, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from shiboken6 import isValid

from callhelper import channel
from callhelper.channel import (ACK_MS, CONNECT_MS, REPLY_MS, WRITE_MS, address,
                                descriptor_peer_uid, runtime_folder)
from callhelper.core.commands import MAX_LINE, QUEUED_AFTER_MS, Action, Command, CommandError

log = logging.getLogger(__name__)
#: A connection without a complete line (or an answer) for this long is dropped; longer
#: than a note waits for its answer (QUEUED_AFTER_MS).
IDLE_MS = QUEUED_AFTER_MS + 2000
MAX_CONNECTIONS = 32
#: How many notes the window's answers are kept for, to answer a note sent again at once.
#: An older one sent again goes to the window, whose database saves it once.
REMEMBERED_NOTES = 1000
#: How often the window checks that it still listens.
LISTEN_CHECK_MS = 1000
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
class _Connection:
    idle: QTimer
    buffer: bytes = b""


@dataclass
class _SentNote:
    """A note the window was given, by its command's id: the command (to tell a repeat from
    another note given the same id), the window's latest answer and who waits for one."""

    command: Command
    answer: dict | None = None
    waiting: list[Callable[[dict], None]] = field(default_factory=list)


class InstanceServer(QObject):
    """The running window's side: each line received becomes a Command (or a refusal).

    ``command`` carries the Command and a function that answers the sender; a NOTE is
    answered by the window ("saved" once on disk, "queued" while it waits), every other
    command at once. A note is given to the window once per id: one sent again is answered
    with what became of the first."""

    command = Signal(object, object)

    def __init__(self, name: str, status: Callable[[], dict], lock: QLockFile | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._status = status
        self._lock = lock
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._connections: dict[QLocalSocket, _Connection] = {}
        self._notes: dict[str, _SentNote] = {}
        self._full = False
        self._lost = False
        self._check = QTimer(self)
        self._check.setInterval(LISTEN_CHECK_MS)
        self._check.timeout.connect(self._keep_listening)

    @property
    def name(self) -> str:
        return self._name

    def listen(self) -> bool:
        """Listen, and from now on listen again whenever the socket is lost."""
        self._check.start()
        if self._server.listen(self._name):
            return True
        log.warning("cannot listen on %s: %s; trying again", self._name,
                    self._server.errorString())
        self._lost = True
        return False

    def close(self) -> None:
        self._check.stop()
        self._server.close()
        if self._lock is not None:
            self._lock.unlock()

    def _listening(self) -> bool:
        return self._server.isListening() and (
            sys.platform == "win32" or os.path.exists(self._server.fullServerName()))

    def _keep_listening(self) -> None:
        if self._listening():
            return
        if not self._lost:
            log.warning("the instance socket %s was lost; listening again", self._name)
        self._server.close()
        QLocalServer.removeServer(self._name)
        self._lost = not self._server.listen(self._name)

    def _accept(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            if not self._own_user(socket):
                socket.abort()
                socket.deleteLater()
                continue
            if len(self._connections) >= MAX_CONNECTIONS:
                if not self._full:
                    log.warning("%d connections on the instance socket: more are closed until "
                                "some end", MAX_CONNECTIONS)
                    self._full = True
                socket.abort()
                socket.deleteLater()
                continue
            idle = QTimer(socket)
            idle.setSingleShot(True)
            idle.setInterval(IDLE_MS)
            idle.timeout.connect(lambda s=socket: s.abort())  # abort() is no Qt slot
            idle.start()
            self._connections[socket] = _Connection(idle)
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))
            if socket.bytesAvailable():
                self._read(socket)

    @staticmethod
    def _own_user(socket: QLocalSocket) -> bool:
        """Whether the connection comes from this user (the peer's credentials; on Windows
        the pipe's access list lets nobody else in)."""
        if sys.platform == "win32":
            return True
        try:
            peer = descriptor_peer_uid(int(socket.socketDescriptor()))
        except OSError as exc:
            log.warning("refused a connection on the instance socket: its user is not known "
                        "(%s)", exc)
            return False
        if peer != os.getuid():
            log.warning("refused a connection on the instance socket from another user "
                        "(uid %d)", peer)
            return False
        return True

    def _forget(self, socket: QLocalSocket) -> None:
        if socket.isOpen() and socket.bytesAvailable():
            self._read(socket)
        if self._connections.pop(socket, None) is not None:
            self._full = False
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        connection = self._connections.get(socket)
        if connection is None:
            return
        data = connection.buffer + bytes(socket.readAll().data())
        if b"\n" in data:
            connection.idle.start()
        while b"\n" in data:
            line, data = data.split(b"\n", 1)
            self._handle(socket, line)
        if len(data) > MAX_LINE:
            log.warning("refused a command on the instance socket: too long")
            self._reply(socket, {"error": "command too long"})
            socket.abort()
            return
        connection.buffer = data

    def _handle(self, socket: QLocalSocket, line: bytes) -> None:
        try:
            command = Command.from_line(line)
        except CommandError as exc:
            log.warning("refused a command on the instance socket: %s", exc)
            self._reply(socket, {"error": str(exc)})
            return
        if command.action is Action.STATUS:
            self._reply(socket, self._status())
        elif command.action is Action.NOTE:
            self._give_note(command, partial(self._reply, socket))
        else:
            answer = {"ok": True}
            unsaved = self._status().get("unsaved")
            if unsaved:  # the database cannot be written: the launch says so (exit code 4)
                answer["unsaved"] = unsaved
            self._reply(socket, answer)  # first: the launch need not wait for the window
            self.command.emit(command, None)

    def _give_note(self, command: Command, reply: Callable[[dict], None]) -> None:
        sent = self._notes.get(command.id)
        if sent is None:
            self._notes[command.id] = _SentNote(command, waiting=[reply])
            if len(self._notes) > REMEMBERED_NOTES:
                del self._notes[next(iter(self._notes))]
            self.command.emit(command, partial(self._note_answered, command.id))
        elif sent.command != command:
            reply({"error": "this id was given to another note; give each note its own"})
        elif sent.answer is None:
            sent.waiting.append(reply)
        else:
            reply(sent.answer)

    def _note_answered(self, command_id: str, answer: dict) -> None:
        sent = self._notes.get(command_id)
        if sent is None or (sent.answer or {}).get("status") == "saved":
            return  # the window's "queued" after the note was saved
        if "error" in answer:
            del self._notes[command_id]  # not saved: the same id may be sent again
        else:
            sent.answer = answer
        waiting, sent.waiting = sent.waiting, []
        for reply in waiting:
            reply(answer)

    def _reply(self, socket: QLocalSocket, answer: dict) -> None:
        if isValid(socket) and socket.state() == QLocalSocket.LocalSocketState.ConnectedState:
            socket.write((json.dumps(answer, ensure_ascii=False) + "\n").encode("utf-8"))
            socket.flush()
            connection = self._connections.get(socket)
            if connection is not None:
                connection.idle.start()


def claim(database_url: str, command: Command,
          status: Callable[[], dict]) -> InstanceServer | None:
    """Become the running window on the database, or hand ``command`` to the one that runs.

    Returns the listening server, which holds the database's lock until the application
    quits, when this process is to open the window; None when the command went to another
    window. Raises NotAnswering when a window holds the lock but does not take the command,
    channel.UnsafeChannel when the channel's folder or socket is another user's."""
    name = address(database_url, create=True)
    for _ in _attempts():
        lock = take_lock(database_url)
        if lock is not None:
            break
        if send(name, command) is not None:
            return None
    QLocalServer.removeServer(name)  # what a crashed instance left behind
    server = InstanceServer(name, status, lock)
    QCoreApplication.instance().aboutToQuit.connect(server.close)
    server.listen()
    return server
