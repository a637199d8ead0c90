"""Real processes in the tests: starting the app and its commands on a test's folders,
waiting for what they do, and stopping them as a user would."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from callhelper.channel import address


def wait_for(condition, timeout=30.0):
    """Whether ``condition()`` came true within ``timeout`` seconds (looked at ten times a
    second)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def stop(process):
    """SIGTERM (the window closes as if the user had), then SIGKILL if it does not end."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def environment(tmp_path, **extra):
    """The test's environment with every CallHelper folder under ``tmp_path``."""
    return dict(os.environ, QT_QPA_PLATFORM="offscreen",
                CALLHELPER_DATA_DIR=str(tmp_path / "data"),
                CALLHELPER_CONFIG_DIR=str(tmp_path / "config"),
                CALLHELPER_LOG_DIR=str(tmp_path / "logs"), **extra)


def launch(tmp_path, *args, preexec_fn=None, **extra):
    """``callhelper ARGS`` started on ``tmp_path``'s folders, not waited for."""
    return subprocess.Popen([sys.executable, "-m", "callhelper", *args],
                            env=environment(tmp_path, **extra), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=preexec_fn)


def cli(tmp_path, *args, **extra):
    """``callhelper ARGS`` run to its end on ``tmp_path``'s folders."""
    return subprocess.run([sys.executable, "-m", "callhelper", *args],
                          env=environment(tmp_path, **extra), capture_output=True, text=True,
                          timeout=60)


def status(tmp_path, **extra):
    """What the window running on ``tmp_path``'s folders shows (None: no window answers)."""
    result = cli(tmp_path, "call", "status", "--json", **extra)
    return json.loads(result.stdout) if result.returncode == 0 else None


def ready(tmp_path):
    shown = status(tmp_path)
    return shown is not None and shown["ready"]


def database(tmp_path):
    return tmp_path / "data" / "callhelper.db"


def socket_path(tmp_path):
    """The window's instance socket for ``tmp_path``'s database."""
    return address(f"sqlite:///{database(tmp_path)}")


def run_cli(*args, stdin="", env=None):
    """``callhelper ARGS`` run to its end in the test's environment (its folders, unless
    ``env`` names others), with ``stdin`` as its standard input."""
    return subprocess.run([sys.executable, "-m", "callhelper", *args], input=stdin,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})})


def schema_ready(db_file):
    """The schema's revision once the app has made ``db_file`` (else a false value)."""
    if not db_file.exists():
        return False
    try:
        with sqlite3.connect(db_file) as connection:
            return connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return False


def bare_environment(home: Path) -> dict[str, str]:
    """What a fresh login has at most: no virtualenv, no PYTHON*, no LD_LIBRARY_PATH."""
    env = {"HOME": str(home), "PATH": os.defpath, "QT_QPA_PLATFORM": "offscreen",
           "CALLHELPER_CONFIG_DIR": str(home / "config"),
           "CALLHELPER_LOG_DIR": str(home / "logs")}
    if sys.platform == "win32":
        env["SYSTEMROOT"] = os.environ["SYSTEMROOT"]
    return env


def free_port() -> int:
    """A TCP port on the loopback address that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
