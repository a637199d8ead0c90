"""Where CallHelper's folders and database are (the table in config.py), with nothing but
the standard library and platformdirs, so that a launch finds the running window's
database without loading the rest of the app (launcher.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from callhelper.core.wire import bounded_json

APP_NAME = "CallHelper"
DATABASE_FILE = "callhelper.db"
SETTINGS_FILE = "settings.json"


def data_folder(data_dir: str | os.PathLike | None = None) -> Path:
    return Path(data_dir or os.environ.get("CALLHELPER_DATA_DIR") or _platform("data"))


def config_folder() -> Path:
    return Path(os.environ.get("CALLHELPER_CONFIG_DIR") or _platform("config"))


def log_folder() -> Path:
    return Path(os.environ.get("CALLHELPER_LOG_DIR") or _platform("log"))


def _platform(kind: str) -> str:
    import platformdirs  # only when no folder is given: it takes a while to load

    return getattr(platformdirs, f"user_{kind}_dir")(APP_NAME, False)


def setting_url(settings_file: Path) -> str:
    """The database_url setting as written (team mode), or "" when there is none."""
    try:
        raw = bounded_json(settings_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    url = raw.get("database_url") if isinstance(raw, dict) else None
    return url.strip() if isinstance(url, str) else ""


def chosen_url(given: str | None, config_dir: Path, data_dir: Path,
                 configured: Callable[[Path], str] = setting_url) -> str:
    """The database: ``given`` (--database-url), else CALLHELPER_DATABASE_URL, else the
    setting (as ``configured`` reads it), else the file in the data folder."""
    return given or os.environ.get("CALLHELPER_DATABASE_URL") or \
        configured(config_dir / SETTINGS_FILE) or \
        f"sqlite:///{(data_dir / DATABASE_FILE).as_posix()}"


def capture_url(database_url: str, data_dir: Path) -> str:
    """The database the call window writes to: the database file, or in team mode this
    agent's own file in the (resolved) data folder, whose writes are shipped to the server
    (store/sync.py) so that an outage of the server loses nothing."""
    if database_url.startswith("sqlite:"):
        return database_url
    return f"sqlite:///{(data_dir / DATABASE_FILE).as_posix()}"


def window_database(data_dir: str | None, given_url: str | None) -> str:
    """capture_url() of the options a launch was given: the running window's database."""
    data = data_folder(data_dir)
    return capture_url(chosen_url(given_url, config_folder(), data), data.resolve())
