"""The local CTI endpoint: the phone system's call events, over HTTP on 127.0.0.1 only.

Python's threading HTTP server runs on a thread of its own, so a slow client never stalls
the window; each command is emitted from that thread and Qt queues it to the window's.
Every request has a few seconds in all, and nothing is served but the one POST address: no
files, no listing, no version in the Server header.

A client without the token cannot crowd out the phone system: a connection has one second
to send its request line and headers, and only a request they admit (the loopback name in
Host, the token, POST, a body of a sensible size) takes one of the few places where bodies
are read and events delivered. Connections still sending their headers are capped in all and
per client — per local user on Linux, who owns each loopback connection, else per address.
"""

from __future__ import annotations

import errno
import logging
import socket
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PySide6.QtCore import QObject, Signal

from callhelper.config import Settings, ensure_cti_token
from callhelper.core.commands import Command
from callhelper.core.cti import HOST, CtiInterface, Reply

log = logging.getLogger(__name__)

#: Seconds a client may take over one socket operation, to send its request line and
#: headers, and over its whole request.
SOCKET_TIMEOUT = 2.0
RECEPTION_DEADLINE = 1.0
REQUEST_DEADLINE = 5.0
#: Admitted requests handled at once, and connections still sending their headers: in all,
#: and from one client.
MAX_CONNECTIONS = 8
MAX_RECEIVING = 64
MAX_RECEIVING_PER_CLIENT = 16
MAX_REQUEST_LINE = 8192
MAX_DRAIN = 256 * 1024
_IN_USE = {errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", errno.EADDRINUSE)}


class CtiEndpoint(QObject):
    """Listens while started; ``command`` carries each Command the phone system's events
    call for (see callhelper.core.cti)."""

    command = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._token = ""

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def address(self) -> tuple[str, int] | None:
        """The address the socket is bound to; None if stopped."""
        if self._server is None:
            return None
        host, port = self._server.socket.getsockname()[:2]
        return host, port

    @property
    def port(self) -> int:
        """The port listened on (the one the system chose if started with 0); 0 if stopped."""
        address = self.address
        return address[1] if address is not None else 0

    def start(self, port: int, token: str) -> None:
        """Listen on 127.0.0.1:``port`` (0: any free port). Raises OSError with a message
        for the agent if the port cannot be had, ValueError without a token."""
        self.stop()
        interface = CtiInterface(token)
        try:
            server = _Server((HOST, port), interface, self._deliver)
        except OSError as exc:
            if exc.errno in _IN_USE:
                message = self.tr("Port %1 is already in use by another program: choose "
                                  "another port for the phone system in the settings.")
            else:
                message = self.tr("Cannot receive calls from the phone system on port %1: "
                                  "%2").replace("%2", exc.strerror or str(exc))
            raise OSError(exc.errno, message.replace("%1", str(port))) from exc
        self._server = server
        self._token = token
        self._thread = threading.Thread(target=server.serve_forever, args=(0.1,),
                                        name="cti-endpoint", daemon=True)
        self._thread.start()
        log.info("CTI endpoint listening on %s:%d", HOST, self.port)

    def stop(self) -> None:
        """Stop listening; returns once requests under way are answered or cut off."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._server = self._thread = None
        server.shutdown()
        server.server_close()
        thread.join()
        log.info("CTI endpoint stopped")

    def apply_settings(self, settings: Settings) -> None:
        """Start, restart or stop as the settings say (a token is made on first use).
        Raises OSError as ``start`` does; the endpoint is then stopped."""
        if not settings.get("cti_enabled"):
            self.stop()
            return
        token = ensure_cti_token(settings)
        port = settings.get("cti_port")
        if self.running and (self.port, self._token) == (port, token):
            return
        self.start(port, token)

    def _deliver(self, command: Command) -> None:
        try:
            self.command.emit(command)
        except RuntimeError:  # the window is gone while a last request was answered
            log.info("CTI command dropped: the endpoint is closed")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = True  # server_close() waits for the requests under way
    allow_reuse_address = sys.platform != "win32"  # on Windows it would let others share it
    request_queue_size = MAX_RECEIVING

    def __init__(self, address: tuple[str, int], interface: CtiInterface, deliver) -> None:
        self.interface = interface
        self.deliver = deliver
        #: Places for admitted requests (taken by the handler once the headers are read).
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._receiving: dict[object, int] = {}
        self._clients: dict[socket.socket, object] = {}
        self._receiving_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        if sys.platform == "win32":
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        socketserver.TCPServer.server_bind(self)  # HTTPServer's would look the name up in DNS
        self.server_name = HOST
        self.server_port = self.server_address[1]

    def process_request(self, request, client_address) -> None:
        client = _client_of(client_address, self.server_address)
        # a user is one client; an address is not (every local client has 127.0.0.1)
        limit = MAX_RECEIVING_PER_CLIENT if client[0] == "user" else MAX_RECEIVING
        with self._receiving_lock:
            crowded = (sum(self._receiving.values()) >= MAX_RECEIVING
                       or self._receiving.get(client, 0) >= limit)
            if not crowded:
                self._receiving[client] = self._receiving.get(client, 0) + 1
                self._clients[request] = client
        if crowded:
            log.warning("CTI connection refused: too many at once (from %s)",
                        client_address[0])
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def client_of(self, request) -> object:
        """Who sent ``request`` (as process_request found), for the handler to report back
        with ``received``."""
        with self._receiving_lock:
            return self._clients.pop(request, None)

    def received(self, client) -> None:
        """A connection's headers are in (or it is gone): its place among those still
        sending them is free."""
        with self._receiving_lock:
            left = self._receiving.get(client, 0) - 1
            if left > 0:
                self._receiving[client] = left
            else:
                self._receiving.pop(client, None)

    def handle_error(self, request, client_address) -> None:
        """An unexpected failure: its kind only, as its message may quote the request."""
        log.warning("CTI request from %s failed: %s", client_address[0],
                    type(sys.exc_info()[1]).__name__)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = SOCKET_TIMEOUT
    protocol_version = "HTTP/1.0"  # one request per connection
    server_version = "CallHelper"
    error_content_type = "text/plain; charset=utf-8"
    error_message_format = "%(code)d %(message)s\n"

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        super().setup()
        self._client = self.server.client_of(self.request)
        self._receiving = True
        self._deadlines = [threading.Timer(deadline, self._cut_off)
                           for deadline in (RECEPTION_DEADLINE, REQUEST_DEADLINE)]
        for deadline in self._deadlines:
            deadline.daemon = True
            deadline.start()

    def finish(self) -> None:
        for deadline in self._deadlines:
            deadline.cancel()
        self._received()
        try:
            super().finish()
        except OSError:
            pass  # the client left, or was cut off

    def _received(self) -> None:
        if self._receiving:
            self._receiving = False
            self._deadlines[0].cancel()
            self.server.received(self._client)

    def _cut_off(self) -> None:
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def handle_one_request(self) -> None:
        """One request whatever its method: the interface says what is allowed."""
        self.close_connection = True
        try:
            self.raw_requestline = self.rfile.readline(MAX_REQUEST_LINE + 1)
            if not self.raw_requestline:
                return
            if len(self.raw_requestline) > MAX_REQUEST_LINE:
                self.requestline = self.request_version = self.command = ""
                self.send_error(414)
                return
            if not self.parse_request():
                return
            self._received()
            reply = self.server.interface.admit(self.command, self.path, self.headers)
            if reply is None:
                reply = self._handled()
            else:
                self._send(reply)
        except OSError as exc:  # timed out, cut off or gone
            log.warning("CTI request from %s dropped: %s", self.client_address[0],
                        type(exc).__name__)
            return
        if reply.refused:
            self._log_refusal(reply.status, reply.reason)
            self._drain()
        else:
            log.info("CTI event %s from %s: %s", reply.event, self.client_address[0],
                     reply.command.action.value if reply.command else "no command")

    def _handled(self) -> Reply:
        """An admitted request, in one of the places for them: its body read, its event
        delivered, the reply sent."""
        if not self.server.slots.acquire(timeout=SOCKET_TIMEOUT):
            reply = Reply(503, b"busy\n", "text/plain; charset=utf-8", reason="busy")
            self._send(reply)
            return reply
        try:
            reply = self.server.interface.handle(self.command, self.path, self.headers,
                                                 self.rfile)
            if reply.command is not None:  # before the reply: the PBX's 200 means it is queued
                self.server.deliver(reply.command)
            self._send(reply)
            return reply
        finally:
            self.server.slots.release()

    def _send(self, reply: Reply) -> None:
        self.send_response_only(reply.status)
        self.send_header("Server", self.version_string())
        self.send_header("Date", self.date_time_string())
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        if reply.status == 405:
            self.send_header("Allow", "POST")
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)
        self.wfile.flush()

    def _drain(self) -> None:
        """Read what a refused client still sends (a body left unread), so that closing the
        connection does not reset it before the client has read the reply."""
        remaining = MAX_DRAIN
        try:
            self.connection.shutdown(socket.SHUT_WR)
            while remaining > 0:
                chunk = self.rfile.read1(min(remaining, 4096))
                if not chunk:
                    break
                remaining -= len(chunk)
        except OSError:
            pass  # the client left, or was cut off

    def _log_refusal(self, status: int, reason: str) -> None:
        log.warning("CTI request refused: %d %s (from %s)", status, reason,
                    self.client_address[0])

    def log_error(self, format: str, *args) -> None:
        """The server's own refusals (a malformed request line or headers): status only —
        the request line holds the token."""
        if args and isinstance(args[0], int):
            self._log_refusal(args[0], "malformed request")

    def log_message(self, format: str, *args) -> None:
        """Nothing of the request reaches the log: its line carries the token."""


def _client_of(client_address: tuple, server_address: tuple) -> object:
    """Who a connection comes from: on Linux the local user that owns its socket (read from
    the kernel's table of TCP sockets, where the client's end is listed with its owner), else
    its address — on the loopback address every client has the same one."""
    owner = _socket_owner(client_address, server_address)
    return ("user", owner) if owner is not None else ("address", client_address[0])


def _socket_owner(client_address: tuple, server_address: tuple) -> int | None:
    try:
        with open("/proc/net/tcp", encoding="ascii") as table:
            lines = table.readlines()[1:]
    except OSError:
        return None
    local, remote = (_proc_address(client_address), _proc_address(server_address))
    if local is None or remote is None:
        return None
    for line in lines:
        fields = line.split()
        if len(fields) > 7 and fields[1] == local and fields[2] == remote:
            return int(fields[7])
    return None


def _proc_address(address: tuple) -> str | None:
    """An IPv4 address and port as /proc/net/tcp writes them: the address's bytes in the
    machine's order, then the port, in hexadecimal."""
    try:
        packed = socket.inet_aton(address[0])
    except OSError:
        return None
    number = int.from_bytes(packed, sys.byteorder)
    return f"{number:08X}:{address[1]:04X}"
