"""One window per user: a second launch hands its command to the running window and exits.

The running window listens on a local socket (a Unix socket, a named pipe on Windows)
whose name is made from the user and the database, so two users on one PC — or one user's
test and real databases — never meet, and only its user may connect. A launch first tries
to connect; if nobody answers it takes a lock file, tries once more (another launch may
have just started), then removes what a crashed instance may have left and listens
itself. The lock makes two launches at the same moment end with one window.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from PySide6.QtCore import QDir, QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from shiboken6 import isValid

from callhelper.core.commands import MAX_LINE, Action, Command, CommandError

log = logging.getLogger(__name__)
CONNECT_MS = 300
WRITE_MS = 1000
REPLY_MS = 10_000
LOCK_MS = 5000
#: How many notes the window's answers are kept for, to answer a note sent again at once.
#: An older one sent again goes to the window, whose database saves it once.
REMEMBERED_NOTES = 1000


def server_name(database_url: str) -> str:
    """The socket's name: per user and per database."""
    try:
        user = getpass.getuser()
    except Exception:  # no login name (a service account without one): the home folder
        user = str(Path.home())
    key = hashlib.sha256(f"{user}\0{database_url}".encode()).hexdigest()[:16]
    return f"callhelper-{key}"


def send(name: str, command: Command, wait_reply: bool = False) -> bytes | None:
    """Hand ``command`` to the running window. Returns None if none runs; otherwise its
    reply line (``b""`` when not waiting for one)."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_MS):
        return None
    socket.write(command.to_line())
    socket.waitForBytesWritten(WRITE_MS)
    reply = b""
    if wait_reply:
        while b"\n" not in reply and socket.waitForReadyRead(REPLY_MS):
            reply += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return reply.strip()


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

    def __init__(self, name: str, status: Callable[[], dict],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._status = status
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}
        self._notes: dict[str, _SentNote] = {}

    @property
    def name(self) -> str:
        return self._name

    def listen(self) -> bool:
        if self._server.listen(self._name):
            return True
        log.warning("cannot listen on %s: %s", self._name, self._server.errorString())
        return False

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))
            if socket.bytesAvailable():
                self._read(socket)

    def _forget(self, socket: QLocalSocket) -> None:
        if socket.isOpen() and socket.bytesAvailable():
            self._read(socket)
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
        while b"\n" in data:
            line, data = data.split(b"\n", 1)
            self._handle(socket, line)
        if len(data) > MAX_LINE:
            log.warning("refused a command on the instance socket: too long")
            self._reply(socket, {"error": "command too long"})
            socket.abort()
            self._buffers.pop(socket, None)
            return
        self._buffers[socket] = data

    def _handle(self, socket: QLocalSocket, line: bytes) -> None:
        try:
            command = Command.from_line(line)
        except CommandError as exc:
            log.warning("refused a command on the instance socket: %s", exc)
            self._reply(socket, {"error": str(exc)})
            return
        if command.action is Action.STATUS:
            self._reply(socket, self._status())
            return
        reply = partial(self._reply, socket)
        if command.action is Action.NOTE:
            self._give_note(command, reply)
        else:
            self.command.emit(command, None)
            reply({"ok": True})

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

    @staticmethod
    def _reply(socket: QLocalSocket, answer: dict) -> None:
        if isValid(socket) and socket.state() == QLocalSocket.LocalSocketState.ConnectedState:
            socket.write((json.dumps(answer, ensure_ascii=False) + "\n").encode("utf-8"))
            socket.flush()


def claim(name: str, command: Command, status: Callable[[], dict]) -> InstanceServer | None:
    """Become the running window, or hand ``command`` to the one that runs.

    Returns the listening server when this process is to open the window, None when the
    command went to another instance."""
    if send(name, command) is not None:
        return None
    lock = QLockFile(str(Path(QDir.tempPath()) / f"{name}.lock"))
    lock.setStaleLockTime(10_000)
    if not lock.tryLock(LOCK_MS):
        log.warning("the start-up lock %s is held; starting anyway", lock.fileName())
    try:
        if send(name, command) is not None:  # another launch won the race meanwhile
            return None
        QLocalServer.removeServer(name)  # what a crashed instance left behind
        server = InstanceServer(name, status)
        if not server.listen():
            return server  # the window still opens; later launches start their own
        return server
    finally:
        lock.unlock()
