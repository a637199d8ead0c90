"""The channel to the running window, against a real second user: a squatter in the shared
temporary folder hears nothing and cannot pretend to be the window, and nobody else reaches
the real window. Also the ring path's lean start. All as real processes."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

import pytest

from callhelper.channel import address

from processes import cli, database, environment, launch, status, stop, wait_for

#: The other user: Debian's unprivileged ``nobody``, running the system's Python (the test's
#: own may be in a folder only root may enter).
OTHER_UID = OTHER_GID = 65534
OTHER_PYTHON = shutil.which("python3", path="/usr/bin:/bin")

needs_root = pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0
                                or OTHER_PYTHON is None,
                                reason="runs a process as another user (needs root and a "
                                       "system python3)")

#: A listener run as the other user, on a socket given as ``fd:N`` (already bound) or at a
#: path it binds itself (made in a folder it makes open to all). It answers
#: every line as the window would answer a note, and prints each line it was sent.
SQUATTER = r"""
import json, os, socket, sys
where = sys.argv[1]
if where.startswith("fd:"):
    listener = socket.socket(fileno=int(where[3:]))
else:
    os.makedirs(os.path.dirname(where), mode=0o777, exist_ok=True)
    os.chmod(os.path.dirname(where), 0o777)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(where)
    os.chmod(where, 0o777)
listener.listen()
print("listening", flush=True)
while True:
    connection, _ = listener.accept()
    with connection:
        line = connection.makefile("rb").readline()
        if line:
            print("received", line.decode("utf-8", "replace").strip(), flush=True)
            connection.sendall(b'{"status": "saved", "id": "x", "ok": true}\n')
"""

#: The other user connecting to a path and sending a status request; prints the outcome.
INTRUDER = r"""
import socket, sys
with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
    connection.settimeout(30)
    try:
        connection.connect(sys.argv[1])
    except OSError as exc:
        print("cannot connect:", exc.errno)
        raise SystemExit
    try:
        connection.sendall(b'{"action": "status"}\n')
        answer = connection.recv(65536)
    except (BrokenPipeError, ConnectionResetError):  # closed by the window
        answer = b""
    print("answer:", repr(answer))
"""


def as_other_user():
    os.setgroups([])
    os.setgid(OTHER_GID)
    os.setuid(OTHER_UID)


@pytest.fixture
def shared_tmp():
    """A temporary folder every user may write to, as /tmp is (sticky, 1777)."""
    folder = tempfile.mkdtemp(prefix="shared-", dir="/tmp")
    os.chmod(folder, 0o1777)
    yield folder
    shutil.rmtree(folder)


def shared_environment(shared_tmp):
    """The channel's folder in the shared folder (no runtime folder of the session)."""
    return {"TMPDIR": shared_tmp, "XDG_RUNTIME_DIR": ""}


def window_address(tmp_path, shared_tmp, create=False):
    previous = {name: os.environ.get(name) for name in ("TMPDIR", "XDG_RUNTIME_DIR")}
    os.environ.update(shared_environment(shared_tmp))
    try:
        return address(f"sqlite:///{database(tmp_path)}", create)
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def squat(*arguments, pass_fds=()):
    squatter = subprocess.Popen([OTHER_PYTHON, "-c", SQUATTER, *arguments],
                                preexec_fn=as_other_user, pass_fds=pass_fds,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert squatter.stdout.readline() == "listening\n", squatter.stderr.read()
    return squatter


def heard(squatter):
    stop(squatter)
    return squatter.stdout.read()


@needs_root
def test_a_squatter_in_the_shared_temporary_folder_gets_no_note_and_no_ringing(
        tmp_path, shared_tmp):
    """Another user made the channel's folder first and listens where the window would."""
    where = window_address(tmp_path, shared_tmp)
    squatter = squat(where)
    try:
        note = cli(tmp_path, "call", "note", "上司を出せ", **shared_environment(shared_tmp))
        ringing = cli(tmp_path, "03-1234-5678", **shared_environment(shared_tmp))
        plain = cli(tmp_path, **shared_environment(shared_tmp))
    finally:
        received = heard(squatter)
    assert note.returncode == 1 and note.stdout == ""
    assert "is not a private folder of this user (owned by uid 65534)" in note.stderr
    assert "nothing is sent to it" in note.stderr
    assert ringing.returncode == 1 and "not a private folder" in ringing.stderr
    assert plain.returncode == 1 and "not a private folder" in plain.stderr
    assert received == ""


@needs_root
def test_a_listener_of_another_user_in_the_private_folder_is_told_nothing(
        tmp_path, shared_tmp):
    """The folder is right, but what listens in it is another user's (a socket put there by
    someone who could): the peer's credentials give it away before anything is sent."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(window_address(tmp_path, shared_tmp, create=True))
    squatter = squat(f"fd:{listener.fileno()}", pass_fds=(listener.fileno(),))
    listener.close()
    try:
        note = cli(tmp_path, "call", "note", "上司を出せ", **shared_environment(shared_tmp))
        ringing = cli(tmp_path, "call", "start", "--number", "03-1234-5678",
                      **shared_environment(shared_tmp))
    finally:
        received = heard(squatter)
    assert note.returncode == 1 and note.stdout == ""
    assert "is held by another user (uid 65534)" in note.stderr
    assert ringing.returncode == 1 and "held by another user" in ringing.stderr
    assert received == ""


def intrude(where):
    return subprocess.run([OTHER_PYTHON, "-c", INTRUDER, where], preexec_fn=as_other_user,
                          capture_output=True, text=True, timeout=60).stdout


@needs_root
def test_another_user_cannot_reach_the_running_window(tmp_path, shared_tmp, stop_all):
    window = launch(tmp_path, **shared_environment(shared_tmp))
    stop_all.append(window)
    assert wait_for(lambda: (status(tmp_path, **shared_environment(shared_tmp)) or {})
                    .get("ready"))
    where = window_address(tmp_path, shared_tmp)
    assert intrude(where) == "cannot connect: 13\n"  # EACCES: the folder is closed

    folder = os.path.dirname(where)
    os.chmod(folder, 0o755)  # opened by mistake: the window itself still refuses
    os.chmod(where, 0o777)
    try:
        assert intrude(where) == "answer: b''\n"
    finally:
        os.chmod(folder, 0o700)
    assert status(tmp_path, **shared_environment(shared_tmp))["ready"]
    log = (tmp_path / "logs" / "callhelper.log").read_text(encoding="utf-8")
    assert "refused a connection on the instance socket from another user (uid 65534)" in log


#: Run in a process of its own: a launch as a softphone makes it, and what it loaded.
RING = """
import json, sys
from callhelper.launcher import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def ring(tmp_path, *argv):
    """A launch as a softphone makes it: its exit code, what it printed before, and the
    modules it loaded."""
    done = subprocess.run([sys.executable, "-c", RING, *argv], env=environment(tmp_path),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    *printed, last = done.stdout.splitlines()
    result = json.loads(last)
    return result["code"], printed, set(result["modules"])


APP_ONLY = {"PySide6", "shiboken6", "sqlalchemy", "sqlmodel", "alembic", "callhelper.config",
            "callhelper.cli", "callhelper.core.flags", "callhelper.ui", "callhelper.app"}


def test_the_ring_path_hands_the_call_over_without_loading_the_app(tmp_path, stop_all):
    window = launch(tmp_path)
    stop_all.append(window)
    assert wait_for(lambda: (status(tmp_path) or {}).get("ready"))
    code, _, loaded = ring(tmp_path, "03-1234-5678")
    assert code == 0 and not loaded & APP_ONLY
    assert wait_for(lambda: status(tmp_path)["number"] == "03-1234-5678")
    code, _, loaded = ring(tmp_path, "call", "start", "--name", "山田")
    assert code == 0 and not loaded & APP_ONLY
    assert wait_for(lambda: status(tmp_path)["call"] == "active")
    code, printed, loaded = ring(tmp_path, "call", "note", "上司を出せ", "--json")
    assert code == 0 and not loaded & APP_ONLY
    assert json.loads(printed[0])["status"] == "saved"
    assert status(tmp_path)["name"] == "山田"


def test_a_plain_second_launch_brings_the_window_forward_without_loading_the_app(
        tmp_path, stop_all):
    """``callhelper`` again (a double click on the icon) while the window runs: the plain
    client hands it over and the launch ends; had no window taken it, it would have become
    the window itself and never returned."""
    window = launch(tmp_path)
    stop_all.append(window)
    assert wait_for(lambda: (status(tmp_path) or {}).get("ready"))
    code, printed, loaded = ring(tmp_path)
    assert code == 0 and printed == [] and not loaded & APP_ONLY
    assert status(tmp_path)["ready"] and window.poll() is None
