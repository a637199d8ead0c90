"""Writes that could not reach the database before the app closed, kept in a file.

The writes still waiting at the close are journalled as JSON lines, one operation's record
each (store/operations.py), and replayed at the next start. An operation is applied once
(its uid is recorded where it is applied), so a write that did reach the database before
the close is not applied twice. The journal is in the data folder, or, when that cannot be
written, in a spare place (``keep``). A kept write that cannot be applied at the next start
either is moved, with the reason, to FAILED_FILE beside the journal for a person to look at.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path

from sqlmodel import Session

from callhelper.core.flags import DemandRules
from callhelper.files import PRIVATE_FILE, PRIVATE_FOLDER
from callhelper.store.operations import Operation, perform

log = logging.getLogger(__name__)
JOURNAL_FILE = "unsaved-writes.jsonl"
FAILED_FILE = "unsaved-writes.failed.jsonl"
#: The key, in a record of FAILED_FILE, of why the write was refused.
REFUSED = "refused"


def append(path: Path, records: list[dict]) -> None:
    """Add records to the journal (a file its user alone may read) and make sure they are on
    disk. A write that fails (a full disk) is taken back, so no half line is left behind."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    data = "".join(json.dumps(record, ensure_ascii=False) + "\n"
                   for record in records).encode("utf-8")
    existed = path.exists()
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0),
                     PRIVATE_FILE)
    size = None
    try:
        size = os.fstat(handle).st_size
        rest = memoryview(data)
        while rest:
            rest = rest[os.write(handle, rest):]
        os.fsync(handle)
    except OSError:
        if size is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(handle, size)
        os.close(handle)
        if not existed:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    os.close(handle)


def keep(paths: list[Path], records: list[dict]) -> Path:
    """Append the records to the first of ``paths`` that takes them (the data folder's
    journal, then a spare one in another folder); returns that path. Raises the last
    OSError when none does."""
    error: OSError | None = None
    for path in paths:
        try:
            append(path, records)
            return path
        except OSError as exc:
            log.warning("unsaved writes not kept in %s: %s", path, exc.strerror or exc)
            error = exc
    assert error is not None, "no journal to keep the writes in"
    raise error


def writable(paths: list[Path]) -> Path | None:
    """The first of ``paths`` that ``keep`` could write now (its folder, or the nearest one
    that exists, may be written, and so may the journal if it is there); None when none."""
    for path in paths:
        folder = path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if os.access(folder, os.W_OK | os.X_OK) and (
                not path.exists() or os.access(path, os.W_OK)):
            return path
    return None


def load(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    records = []
    for number, line in enumerate(lines, start=1):
        try:
            records.append(json.loads(line))
        except ValueError:
            log.warning("%s:%d: unreadable line skipped (a write cut off by a crash)", path,
                        number)
    return records


def replay(session: Session, records: list[dict], rules: DemandRules,
           ship: bool = False) -> tuple[int, list[dict]]:
    """Apply journalled writes in order, each on its own (``ship``: and keep each in the
    outbox for the server, team mode); returns how many were applied and the records that
    could not be, each with why under REFUSED (kept by the caller for a person to look
    at)."""
    applied, failed = 0, []
    for record in records:
        try:
            with session.begin_nested():
                perform(session, Operation.from_record(record), rules, ship)
            applied += 1
        except Exception as error:  # one bad record must not keep the others, or the app,
            # from starting
            log.exception("journalled write could not be applied: %s", record.get("op"))
            failed.append({**record, REFUSED: refusal(error)})
    return applied, failed


def refusal(error: BaseException) -> str:
    """Why a write was refused, in one line (a database error goes on with its statement)."""
    first_line = next(iter(str(error).splitlines()), "")
    return f"{type(error).__name__}: {first_line}" if first_line else type(error).__name__


def replay_kept(session: Session, paths: list[Path], rules: DemandRules,
                ship: bool = False) -> int:
    """At start, before anything else is written: apply the writes kept at the last close,
    journal by journal (the data folder's, then the spare one, which holds what the first
    could not take), and set each journal aside once applied, so nothing is applied at a
    later start again; returns how many were applied."""
    replayed = 0
    for path in paths:
        records = load(path)
        if records:
            applied, failed = replay(session, records, rules, ship)
            session.commit()
            set_aside(path, failed)
            replayed += applied
    return replayed


def set_aside(path: Path, failed: list[dict]) -> None:
    """The journal has been replayed: keep what failed beside it, then remove it."""
    if failed:
        append(path.with_name(FAILED_FILE), failed)
    path.unlink(missing_ok=True)
