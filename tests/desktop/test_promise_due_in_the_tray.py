"""A promise falls due and the desktop's system tray says so, on a real X11 desktop with a
tray (trayer): the app's icon sits in the tray, a notification of the app's appears next to
it, a click on it brings the call window forward with the list of the promises due (as
Ctrl+R shows it), and the keyboard copies the promise from that list.

Qt draws the notification itself on an X11 tray (a balloon, an X window of the app's own),
so its words are not read off the screen here: the test sees the balloon appear at the tray
and what a click on it opens."""

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from callhelper.config import resources_dir
from callhelper.core.case import CaseStatus, NoteKind, WrapUp
from callhelper.core.flags import load_rules
from callhelper.store import repository
from callhelper.store.engine import Store
from processes import wait_for
from xdesktop import App

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="an X11 desktop (Xvfb) runs on Linux only")

AGENT = "Suzuki"  # the app's agent (xdesktop.App's settings)
PROMISE = "Call back with the repair date"


def a_promise_already_due(database, now):
    """An earlier call of the agent's, wrapped up, with a promise that fell due a few minutes
    ago."""
    database.parent.mkdir(parents=True)
    store = Store(f"sqlite:///{database}")
    try:
        with store.unit_of_work() as session:
            started = now - timedelta(hours=2)
            repository.start_contact(session, repository.NewContact(
                "earlier", AGENT, "complaint", 2, started, "0312345678", "Yamada"))
            repository.add_note(session, "earlier", "promise", NoteKind.PROMISE, PROMISE,
                                60_000, AGENT, started,
                                load_rules(resources_dir() / "rules" / "demands.toml"),
                                due_at=now - timedelta(minutes=5))
            repository.save_wrap_up(session, "earlier", WrapUp(
                "Laptop makes a noise", None, None, "", "", CaseStatus.WAITING_CALLBACK),
                AGENT, started + timedelta(minutes=10))
    finally:
        store.close()


def tray_available(desktop) -> bool:
    """What Qt answers on this desktop (QSystemTrayIcon.isSystemTrayAvailable)."""
    script = ("from PySide6.QtWidgets import QApplication, QSystemTrayIcon\n"
              "app = QApplication([])\n"
              "print(QSystemTrayIcon.isSystemTrayAvailable())\n")
    answer = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=dict(desktop.env, QT_QPA_PLATFORM="xcb"), timeout=60)
    return answer.stdout.strip() == "True"


def test_a_due_promise_is_notified_in_the_tray(desktop, tray, tmp_path):
    assert tray_available(desktop)
    a_promise_already_due(tmp_path / "data" / "callhelper.db", datetime.now(timezone.utc))
    app = App(desktop, tmp_path)
    pid = str(app.process.pid)

    def of_the_app(window) -> str | None:
        """The window's own description, if it is a window of the app's shown on screen."""
        described = desktop.properties(window.id)
        return described if f"= {pid}" in described and "IsViewable" in described else None

    try:
        icon = balloon = None

        def notified():
            """The app's icon in the tray, and a notification of the app's by it (Qt shows
            it for ten seconds: looked for from the app's start)."""
            nonlocal icon, balloon
            windows = desktop.windows()
            icon = icon or next((window for window in windows if tray.id in window.ancestors
                                 and of_the_app(window)), None)
            balloon = balloon or next(
                (window for window in windows if not window.ancestors[1:]
                 and (described := of_the_app(window))
                 and "_NET_WM_WINDOW_TYPE_TOOLTIP" in described), None)
            return icon is not None and balloon is not None

        assert wait_for(notified, timeout=60), (icon, balloon, app.log())
        panel = next(window for window in desktop.windows() if window.id == tray.id)
        assert 16 <= icon.width <= 32 and panel.contains(icon.x, icon.y), (icon, panel)
        assert abs(balloon.x + balloon.width - (icon.x + icon.width)) < 200 \
            and balloon.y < 200, ("the notification is at the tray", balloon, icon)
        assert wait_for(lambda: (app.status() or {}).get("ready")), app.log()

        # a click on the notification: the call window with the list of the promises due
        desktop.run("xdotool", "mousemove", str(balloon.x + balloon.width // 2),
                    str(balloon.y + balloon.height // 2), "click", "1")

        def listed():
            desktop.key("ctrl+c")
            return PROMISE in desktop.clipboard()

        assert wait_for(listed, timeout=20), app.log()
        assert f"Yamada: {PROMISE} ({AGENT})" in desktop.clipboard()
        assert desktop.run("xdotool", "getactivewindow", "getwindowname").stdout.startswith(
            "CallHelper")

        # closed with Esc (the keyboard back in the number field: something else copied
        # from there), and listed again with Ctrl+R
        desktop.key("Escape")
        desktop.type("0")
        desktop.key("ctrl+a", "ctrl+c", "BackSpace")
        assert wait_for(lambda: desktop.clipboard() == "0")
        desktop.key("ctrl+r")
        assert wait_for(listed, timeout=20), app.log()
    finally:
        app.stop()
