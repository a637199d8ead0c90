"""What the commands share: how a command is registered, the types of their arguments, the
database they open, their output, their errors and the log."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path


def runs(parser: argparse.ArgumentParser, command, *, window: bool = False,
         not_on_a_server: str | None = None) -> None:
    """Register ``command`` as what ``parser``'s sub-command does: ``command(args)`` without
    the window (``run_data_command``: errors are one line and exit code 1), or, with
    ``window``, ``command(args, paths)`` once the window's data folder and log are there
    (``callhelper.cli.window_command``). ``not_on_a_server``: why the command refuses a
    configured database that is a team's server."""
    parser.set_defaults(run=command, uses_window=window, not_on_a_server=not_on_a_server)


#: The largest whole number a database column holds (SQLite's and PostgreSQL's bigint).
LARGEST = 2**63 - 1
#: The longest retention period ``purge`` takes: about 270 years.
MOST_DAYS = 100_000


def positive(argument: str, most: int = LARGEST) -> int:
    try:
        value = int(argument)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {argument!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be at least 1: {argument}")
    if value > most:
        raise argparse.ArgumentTypeError(f"must be at most {most}: {argument}")
    return value


def days(argument: str) -> int:
    return positive(argument, MOST_DAYS)


class ProgressLine:
    """How far a long command has got, on one line of standard error that each update
    overwrites; ended with a newline when the block ends, if anything was shown."""

    def __init__(self) -> None:
        self.shown = False

    def show(self, text: str) -> None:
        self.shown = True
        print(f"\r{text}", end="", file=sys.stderr, flush=True)

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(self, *_exc) -> None:
        if self.shown:
            print(file=sys.stderr)


def open_store(args: argparse.Namespace, create: bool = False):
    """The configured database; a file must be one ``usable_database`` accepts (``create``:
    a missing one is made)."""
    from callhelper.config import resolve_paths
    from callhelper.store.engine import Store

    paths = resolve_paths(args.data_dir, args.database_url)
    if paths.database_file is not None:
        usable_database(paths.database_file, missing_ok=create)
    _audit_log_to_file(paths.log_dir)
    store = Store(paths.database_url, paths.backup_dir)
    if store.anchors_found is not None:
        warn_anchors_found(store.anchors_found)
    return store


def _audit_log_to_file(log_dir: Path) -> None:
    """What the audit trail's check finds as a command opens the database goes to the log
    file, as the window's does (the command tells it on stderr in its own words)."""
    audit_log = logging.getLogger("callhelper.store.audit")
    if audit_log.handlers:
        return
    from callhelper.config import LOG_FILE
    from callhelper.files import private_folder

    try:
        private_folder(log_dir)
        handler = PrivateRotatingFileHandler(log_dir / LOG_FILE, maxBytes=1_000_000,
                                             backupCount=3, encoding="utf-8")
    except OSError:
        return  # the warning then goes to stderr alone
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    audit_log.addHandler(handler)


def warn_anchors_found(found) -> None:
    """Tell on stderr that the database's audit trail no longer holds an end recorded
    outside it, found as the command opened it (audit.anchors_at_open)."""
    for problem in found.problems:
        print(f"callhelper: WARNING: {problem}", file=sys.stderr)
    kept = f"; the anchor it no longer holds is kept in {found.kept}" if found.kept else ""
    print("callhelper: WARNING: this was noted in the log and in the audit trail, and the "
          f"command went on{kept}. The file may have been edited outside CallHelper: run "
          "`callhelper verify` and tell your supervisor (docs/data-safety.md).",
          file=sys.stderr)


def usable_database(database: Path, missing_ok: bool = False) -> Path:
    """``database`` if a command may use it, else ValueError in plain words: it exists (or
    ``missing_ok``), is a CallHelper database, and has its write-ahead log. A mistyped path
    never becomes a new, empty database, and a file that lost its log is not written to: the
    window's start sets it aside, and a write would hide the loss."""
    from callhelper.store.engine import check_database_file
    from callhelper.store.integrity import LOST_LOG, log_lost

    if log_lost(database):  # before SQLite opens the file: it would make a new log
        raise ValueError(f"{database}: {LOST_LOG}; start CallHelper, which sets the file aside "
                         "and offers the latest backup")
    check_database_file(database)
    if not database.exists() and not missing_ok:
        raise ValueError(f"no database at {database} (no such file)")
    return database


def print_json(rows) -> None:
    import json

    print(json.dumps(rows, ensure_ascii=False, indent=1, default=str))


def own_database(args: argparse.Namespace) -> Path:
    """This agent's database file, for the commands that take one optionally."""
    from callhelper.config import resolve_paths

    url = resolve_paths(args.data_dir, args.database_url).database_url
    if not url.startswith("sqlite:///"):
        raise ValueError("name a database file: the configured database is not a local file")
    return Path(url[len("sqlite:///"):])


def server_url(args: argparse.Namespace) -> str | None:
    """The configured database's URL if it is a server's (team mode), else None."""
    from callhelper.config import resolve_paths

    url = resolve_paths(args.data_dir, args.database_url).database_url
    return None if url.startswith("sqlite:") else url


class PrivateRotatingFileHandler(logging.FileHandler):
    """A log file rolled over before it passes ``maxBytes`` (the file becomes ``.1``, ``.1``
    becomes ``.2``, … up to ``backupCount``; the oldest goes), whose files are their user's
    only (the log names files, and what went wrong with them): files there already are
    tightened, new ones created 0600, also at a rollover.

    The same as logging.handlers.RotatingFileHandler, which is not used: that module, with
    pickle and the rest it loads, made the call window show about 9 ms later."""

    def __init__(self, path: Path, maxBytes: int, backupCount: int,
                 encoding: str = "utf-8") -> None:
        from callhelper.files import private_file

        for log_file in path.parent.glob(f"{path.name}*"):
            private_file(log_file)
        self.max_bytes = maxBytes
        self.backup_count = backupCount
        super().__init__(path, mode="a", encoding=encoding)

    def _open(self):
        from callhelper.files import private_opener

        return open(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors,
                    opener=private_opener)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._would_pass_the_limit(record):
                self._roll_over()
        except Exception:  # as logging's handlers do: a failing log never stops the app
            self.handleError(record)
            return
        super().emit(record)

    def _would_pass_the_limit(self, record: logging.LogRecord) -> bool:
        if self.backup_count < 1 or not os.path.isfile(self.baseFilename):
            return False
        if self.stream is None:
            self.stream = self._open()
        line = (self.format(record) + self.terminator).encode(self.encoding or "utf-8")
        return self.stream.tell() + len(line) >= self.max_bytes

    def _roll_over(self) -> None:
        self.stream.close()
        self.stream = None
        for number in range(self.backup_count - 1, 0, -1):
            older = f"{self.baseFilename}.{number}"
            if os.path.exists(older):
                os.replace(older, f"{self.baseFilename}.{number + 1}")
        os.replace(self.baseFilename, f"{self.baseFilename}.1")
        self.stream = self._open()


def setup_logging(log_dir: Path) -> None:
    """Warnings and errors to a rotating file in the log folder (and to stderr); the folder
    and the files are their user's only."""
    from callhelper.config import LOG_FILE
    from callhelper.files import private_folder

    handlers: list[logging.Handler] = [logging.StreamHandler()]
    try:
        private_folder(log_dir)
        handlers.append(PrivateRotatingFileHandler(
            log_dir / LOG_FILE, maxBytes=1_000_000, backupCount=3, encoding="utf-8"))
    except OSError as exc:
        print(f"callhelper: cannot write logs to {log_dir}: {exc}", file=sys.stderr)
    logging.basicConfig(level=logging.WARNING, handlers=handlers,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def run_data_command(command, args: argparse.Namespace) -> int:
    """A command without the window: errors are one line on stderr and exit code 1."""
    import sqlite3

    from sqlalchemy.exc import NoSuchModuleError, SQLAlchemyError

    try:
        return command(args)
    except NoSuchModuleError:
        from callhelper.config import resolve_paths

        scheme = resolve_paths(args.data_dir, args.database_url).database_url.split(":", 1)[0]
        print(f"callhelper {args.command}: the database URL's scheme {scheme!r} is not known "
              "(expected sqlite:///FILE or postgresql://USER@HOST/DATABASE)", file=sys.stderr)
        return 1
    except (SQLAlchemyError, sqlite3.Error, OSError, ValueError, OverflowError) as exc:
        lines = str(exc).splitlines() or [type(exc).__name__]
        if getattr(getattr(exc, "orig", None), "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
            lines[0] += " (the server does not let this login do that; see docs/team-mode.md)"
        print(f"callhelper {args.command}: {lines[0]}", file=sys.stderr)
        return 1


#: PostgreSQL's SQLSTATE for a privilege, row rule or note owner's rule refusing a change.
INSUFFICIENT_PRIVILEGE = "42501"
