"""The database engine, its pragmas and schema upgrades.

SQLite runs in WAL mode with ``synchronous=FULL``: a commit that returned is
on disk, which is what lets the window show a note as saved.

PostgreSQL (team mode) is reached with psycopg 3; its sessions work in UTC, as SQLite's
columns do, whatever time zone the server is set to.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import logging
import re
import sqlite3
import stat
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path

from sqlalchemy import event, exc, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from callhelper.store.anchor import AnchoredConnection, appended, keep_anchor
from callhelper.store.dialect import lock_schema_upgrade, server_url, sqlite_file
from callhelper.files import PRIVATE_FOLDER, private_database
from callhelper.store.integrity import is_damage, read_only

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 5000
#: The first 16 bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"
#: Alembic's record of the schema's revision, as a row of ``sqlite_master``.
VERSION_TABLE = ("alembic_version",)


def is_transient(error: BaseException) -> bool:
    """Whether a failed write may succeed later: a lock, a full disk, a lost server.

    Anything else (a bug, a broken constraint) would fail the same way again.
    """
    return isinstance(error, (exc.OperationalError, exc.DisconnectionError, exc.TimeoutError,
                              OSError))


class WriteFault(StrEnum):
    """What keeps a transient write from the disk, as the window tells the agent."""

    LOCKED = "locked"        # another program holds the database
    FULL = "full"            # no space left on the disk
    READ_ONLY = "read_only"  # the file or its folder cannot be written (read-only, unreachable)
    OTHER = "other"          # anything else: a lost server, a time-out


_SQLITE_FAULTS = {5: WriteFault.LOCKED, 6: WriteFault.LOCKED, 13: WriteFault.FULL,
                  8: WriteFault.READ_ONLY, 10: WriteFault.READ_ONLY, 14: WriteFault.READ_ONLY}
_POSTGRESQL_FAULTS = {"53100": WriteFault.FULL, "25006": WriteFault.READ_ONLY,
                      "55P03": WriteFault.LOCKED, "40P01": WriteFault.LOCKED}
_ERRNO_FAULTS = {errno.ENOSPC: WriteFault.FULL, getattr(errno, "EDQUOT", -1): WriteFault.FULL,
                 errno.EROFS: WriteFault.READ_ONLY, errno.EACCES: WriteFault.READ_ONLY,
                 errno.EPERM: WriteFault.READ_ONLY}


def write_fault(error: BaseException) -> WriteFault:
    """Why a write failed, from the database's own error code (SQLite's primary result code,
    PostgreSQL's SQLSTATE) or the system's errno. SQLite reports a write refused by a
    read-only or vanished file system as an I/O error (``SQLITE_IOERR``), so that counts as
    read-only too."""
    cause = getattr(error, "orig", None) or error
    code = getattr(cause, "sqlite_errorcode", None)
    if code is not None:
        return _SQLITE_FAULTS.get(code & 0xFF, WriteFault.OTHER)
    state = getattr(cause, "sqlstate", None)
    if state:
        return _POSTGRESQL_FAULTS.get(state, WriteFault.OTHER)
    if isinstance(cause, OSError):
        return _ERRNO_FAULTS.get(cause.errno, WriteFault.OTHER)
    return WriteFault.OTHER


def _apply_sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")  # deleted personal data is overwritten
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _use_utc(dbapi_connection, _record) -> None:
    """Times compared in SQL are written as UTC without a zone (as SQLite holds them), and
    times read come back in UTC."""
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    cursor = dbapi_connection.cursor()
    cursor.execute("SET TIME ZONE 'UTC'")
    cursor.close()
    dbapi_connection.autocommit = autocommit


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for SQLite the folder is created and the file before SQLite
    opens it (their user's only, files.private_database), the pragmas set, and the audit
    trail's anchor written after the commits that extend it (anchor.py); a PostgreSQL
    URL without a driver (``postgresql://…``) uses psycopg 3. A failed statement's message
    never shows its parameters: they are what customers said, and the message goes to the
    log."""
    database = sqlite_file(url)
    if database is not None:
        database.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
        engine = create_engine(url, connect_args={"check_same_thread": False,
                                                  "factory": AnchoredConnection},
                               hide_parameters=True)
        event.listen(engine, "do_connect",
                     lambda dialect, record, cargs, cparams: private_database(database))
        event.listen(engine, "connect", _apply_sqlite_pragmas)
        keep_anchor(engine, database)
        return engine
    server = server_url(url)
    engine = create_engine(server or url, pool_pre_ping=True, hide_parameters=True)
    if server is not None:
        event.listen(engine, "connect", _use_utc)
        from callhelper.store.credentials import supply_password
        supply_password(engine)  # a URL without a password: the keyring's (credentials.py)
    return engine


def _alembic_config(engine_connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = engine_connection
    config.attributes["audit_appended"] = appended  # migration 0007's baseline is anchored
    return config


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to ``revision`` with the Alembic migrations, in one
    transaction; apps that open a server's database at the same time upgrade it one after
    the other."""
    from alembic import command

    with engine.begin() as connection:
        lock_schema_upgrade(connection)
        command.upgrade(_alembic_config(connection), revision)


def ensure_schema(engine: Engine) -> None:
    """The schema at the head: upgraded with Alembic only when it is not there yet.

    Most starts find it at the head; one query says so, and Alembic (a fifth of a second to
    import and run) is then not loaded at all."""
    if schema_revision(engine) != head_revision():
        upgrade_schema(engine)


def schema_revision(engine: Engine) -> str | None:
    """The revision the database's schema is at (None: no schema yet)."""
    with engine.connect() as connection:
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except exc.DBAPIError:  # no such table: nothing has been migrated
            return None


#: ``revision = "0007"`` and ``down_revision = "0006"`` (or ``None``) in a migration file.
_REVISION_LINE = re.compile(
    r"""^(down_revision|revision)\b[^=\n]*=\s*(?:["']([^"']+)["']|None)""", re.MULTILINE)


@functools.cache
def _revision_graph() -> dict[str, str | None]:
    """Each revision of ``migrations/versions/`` with the one it follows, read from the
    files' ``revision`` and ``down_revision`` lines (what Alembic itself keys them by)."""
    graph: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found = dict((name, value) for name, value in
                     _REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            graph[found["revision"]] = found.get("down_revision") or None
    return graph


def head_revision() -> str:
    """The newest revision: the one no other revision follows."""
    graph = _revision_graph()
    heads = set(graph) - set(graph.values())
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def known_revisions() -> set[str]:
    """Every schema revision this version can open (and upgrade to the head)."""
    return set(_revision_graph())


class NotCallHelperDatabase(ValueError):
    """The database's path names something else: another program's file, a folder, a device.
    It is refused, and never moved, renamed or written to."""


def check_database_file(path: Path) -> None:
    """Raise NotCallHelperDatabase unless ``path`` is a place for a CallHelper database:
    nothing yet (a new database is made there), an empty file (0 bytes: SQLite takes it for
    a new database, and it holds nothing that could be lost), or a SQLite file that
    CallHelper made — with no tables yet, or with a schema revision this version knows.

    A file that starts as a SQLite file does but whose schema cannot be read is damaged,
    which the start's check deals with (integrity.py); a file without that start is no
    database, whatever SQLite would make of it. Nothing is written, not even SQLite's
    companion files."""
    path = Path(path)
    try:
        status = path.stat()
    except FileNotFoundError:
        return
    except NotADirectoryError:
        raise NotCallHelperDatabase(f"{path} cannot be a database: a file exists where a "
                                    "folder of this path should be") from None
    left = "it was left as it is"
    if stat.S_ISDIR(status.st_mode):
        raise NotCallHelperDatabase(f"{path} is a folder, not a CallHelper database; {left}")
    if not stat.S_ISREG(status.st_mode):
        raise NotCallHelperDatabase(f"{path} is not a CallHelper database (a device, a pipe "
                                    f"or a socket, not a file); {left}")
    if status.st_size == 0:
        return
    with open(path, "rb") as stream:
        if stream.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise NotCallHelperDatabase(f"{path} is not a CallHelper database (not a "
                                        f"database file at all); {left}")
    connection = read_only(path, quiet=True)
    try:
        objects = connection.execute("SELECT name FROM sqlite_master WHERE type IN "
                                     "('table', 'view')").fetchall()
        revision = connection.execute("SELECT max(version_num) FROM alembic_version"
                                      ).fetchone()[0] if VERSION_TABLE in objects else None
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            return
        raise
    finally:
        connection.close()
    if revision in known_revisions() or (revision is None and objects in ([], [VERSION_TABLE])):
        return  # CallHelper's, or nothing yet (Alembic's empty version table at most)
    if revision is None:
        raise NotCallHelperDatabase(f"{path} is not a CallHelper database (another "
                                    f"program's SQLite database); {left}")
    raise NotCallHelperDatabase(f"{path} is not a CallHelper database this version can open "
                                f"(schema revision {revision}: a newer CallHelper's, or "
                                f"another program's); {left}")


class Store:
    """An open database: the engine, schema at head, sessions per unit of work.

    A SQLite file is checked first (``check_database_file``): the engine's first connection
    would already write to it, and Alembic would add CallHelper's tables to anything."""

    def __init__(self, url: str, backups: Path | None = None) -> None:
        """``backups``: the folder of this database's backups, given by the app opening its
        own database to write: its trail's end is then compared with its anchors before
        anything is written (``anchors_found``, audit.anchors_at_open)."""
        if (database := sqlite_file(url)) is not None:
            check_database_file(database)
        self.url = url
        self.engine = make_engine(url)
        self.anchors_found = None
        if database is not None and backups is not None:
            from datetime import datetime, timezone

            from callhelper.store.audit import anchors_at_open

            self.anchors_found = anchors_at_open(self.engine, database, Path(backups),
                                                 datetime.now(timezone.utc))
        ensure_schema(self.engine)
        if self.anchors_found is not None:
            from callhelper.store.audit import note_anchors_found

            try:
                note_anchors_found(self.engine, database, Path(backups), self.anchors_found)
            except (exc.SQLAlchemyError, OSError) as error:  # a read-only file, say
                logging.getLogger(__name__).warning(
                    "what the audit trail's check found could not be noted in the trail "
                    "(it is told again at the next opening): %s", error)
        self._after_close: list[Callable[[], None]] = []

    def after_close(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` once the store is closed (its connections closed)."""
        self._after_close.append(hook)

    @contextlib.contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session that commits when the block ends and rolls back on error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()
        hooks, self._after_close = self._after_close, []
        for hook in hooks:
            hook()
