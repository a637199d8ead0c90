"""The channel between a launch and the running window, without Qt: where it is, who may
use it, and the client that a launch hands its command over with (launcher.py; the
window's side is app/instance_server.py, its lock app/instance.py).

On Linux and macOS the channel is a Unix socket in a folder that is its user's alone: the
user's runtime folder (``$XDG_RUNTIME_DIR``) when it is theirs with mode 0700, else
``$TMPDIR/callhelper-<uid>`` (``/tmp/callhelper-<uid>``), made 0700 by the window. In a
shared ``/tmp`` anybody could make that folder first, so it is checked before each use —
a real folder (not a link), owned by this user, closed to everybody else — and refused
otherwise (UnsafeChannel): a number or a note sent to another user's listener would go to
them, and their "saved" would be a lie. The client also asks the kernel who listens on the
socket it reached (the peer's credentials) before it sends a byte, and the window asks
who connected before it reads one.

On Windows the channel is a named pipe that Qt makes with this user's access only; the
launch there hands its command over with Qt's client (app/instance.py).
"""

from __future__ import annotations

import hashlib
import os
import socket
import stat
import struct
import sys

from callhelper.core.wire import MAX_LINE, bounded_json

CONNECT_MS = 300
WRITE_MS = 1000
#: How long a launch waits for the window to take a command (it answers at once when idle).
ACK_MS = 2000
#: How long ``call status`` and ``call note`` wait for their answer.
REPLY_MS = 10_000
#: Where macOS and the BSDs give a Unix socket's peer credentials (sys/un.h: SOL_LOCAL,
#: LOCAL_PEERCRED); a ``struct xucred`` begins with its version and the uid.
SOL_LOCAL = 0
LOCAL_PEERCRED = 0x001
XUCRED_SIZE = 128
#: The exit code of a ``call`` command the window took while its database cannot be written.
UNSAVED = 4


class UnsafeChannel(PermissionError):
    """The channel's folder or socket belongs to someone else: nothing is sent there."""


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def address(database_url: str, create: bool = False) -> str:
    """Where the window of ``database_url`` listens: a socket's path in runtime_folder(),
    or on Windows a pipe's name (per user, as pipes share one namespace). ``create``: the
    folder is made if missing (for the window that is about to listen)."""
    if sys.platform == "win32":
        return f"callhelper-{_key(_user() + chr(0) + database_url)}"
    return os.path.join(runtime_folder(create), f"window-{_key(database_url)}")


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name (a service account without one): the home folder
        return os.path.expanduser("~")


def runtime_folder(create: bool = False) -> str:
    """This user's folder for the channel (see the module's description). A missing
    fallback folder is made only when ``create``; one that is there but not private raises
    UnsafeChannel."""
    if sys.platform == "win32":
        import tempfile

        return tempfile.gettempdir()  # the user's own (%LOCALAPPDATA%\Temp)
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(runtime) and _not_private(runtime) is None:
        return runtime
    folder = os.path.join(os.environ.get("TMPDIR") or "/tmp", f"callhelper-{os.getuid()}")
    if create:
        try:
            os.mkdir(folder, 0o700)
        except OSError:  # there already, or cannot be made: told below
            pass
    problem = _not_private(folder)
    if problem is not None and (create or problem != "missing"):
        raise UnsafeChannel(
            f"{folder} is not a private folder of this user ({problem}): another user may be "
            "listening there, so nothing is sent to it; remove it, or set XDG_RUNTIME_DIR to "
            "a folder of your own with mode 0700")
    return folder


def _not_private(folder: str) -> str | None:
    """What makes ``folder`` unfit for the channel; None when it is a folder of this user's
    that nobody else may enter."""
    try:
        status = os.lstat(folder)
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return exc.strerror or str(exc)
    if not stat.S_ISDIR(status.st_mode):
        return "a link" if stat.S_ISLNK(status.st_mode) else "not a folder"
    if status.st_uid != os.getuid():
        return f"owned by uid {status.st_uid}"
    if status.st_mode & 0o077:
        return f"mode {stat.S_IMODE(status.st_mode):04o}, open to others"
    return None


def peer_uid(connection: socket.socket) -> int:
    """The uid of the process at the other end of a connected Unix socket, from the kernel
    (SO_PEERCRED on Linux, LOCAL_PEERCRED on macOS and the BSDs)."""
    if hasattr(socket, "SO_PEERCRED"):
        credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                            struct.calcsize("iII"))
        return struct.unpack("iII", credentials)[1]
    credentials = connection.getsockopt(SOL_LOCAL, LOCAL_PEERCRED, XUCRED_SIZE)
    return struct.unpack_from("II", credentials)[1]


def descriptor_peer_uid(descriptor: int) -> int:
    """peer_uid() of a connection known by its file descriptor (Qt's sockets), which is
    borrowed, not copied: a window out of file handles can still tell who connected."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM, fileno=descriptor)
    try:
        return peer_uid(connection)
    finally:
        connection.detach()


def send(where: str, line: bytes, wait_reply: bool = False) -> bytes | None:
    """Hand ``line`` to the window listening at ``where``; returns its answer line. None
    when no window took it: none listens, or the one that does closed the connection
    unanswered (it serves a limited number at once). ``b""`` when the window took the line
    but did not answer within REPLY_MS (ACK_MS without ``wait_reply``): it is busy, and
    handles the line when it can. UnsafeChannel, before anything is sent, when the listener
    is another user's."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(CONNECT_MS / 1000)
        try:
            connection.connect(where)
        except OSError:  # no socket, nobody listening, or no place free
            return None
        try:
            owner = peer_uid(connection)
        except OSError as exc:
            raise UnsafeChannel(f"{where}: which user listens there cannot be told "
                                f"({exc.strerror or exc}): nothing was sent to it") from exc
        if owner != os.getuid():
            raise UnsafeChannel(f"{where} is held by another user (uid {owner}), not by this "
                                "user's window: nothing was sent to it")
        try:
            connection.settimeout(WRITE_MS / 1000)
            connection.sendall(line)
        except OSError:
            return None
        connection.settimeout((REPLY_MS if wait_reply else ACK_MS) / 1000)
        reply = b""
        while b"\n" not in reply and len(reply) <= MAX_LINE:
            try:
                chunk = connection.recv(65_536)
            except TimeoutError:
                return reply.strip()
            except OSError:
                chunk = b""
            if not chunk:
                return reply.strip() or None
            reply += chunk
        return reply.strip()


def launch_answer(who: str, reply: bytes) -> int:
    """The exit code of a command handed to the window: 0, or UNSAVED, said on stderr, when
    the window cannot write its database (what is typed is kept for later)."""
    try:
        answer = bounded_json(reply.decode("utf-8"))
    except ValueError:
        return 0
    if isinstance(answer, dict) and answer.get("unsaved"):
        print(f"{who}: not saved: {answer['unsaved']}", file=sys.stderr)
        return UNSAVED
    return 0
