"""Shared fixtures: Qt runs offscreen, and every test gets its own folders and database."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from callhelper.config import Settings, resolve_paths  # noqa: E402
from callhelper.core.clock import ManualClock  # noqa: E402

#: database_url and the other database fixtures: SQLite, and a real PostgreSQL server.
pytest_plugins = ["databases"]


@pytest.fixture(autouse=True, scope="session")
def gui_thread_collector(qapp):
    """As in the app (app/bootstrap.py): cyclic garbage — windows of earlier tests among it —
    is collected on the GUI thread, never by a store worker that happens to allocate."""
    from callhelper.app.bootstrap import GuiThreadCollector, collect_garbage_on_the_gui_thread

    collect_garbage_on_the_gui_thread(qapp)
    return qapp.findChild(GuiThreadCollector)


@pytest.fixture(autouse=True)
def collect_after_each_test(gui_thread_collector):
    """Tests that never turn the event loop still have their garbage collected, here."""
    yield
    gui_thread_collector.collect_if_due()


@pytest.fixture(autouse=True)
def app_dirs(tmp_path, monkeypatch):
    """Point every CallHelper folder into the test's temporary folder."""
    dirs = {name: tmp_path / name for name in ("data", "config", "logs")}
    monkeypatch.setenv("CALLHELPER_DATA_DIR", str(dirs["data"]))
    monkeypatch.setenv("CALLHELPER_CONFIG_DIR", str(dirs["config"]))
    monkeypatch.setenv("CALLHELPER_LOG_DIR", str(dirs["logs"]))
    monkeypatch.delenv("CALLHELPER_DATABASE_URL", raising=False)
    return dirs


@pytest.fixture
def paths(app_dirs):
    return resolve_paths()


@pytest.fixture
def settings(paths):
    settings = Settings.for_paths(paths)
    settings.set("agent_name", "鈴木")
    settings.set("language", "en")
    return settings


@pytest.fixture
def clock():
    return ManualClock()
