"""The log never holds what customers said or their numbers.

A real app runs a call with notes — a caller's number and name, the customer's words, more
numbers inside them — through faults that are logged: garbage on the instance socket
(some of it carrying the words and numbers), refused requests to the phone-system endpoint,
a database locked by another program while notes are taken. Then every file in the log
folder is read: none of the words, and none of the numbers in any common writing, may be
in it.
"""

import json
import re
import socket
import sqlite3
import urllib.error
import urllib.request

from processes import cli, free_port, launch, socket_path, status, wait_for

CALLER = "03-6789-4321"
NAME = "秘密 太郎"
WORDS = ["箱がぐしゃぐしゃで届いた", "二度とQUOKKAで買わない", "土下座しろ、今すぐ来い",
         "折り返しは090-2468-1357へ", "カード 4111 1111 1111 1111 で払った"]
NUMBERS = ["0367894321", "09024681357"]
TOKEN = "log-test-Token_0123456789abcdef"


def writings(digits):
    """A Japanese number as people and phone systems write it."""
    area, rest = (digits[:2], digits[2:]) if digits.startswith("03") else (digits[:3], digits[3:])
    middle, last = rest[:-4], rest[-4:]
    national = digits[1:]
    forms = {digits, f"{area}-{middle}-{last}", f"{area} {middle} {last}",
             f"({area}){middle}-{last}", f"{area}({middle}){last}", f"+81{national}",
             f"+81 {area[1:]} {middle} {last}", f"+81-{area[1:]}-{middle}-{last}",
             f"81{national}", f"tel:+81{national}"}
    forms |= {form.translate(str.maketrans("0123456789-()+ ", "０１２３４５６７８９－（）＋　"))
              for form in list(forms)}
    return forms


def digits_anywhere(digits):
    """The digits in order with anything but digits between them (separators of any kind)."""
    return re.compile(r"\D{0,3}".join(digits))


def send_raw(tmp_path, lines):
    """Write lines to the instance socket as a careless program might; the replies."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(socket_path(tmp_path))
    replies = connection.makefile("rb")
    answers = []
    try:
        for line in lines:
            connection.sendall(line + b"\n")
            answers.append(replies.readline())
    finally:
        replies.close()
        connection.close()
    return answers


def post(port, token, body, content_type="application/json"):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/cti/{token}",
                                     data=body.encode(), method="POST",
                                     headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_log_folder_holds_no_note_text_and_no_phone_number(tmp_path):
    port = free_port()
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.json").write_text(json.dumps(
        {"cti_enabled": True, "cti_port": port, "cti_token": TOKEN, "language": "en"}),
        encoding="utf-8")
    app = launch(tmp_path, "call", "incoming", CALLER, "--name", NAME)
    try:
        assert wait_for(lambda: (status(tmp_path) or {}).get("history_loaded")), \
            "the window did not start"
        assert cli(tmp_path, "call", "start", "--number", CALLER, "--name", NAME).returncode == 0
        assert wait_for(lambda: status(tmp_path)["call"] == "active")
        for words in WORDS[:2]:
            assert cli(tmp_path, "call", "note", words).returncode == 0

        garbage = [
            f"{WORDS[2]} {CALLER}".encode(),
            json.dumps({"action": f"{CALLER} {WORDS[2]}"}, ensure_ascii=False).encode(),
            json.dumps({"action": "note", "text": 5, "number": CALLER}).encode(),
            json.dumps({"action": "note", "text": WORDS[3], "kind": WORDS[3]},
                       ensure_ascii=False).encode(),
            json.dumps({"action": "incoming", "number": WORDS[3] * 40},
                       ensure_ascii=False).encode(),
            json.dumps({"action": "note", "text": WORDS[2] * 2000}, ensure_ascii=False).encode(),
            WORDS[2].encode("utf-16"),
            b"\xff\xfe" + WORDS[3].encode("shift_jis", "replace"),
        ]
        answers = send_raw(tmp_path, garbage)
        assert all(b'"error"' in answer for answer in answers), answers

        assert post(port, "guessed-token-0123456789",
                    json.dumps({"event": "newCall", "from": CALLER, "direction": "in",
                                "callId": WORDS[2]}, ensure_ascii=False)) == 403
        assert post(port, TOKEN, f"event=newCall&from={CALLER}&direction=sideways",
                    "application/x-www-form-urlencoded") == 400
        assert post(port, TOKEN, f"{{\"from\": \"{CALLER}\", {WORDS[2]}") == 400

        lock = sqlite3.connect(tmp_path / "data" / "callhelper.db", isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        try:
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connection.connect(socket_path(tmp_path))
            connection.sendall(json.dumps({"action": "note", "text": WORDS[3]},
                                          ensure_ascii=False).encode() + b"\n")
            log_file = tmp_path / "logs" / "callhelper.log"
            assert wait_for(lambda: log_file.exists() and "database job failed"
                            in log_file.read_text(encoding="utf-8")), "no write failed"
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        reply = connection.makefile("rb").readline()
        connection.close()
        assert b'"queued"' in reply  # the lock outlasted the wait; the note is saved later
        assert cli(tmp_path, "call", "note", WORDS[4], "--kind", "fact").returncode == 0
        assert cli(tmp_path, "call", "end").returncode == 0
    finally:
        app.terminate()
        app.wait(timeout=30)

    with sqlite3.connect(tmp_path / "data" / "callhelper.db") as database:
        assert database.execute("SELECT count(*) FROM note").fetchone() == (4,)
    database.close()
    logs = {path.name: path.read_text(encoding="utf-8", errors="replace")
            for path in (tmp_path / "logs").iterdir() if path.is_file()}
    assert logs, "nothing was logged, so nothing was tested"
    text = "\n".join(logs.values())
    assert "refused a command on the instance socket" in text
    assert "CTI request refused" in text
    leaks = [words for words in WORDS + [NAME, "QUOKKA", "ぐしゃぐしゃ", "土下座"]
             if words in text]
    for digits in NUMBERS:
        leaks += [form for form in writings(digits) if form in text]
        leaks += digits_anywhere(digits).findall(text)
    assert not leaks, f"found in the log: {leaks}"
