"""A real call window on a fresh database, driven like an agent would."""

import sqlite3

import pytest

from callhelper.config import Settings, resolve_paths
from callhelper.ui.start import build_call_window


@pytest.fixture
def open_window(qtbot, paths, settings, clock):
    """Open a call window (as the app does at start) and wait until it is ready."""

    def open_():
        window = build_call_window(paths, settings, clock)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.ready, timeout=10_000):
            window.show()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        return window

    return open_


@pytest.fixture
def open_team_window(qtbot, clock):
    """Open a call window in team mode on the server at ``url`` (the agent's own file in
    the test's data folder), in English, and wait until it is ready; returns it and its
    paths."""

    def open_(url):
        paths = resolve_paths(database_url=url)
        settings = Settings.for_paths(paths)
        settings.set("language", "en")
        window = build_call_window(paths, settings, clock)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.ready, timeout=20_000):
            window.show()
        return window, paths

    return open_


@pytest.fixture
def window(open_window):
    return open_window()


@pytest.fixture
def wait_until_idle(qtbot):
    """Wait until a window's database work is done and answered (``CallController.idle``):
    what a test then finds missing did not happen, rather than not yet."""

    def wait(window, timeout=10_000):
        qtbot.waitUntil(lambda: window.controller.idle, timeout=timeout)

    return wait


@pytest.fixture
def db(paths):
    """Read what is on disk, through a connection of its own."""
    connections = []

    def query(sql, *args):
        connection = sqlite3.connect(paths.database_file)
        connections.append(connection)
        return connection.execute(sql, args).fetchall()

    yield query
    for connection in connections:
        connection.close()
