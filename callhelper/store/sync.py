"""Team mode: the agent's outbox delivered to the server, each operation exactly once, in
order.

The window writes to the agent's own SQLite file; each write's operation is kept in the
file's ``outbox`` table in the same transaction (store/operations.py). The shipper takes the
outbox's rows oldest first and applies each on the server in one server transaction, which
also records the operation's uid in the server's ``received_operation``; then it removes the
row from the outbox. An app killed between the server's commit and that removal sends the
row again at its next start: the server finds its uid recorded and skips it. So every
operation arrives once, whatever happens to either side.

When the server cannot be reached (stopped, unreachable, too slow), the shipper stops and is
started again later (``retry_delay``); nothing is lost, the agent keeps working on the
file. When the server refuses an operation for good (permission denied, a broken
constraint, a record it does not have), that row is kept, marked as refused with the
reason, and the rows after it go on; refused rows are tried again at the next start
(``retry_refused``), in case the server's set-up was what refused them.

Nothing here knows about Qt: the window runs the shipper on a thread of its own
(app/sync_runner.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import make_url

from callhelper.core.flags import DemandRules
from callhelper.store.dialect import server_url, session_login, sqlite_file
from callhelper.store.engine import Store, is_transient, make_engine
from callhelper.store.operations import Operation, name_of, outbox, perform

log = logging.getLogger(__name__)

#: How long a connection attempt to the server may take before it counts as unreachable.
CONNECT_TIMEOUT_S = 10
#: Rows read from the outbox at a time.
BATCH = 50
#: The waits between attempts while the server cannot be reached: doubled from the first
#: to the last.
FIRST_RETRY_S = 1.0
LAST_RETRY_S = 30.0


def retry_delay(failures: int) -> float:
    """Seconds to wait after ``failures`` attempts in a row that could not reach the server."""
    return min(LAST_RETRY_S, FIRST_RETRY_S * 2 ** max(0, failures - 1))


@dataclass(frozen=True)
class Pending:
    """A row of the outbox."""

    id: int
    uid: str
    operation: str


@dataclass(frozen=True)
class SyncState:
    """What the window shows: how many operations wait for the server, how many it refused,
    and whether the last attempt could not reach it (``problem`` says why)."""

    waiting: int = 0
    refused: int = 0
    unreachable: bool = False
    login_refused: bool = False
    problem: str = ""

    @property
    def synced(self) -> bool:
        return not self.waiting and not self.refused and not self.unreachable


def describe(error: BaseException) -> str:
    """A short reason for the log and the outbox, without the statement's values (which may
    be what a customer said): the server's SQLSTATE and primary message, or the error's
    first line."""
    cause = getattr(error, "orig", None) or error
    diag = getattr(cause, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    state = getattr(cause, "sqlstate", None)
    if primary:
        return f"{state} {primary}" if state else primary
    if isinstance(error, exc.StatementError) and cause is not error:
        lines = str(cause).splitlines()
    else:
        lines = str(error).splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"[:500]


def is_login_refused(error: BaseException) -> bool:
    """The server refused this agent's login (SQLSTATE class 28): a set-up problem that
    retrying will not fix until the credentials or the server's rules change."""
    cause = getattr(error, "orig", None) or error
    return str(getattr(cause, "sqlstate", "") or "").startswith("28")


def with_connect_timeout(url: str, seconds: int = CONNECT_TIMEOUT_S) -> str:
    """A PostgreSQL server's URL with a time limit on connecting, unless it sets one."""
    parsed = make_url(url)
    if server_url(url) is None or "connect_timeout" in parsed.query:
        return url
    return parsed.update_query_dict({"connect_timeout": str(seconds)}).render_as_string(
        hide_password=False)


class ServerUnavailable(Exception):
    """The server could not be opened (down, unreachable, the login refused, its schema not
    upgradable by this agent): ``cause`` says why."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(describe(cause))
        self.cause = cause


class Shipper:
    """Delivers one agent file's outbox to the server. Used from one thread at a time."""

    def __init__(self, local_url: str, server_url: str, rules: DemandRules,
                 open_server: Callable[[], Store] | None = None) -> None:
        """``local_url``: the agent's file, already opened (and its schema upgraded) by the
        window's store. The server is opened on first use, with a time limit on connecting."""
        self._local = make_engine(local_url)
        self._local_file = sqlite_file(local_url)
        self._end_shipped: tuple[int, str] | None = None
        self._server_url = with_connect_timeout(server_url)
        self._open_server = open_server or (lambda: Store(self._server_url))
        self._server: Store | None = None
        self._rules = rules

    # -------------------------------------------------------------- the outbox

    def pending(self, limit: int = BATCH) -> list[Pending]:
        """The rows still to deliver, oldest first (refused ones left out)."""
        with self._local.connect() as connection:
            rows = connection.execute(
                sa.select(outbox.c.id, outbox.c.uid, outbox.c.operation)
                .where(outbox.c.refused_at.is_(None)).order_by(outbox.c.id).limit(limit)).all()
        return [Pending(*row) for row in rows]

    def counts(self) -> tuple[int, int]:
        """How many rows wait, and how many the server refused."""
        with self._local.connect() as connection:
            waiting, refused = connection.execute(sa.select(
                sa.func.count().filter(outbox.c.refused_at.is_(None)),
                sa.func.count().filter(outbox.c.refused_at.is_not(None)))).one()
        return waiting or 0, refused or 0

    def refused(self) -> list[tuple[str, str, str]]:
        """The refused rows: uid, operation name, reason."""
        with self._local.connect() as connection:
            rows = connection.execute(
                sa.select(outbox.c.uid, outbox.c.operation, outbox.c.problem)
                .where(outbox.c.refused_at.is_not(None)).order_by(outbox.c.id)).all()
        return [(uid, name_of(operation), problem) for uid, operation, problem in rows]

    def retry_refused(self) -> int:
        """Make the refused rows waiting again (at a start: the server's set-up may have been
        put right); returns how many."""
        with self._local.begin() as connection:
            return connection.execute(
                outbox.update().where(outbox.c.refused_at.is_not(None))
                .values(refused_at=None, problem="")).rowcount

    def forget(self, row: Pending) -> None:
        """The row is on the server: remove it from the outbox."""
        with self._local.begin() as connection:
            connection.execute(outbox.delete().where(outbox.c.id == row.id))

    def refuse(self, row: Pending, error: BaseException) -> None:
        reason = describe(error)
        log.error("the server refused an operation for good (kept on this computer): %s",
                  reason)
        with self._local.begin() as connection:
            connection.execute(outbox.update().where(outbox.c.id == row.id).values(
                refused_at=datetime.now(timezone.utc).replace(tzinfo=None), problem=reason))

    # -------------------------------------------------------------- the server

    def deliver(self, row: Pending) -> None:
        """Apply the row's operation on the server in one transaction (skipped there if it
        arrived before). Raises what went wrong; ServerUnavailable when the server could not
        even be opened."""
        operation = Operation.from_json(row.operation)
        if self._server is None:
            try:
                self._server = self._open_server()
            except Exception as error:  # whatever keeps it closed, it is not this row's fault
                raise ServerUnavailable(error) from error
        with self._server.unit_of_work() as session:
            perform(session, operation, self._rules)

    def ship(self, stop: Callable[[], bool] | None = None,
             progress: Callable[[SyncState], None] | None = None) -> SyncState:
        """Deliver what waits, in order, until the outbox is empty, the server cannot be
        reached, or ``stop()`` says so; returns the state after it. ``progress`` is told the
        state before each batch of rows after the first."""
        problem, unreachable, login = "", False, False
        first, delivered = True, 0
        while not (stop and stop()):
            rows = self.pending()
            if not rows:
                break
            if progress is not None and not first:
                progress(SyncState(*self.counts()))
            first = False
            for row in rows:
                if stop and stop():
                    break
                try:
                    self.deliver(row)
                except Exception as error:  # sorted: passing trouble, or refused for good
                    if self._unreachable(error):
                        cause = getattr(error, "cause", error)
                        problem, unreachable = describe(cause), True
                        login = is_login_refused(cause)
                        log.warning("the server cannot be reached, will try again: %s",
                                    problem)
                        self._drop_server()
                        break
                    self.refuse(row, error)
                    continue
                self.forget(row)
                delivered += 1
            if unreachable:
                break
        waiting, refused = self.counts()
        if delivered and not waiting and not unreachable and not (stop and stop()):
            self.ship_end()  # the end moves with writes, which all come through the outbox
        return SyncState(waiting, refused, unreachable, login, problem)

    def ship_end(self) -> bool:
        """Send the end of the file's audit trail to the server when it moved since it was
        last sent (after a delivery that emptied the outbox): the server keeps it in its own
        trail, out of reach of whoever can change this PC's files, and ``callhelper verify``
        checks the file against it. A failure is logged and tried again next time; returns
        whether it was sent."""
        from callhelper.store import anchor, audit

        if self._local_file is None:
            return False
        try:
            with self._local.connect() as connection:
                end = anchor.trail_end(connection)
            if end[0] == 0 or end == self._end_shipped:
                return False
            if self._server is None:
                self._server = self._open_server()
            uid = anchor.shipped_uid(anchor.account_key(), self._local_file)
            with self._server.unit_of_work() as session:
                connection = session.connection()
                actor = session_login(connection)
                audit.ship_end(connection, actor, uid, end, datetime.now(timezone.utc))
        except Exception as error:  # the operations are delivered; the end goes next time
            log.warning("the end of the audit trail was not sent to the server: %s",
                        describe(error))
            self._drop_server()
            return False
        self._end_shipped = end
        return True

    @staticmethod
    def _unreachable(error: BaseException) -> bool:
        """A failure that may pass: the server (or the connection to it) is down, slow or
        busy — or the server could not be opened at all."""
        return isinstance(error, ServerUnavailable) or is_transient(error) or isinstance(
            error, exc.InterfaceError)

    def _drop_server(self) -> None:
        if self._server is not None:
            try:
                self._server.close()
            except Exception:  # a broken connection pool is thrown away all the same
                log.debug("server connections not closed cleanly", exc_info=True)
            self._server = None

    def close(self) -> None:
        self._drop_server()
        self._local.dispose()
