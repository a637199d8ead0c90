"""The audit trail: every create, edit and deletion of a note or a case, every decision on a
demand flag (core/flag_review.py) and every prevention item marked done, append-only and
hash-chained.

Each entry records who did what to which record, when, and the record's state before and
after (as canonical JSON, with the SHA-256 digest of each). Its hash covers those fields —
the states through their digests — and the previous entry's hash, so changing, removing or
inserting an entry anywhere breaks every link after it. The current rows are checked
against the last state the trail recorded for them, so a note edited in the file behind
the app's back is found too.

Because the chain holds the digests, the words themselves can be removed from the trail
once their record is deleted for good (a retention purge) without breaking it: personal
data is not kept longer than the record. Words removed from a record that still exists are
reported as tampering.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any

GENESIS = "0" * 64
SEPARATOR = "\x1f"


class Action(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    DELETE = "delete"
    #: The state of a record that existed before the trail was started.
    BASELINE = "baseline"
    #: A record opened to be read (entity ACCESS): no state before or after.
    VIEW = "view"
    #: The app found, as it opened the file, that the trail no longer held an end recorded
    #: outside it (an anchor): what it found is the entry's ``before``; it has no ``after``.
    FOUND = "found"
    #: An agent's own file (team mode) sent its trail's end to the team's server: the
    #: entry's ``before`` (no ``after``), ``uid`` naming the file (anchor.shipped_uid).
    SHIPPED = "shipped"


class Entity(StrEnum):
    NOTE = "note"
    CASE = "case"
    #: An agent's decision on a note's flag: confirmed, dismissed, or added by hand.
    FLAG = "flag"
    #: A case's prevention item marked done, by whom and when (``uid`` is the case's). An
    #: entity of its own: the case's entries, recorded without these fields, verify as
    #: they always did.
    PREVENTION = "prevention"
    #: A call: its case and customer, who took it, the number and name of the caller, when it
    #: started and ended, talk and hold time, its handlers, escalations and step times.
    CONTACT = "contact"
    #: A customer (``uid`` is the row id as text: customers have no key of their own).
    CUSTOMER = "customer"
    #: Who opened a call's notes to read them during the call (a supervisor on the board;
    #: ``uid`` is the call's). No state: the trail's check of the records passes over it.
    ACCESS = "access"
    #: The trail's own end, against its anchors: ``found`` entries (``uid``: when it was
    #: found, UTC) and ``shipped`` ones on a team's server. No record follows them.
    ANCHOR = "anchor"


#: The fields of each record the trail follows, in the order a report lists them.
NOTE_FIELDS = ("contact", "kind", "text", "offset_ms", "agent", "flags", "requests", "due_at",
               "done_at", "done_by", "created_at", "edited_at", "masked_cards")
CASE_FIELDS = ("subject", "status", "urgency", "impact", "fix", "prevention", "created_at",
               "customer")


def canonical(state: dict[str, Any] | None) -> str:
    """The one text form of a state: sorted keys, no spaces, non-ASCII kept."""
    if state is None:
        return ""
    return json.dumps(state, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def timestamp(moment: datetime | str | None) -> str | None:
    """A time as the trail writes it: UTC, ISO 8601, microseconds (stored naive = UTC)."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def note_state(contact_uid: str, kind: str, text: str, offset_ms: int, agent: str,
               flags: Iterable[str], requests: Iterable[str], due_at, done_at,
               done_by: str, created_at, edited_at, masked_cards: int) -> dict[str, Any]:
    """A note's state. ``created_at``, ``edited_at`` and ``masked_cards`` were added in
    schema 0015: entries written before hold the other fields only (see ``compare_records``)."""
    return {"contact": contact_uid, "kind": kind, "text": text, "offset_ms": int(offset_ms),
            "agent": agent, "flags": list(flags), "requests": list(requests),
            "due_at": timestamp(due_at), "done_at": timestamp(done_at), "done_by": done_by,
            "created_at": timestamp(created_at), "edited_at": timestamp(edited_at),
            "masked_cards": int(masked_cards or 0)}


def case_state(subject: str, status: str, urgency: str, impact: str, fix: str,
               prevention: str, created_at, customer: str) -> dict[str, Any]:
    """A case's state; ``created_at`` and ``customer`` (the customer's uid, '' for none)
    were added in schema 0015, like the note's times."""
    return {"subject": subject, "status": status, "urgency": urgency, "impact": impact,
            "fix": fix, "prevention": prevention, "created_at": timestamp(created_at),
            "customer": customer}


def record_uid(row_id: int | None) -> str:
    """The uid under which the trail names a record known by its row id (a customer)."""
    return "" if row_id is None else str(row_id)


def contact_state(case_uid: str, customer_uid: str, agent: str, phone: str, caller_name: str,
                  direction: str, playbook_id: str, playbook_version: int, started_at,
                  ended_at, talk_seconds: float, hold_seconds: float,
                  handlers: Iterable[tuple], escalations: Iterable[tuple],
                  steps: Iterable[tuple]) -> dict[str, Any]:
    """A call's state: everything an evidence report says about it but its notes.
    ``handlers`` as (name, role, joined_at), ``escalations`` as (reasons, summary, agent,
    offset_ms, created_at), ``steps`` as (step_id, done, offset_ms, step_elapsed_ms, agent,
    created_at), each in the order they were written."""
    return {"case": case_uid, "customer": customer_uid, "agent": agent, "phone": phone,
            "caller_name": caller_name, "direction": direction, "playbook_id": playbook_id,
            "playbook_version": int(playbook_version), "started_at": timestamp(started_at),
            "ended_at": timestamp(ended_at), "talk_seconds": float(talk_seconds or 0),
            "hold_seconds": float(hold_seconds or 0),
            "handlers": [[name, role, timestamp(joined)] for name, role, joined in handlers],
            "escalations": [[list(reasons), summary, agent_, int(offset), timestamp(made)]
                            for reasons, summary, agent_, offset, made in escalations],
            "steps": [[step, bool(done), int(offset), int(elapsed), agent_, timestamp(made)]
                      for step, done, offset, elapsed, agent_, made in steps]}


def customer_state(name: str, company: str, phone: str, preferred_channel: str,
                   unavailable: str, note: str, numbers: Iterable[str]) -> dict[str, Any]:
    """A customer's state, with each number they call from (sorted)."""
    return {"name": name, "company": company, "phone": phone,
            "preferred_channel": preferred_channel, "unavailable": unavailable, "note": note,
            "numbers": sorted(numbers)}


def prevention_state(done_at, done_by: str) -> dict[str, Any]:
    return {"done_at": timestamp(done_at), "done_by": done_by}


def entry_hash(prev_hash: str, at: str, actor: str, action: str, entity: str, uid: str,
               before_digest: str, after_digest: str) -> str:
    """The hash of one entry: SHA-256 over its fields (the states by their digests) and the
    previous entry's hash."""
    payload = SEPARATOR.join((prev_hash, at, actor, action, entity, uid, before_digest,
                              after_digest))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


#: The columns of an entry, in the order of Entry's fields.
ENTRY_COLUMNS = ("id", "at", "actor", "action", "entity", "uid", "before", "after",
                 "before_digest", "after_digest", "prev_hash", "hash")


@dataclass(frozen=True)
class Entry:
    """One entry as stored; ``before`` and ``after`` are canonical JSON ('' for none, or
    for words removed by a purge: their digests stay)."""

    seq: int
    at: str
    actor: str
    action: str
    entity: str
    uid: str
    before: str
    after: str
    before_digest: str
    after_digest: str
    prev_hash: str
    hash: str

    def expected_hash(self) -> str:
        return entry_hash(self.prev_hash, self.at, self.actor, self.action, self.entity,
                          self.uid, self.before_digest, self.after_digest)

    def states_match(self) -> bool:
        """Whether each state still held matches its digest."""
        return all(not text or digest(text) == recorded for text, recorded in
                   ((self.before, self.before_digest), (self.after, self.after_digest)))

    @property
    def redacted(self) -> bool:
        """Whether words were removed from this entry (only a purge may do so)."""
        return bool((self.before_digest and not self.before) or
                    (self.after_digest and not self.after))

    def before_state(self) -> dict[str, Any] | None:
        return json.loads(self.before) if self.before else None

    def after_state(self) -> dict[str, Any] | None:
        return json.loads(self.after) if self.after else None


def digest(state_text: str) -> str:
    """The SHA-256 of a state's canonical text; '' for no state."""
    return hashlib.sha256(state_text.encode("utf-8")).hexdigest() if state_text else ""


class Problem(StrEnum):
    """Why the trail and the file disagree."""

    ENTRY_CHANGED = "entry_changed"      # an entry's fields no longer match its hash
    LINK_BROKEN = "link_broken"          # an entry does not follow the one before it
    RECORD_CHANGED = "record_changed"    # a record differs from its last recorded state
    RECORD_UNTRACKED = "record_untracked"  # a record the trail never saw
    RECORD_MISSING = "record_missing"    # a record the trail has that is gone from the file
    WORDS_REMOVED = "words_removed"      # words removed from the trail of a kept record


@dataclass(frozen=True)
class Finding:
    """The first place where the trail is broken."""

    problem: Problem
    seq: int | None = None
    entity: str = ""
    uid: str = ""
    fields: tuple[str, ...] = ()


def first_broken_link(entries: Iterable[Entry]) -> tuple[Finding | None, int]:
    """Walk the chain in order; returns the first broken link (or None) and how many
    entries were checked."""
    previous = GENESIS
    count = 0
    for entry in entries:
        count += 1
        if entry.prev_hash != previous:
            return Finding(Problem.LINK_BROKEN, entry.seq, entry.entity, entry.uid), count
        if entry.expected_hash() != entry.hash or not entry.states_match():
            return Finding(Problem.ENTRY_CHANGED, entry.seq, entry.entity, entry.uid), count
        previous = entry.hash
    return None, count


def as_recorded(recorded: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The current state with only the fields an entry recorded: an entry written before a
    field was followed (a note's times before schema 0015) is compared on what it holds."""
    return {name: current.get(name) for name in recorded}


def changed_fields(recorded: dict[str, Any], current: dict[str, Any]) -> tuple[str, ...]:
    """The fields whose current value differs from the recorded one. Only the fields the
    trail recorded are compared, so a field added in a later version is not a difference."""
    return tuple(name for name in recorded if current.get(name) != recorded[name])


def compare_records(latest: Iterable[tuple[str, str, str, str, bool]],
                    records: Iterable[tuple[str, str, dict[str, Any]]]) -> Finding | None:
    """Check the current records against the trail's last recorded states.

    Both come sorted by (entity, uid): ``latest`` as (entity, uid, digest of the last state
    or '' for a deleted record, that state's text if still held, whether any of the
    record's entries had words removed), ``records`` as (entity, uid, state). They are
    merged as they stream, so memory stays flat however large the file.
    """
    trail, rows = iter(latest), iter(records)
    recorded, current = next(trail, None), next(rows, None)
    while recorded is not None or current is not None:
        if current is None or (recorded is not None and recorded[:2] < current[:2]):
            entity, uid, last_digest, _text, redacted = recorded
            if last_digest:
                return Finding(Problem.RECORD_MISSING, None, entity, uid)
            recorded = next(trail, None)
        elif recorded is None or current[:2] < recorded[:2]:
            return Finding(Problem.RECORD_UNTRACKED, None, current[0], current[1])
        else:
            entity, uid, state = current
            _entity, _uid, last_digest, last_text, redacted = recorded
            if not last_digest:
                return Finding(Problem.RECORD_UNTRACKED, None, entity, uid)
            if redacted:
                return Finding(Problem.WORDS_REMOVED, None, entity, uid)
            if last_text:
                recorded_state = json.loads(last_text)
                if canonical(as_recorded(recorded_state, state)) != last_text:
                    fields = changed_fields(recorded_state, state)
                    return Finding(Problem.RECORD_CHANGED, None, entity, uid, fields or ("?",))
            elif digest(canonical(state)) != last_digest:
                fields = ()
                return Finding(Problem.RECORD_CHANGED, None, entity, uid, fields or ("?",))
            recorded, current = next(trail, None), next(rows, None)
    return None
