"""A real SIP call makes the running window show the caller: one Twinkle softphone (the
customer) calls another (the agent) over the loopback, and the agent's Twinkle runs the call
script of docs/phone-systems.md. Needs twinkle-console (.ci/system-packages --test)."""

import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from processes import environment, launch, ready, status, wait_for

TWINKLE = "twinkle-console"
CALLER_NUMBER = "0312345678"  # 山田 太郎 of known_caller
SHOWN_NUMBER = "03-1234-5678"  # as the window shows it

# The script of docs/phone-systems.md; only where callhelper is and where the output goes differ.
CALL_SCRIPT = """#!/bin/sh
exec >>{log} 2>&1
CALLHELPER={callhelper}
case "$TWINKLE_TRIGGER" in
    in_call)            exec "$CALLHELPER" call incoming "$SIP_FROM_USER" --name "$SIP_FROM_DISPLAY" ;;
    in_call_answered)   exec "$CALLHELPER" call start --number "$SIP_FROM_USER" ;;
    out_call)           exec "$CALLHELPER" call incoming "$SIP_TO_USER" ;;
    out_call_answered)  exec "$CALLHELPER" call start --number "$SIP_TO_USER" ;;
    local_release|remote_release) exec "$CALLHELPER" call end ;;
esac
"""
SCRIPT_KEYS = ("script_incoming_call", "script_in_call_answered", "script_outgoing_call",
               "script_out_call_answered", "script_local_release", "script_remote_release")
RTP_PORTS = 10  # per phone: an RTP and an RTCP port for each of Twinkle's lines


def port_is_free(port):
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):  # Twinkle takes its SIP port for both
        with socket.socket(socket.AF_INET, kind) as probe:
            try:
                probe.bind(("", port))
            except OSError:
                return False
    return True


def free_ports(count):
    """The first of ``count`` consecutive ports that are free now."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("", 0))
            first = probe.getsockname()[1]
        if first + count <= 65536 and all(map(port_is_free, range(first, first + count))):
            return first
    raise RuntimeError(f"no {count} consecutive free ports")


class Twinkle:
    """twinkle-console with its own HOME (~/.twinkle: the ports, the profile, the lock and the
    log), driven through its command line on stdin. Its process group also holds the scripts
    it runs, so stop() ends them as well."""

    def __init__(self, home, env, sip_port, rtp_port, **profile):
        self.home = home
        settings = home / ".twinkle"
        settings.mkdir(parents=True)
        # System settings: ports, no sound card (ALSA's null device), no ring tones.
        (settings / "twinkle.sys").write_text(
            f"sip_port={sip_port}\nrtp_port={rtp_port}\n"
            "dev_ringtone=alsa:null\ndev_speaker=alsa:null\ndev_mic=alsa:null\n"
            "validate_audio_dev=no\nplay_ringtone=no\nplay_ringback=no\n")
        # The user profile: no registrar, no presence server; calls go straight to an address.
        profile = {"user_domain": "127.0.0.1", "register_at_startup": "no",
                   "pres_publish_startup": "no", **profile}
        (settings / "phone.cfg").write_text(
            "".join(f"{key}={value}\n" for key, value in profile.items()))
        self._output = []
        self._lock = threading.Lock()
        self.process = subprocess.Popen(
            [TWINKLE, "phone.cfg"], cwd=home, env=dict(env, HOME=str(home)),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        # Raw reads: the prompt "Twinkle> " comes without a newline.
        while chunk := os.read(self.process.stdout.fileno(), 4096):
            with self._lock:
                self._output.append(chunk.decode("utf-8", "replace"))

    @property
    def output(self):
        with self._lock:
            return "".join(self._output)

    def shows(self, text, timeout=10.0):
        """Whether ``text`` appears in Twinkle's output within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if self.process.poll() is not None or time.monotonic() > deadline:
                time.sleep(0.2)  # the last output, if Twinkle has just ended
                return text in self.output
            time.sleep(0.05)
        return True

    def send(self, command):
        self.process.stdin.write(f"{command}\n".encode())
        self.process.stdin.flush()

    def report(self):
        log = self.home / ".twinkle" / "twinkle.log"
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"
        return f"--- {self.home.name}: output ---\n{self.output}\n--- log (end) ---\n{tail}"

    def quit(self):
        try:
            self.send("quit")
        except OSError:  # Twinkle has ended already
            pass

    def stop(self):
        if self.process.poll() is None:
            self.quit()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)  # Twinkle, if still there, and its scripts
            except ProcessLookupError:
                break
            time.sleep(0.5)
        self.process.wait(timeout=5)
        self._reader.join(timeout=5)
        self.process.stdin.close()
        self.process.stdout.close()


@pytest.fixture
def twinkles():
    if shutil.which(TWINKLE) is None:
        pytest.fail(f"{TWINKLE} is needed: bash .ci/system-packages --test")
    phones = []
    yield phones
    for phone in phones:  # both at once: each takes a moment to end its calls
        phone.quit()
    for phone in phones:
        phone.stop()


def test_a_real_call_shows_the_caller_in_the_running_window(tmp_path, known_caller, stop_all,
                                                            twinkles):
    window = launch(tmp_path)
    stop_all.append(window)

    # The agent's call script, as docs/phone-systems.md has it, running this test's callhelper.
    callhelper = tmp_path / "bin" / "callhelper"
    callhelper.parent.mkdir()
    # With the test's HOME, not Twinkle's: without a login name, callhelper finds the window
    # by the home folder.
    home = (f"export HOME={shlex.quote(os.environ['HOME'])}" if "HOME" in os.environ
            else "unset HOME")
    callhelper.write_text(
        f'#!/bin/sh\n{home}\nexec {shlex.quote(sys.executable)} -m callhelper "$@"\n')
    script = tmp_path / "bin" / "callhelper-twinkle"
    script_log = tmp_path / "call-script.log"
    script.write_text(CALL_SCRIPT.format(log=shlex.quote(str(script_log)),
                                         callhelper=shlex.quote(str(callhelper))))
    for executable in (callhelper, script):
        executable.chmod(0o755)

    first = free_ports(2 + 2 * RTP_PORTS)
    agent_port, caller_port = first, first + 1
    env = environment(tmp_path)
    agent = Twinkle(tmp_path / "agent", env, agent_port, first + 2, user_name="agent",
                    **{key: str(script) for key in SCRIPT_KEYS})
    twinkles.append(agent)
    caller = Twinkle(tmp_path / "customer", env, caller_port, first + 2 + RTP_PORTS,
                     user_name=CALLER_NUMBER)
    twinkles.append(caller)

    def report():
        log = script_log.read_text() if script_log.exists() else "(the script never ran)"
        return "\n".join([agent.report(), caller.report(), f"--- call script ---\n{log}",
                          f"--- window ---\n{status(tmp_path)}"])

    def window_shows(**expected):
        shown = status(tmp_path) or {}
        return all(shown.get(key) == value for key, value in expected.items())

    assert agent.shows("Twinkle>") and caller.shows("Twinkle>"), report()
    assert wait_for(lambda: ready(tmp_path)), report()

    # The customer dials the agent's phone directly: no registrar, no proxy.
    caller.send(f"call sip:agent@127.0.0.1:{agent_port}")
    assert agent.shows("incoming call"), report()
    # Ringing: the caller and their history are shown; the timer waits for the answer.
    assert wait_for(lambda: window_shows(number=SHOWN_NUMBER, customer="山田 太郎",
                                         call="none"), 15), report()

    agent.send("answer")
    assert caller.shows("far end answered call"), report()
    assert wait_for(lambda: window_shows(call="active", number=SHOWN_NUMBER), 15), report()

    caller.send("bye")  # the customer hangs up
    assert agent.shows("far end ended call"), report()
    assert wait_for(lambda: window_shows(call="ended"), 15), report()
    assert window.poll() is None, "the running window is still the only one"
