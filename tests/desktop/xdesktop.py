"""A real X desktop and the app on it, driven as a person would."""

import json
import os
import re
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from processes import stop, wait_for

TOOLS = ("Xvfb", "openbox", "xdotool", "xclip", "import", "xwininfo", "xprop")
SCREEN = "1280x900x24"
#: A line of `xwininfo -root -tree`: indent, id, name, class, size and place on the screen.
TREE_LINE = re.compile(r'^(?P<indent>\s*)(?P<id>0x[0-9a-f]+) (?:"(?P<name>.*)"|\(has no name\)): '
                       r'\((?P<wm_class>.*)\)\s+(?P<width>\d+)x(?P<height>\d+)[+-]-?\d+[+-]-?\d+'
                       r'\s+\+?(?P<x>-?\d+)\+?(?P<y>-?\d+)$')


@dataclass(frozen=True)
class Window:
    """An X window as `xwininfo -root -tree` lists it, with the ids of its ancestors."""

    id: str
    name: str
    wm_class: str
    x: int
    y: int
    width: int
    height: int
    ancestors: tuple[str, ...]

    def contains(self, x: int, y: int) -> bool:
        return self.x <= x < self.x + self.width and self.y <= y < self.y + self.height


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

    def windows(self) -> list[Window]:
        """Every window on the display, the window manager's and the tray's children too."""
        found, parents = [], []
        for line in self.run("xwininfo", "-root", "-tree").stdout.splitlines():
            match = TREE_LINE.match(line)
            if match is None:
                continue
            depth = len(match["indent"])
            while parents and parents[-1][0] >= depth:
                parents.pop()
            found.append(Window(match["id"], match["name"] or "", match["wm_class"],
                                int(match["x"]), int(match["y"]), int(match["width"]),
                                int(match["height"]), tuple(id_ for _, id_ in parents)))
            parents.append((depth, match["id"]))
        return found

    def properties(self, window_id: str) -> str:
        """What the window says of itself: its process, its type, whether it is mapped."""
        return (self.run("xprop", "-id", window_id, "_NET_WM_PID", "_NET_WM_WINDOW_TYPE",
                         check=False).stdout
                + self.run("xwininfo", "-id", window_id, check=False).stdout)

    def screenshot(self, path: Path) -> Path:
        self.run("import", "-window", "root", str(path))
        return path


class App:
    """``python -m callhelper`` on the desktop, with the test's own folders."""

    def __init__(self, desktop: Desktop, tmp_path: Path, database_url: str | None = None,
                 language: str = "en"):
        self.desktop = desktop
        self.tmp_path = tmp_path
        config = tmp_path / "config"
        config.mkdir(exist_ok=True)
        (config / "settings.json").write_text(
            json.dumps({"agent_name": "Suzuki", "language": language}), encoding="utf-8")
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
