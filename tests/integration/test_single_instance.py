"""One window per user and database, driven by later launches — all as real processes."""

import json
import os
import resource
import signal
import socket
import sqlite3
import subprocess
import threading

import pytest

from callhelper.channel import address
from callhelper.store.engine import Store
from processes import (cli, database, free_port, launch, ready, socket_path, status, stop,
                       wait_for)

CALLER = "03-1234-5678"  # 山田 太郎 of the known_caller fixture (conftest.py)


def notes_saying(tmp_path, text):
    with sqlite3.connect(database(tmp_path)) as connection:
        return connection.execute("SELECT count(*) FROM note WHERE text = ?",
                                  (text,)).fetchone()[0]


class Lock:
    """Another program holding the database's write lock."""

    def __init__(self, tmp_path):
        self.connection = sqlite3.connect(database(tmp_path), isolation_level=None)
        self.connection.execute("BEGIN EXCLUSIVE")

    def release(self):
        self.connection.execute("ROLLBACK")
        self.connection.close()


def test_a_second_launch_shows_the_caller_in_the_running_window(tmp_path, known_caller,
                                                                 stop_all):
    window = launch(tmp_path)
    stop_all.append(window)
    assert wait_for(lambda: ready(tmp_path))
    second = cli(tmp_path, "０３（１２３４）５６７８")  # as a softphone may pass it
    assert second.returncode == 0, second.stderr
    assert wait_for(lambda: (status(tmp_path) or {}).get("customer") == "山田 太郎")
    shown = status(tmp_path)
    assert shown["past_contacts"] == 2 and shown["call"] == "none"
    assert window.poll() is None, "the running window is still the only one"


def test_answered_and_hung_up_drive_the_timer(tmp_path, stop_all):
    window = launch(tmp_path, "call", "incoming", "tel:+81-3-1234-5678")
    stop_all.append(window)
    assert wait_for(lambda: ready(tmp_path))
    assert status(tmp_path)["number"] == "03-1234-5678"  # shown normalised
    assert cli(tmp_path, "call", "start", "--name", "山田").returncode == 0
    assert wait_for(lambda: status(tmp_path)["call"] == "active")
    assert status(tmp_path)["name"] == "山田"
    assert cli(tmp_path, "call", "end").returncode == 0
    assert wait_for(lambda: status(tmp_path)["call"] == "ended")


def test_a_launch_after_the_window_was_killed_starts_a_new_one(tmp_path, stop_all):
    first = launch(tmp_path)
    assert wait_for(lambda: ready(tmp_path))
    first.kill()  # SIGKILL: the socket file stays behind
    first.wait(timeout=10)
    assert status(tmp_path) is None
    second = launch(tmp_path, CALLER)
    stop_all.append(second)
    assert wait_for(lambda: ready(tmp_path))
    assert status(tmp_path)["number"] == CALLER


def test_two_launches_at_the_same_moment_end_with_one_window(tmp_path, stop_all):
    launches = [launch(tmp_path, "03-1111-2222"), launch(tmp_path, "03-3333-4444")]
    stop_all.extend(launches)
    assert wait_for(lambda: sum(p.poll() is None for p in launches) == 1 and ready(tmp_path))
    handed_over = next(p for p in launches if p.poll() is not None)
    assert handed_over.returncode == 0
    assert status(tmp_path)["number"] in ("03-1111-2222", "03-3333-4444")


def test_garbage_on_the_socket_is_refused_and_the_window_keeps_running(tmp_path, stop_all):
    window = launch(tmp_path)
    stop_all.append(window)
    assert wait_for(lambda: ready(tmp_path))
    address = socket_path(tmp_path)
    for garbage in (b"\x00\xff garbage\n", b'{"action": "format-disk"}\n', b"[1, 2]\n"):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as raw:
            raw.settimeout(10)
            raw.connect(address)
            raw.sendall(garbage)
            assert "error" in json.loads(raw.makefile("rb").readline())
    assert ready(tmp_path)
    log = (tmp_path / "logs" / "callhelper.log").read_text(encoding="utf-8")
    assert "refused a command on the instance socket" in log


def test_a_deeply_nested_line_is_answered_with_an_error_and_the_window_keeps_answering(
        tmp_path, stop_all):
    window = launch(tmp_path)
    stop_all.append(window)
    assert wait_for(lambda: ready(tmp_path))
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as raw:
        raw.settimeout(10)
        raw.connect(socket_path(tmp_path))
        raw.sendall(b"[" * 60_000 + b"\n")
        reply = json.loads(raw.makefile("rb").readline())
    assert reply == {"error": "not a command (nested deeper than 32 levels)"}
    assert ready(tmp_path) and window.poll() is None


def test_a_deeply_nested_answer_on_the_socket_is_no_answer(tmp_path):
    """Something else listening where the window would, answering nested JSON."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address(f"sqlite:///{database(tmp_path)}", create=True))
    listener.listen()

    def answer_nested():
        connection, _ = listener.accept()
        with connection:
            connection.makefile("rb").readline()
            connection.sendall(b"[" * 60_000 + b"\n")

    answering = threading.Thread(target=answer_nested)
    answering.start()
    try:
        result = cli(tmp_path, "call", "status")
    finally:
        answering.join(timeout=30)
        listener.close()
        os.unlink(socket_path(tmp_path))
    assert result.returncode == 1
    assert result.stderr == "callhelper call status: no answer from the window\n"


def test_a_note_the_locked_database_cannot_take_is_queued_and_a_retry_saves_it_once(
        tmp_path, stop_all):
    window = launch(tmp_path, "call", "start", "--number", CALLER)
    stop_all.append(window)
    assert wait_for(lambda: (status(tmp_path) or {}).get("call") == "active")
    saved = cli(tmp_path, "call", "note", "最初の言葉", "--json")
    assert saved.returncode == 0, saved.stderr
    answer = json.loads(saved.stdout)
    assert answer["status"] == "saved" and answer["id"] and answer["text"] == "最初の言葉"

    note = ("call", "note", "--id", "call-1.note-2", "返金してほしい")
    lock = Lock(tmp_path)
    try:
        for _ in range(2):  # a script that retries
            queued = cli(tmp_path, *note, "--json")
            assert queued.returncode == 0, queued.stderr
            assert json.loads(queued.stdout) == {"status": "queued", "id": "call-1.note-2"}
    finally:
        lock.release()
    assert wait_for(lambda: notes_saying(tmp_path, "返金してほしい") == 1)
    again = cli(tmp_path, *note)
    assert again.returncode == 0, again.stderr
    assert "status: saved" in again.stdout and "id: call-1.note-2" in again.stdout
    assert notes_saying(tmp_path, "返金してほしい") == 1


def test_a_queued_note_sent_again_after_a_restart_is_saved_once(tmp_path, stop_all):
    window = launch(tmp_path, "call", "start", "--number", CALLER)
    stop_all.append(window)
    assert wait_for(lambda: (status(tmp_path) or {}).get("call") == "active")
    note = ("call", "note", "--id", "7f3c", "上司を出せ", "--json")
    lock = Lock(tmp_path)
    try:
        queued = cli(tmp_path, *note)
        assert json.loads(queued.stdout) == {"status": "queued", "id": "7f3c"}
        window.send_signal(signal.SIGTERM)  # the note waits in the journal
        assert window.wait(timeout=60) == 0
    finally:
        lock.release()
    restarted = launch(tmp_path)
    stop_all.append(restarted)
    assert wait_for(lambda: (status(tmp_path) or {}).get("call") == "active")
    again = cli(tmp_path, *note)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == {"status": "saved", "id": "7f3c"}
    assert notes_saying(tmp_path, "上司を出せ") == 1


def test_a_window_whose_socket_file_was_removed_still_takes_the_ringing(tmp_path, stop_all):
    window = launch(tmp_path)
    stop_all.append(window)
    assert wait_for(lambda: ready(tmp_path))
    os.unlink(socket_path(tmp_path))
    ringing = launch(tmp_path, CALLER)
    stop_all.append(ringing)
    assert ringing.wait(timeout=60) == 0, "handed over, not a second window"
    assert status(tmp_path)["number"] == CALLER
    assert window.poll() is None


#: The window's limit of open files in the test below: far fewer than the idle connections.
FILE_HANDLES = 64
IDLE_CONNECTIONS = 200


def fewer_file_handles():
    resource.setrlimit(resource.RLIMIT_NOFILE,
                       (FILE_HANDLES, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))


def test_idle_connections_beyond_the_file_handles_leave_one_window_that_drops_them(
        tmp_path, stop_all):
    window = launch(tmp_path, preexec_fn=fewer_file_handles)
    stop_all.append(window)
    assert wait_for(lambda: ready(tmp_path))
    idle = [socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(IDLE_CONNECTIONS)]
    try:
        for connection in idle:
            connection.connect(socket_path(tmp_path))
        ringing = launch(tmp_path, "call", "incoming", CALLER)
        stop_all.append(ringing)
        assert ringing.wait(timeout=60) == 0, "handed over, not a second window"
        assert status(tmp_path)["number"] == CALLER
        for connection in idle:
            connection.settimeout(60)
            assert connection.recv(1) == b"", "closed by the window"
    finally:
        for connection in idle:
            connection.close()
    assert window.poll() is None
    log = (tmp_path / "logs" / "callhelper.log").read_text(encoding="utf-8")
    assert "connections on the instance socket: more are closed" in log


def test_a_launch_that_cannot_reach_the_window_of_its_database_opens_no_second_one(
        tmp_path, stop_all):
    window = launch(tmp_path)
    stop_all.append(window)
    assert wait_for(lambda: ready(tmp_path))
    window.send_signal(signal.SIGSTOP)
    try:
        os.unlink(socket_path(tmp_path))
        ringing = launch(tmp_path, CALLER)
        stop_all.append(ringing)
        assert ringing.wait(timeout=60) == 1
        assert ("CallHelper is already running on this database but does not answer"
                in ringing.stderr.read())
    finally:
        window.send_signal(signal.SIGCONT)
    assert wait_for(lambda: ready(tmp_path)), "it listens again"
    assert status(tmp_path)["number"] == ""


def test_restore_is_refused_while_a_window_that_does_not_answer_holds_the_database(
        tmp_path, stop_all):
    window = launch(tmp_path)
    stop_all.append(window)
    assert wait_for(lambda: ready(tmp_path))
    backup = cli(tmp_path, "backup")
    assert backup.returncode == 0, backup.stderr
    before = database(tmp_path).read_bytes()
    window.send_signal(signal.SIGSTOP)
    try:
        os.unlink(socket_path(tmp_path))
        refused = cli(tmp_path, "restore", backup.stdout.strip())
        assert refused.returncode == 1
        assert "a CallHelper window is open on this database" in refused.stderr
        assert database(tmp_path).read_bytes() == before
        assert not list(database(tmp_path).parent.glob("*.before-restore-*"))
    finally:
        window.send_signal(signal.SIGCONT)


def test_status_without_a_window_says_so(tmp_path):
    result = cli(tmp_path, "call", "status")
    assert result.returncode == 1
    assert "no CallHelper window is running" in result.stderr


def test_a_mistyped_command_is_not_taken_for_a_number(tmp_path):
    result = cli(tmp_path, "serach", "返金")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_a_pbx_drives_the_running_window_through_the_cti_endpoint(tmp_path, settings, stop_all):
    import urllib.error
    import urllib.parse
    import urllib.request

    port, token = free_port(), "pbx-Token_0123456789abcdefghij"
    settings.set("cti_enabled", True)
    settings.set("cti_port", port)
    settings.set("cti_token", token)
    window = launch(tmp_path)
    stop_all.append(window)
    assert wait_for(lambda: ready(tmp_path))

    def post(used_token, **fields):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/cti/{used_token}",
            data=urllib.parse.urlencode(fields).encode(), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    ring = {"event": "newCall", "from": "0312345678", "to": "0120000000", "direction": "in",
            "callId": "c-1"}
    assert post("wrong-token-0123456789abcdef", **ring) == 403
    assert status(tmp_path)["number"] == ""
    assert post(token, **ring) == 200
    assert wait_for(lambda: status(tmp_path)["number"] == "03-1234-5678")  # as shown
    assert post(token, **{**ring, "event": "answer"}) == 200
    assert wait_for(lambda: status(tmp_path)["call"] == "active")
    assert post(token, **{**ring, "event": "hangup"}) == 200
    assert wait_for(lambda: status(tmp_path)["call"] == "ended")


def test_call_commands_to_a_window_that_cannot_write_its_database_exit_4_and_lose_nothing(
        tmp_path):
    """The data folder is read-only from the start (the immutable attribute: the tests run
    as root). The launches say so instead of a false success, and nothing is lost."""
    import shutil

    Store(f"sqlite:///{database(tmp_path)}").close()
    files = [str(tmp_path / "data"), str(database(tmp_path))]
    if shutil.which("chattr") is None or subprocess.run(
            ["chattr", "+i", *files], capture_output=True).returncode != 0:
        pytest.skip("a read-only folder needs chattr +i (root, and a file system with the "
                    "immutable attribute)")
    window = launch(tmp_path)
    try:
        wait_for(lambda: (status(tmp_path) or {}).get("writable") is False)
        started = cli(tmp_path, "call", "start", "--number", CALLER)
        assert started.returncode == 4
        assert "cannot be written" in started.stderr and str(database(tmp_path)) in started.stderr
        wait_for(lambda: status(tmp_path)["call"] == "active")
        noted = cli(tmp_path, "call", "note", "書けない間の言葉", "--id", "kept-1")
        assert noted.returncode == 4
        assert "status: kept" in noted.stdout
        assert str(tmp_path / "config" / "unsaved-writes.jsonl") in noted.stderr
        stop(window)
    finally:
        subprocess.run(["chattr", "-i", *files], capture_output=True)
        if window.poll() is None:
            window.kill()
    assert notes_saying(tmp_path, "書けない間の言葉") == 0
    again = launch(tmp_path)
    try:
        wait_for(lambda: ready(tmp_path))
        assert notes_saying(tmp_path, "書けない間の言葉") == 1
        assert status(tmp_path)["call"] == "active" and status(tmp_path)["writable"]
    finally:
        stop(again)
