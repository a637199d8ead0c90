"""Where SQLite and PostgreSQL differ, named.

The store is one code path over both; the few places where the two databases do not agree
ask here instead of testing the dialect's name themselves, so every difference is listed
in this file.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import Session

POSTGRESQL = "postgresql"

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
