"""Writes that could not reach the database before the app closed, kept in a file.

Only the writes that matter most are journalled — a contact's start and the notes — as
JSON lines, and replayed at the next start. Both are idempotent (client-made uids), so a
write that did reach the database before the close is not stored twice. The journal is in
the data folder, or, when that cannot be written, in a spare place (``keep``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from callhelper.core.case import NoteKind
from callhelper.core.flags import DemandRules
from callhelper.core.pii import mask_card_numbers
from callhelper.core.text import storable_text
from callhelper.store import repository
from callhelper.store.files import PRIVATE_FILE, PRIVATE_FOLDER

log = logging.getLogger(__name__)
JOURNAL_FILE = "unsaved-writes.jsonl"
FAILED_FILE = "unsaved-writes.failed.jsonl"


def start_contact_record(new: repository.NewContact) -> dict:
    return {"op": "start_contact", **vars(new), "started_at": new.started_at.isoformat()}


def note_record(contact_uid: str, note_uid: str, kind: NoteKind, text: str, offset_ms: int,
                agent: str, created_at: datetime, due_at: datetime | None = None) -> dict:
    return {"op": "add_note", "contact_uid": contact_uid, "note_uid": note_uid,
            "kind": NoteKind(kind).value, "text": mask_card_numbers(storable_text(text)[0])[0],
            "offset_ms": offset_ms, "agent": agent,
            "created_at": created_at.isoformat(), "due_at": due_at and due_at.isoformat()}


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


def replay(session: Session, records: list[dict], rules: DemandRules) -> tuple[int, list[dict]]:
    """Apply journalled writes in order, each on its own; returns how many were applied and
    the records that could not be (kept by the caller for a person to look at)."""
    applied, failed = 0, []
    for record in records:
        try:
            with session.begin_nested():
                _apply(session, record, rules)
            applied += 1
        except Exception:  # one bad record must not keep the others, or the app, from starting
            log.exception("journalled write could not be applied: %s", record.get("op"))
            failed.append(record)
    return applied, failed


def _apply(session: Session, record: dict, rules: DemandRules) -> None:
    fields = dict(record)
    operation = fields.pop("op")
    if operation == "start_contact":
        fields["started_at"] = datetime.fromisoformat(fields["started_at"])
        repository.start_contact(session, repository.NewContact(**fields))
    elif operation == "add_note":
        fields["created_at"] = datetime.fromisoformat(fields["created_at"])
        due = fields.get("due_at")
        fields["due_at"] = datetime.fromisoformat(due) if due else None
        repository.add_note(session, rules=rules, **fields)
    else:
        raise ValueError(f"unknown journalled write {operation!r}")


def set_aside(path: Path, failed: list[dict]) -> None:
    """The journal has been replayed: keep what failed beside it, then remove it."""
    if failed:
        append(path.with_name(FAILED_FILE), failed)
    path.unlink(missing_ok=True)
