"""Where SQLite and PostgreSQL differ, named.

The store is one code path over both; the few places where the two databases do not agree
(a URL's kind, SQL spelled differently, locks, the search tables) ask here instead of
testing the dialect's name themselves, so every difference is listed in this file
(tests/unit/test_dialect_differences.py looks for tests elsewhere).
"""

from __future__ import annotations

import contextlib
import os
from datetime import datetime, timedelta

from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, Connection, Dialect, Engine, make_url
from sqlalchemy.orm import Session

POSTGRESQL = "postgresql"
SQLITE_PREFIX = "sqlite:///"

#: The keys of PostgreSQL's transaction-level advisory locks: one held by writers of the
#: audit trail while they extend the chain, one by an app upgrading the schema (SQLite lets
#: one writer in at a time anyway).
AUDIT_CHAIN_LOCK = 0x43_48_41_55_44_49_54  # "CHAUDIT"
SCHEMA_UPGRADE_LOCK = 0x43_48_53_43_48_45_4D  # "CHSCHEM"


def dialect_of(bind: Connection | Engine | Session | Dialect) -> Dialect:
    if isinstance(bind, Dialect):
        return bind
    if isinstance(bind, Session):
        return bind.get_bind().dialect
    return bind.dialect


def is_postgresql(bind: Connection | Engine | Session | Dialect) -> bool:
    return dialect_of(bind).name == POSTGRESQL


def sqlite_file(url: str) -> Path | None:
    """The database file a SQLite URL names; None for a server's URL."""
    return Path(url[len(SQLITE_PREFIX):]) if url.startswith(SQLITE_PREFIX) else None


def server_url(url: str) -> URL | None:
    """A PostgreSQL server's URL, with psycopg 3 as its driver unless it names one; None
    for any other database's."""
    parsed = make_url(url)
    if parsed.get_backend_name() != POSTGRESQL:
        return None
    return parsed.set(drivername=f"{POSTGRESQL}+psycopg") if parsed.drivername == POSTGRESQL \
        else parsed


def keeps_search_tables(bind: Connection | Engine | Session | Dialect) -> bool:
    """Whether the database keeps search tables beside the records: SQLite's FTS5 tables
    (trigrams, migration 0003; character pairs, store/grams.py), which a search queries and
    the writers keep in step. PostgreSQL keeps none: pg_trgm's indexes on the columns
    themselves serve LIKE and ILIKE, for patterns of any length."""
    return not is_postgresql(bind)


def knows_who_is_connected(bind: Connection | Engine | Session | Dialect) -> bool:
    """Whether the database can tell who is connected to it now (PostgreSQL's
    ``pg_stat_activity``, read by the supervisors' board, store/live.py); a SQLite file has
    no sessions to list."""
    return is_postgresql(bind)


def session_login(connection: Connection) -> str:
    """The login a connection is made as (PostgreSQL's ``session_user``, which row-level
    security checks an agent's writes against); '' on a SQLite file, which has no logins."""
    if not is_postgresql(connection):
        return ""
    return connection.exec_driver_sql("SELECT session_user").scalar()


def insert_construct(bind: Connection | Engine | Session | Dialect):
    """The database's own ``insert``, which has ``on_conflict_do_nothing`` (SQLite and
    PostgreSQL spell it the same; SQLAlchemy's generic insert has none)."""
    return postgresql_insert if is_postgresql(bind) else sqlite_insert


def lock_audit_chain(connection: Connection) -> None:
    """Make this transaction the only one extending the audit trail until it ends.

    SQLite: nothing to do, a transaction that wrote holds the database's only write lock.
    PostgreSQL: writers run side by side, so two of them could read the same end of the
    chain; a transaction-level advisory lock lets them extend it one after the other (it is
    released at commit or rollback, and the next writer then reads the committed end)."""
    if is_postgresql(connection):
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                           {"key": AUDIT_CHAIN_LOCK})


def lock_schema_upgrade(connection: Connection) -> None:
    """Make this transaction the only one upgrading the schema until it ends.

    SQLite: nothing to do, a file is opened by one app at a time (one window per user and
    database). PostgreSQL: the apps of a team may open the server's database at the same
    moment; the second then waits, and finds the schema already upgraded."""
    if is_postgresql(connection):
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                           {"key": SCHEMA_UPGRADE_LOCK})


def code_point_order(column: str, bind: Connection | Engine | Session | Dialect) -> str:
    """``column`` for an ORDER BY that sorts text by code point, as Python compares strings.

    SQLite's default collation (BINARY) already does; a PostgreSQL database sorts by its
    locale's rules unless told otherwise."""
    return f'{column} COLLATE "C"' if is_postgresql(bind) else column


def contains_operator(bind: Connection | Engine | Session | Dialect) -> str:
    """The operator that finds a ``%…%`` pattern regardless of letter case.

    SQLite's LIKE already ignores the case of ASCII letters (and only of those); PostgreSQL's
    LIKE does not, ILIKE does (for every letter), and its trigram indexes serve both."""
    return "ILIKE" if is_postgresql(bind) else "LIKE"


def distinct_list(column: str, bind: Connection | Engine | Session | Dialect) -> str:
    """An aggregate of ``column``'s distinct values joined by commas (in no set order)."""
    if is_postgresql(bind):
        return f"string_agg(DISTINCT {column}, ',')"
    return f"group_concat(DISTINCT {column})"


def read_only_sessions(engine: Engine) -> None:
    """Make every transaction of ``engine``'s connections a read-only snapshot, for the
    supervisor's review of a server: the server then refuses any write (*cannot execute …
    in a read-only transaction*), whatever the login may do, and each transaction sees one
    consistent state (an audit trail checked while agents add to it never shows as broken).

    SQLite: nothing to do, the review's files are opened read-only by their URL."""
    if not is_postgresql(engine):
        return

    def set_characteristics(dbapi_connection, _record) -> None:
        # outside a transaction, which a rollback would undo it with
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        cursor = dbapi_connection.cursor()
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION "
                       "ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.close()
        dbapi_connection.autocommit = autocommit

    event.listen(engine, "connect", set_characteristics)


def joined_in_order(value: str, separator: str, rows: str, order: str,
                    bind: Connection | Engine | Session | Dialect) -> str:
    """A scalar subquery: ``value`` of each row of ``rows`` (``table alias WHERE …``), in the
    order of ``order``, joined by ``separator`` (NULL for no row).

    PostgreSQL's ``string_agg`` takes its order; SQLite's ``group_concat`` joins the rows in
    the order a subquery gives them."""
    if is_postgresql(bind):
        return f"(SELECT string_agg({value}, '{separator}' ORDER BY {order}) FROM {rows})"
    return (f"(SELECT group_concat(joined, '{separator}') FROM "
            f"(SELECT {value} AS joined FROM {rows} ORDER BY {order}))")


def json_text(column: str, bind: Connection | Engine | Session | Dialect) -> str:
    """A JSON column as the text it was stored as, to compare (``!= '[]'``) and group by.

    SQLite keeps JSON as text already; PostgreSQL's ``json`` type keeps the text too, but has
    no equality operator until it is cast."""
    return f"CAST({column} AS text)" if is_postgresql(bind) else column


#: The parameter ``local_date`` refers to on PostgreSQL.
LOCAL_ZONE = "local_zone"


def local_date(column: str, bind: Connection | Engine | Session | Dialect) -> str:
    """The date a time column (UTC) falls on where the reviewer is.

    SQLite: ``date(…, 'localtime')``, in this process's time zone. PostgreSQL: the time seen
    in the zone given as the parameter ``:local_zone``, whose value ``local_zone_parameters``
    gives; the session's own time zone stays UTC (engine.py)."""
    if is_postgresql(bind):
        return f"CAST(timezone(:{LOCAL_ZONE}, {column}) AS date)"
    return f"date({column}, 'localtime')"


def local_zone_parameters(connection: Connection) -> dict[str, str]:
    """The parameters ``local_date`` needs: none on SQLite; on PostgreSQL this process's
    time zone, as the server understands it.

    That is its IANA name (``Asia/Tokyo``) when it can be found and the server knows it: the
    server's own time zone database then applies summer time on each date as it was there.
    Otherwise (a Windows PC, whose zones have other names; a ``TZ`` that is not a name), it is
    the offset from UTC that holds now, fixed, written as a POSIX zone with an explicit name
    (``<+0900>-09:00``, UTC+9): a bare ``+09:00`` would be read by the server as POSIX, where
    the sign means west of Greenwich. A fixed offset is exact in a zone without summer time
    (Japan's); in one with it, times within an hour of midnight may fall on the neighbouring
    date in the other half of the year."""
    if not is_postgresql(connection):
        return {}
    name = local_zone_name()
    if name and connection.execute(text("SELECT EXISTS (SELECT 1 FROM pg_timezone_names "
                                        "WHERE name = :name)"), {"name": name}).scalar():
        return {LOCAL_ZONE: name}
    return {LOCAL_ZONE: fixed_offset_zone(datetime.now().astimezone().utcoffset())}


def local_zone_name() -> str | None:
    """This process's time zone's IANA name, as the C library finds it (``TZ``, else the
    system's ``/etc/localtime`` link, else Debian's ``/etc/timezone``); None if it has none."""
    configured = os.environ.get("TZ")
    if configured is not None:
        return _zone_key(configured.removeprefix(":"))
    with contextlib.suppress(OSError):
        if found := _zone_key(os.path.realpath("/etc/localtime")):
            return found
    with contextlib.suppress(OSError), open("/etc/timezone", encoding="utf-8") as file:
        return _zone_key(file.read().strip())
    return None


def _zone_key(name: str) -> str | None:
    """``name`` (a zone's name, or the path of its zoneinfo file) as an IANA key, if it is
    one Python's zoneinfo knows."""
    import zoneinfo

    key = name.split("zoneinfo/", 1)[-1] if "zoneinfo/" in name else name
    if not key or key.startswith(("/", ".")):
        return None
    try:
        zoneinfo.ZoneInfo(key)
    except (ValueError, OSError, zoneinfo.ZoneInfoNotFoundError):
        return None
    return key


def fixed_offset_zone(offset: timedelta | None) -> str:
    """A fixed offset from UTC as a POSIX zone PostgreSQL reads the right way round:
    ``<+0530>-05:30`` is UTC+5:30 (POSIX counts west of Greenwich as positive)."""
    minutes = round((offset or timedelta()).total_seconds() / 60)
    sign, minutes = ("+", minutes) if minutes >= 0 else ("-", -minutes)
    west = "-" if sign == "+" else "+"
    hours, minutes = divmod(minutes, 60)
    return f"<{sign}{hours:02d}{minutes:02d}>{west}{hours:02d}:{minutes:02d}"


def whole_days_since(column: str, moment: str,
                     bind: Connection | Engine | Session | Dialect) -> str:
    """The whole days (rounded towards zero) from a time column to the parameter
    ``:moment``, a UTC time written as the columns hold it (without a zone: the session's
    time zone is UTC on PostgreSQL, see engine.py)."""
    if is_postgresql(bind):
        return (f"CAST(trunc(EXTRACT(EPOCH FROM CAST(:{moment} AS timestamptz) - {column}) "
                f"/ 86400) AS INTEGER)")
    return f"CAST(julianday(:{moment}) - julianday({column}) AS INTEGER)"
