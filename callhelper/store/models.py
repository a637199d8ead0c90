"""The tables. Times are stored in UTC; ``uid`` columns are keys made by the
client, so a write that is retried (or shipped to a server later) is applied
once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field, SQLModel


OPEN_PROMISE = "kind = 'promise' AND done_at IS NULL"


class Customer(SQLModel, table=True):
    __tablename__ = "customer"

    id: int | None = Field(default=None, primary_key=True)
    name: str = ""
    company: str = ""
    phone: str = Field(default="", index=True)
    phone_key: str = Field(default="", index=True)
    preferred_channel: str = ""
    unavailable: str = ""
    note: str = ""
    created_at: datetime


class CustomerPhone(SQLModel, table=True):
    """Each number a customer calls from; ``phone_key`` is the normalised form looked up."""

    __tablename__ = "customer_phone"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    phone: str
    phone_key: str = Field(index=True)


class SupportCase(SQLModel, table=True):
    """A problem a customer raised; it may span several contacts."""

    __tablename__ = "support_case"

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    subject: str = ""
    status: str = "open"
    urgency: str = ""
    impact: str = ""
    fix: str = ""
    prevention: str = ""
    #: The prevention item is done on its own, not when the case is resolved.
    prevention_done_at: datetime | None = None
    prevention_done_by: str = ""
    flag_count: int = 0
    created_at: datetime
    updated_at: datetime = Field(index=True)  # cases are listed by last activity


class Contact(SQLModel, table=True):
    """One call, from start to wrap-up.

    ``state`` is ``active`` while the call runs, ``wrap_up`` after it ended
    until the wrap-up is saved, then ``closed``. ``direction`` is ``incoming`` (the
    customer called) or ``outgoing`` (the agent called, e.g. a callback): only incoming
    calls count as the customer calling again.
    """

    __tablename__ = "contact"
    #: A caller's calls, newest first.
    __table_args__ = (Index("ix_contact_phone_key_started_at", "phone_key", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    case_id: int = Field(foreign_key="support_case.id", index=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    agent: str
    phone: str = ""
    phone_key: str = ""
    caller_name: str = ""
    playbook_id: str
    playbook_version: int
    state: str = Field(default="active", index=True)
    started_at: datetime
    ended_at: datetime | None = None
    talk_seconds: float = 0.0
    hold_seconds: float = 0.0
    on_hold: bool = False
    direction: str = "incoming"


class Note(SQLModel, table=True):
    """What was captured during a call; ``text`` is stored exactly as typed
    (card numbers masked)."""

    __tablename__ = "note"
    #: The open promises, by when they are due.
    __table_args__ = (Index("ix_note_open_promise_due", "due_at",
                            sqlite_where=text(OPEN_PROMISE), postgresql_where=text(OPEN_PROMISE)),)

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    kind: str
    text: str
    offset_ms: int
    agent: str
    created_at: datetime
    masked_cards: int = 0
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    requests: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    due_at: datetime | None = None
    done_at: datetime | None = None
    done_by: str = ""
    edited_at: datetime | None = None


class StepEvent(SQLModel, table=True):
    """A checklist step ticked or un-ticked during a call."""

    __tablename__ = "step_event"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    step_id: str
    done: bool
    offset_ms: int
    step_elapsed_ms: int
    agent: str
    created_at: datetime


class ContactHandler(SQLModel, table=True):
    """Who handled a contact: the agent who took it and any senior who took over."""

    __tablename__ = "contact_handler"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    name: str
    role: str
    joined_at: datetime


class Escalation(SQLModel, table=True):
    """A handoff to a senior (二次対応): why, and the summary that was handed over."""

    __tablename__ = "escalation"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    summary: str
    agent: str
    offset_ms: int
    created_at: datetime


class AuditEntry(SQLModel, table=True):
    """One link of the audit trail (see core/audit.py); rows are only ever added.

    ``at`` is kept as the exact text that was hashed; ``before`` and ``after`` are the
    record's states as canonical JSON ('' for none) and their digests what the chain
    covers, so a purge can remove a deleted record's words and leave the chain whole."""

    __tablename__ = "audit_entry"
    #: One record's entries, in order (a note's revisions).
    __table_args__ = (Index("ix_audit_entry_entity_uid", "entity", "uid", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: str
    actor: str
    action: str
    entity: str
    uid: str
    before: str = ""
    after: str = ""
    before_digest: str = ""
    after_digest: str = ""
    prev_hash: str = Field(unique=True)
    hash: str = Field(unique=True)


class FlagReview(SQLModel, table=True):
    """An agent's decision on a demand flag of a note (core/flag_review.py): confirmed,
    dismissed, or added by hand. Rows are only ever added; the latest on a note and
    category is the flag's state, and a flag with none is suspected. The note is named by
    its uid, as operations name it on every database."""

    __tablename__ = "flag_review"

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    note_uid: str = Field(index=True)
    category: str
    state: str
    actor: str
    at: datetime


class RaisedHand(SQLModel, table=True):
    """An agent's raised hand on a call (team mode's live layer, store/live.py): why, when it
    was raised on the agent's PC and when it reached this database (later than raised: it
    waited for the server), who answered what and when, and when it was lowered. The
    supervisor's answer is written on the server alone."""

    __tablename__ = "raised_hand"

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    contact_uid: str = Field(index=True)
    agent: str
    reason: str = ""
    raised_at: datetime
    arrived_at: datetime
    lowered_at: datetime | None = Field(default=None, index=True)
    answered_at: datetime | None = None
    answered_by: str = ""
    answer: str = ""


class LiveCall(SQLModel, table=True):
    """A call in progress as the supervisors' board shows it: one small row per call,
    replaced by the agent's window at each change that matters (a step, a flag, a hold, a
    handoff, the end). No note text: the board opens the call for that."""

    __tablename__ = "live_call"

    id: int | None = Field(default=None, primary_key=True)
    contact_uid: str = Field(unique=True)
    agent: str
    caller: str = ""
    state: str = Field(index=True)
    started_at: datetime
    step: str = ""
    step_due_at: datetime | None = None
    limit_at: datetime | None = None
    suspected: int = 0
    confirmed: int = 0
    escalations: int = 0
    updated_at: datetime
