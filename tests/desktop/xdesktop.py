"""A real X desktop and the app on it, driven as a person would."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from processes import stop, wait_for

TOOLS = ("Xvfb", "openbox", "xdotool", "xclip", "import")
SCREEN = "1280x900x24"


class Desktop:
    """An X display with a window manager, and what a person at it does."""

    def __init__(self, display: str, log: Path):
        self.display = display
        self.env = dict(os.environ, DISPLAY=display)
        self.log = log

    def run(self, *command, check=True) -> subprocess.CompletedProcess:
        return subprocess.run(command, env=self.env, capture_output=True, text=True,
                              timeout=30, check=check)

    def window(self, title_pattern: str) -> str | None:
        """The id of the visible window whose title matches, once there is one."""
        found = self.run("xdotool", "search", "--onlyvisible", "--name", title_pattern,
                         check=False)
        ids = found.stdout.split()
        return ids[0] if ids else None

    def focus(self, window_id: str) -> None:
        self.run("xdotool", "windowactivate", "--sync", window_id, check=False)
        self.run("xdotool", "windowfocus", "--sync", window_id)

    def type(self, text: str) -> None:
        """Typed into the focused window, key by key (events from the X server, not sent
        to a window, which Qt would ignore as synthetic)."""
        self.run("xdotool", "type", "--delay", "40", text)

    def key(self, *keys: str) -> None:
        self.run("xdotool", "key", "--delay", "40", *keys)

    def clipboard(self) -> str:
        return self.run("xclip", "-o", "-selection", "clipboard", check=False).stdout

    def screenshot(self, path: Path) -> Path:
        self.run("import", "-window", "root", str(path))
        return path


class App:
    """``python -m callhelper`` on the desktop, with the test's own folders."""

    def __init__(self, desktop: Desktop, tmp_path: Path, database_url: str | None = None):
        self.desktop = desktop
        self.tmp_path = tmp_path
        config = tmp_path / "config"
        config.mkdir()
        (config / "settings.json").write_text(
            json.dumps({"agent_name": "Suzuki", "language": "en"}), encoding="utf-8")
        self.env = dict(desktop.env, QT_QPA_PLATFORM="xcb",
                        CALLHELPER_DATA_DIR=str(tmp_path / "data"),
                        CALLHELPER_CONFIG_DIR=str(config),
                        CALLHELPER_LOG_DIR=str(tmp_path / "logs"))
        self.env.pop("CALLHELPER_DATABASE_URL", None)
        if database_url is not None:  # team mode: the agent's login on the team's server
            self.env["CALLHELPER_DATABASE_URL"] = database_url
        self.output = open(tmp_path / "app.log", "w")
        self.process = subprocess.Popen([sys.executable, "-m", "callhelper"], env=self.env,
                                        stdout=self.output, stderr=self.output)

    @property
    def database(self) -> Path:
        return self.tmp_path / "data" / "callhelper.db"

    def status(self) -> dict | None:
        """What the running window shows (`callhelper call status --json`)."""
        result = subprocess.run([sys.executable, "-m", "callhelper", "call", "status",
                                 "--json"], env=self.env, capture_output=True, text=True,
                                timeout=60)
        return json.loads(result.stdout) if result.returncode == 0 else None

    def query(self, sql: str, *args) -> list[tuple]:
        """What is on disk, read through a connection of the test's own."""
        with sqlite3.connect(self.database) as connection:
            return connection.execute(sql, args).fetchall()

    def log(self) -> str:
        self.output.flush()
        return (self.tmp_path / "app.log").read_text()

    def stop(self) -> None:
        stop(self.process)
        self.output.close()


def shown_app(desktop, running):
    """``running``, once ready, shown on the desktop and focused; stopped at the end."""
    try:
        assert wait_for(lambda: (running.status() or {}).get("ready"), timeout=60), running.log()
        window_id = None

        def shown():
            nonlocal window_id
            window_id = desktop.window("^CallHelper")
            return window_id is not None

        assert wait_for(shown), running.log()
        desktop.focus(window_id)
        yield running
    finally:
        running.stop()
