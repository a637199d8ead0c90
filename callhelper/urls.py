"""Database URLs read without connecting: the login and server a URL names (with libpq's
defaults for what it leaves out), whether it carries a password, and the URL without it. The
settings (config.py) use them, so they live below the store; SQLAlchemy's URL parser is loaded
only when one is read."""

from __future__ import annotations

import getpass
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

DEFAULT_PORT = 5432


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def login_of(url: str | URL) -> str:
    """The role a connection to ``url`` logs in as: the URL's user, else libpq's default
    (``PGUSER``, else the operating system's login name)."""
    parsed = _parsed(url)
    return parsed.username or os.environ.get("PGUSER") or _os_user()


def server_of(url: str | URL) -> tuple[str, str, int, str]:
    """The login, host, port and database a connection to ``url`` reaches, with libpq's
    defaults for what the URL leaves out."""
    parsed = _parsed(url)
    user = login_of(parsed)
    host = parsed.host or os.environ.get("PGHOST") or "localhost"
    port = int(parsed.port or os.environ.get("PGPORT") or DEFAULT_PORT)
    database = parsed.database or os.environ.get("PGDATABASE") or user
    return user, host, port, database


def _parsed(url: str | URL) -> URL:
    from sqlalchemy.engine import make_url

    return make_url(url) if isinstance(url, str) else url


def has_password(url: str) -> bool:
    try:
        return _parsed(url).password is not None
    except Exception:  # not a URL at all: nothing to hide either
        return False


def without_password(url: str) -> str:
    """``url`` as it may be shown or saved: its password, if any, left out."""
    try:
        parsed = _parsed(url)
    except Exception:
        return url
    return parsed._replace(password=None).render_as_string(hide_password=False)
