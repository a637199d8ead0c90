"""Killing the app (SIGKILL) at random moments loses no note it acknowledged as saved.

The real app runs as a process; notes reach it through its instance socket, as from another
program (``callhelper call note``), which answers each once it is on disk.
"""

import csv
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import threading
import time

from processes import cli, launch, socket_path, status, wait_for

ROUNDS = 6
WORDS = ["返金してほしい", "誠意を見せろ", "もう二度と買わない", "😡", "箱が潰れていた", "“引用”",
         "a,b;\"c\"", "=1+1", "カード 4111 1111 1111 1111", "  前後の空白  ", "改行\nを含む", "ｶﾀｶﾅ"]


def capture_until_killed(tmp_path, app, rng, acknowledged):
    """Send notes as fast as the app takes them; kill it at a random moment meanwhile."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(socket_path(tmp_path))
    replies = connection.makefile("rb")
    sent = {}

    def send():
        number = 0
        try:
            while True:
                text = " ".join(rng.sample(WORDS, 3)) + f" #{len(acknowledged)}-{number}"
                sent[number] = text
                connection.sendall(json.dumps({"action": "note", "text": text}).encode() + b"\n")
                number += 1
                time.sleep(rng.uniform(0, 0.01))
        except OSError:
            return  # the app is gone

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    killer = threading.Timer(rng.uniform(0.3, 1.5), app.kill)
    killer.start()
    try:
        for line in replies:
            answer = json.loads(line)
            assert "saved" in answer, answer
            acknowledged[answer["saved"]] = answer["text"]
    except ConnectionResetError:
        pass  # killed with replies unread: those notes were never acknowledged
    app.wait(timeout=30)
    killer.join()
    sender.join(timeout=10)
    connection.close()


def test_every_acknowledged_note_survives_kills_at_random_moments(tmp_path):
    rng = random.Random(20261123)
    acknowledged: dict[str, str] = {}
    for round_number in range(ROUNDS):
        app = launch(tmp_path)
        assert wait_for(lambda: (status(tmp_path) or {}).get("ready")), "the app did not start"
        if status(tmp_path)["call"] == "none":
            assert cli(tmp_path, "call", "start", "--number", "03-1234-5678").returncode == 0
        assert wait_for(lambda: status(tmp_path)["call"] == "active"), \
            f"round {round_number}: the call was not resumed"
        capture_until_killed(tmp_path, app, rng, acknowledged)
    assert len(acknowledged) > ROUNDS * 5, "too few notes were taken to test anything"
    with sqlite3.connect(tmp_path / "data" / "callhelper.db") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = dict(connection.execute("SELECT uid, text FROM note"))
    connection.close()
    missing = [uid for uid in acknowledged if uid not in stored]
    assert not missing, f"{len(missing)} acknowledged notes were lost"
    assert all(stored[uid] == text for uid, text in acknowledged.items())
    assert all("4111 1111 1111 1111" not in text for text in stored.values())


def test_a_kill_during_the_wrap_up_keeps_the_call_and_its_notes(tmp_path):
    app = launch(tmp_path, "call", "start", "--number", "03-1234-5678")
    assert wait_for(lambda: (status(tmp_path) or {}).get("call") == "active")
    for text in ("一つ目", "二つ目"):
        assert cli(tmp_path, "call", "note", text).returncode == 0
    assert cli(tmp_path, "call", "end").returncode == 0
    assert wait_for(lambda: status(tmp_path)["call"] == "ended")
    app.kill()
    app.wait(timeout=30)
    again = launch(tmp_path)
    try:
        assert wait_for(lambda: (status(tmp_path) or {}).get("ready"))
        assert status(tmp_path)["call"] == "ended", "the wrap-up was not re-opened"
    finally:
        again.kill()
        again.wait(timeout=30)
    with sqlite3.connect(tmp_path / "data" / "callhelper.db") as connection:
        assert [row[0] for row in connection.execute("SELECT text FROM note ORDER BY id")] \
            == ["一つ目", "二つ目"]
        assert connection.execute("SELECT state FROM contact").fetchone() == ("wrap_up",)
    connection.close()


def test_a_kill_during_an_export_leaves_the_previous_file_whole(tmp_path):
    env = dict(os.environ, CALLHELPER_DATA_DIR=str(tmp_path / "data"))
    run = [sys.executable, "-m", "callhelper"]
    subprocess.run([*run, "demo", "--cases", "400"], env=env, check=True, capture_output=True,
                   timeout=120)
    target = tmp_path / "notes.csv"
    subprocess.run([*run, "export", "--out", str(target)], env=env, check=True,
                   capture_output=True, timeout=120)
    previous = target.read_bytes()
    rng = random.Random(7)
    for _ in range(4):
        export = subprocess.Popen([*run, "export", "--out", str(target)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.2))
        export.kill()
        export.wait(timeout=30)
        assert target.read_bytes() == previous, "a killed export changed the file"
    with open(target, encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    with sqlite3.connect(tmp_path / "data" / "callhelper.db") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert len(rows) - 1 == connection.execute("SELECT count(*) FROM note").fetchone()[0]
    connection.close()
