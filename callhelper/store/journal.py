"""Writes that could not reach the database before the app closed, kept in a file.

Only the writes that matter most are journalled — a contact's start and the notes — as
JSON lines, and replayed at the next start. Both are idempotent (client-made uids), so a
write that did reach the database before the close is not stored twice.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from callhelper.core.case import NoteKind
from callhelper.core.flags import DemandRules
from callhelper.core.pii import mask_card_numbers
from callhelper.store import repository

log = logging.getLogger(__name__)
JOURNAL_FILE = "unsaved-writes.jsonl"
FAILED_FILE = "unsaved-writes.failed.jsonl"


def start_contact_record(new: repository.NewContact) -> dict:
    return {"op": "start_contact", **vars(new), "started_at": new.started_at.isoformat()}


def note_record(contact_uid: str, note_uid: str, kind: NoteKind, text: str, offset_ms: int,
                agent: str, created_at: datetime, due_at: datetime | None = None) -> dict:
    return {"op": "add_note", "contact_uid": contact_uid, "note_uid": note_uid,
            "kind": NoteKind(kind).value, "text": mask_card_numbers(text)[0], "offset_ms": offset_ms, "agent": agent,
            "created_at": created_at.isoformat(), "due_at": due_at and due_at.isoformat()}


def append(path: Path, records: list[dict]) -> None:
    """Add records to the journal and make sure they are on disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as journal:
        for record in records:
            journal.write(json.dumps(record, ensure_ascii=False) + "\n")
        journal.flush()
        os.fsync(journal.fileno())


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
