"""Where CallHelper keeps its files, and the settings a user can change.

Paths come from platformdirs unless overridden (command line first, then the
environment), so tests and portable installs never touch the real folders:

| what     | default                         | override                                     |
| -------- | ------------------------------- | -------------------------------------------- |
| data     | user_data_dir("CallHelper")     | --data-dir, CALLHELPER_DATA_DIR              |
| database | sqlite:///<data>/callhelper.db  | --database-url, CALLHELPER_DATABASE_URL      |
| config   | user_config_dir("CallHelper")   | CALLHELPER_CONFIG_DIR                        |
| logs     | user_log_dir("CallHelper")      | CALLHELPER_LOG_DIR                           |
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "CallHelper"
DATABASE_FILE = "callhelper.db"
SETTINGS_FILE = "settings.json"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Paths:
    data_dir: Path
    config_dir: Path
    log_dir: Path
    database_url: str

    @property
    def database_file(self) -> Path | None:
        """The SQLite file behind database_url, or None for a server."""
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix):
            return Path(self.database_url[len(prefix):])
        return None


def resolve_paths(data_dir: str | os.PathLike | None = None,
                  database_url: str | None = None) -> Paths:
    env = os.environ
    data = Path(data_dir or env.get("CALLHELPER_DATA_DIR") or platformdirs.user_data_dir(APP_NAME,
                                                                                         False))
    config = Path(env.get("CALLHELPER_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME, False))
    logs = Path(env.get("CALLHELPER_LOG_DIR") or platformdirs.user_log_dir(APP_NAME, False))
    url = database_url or env.get("CALLHELPER_DATABASE_URL") or \
        f"sqlite:///{(data / DATABASE_FILE).as_posix()}"
    return Paths(data.resolve(), config.resolve(), logs.resolve(), url)


def resources_dir() -> Path:
    """The shipped resources: beside the package in a checkout, in the bundle when frozen."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    description: str


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "agent"


SETTINGS: tuple[Setting, ...] = (
    Setting("agent_name", str, "", "The name recorded on every contact and note "
            "(empty: the login name of the operating system)."),
    Setting("language", str, "system", "User interface language: system, ja or en."),
    Setting("always_on_top", bool, False, "Keep the call window above other windows."),
    Setting("playbook", str, "complaint", "The id of the playbook a new call starts with."),
    Setting("phone_region", str, "JP", "Region for numbers written without a country code "
            "(ISO 3166 code, e.g. JP)."),
)
_BY_NAME = {setting.name: setting for setting in SETTINGS}


class Settings:
    """The user's settings, stored as JSON in the config folder.

    Unknown keys and values of the wrong type are ignored (with a log line),
    so a hand-edited file never stops the app from starting.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._values: dict[str, Any] = {}
        self.problem: str | None = None
        self._load()

    @classmethod
    def for_paths(cls, paths: Paths) -> Settings:
        return cls(paths.config_dir / SETTINGS_FILE)

    def get(self, name: str) -> Any:
        return self._values.get(name, _BY_NAME[name].default)

    def set(self, name: str, value: Any) -> None:
        setting = _BY_NAME[name]
        if not isinstance(value, setting.type):
            raise TypeError(f"setting {name} takes {setting.type.__name__}")
        self._values[name] = value
        self._save()

    @property
    def agent_name(self) -> str:
        return self.get("agent_name").strip() or _login_name()

    def _load(self) -> None:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            self.problem = f"{self.path}: {exc}"
            log.warning("settings not read, defaults used: %s", self.problem)
            return
        if not isinstance(raw, dict):
            self.problem = f"{self.path}: not a JSON object"
            return
        for name, value in raw.items():
            setting = _BY_NAME.get(name)
            if setting is None or not isinstance(value, setting.type):
                log.warning("setting %r ignored: unknown or of the wrong type", name)
                continue
            self._values[name] = value

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self._values, ensure_ascii=False, indent=2),
                             encoding="utf-8")
        os.replace(temporary, self.path)
