"""A real X desktop for the app: an X server without a screen (Xvfb), a window manager, the app
on Qt's xcb platform, and key presses that reach it as a keyboard's do (xdotool).

Linux only. Where the tools are missing the tests fail: `make test` installs them
(.ci/system-packages --test)."""

import os
import shutil
import subprocess

import pytest

from processes import stop, wait_for
from xdesktop import SCREEN, TOOLS, App, Desktop, shown_app


@pytest.fixture
def desktop(tmp_path):
    """Xvfb on a free display (it picks the number itself) with openbox running."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing, (f"missing {', '.join(missing)}: `make test` installs them "
                         "(bash .ci/system-packages --test)")
    log = tmp_path / "desktop.log"
    read_end, write_end = os.pipe()
    with open(log, "w") as output:
        server = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_end), "-screen", "0", SCREEN, "-nolisten", "tcp",
             "-noreset"],  # no reset when its last client leaves: a client then may miss it
            pass_fds=(write_end,), stdout=output, stderr=output)
    os.close(write_end)
    with os.fdopen(read_end) as announced:
        number = announced.readline().strip()
    assert number, f"Xvfb did not start: {log.read_text()}"
    screen = Desktop(f":{number}", log)
    # the display answers a client before the window manager is started on it
    assert wait_for(lambda: screen.run("xwininfo", "-root", check=False).returncode == 0), \
        log.read_text()
    with open(log, "a") as output:
        manager = subprocess.Popen(["openbox", "--sm-disable"], env=screen.env,
                                   stdout=output, stderr=output)
    try:
        # a window manager that answers for the desktop is running
        assert wait_for(lambda: screen.run("xdotool", "get_desktop", check=False)
                        .returncode == 0), log.read_text()
        yield screen
    finally:
        stop(manager)
        stop(server)


@pytest.fixture
def tray(desktop, tmp_path):
    """A system tray on the desktop (trayer, a panel with a freedesktop tray in it, as
    desktops without a tray of their own add one): its panel's window."""
    assert shutil.which("trayer"), ("missing trayer: `make test` installs it "
                                    "(bash .ci/system-packages --test)")
    with open(tmp_path / "tray.log", "w") as output:
        host = subprocess.Popen(["trayer", "--edge", "top", "--align", "right", "--widthtype",
                                 "request", "--height", "24", "--SetDockType", "true"],
                                env=desktop.env, stdout=output, stderr=output)
    panel = None

    def shown():
        nonlocal panel
        panel = next((window for window in desktop.windows()
                      if window.name == "panel" and "trayer" in window.wm_class), None)
        return panel is not None

    try:
        assert wait_for(shown), (tmp_path / "tray.log").read_text()
        yield panel
    finally:
        stop(host)


@pytest.fixture
def app(desktop, tmp_path):
    """The app's call window, ready, shown on the desktop and focused."""
    yield from shown_app(desktop, App(desktop, tmp_path))
