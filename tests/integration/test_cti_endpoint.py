"""A real CTI endpoint in this process, spoken to over HTTP the way a PBX does."""

import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest
from PySide6.QtCore import QCoreApplication

from callhelper.config import Settings
from callhelper.core.commands import Action, Command
from callhelper.app.cti import CtiEndpoint
from processes import free_port

TOKEN = "pbx-Token_0123456789abcdefghij"
#: Another local user: Debian's unprivileged ``nobody``, with the system's Python.
OTHER_UID = OTHER_GID = 65534
OTHER_PYTHON = shutil.which("python3", path="/usr/bin:/bin")


def as_other_user():
    os.setgroups([])
    os.setgid(OTHER_GID)
    os.setuid(OTHER_UID)


@pytest.fixture
def endpoint(qapp):
    endpoint = CtiEndpoint()
    endpoint.start(0, TOKEN)
    yield endpoint
    endpoint.stop()


def url(endpoint, token=TOKEN):
    return f"http://127.0.0.1:{endpoint.port}/api/v1/cti/{token}"


def request(qtbot, address, body=None, method="POST", content_type="application/json"):
    """Send from another thread, as a PBX would, while the window's event loop runs; returns
    (status, headers, body). A command the request called for is queued before the reply."""
    result = {}

    def run():
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        outgoing = urllib.request.Request(address, data=data, method=method,
                                          headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(outgoing, timeout=10) as response:
                result["reply"] = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            result["reply"] = error.code, error.headers, error.read()
        except OSError as error:
            result["reply"] = error

    thread = threading.Thread(target=run)
    thread.start()
    qtbot.waitUntil(lambda: "reply" in result, timeout=15_000)
    thread.join()
    QCoreApplication.processEvents()
    if isinstance(result["reply"], OSError):
        raise result["reply"]
    return result["reply"]


def new_call(number="0312345678", call_id="call-1"):
    return {"event": "newCall", "from": number, "to": "0120000000", "direction": "in",
            "callId": call_id}


@pytest.fixture
def received(endpoint):
    commands = []
    endpoint.command.connect(commands.append)
    return commands


def test_a_ringing_call_reaches_the_window_with_the_number(qtbot, endpoint):
    with qtbot.waitSignal(endpoint.command, timeout=15_000) as blocker:
        status, headers, body = request(qtbot, url(endpoint), new_call())
    assert status == 200
    assert json.loads(body) == {}
    assert blocker.args == [Command(Action.INCOMING, "0312345678")]


def test_a_form_posted_call_is_answered_and_ended(qtbot, endpoint, received):
    form = "application/x-www-form-urlencoded"
    for event in ("newCall", "answer", "hangup"):
        body = (f"event={event}&from=%2B81312345678&to=100&direction=in&callId=f1"
                f"&user%5B%5D=Emma").encode()
        assert request(qtbot, url(endpoint), body, content_type=form)[0] == 200
    assert received == [Command(Action.INCOMING, "+81312345678"),
                        Command(Action.START, "+81312345678"), Command(Action.END)]


def test_a_wrong_token_is_refused_and_nothing_happens(qtbot, endpoint, received):
    status, _, body = request(qtbot, url(endpoint, "guessed-token-0123456789"), new_call())
    assert status == 403
    assert body == b"wrong token\n"
    assert received == []


def test_only_post_is_answered(qtbot, endpoint, received):
    status, headers, _ = request(qtbot, url(endpoint), method="GET")
    assert status == 405
    assert headers["Allow"] == "POST"
    assert received == []


def test_nothing_else_is_served(qtbot, endpoint):
    base = f"http://127.0.0.1:{endpoint.port}"
    for path in ("/", "/api/v1/cti/", "/etc/passwd", "/api/v1/cti/../../"):
        status, headers, body = request(qtbot, base + path, method="GET")
        assert status in (403, 404)
        assert headers["Server"] == "CallHelper"
        assert b"<" not in body  # no page, no listing


def test_a_body_too_large_is_refused(qtbot, endpoint, received):
    status, _, _ = request(qtbot, url(endpoint), b"x" * 20_000,
                           content_type="application/x-www-form-urlencoded")
    assert status == 413
    assert received == []


def test_a_deeply_nested_body_is_answered_400_and_the_next_call_still_rings(
        qtbot, endpoint, received):
    status, _, body = request(qtbot, url(endpoint), b"[" * 15_000)
    assert status == 400 and body == b"body is nested deeper than 32 levels\n"
    assert request(qtbot, url(endpoint), new_call())[0] == 200
    assert received == [Command(Action.INCOMING, "0312345678")]


def test_it_listens_on_the_loopback_address_only(endpoint):
    assert endpoint.address == ("127.0.0.1", endpoint.port)


def test_it_cannot_be_reached_at_the_computers_network_address(endpoint):
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the route
        own_address = probe.getsockname()[0]
    except OSError:
        own_address = "127.0.0.1"
    finally:
        probe.close()
    if own_address.startswith("127."):
        pytest.skip("this computer has no network address besides the loopback")
    with pytest.raises(OSError):
        socket.create_connection((own_address, endpoint.port), timeout=5).close()


def test_a_port_in_use_is_reported_clearly(endpoint):
    second = CtiEndpoint()
    with pytest.raises(OSError, match=f"Port {endpoint.port} is already in use"):
        second.start(endpoint.port, TOKEN)
    assert not second.running


def test_once_stopped_nothing_listens(qtbot, endpoint):
    port = endpoint.port
    endpoint.stop()
    assert not endpoint.running
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_refusals_are_logged_without_the_token_or_the_number(qtbot, endpoint, caplog):
    caplog.set_level(logging.INFO, logger="callhelper")
    request(qtbot, url(endpoint, "guessed-token-0123456789"), new_call())
    request(qtbot, url(endpoint), new_call(call_id="logged"))
    refusals = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in refusals] == [
        "CTI request refused: 403 wrong token (from 127.0.0.1)"]
    text = caplog.text
    assert "0312345678" not in text and "guessed-token" not in text and TOKEN not in text


def test_the_settings_turn_it_on_and_off(qtbot, paths, qapp):
    settings = Settings.for_paths(paths)
    endpoint = CtiEndpoint()
    endpoint.apply_settings(settings)
    assert not endpoint.running
    settings.set("cti_enabled", True)
    settings.set("cti_port", free_port())
    try:
        endpoint.apply_settings(settings)
        assert endpoint.port == settings.get("cti_port")
        token = Settings.for_paths(paths).get("cti_token")
        assert len(token) >= 32
        with qtbot.waitSignal(endpoint.command, timeout=15_000):
            assert request(qtbot, url(endpoint, token), new_call())[0] == 200
        settings.set("cti_enabled", False)
        endpoint.apply_settings(settings)
        assert not endpoint.running
    finally:
        endpoint.stop()


def test_a_web_page_renamed_to_this_computer_is_refused_by_its_host(qtbot, endpoint, received):
    """DNS rebinding: the page's own name arrives in Host, whatever address it resolves to."""
    for host in ("attacker.example", "attacker.example:80", "127.0.0.1.attacker.example"):
        with socket.create_connection(("127.0.0.1", endpoint.port), timeout=5) as connection:
            body = json.dumps(new_call()).encode()
            connection.sendall(f"POST /api/v1/cti/{TOKEN} HTTP/1.1\r\nHost: {host}\r\n"
                               f"Content-Type: application/json\r\nContent-Length: "
                               f"{len(body)}\r\n\r\n".encode() + body)
            answer = connection.makefile("rb").readline()
        assert answer.startswith(b"HTTP/1.0 421"), (host, answer)
    status, _, _ = request(qtbot, url(endpoint), new_call())  # urllib sends 127.0.0.1:port
    assert status == 200
    qtbot.waitUntil(lambda: len(received) == 1)


#: Another local user holding connections open without a byte of request, for as long as it
#: is let: what starved the endpoint when places were taken at connection time.
SLOW_CLIENTS = r"""
import socket, sys, time
port, count = int(sys.argv[1]), int(sys.argv[2])
held = []
for _ in range(count):
    try:
        held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
    except OSError:
        pass
print("holding", len(held), flush=True)
time.sleep(30)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.getuid() != 0
                    or OTHER_PYTHON is None,
                    reason="runs a process as another user (needs root, Linux and a system "
                           "python3)")
def test_another_user_holding_connections_open_does_not_starve_the_phone_system(
        qtbot, endpoint, received):
    slow = subprocess.Popen([OTHER_PYTHON, "-c", SLOW_CLIENTS, str(endpoint.port), "50"],
                            stdout=subprocess.PIPE, text=True, preexec_fn=as_other_user)
    try:
        assert slow.stdout.readline().startswith("holding")
        for number in range(30):
            status, _, _ = request(qtbot, url(endpoint), new_call(call_id=f"call-{number}"))
            assert status == 200, number
        qtbot.waitUntil(lambda: len(received) == 30)
    finally:
        slow.kill()
        slow.wait()


def test_clients_without_the_token_never_hold_a_place(qtbot, endpoint, received):
    """Dozens of refused requests at once, each sending its body slowly: the real event
    right after them is delivered."""
    connections = []
    for _ in range(30):
        connection = socket.create_connection(("127.0.0.1", endpoint.port), timeout=5)
        connection.sendall(b"POST /api/v1/cti/wrong-token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           b"Content-Length: 1000\r\n\r\n{")
        connections.append(connection)
    try:
        status, _, _ = request(qtbot, url(endpoint), new_call())
        assert status == 200
        qtbot.waitUntil(lambda: len(received) == 1)
    finally:
        for connection in connections:
            connection.close()
