"""Where CallHelper keeps its files, and the settings a user can change.

Paths come from platformdirs unless overridden (command line first, then the
environment), so tests and portable installs never touch the real folders:

| what     | default                         | override                                     |
| -------- | ------------------------------- | -------------------------------------------- |
| data     | user_data_dir("CallHelper")     | --data-dir, CALLHELPER_DATA_DIR              |
| database | sqlite:///<data>/callhelper.db  | --database-url, CALLHELPER_DATABASE_URL,     |
|          |                                 | the database_url setting (no password in it) |
| config   | user_config_dir("CallHelper")   | CALLHELPER_CONFIG_DIR                        |
| logs     | user_log_dir("CallHelper")      | CALLHELPER_LOG_DIR                           |
| backups  | <data>/backups                  | (follows the data folder)                    |
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from callhelper.core.commands import bounded_json
from callhelper.files import private_file, private_folder, write_private
from callhelper.locations import (SETTINGS_FILE, capture_url, chosen_url, config_folder,
                                  data_folder, log_folder, setting_url)
from callhelper.urls import has_password, login_of, without_password

LOG_FILE = "callhelper.log"
#: The key that seals the audit trail's anchors (store/anchor.py's KEY_FILE).
AUDIT_KEY_FILE = "audit.key"
BACKUP_FOLDER = "backups"

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

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / BACKUP_FOLDER

    @property
    def server_url(self) -> str | None:
        """Team mode: the team's server (None: the database is a file of one's own)."""
        return None if self.database_url.startswith("sqlite:") else self.database_url

    @property
    def capture_url(self) -> str:
        """The database the call window writes to (locations.capture_url)."""
        return capture_url(self.database_url, self.data_dir)


def make_private_folders(paths: Paths) -> None:
    """The data folder (created if missing), the backups folder and its files, the config
    folder, the settings file (it holds the CTI token) and the key that seals the audit
    trail's anchors, readable by this user only: they
    hold what customers said, their numbers and secrets."""
    private_folder(paths.data_dir)
    for folder in (paths.backup_dir, paths.config_dir):
        if folder.exists():
            private_folder(folder)
    backups = list(paths.backup_dir.iterdir()) if paths.backup_dir.is_dir() else []
    for path in (paths.config_dir / SETTINGS_FILE, paths.config_dir / AUDIT_KEY_FILE, *backups):
        if path.is_file():
            private_file(path)


def resolve_paths(data_dir: str | os.PathLike | None = None,
                  database_url: str | None = None) -> Paths:
    data, config = data_folder(data_dir), config_folder()
    url = chosen_url(database_url, config, data, _configured_url)
    return Paths(data.resolve(), config.resolve(), log_folder().resolve(), url)


def _configured_url(settings_file: Path) -> str:
    """The database_url setting (team mode), read before the settings themselves, which
    need the paths. A password found in it is not used: passwords belong in the keyring or
    libpq's password file (store/credentials.py)."""
    url = setting_url(settings_file)
    if url and has_password(url):
        log.warning("%s: database_url holds a password, which is not used: remove it and "
                    "run `callhelper team login` (docs/team-mode.md)", settings_file)
        return without_password(url)
    return url


def resources_dir() -> Path:
    """The shipped resources (playbooks, demand rules and model, compiled translations), a
    folder of real files as Qt and the model read them: in the bundle when frozen, the
    package callhelper.resources when installed from a wheel (pyproject.toml maps it to
    resources/), else resources/ beside the package in a checkout or an editable install."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    package = Path(__file__).resolve().parent
    installed = package / "resources"  # what importlib.resources finds for a wheel's files
    if installed.is_dir():
        return installed
    return package.parent / "resources"


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    description: str
    check: Callable[[Any], bool] | None = None

    def has_type(self, value: Any) -> bool:
        """Of the declared type; True and False are no numbers here."""
        return isinstance(value, self.type) and (self.type is bool
                                                 or not isinstance(value, bool))

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` may be stored: of the type and, if the setting has a check,
        passing it."""
        return self.has_type(value) and (self.check is None or self.check(value))


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "agent"


def _is_port(value: int) -> bool:
    return 1 <= value <= 65535


def _is_positive(value: int) -> bool:
    return value >= 1


def _is_not_negative(value: int) -> bool:
    return value >= 0


def _is_database_url(value: str) -> bool:
    """Empty, or a URL without a password (credentials never go into the settings)."""
    return value == "" or (not has_password(value) and "://" in value)


_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,}")


def _is_token(value: str) -> bool:
    return value == "" or _TOKEN.fullmatch(value) is not None


SETTINGS: tuple[Setting, ...] = (
    Setting("agent_name", str, "", "The name recorded on every contact and note "
            "(empty: the login name of the operating system)."),
    Setting("language", str, "system", "User interface language: system, ja or en."),
    Setting("always_on_top", bool, False, "Keep the call window above other windows."),
    Setting("playbook", str, "complaint", "The id of the playbook a new call starts with."),
    Setting("phone_region", str, "JP", "Region for numbers written without a country code "
            "(ISO 3166 code, e.g. JP)."),
    Setting("cti_enabled", bool, False, "Listen for call events from the phone system "
            "(Zammad's generic CTI interface) on 127.0.0.1; see docs/phone-systems.md."),
    Setting("cti_port", int, 8321, "The port of that endpoint on 127.0.0.1 (1-65535).",
            _is_port),
    Setting("cti_token", str, "", "The secret part of the endpoint's address: at least 16 "
            "letters, digits, - or _ (empty: made when the endpoint is first enabled).",
            _is_token),
    Setting("backup_keep", int, 7, "How many daily backups of the database to keep in "
            "<data folder>/backups (at least 1).", _is_positive),
    Setting("retention_days", int, 0, "Delete cases whose last activity is older than this "
            "many days, once a day at start-up (0: keep everything).", _is_not_negative),
    Setting("database_url", str, "", "The team's server, e.g. postgresql://suzuki@server/"
            "callhelper, without a password: it comes from the keyring (callhelper team "
            "login) or libpq's password file; see docs/team-mode.md (empty: this computer's "
            "own file). --database-url and CALLHELPER_DATABASE_URL come first.",
            _is_database_url),
)
_BY_NAME = {setting.name: setting for setting in SETTINGS}


class Settings:
    """The user's settings, stored as JSON in the config folder.

    Unknown keys are ignored, and a file that does not read or values of the wrong type
    or out of range give way to the defaults, so a hand-edited file never stops the app
    from starting. ``problem`` then says what was wrong, and the file is left as it is
    (changes are kept in memory) until the user saves the settings (``save``).
    """

    def __init__(self, path: Path, server_login: str = "") -> None:
        self.path = path
        self.server_login = server_login
        self._values: dict[str, Any] = {}
        self.problem: str | None = None
        self._load()

    @classmethod
    def for_paths(cls, paths: Paths) -> Settings:
        url = paths.database_url
        return cls(paths.config_dir / SETTINGS_FILE,
                   "" if url.startswith("sqlite:") else login_of(url))

    def get(self, name: str) -> Any:
        return self._values.get(name, _BY_NAME[name].default)

    def set(self, name: str, value: Any) -> None:
        setting = _BY_NAME[name]
        if not setting.has_type(value):
            raise TypeError(f"setting {name} takes {setting.type.__name__}")
        if not setting.accepts(value):
            raise ValueError(f"setting {name}: {setting.description}")
        self._values[name] = value
        if self.problem is None:
            self._save()

    def save(self) -> None:
        """Write every setting, replacing a file that did not read as it was."""
        self._save()
        self.problem = None

    @property
    def agent_name(self) -> str:
        """On a team's server, the server login's name (the server lets an agent write and
        change notes under that name only, store/roles.py); otherwise the setting, or the
        operating system's login name."""
        if self.server_login:
            return self.server_login
        return self.get("agent_name").strip() or _login_name()

    def _load(self) -> None:
        try:
            raw = bounded_json(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            self.problem = f"{self.path}: {exc}"
            log.warning("settings not read, defaults used: %s", self.problem)
            return
        if not isinstance(raw, dict):
            self.problem = f"{self.path}: not a JSON object"
            log.warning("settings not read, defaults used: %s", self.problem)
            return
        wrong = []
        for name, value in raw.items():
            setting = _BY_NAME.get(name)
            if setting is None:
                log.warning("setting %r ignored: unknown", name)
            elif not setting.accepts(value):
                wrong.append(name)
            else:
                self._values[name] = value
        if wrong:
            self.problem = (f"{self.path}: {', '.join(wrong)}: of the wrong type or out of "
                            "range")
            log.warning("settings with their defaults: %s", self.problem)

    def _save(self) -> None:
        """The file holds the CTI token: it and its folder are the user's only."""
        private_folder(self.path.parent)
        write_private(self.path, json.dumps(self._values, ensure_ascii=False, indent=2))


def new_cti_token() -> str:
    """A fresh secret for the CTI endpoint's address (32 URL-safe characters)."""
    import secrets  # only when a token is made, not at every start

    return secrets.token_urlsafe(24)


def ensure_cti_token(settings: Settings) -> str:
    """The endpoint's token, made and saved the first time it is needed."""
    token = settings.get("cti_token")
    if not token:
        token = new_cti_token()
        settings.set("cti_token", token)
    return token
