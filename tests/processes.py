"""Real processes in the tests: waiting for what they do, and stopping them as a user would."""

import signal
import subprocess
import time


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
