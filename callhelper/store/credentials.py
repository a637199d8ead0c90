"""Passwords for a team's server, kept out of the settings (docs/team-mode.md).

The database URL that the settings, the environment or ``--database-url`` give needs no
password (``postgresql://suzuki@server/callhelper``). When a connection is made without one,
the password comes from, in this order:

1. the operating system's keyring (Windows Credential Manager, macOS Keychain, the Secret
   Service of a Linux desktop), where ``callhelper team login`` put it, under the service
   ``CallHelper`` and the name ``user@host:port/database``;
2. libpq's own means, which psycopg uses as it is: ``PGPASSFILE`` or ``~/.pgpass``
   (``%APPDATA%\\postgresql\\pgpass.conf`` on Windows), readable by its user only (0600).

A system without a usable keyring (a server without a desktop session, say) simply goes on
to the second. A URL that carries a password still works (a test's throw-away server), but
is never saved in the settings (config.py).
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from callhelper.urls import server_of

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Engine

SERVICE = "CallHelper"

log = logging.getLogger(__name__)


class NoKeyring(Exception):
    """No keyring can keep a password on this system; the message says why."""


def credential_name(url: str | URL) -> str:
    """The name a password is kept under in the keyring: ``user@host:port/database``."""
    user, host, port, database = server_of(url)
    return f"{user}@{host}:{port}/{database}"


#: Backends that keep passwords in a file of their own (keyrings.alt's), not the system's
#: keyring: used only when chosen by name in PYTHON_KEYRING_BACKEND (the tests do, on a
#: machine without a desktop); otherwise passed over, since one keeps passwords in plain
#: text and another asks for a password of its own on the terminal.
FILE_BACKENDS = "keyrings.alt."
CHOSEN_BACKEND = "PYTHON_KEYRING_BACKEND"


def _backend_name(backend) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def _backend():
    """The system keyring's backend, or NoKeyring."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null
    except ImportError as exc:  # pragma: no cover - a dependency of the app
        raise NoKeyring(f"the keyring package is missing ({exc})") from None
    found = keyring.get_keyring()
    candidates = found.backends if isinstance(found, chainer.ChainerBackend) else [found]
    chosen = os.environ.get(CHOSEN_BACKEND, "")
    for backend in candidates:
        if isinstance(backend, (fail.Keyring, null.Keyring, chainer.ChainerBackend)):
            continue
        name = _backend_name(backend)
        if name.startswith(FILE_BACKENDS) and name != chosen:
            continue
        return backend
    raise NoKeyring("no system keyring is available here")


def keyring_name() -> str:
    """The keyring in use (for messages), or NoKeyring."""
    return _backend_name(_backend())


def store_password(url: str | URL, password: str) -> None:
    """Keep the password of ``url``'s login in the keyring (replacing an earlier one)."""
    backend = _backend()
    try:
        backend.set_password(SERVICE, credential_name(url), password)
    except Exception as exc:  # the backends raise errors of their own
        raise NoKeyring(f"the keyring refused the password: {exc}") from None


def forget_password(url: str | URL) -> bool:
    """Remove the password of ``url``'s login from the keyring; whether there was one."""
    backend = _backend()
    try:
        backend.delete_password(SERVICE, credential_name(url))
    except Exception:  # PasswordDeleteError: there was none
        return False
    return True


def stored_password(url: str | URL) -> str | None:
    """The password the keyring holds for ``url``'s login; None when it holds none or there
    is no usable keyring (libpq's .pgpass is then what remains)."""
    try:
        return _backend().get_password(SERVICE, credential_name(url))
    except NoKeyring:
        return None
    except Exception as exc:  # a locked or unreachable keyring: go on without it
        log.warning("the system keyring could not be read (%s); libpq's password file "
                    "is used instead", type(exc).__name__)
        return None


def supply_password(engine: Engine) -> None:
    """Let every new connection of ``engine`` without a password in its URL take it from
    the keyring, when the keyring has one (read at each connection, so a password changed
    with ``callhelper team login`` is used from the next connection on)."""
    from sqlalchemy import event

    url = engine.url
    if url.password is not None:
        return

    @event.listens_for(engine, "do_connect")
    def _with_password(_dialect, _record, _cargs, cparams) -> None:
        if cparams.get("password") is None:
            password = stored_password(url)
            if password is not None:
                cparams["password"] = password
