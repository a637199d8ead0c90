"""The running window's side of the single-instance channel (app/instance.py): the local
server that takes the commands of later launches.

Every line is answered, so a launch knows its command was taken. A connection that sends
no complete line for IDLE_MS is dropped, and at most MAX_CONNECTIONS are served at once
(more are closed at once): idle connections cannot use up the window's file handles. The
server holds the database's lock (the claim's) until the application quits, and listens
again when it finds its socket gone.

The window serves the channel once it has painted: this module and QtNetwork are not loaded
before (docs/architecture.md, "Window first").
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from PySide6.QtCore import QCoreApplication, QLockFile, QObject, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from shiboken6 import isValid

from callhelper.app.instance import IDLE_MS, Claim
from callhelper.channel import descriptor_peer_uid
from callhelper.core.commands import MAX_LINE, Action, Command, CommandError

log = logging.getLogger(__name__)
MAX_CONNECTIONS = 32
#: How many notes the window's answers are kept for, to answer a note sent again at once.
#: An older one sent again goes to the window, whose database saves it once.
REMEMBERED_NOTES = 1000
#: How often the window checks that it still listens.
LISTEN_CHECK_MS = 1000


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


def serve(claimed: Claim, status: Callable[[], dict],
          parent: QObject | None = None) -> InstanceServer:
    """The window's server on the claimed channel, listening, with the claim's lock until the
    application quits; ``status`` answers ``call status``."""
    QLocalServer.removeServer(claimed.name)  # what a crashed instance left behind
    server = InstanceServer(claimed.name, status, claimed.lock, parent)
    QCoreApplication.instance().aboutToQuit.connect(server.close)
    server.listen()
    return server
