"""The window's writes as operations: a name and its arguments, which can be written down
as JSON and applied later, here or on another database.

Every write the window makes is one of the operations registered here. The same description
serves three purposes:

- applied to the agent's database at once (``perform``);
- kept in the journal when the app closes before it could be applied (store/journal.py);
- in team mode, kept in the local ``outbox`` table in the same transaction as the local
  write, and later applied on the server by the shipper (store/sync.py).

Each operation has a uid made by the client. A database records the uids of the operations
it has applied in ``received_operation``, in the transaction that applies them, so an
operation that arrives twice (re-sent after a crash, replayed from a journal) is applied
once. Operations name records by their uids, never by a database's own row ids, which
differ between the agent's file and the server.

A record (the JSON form) is ``{"op": name, "id": uid, **arguments}``; datetimes are ISO
8601 text (``datetime.isoformat``), enums their values, dataclasses objects of their fields.
The arguments of each operation are a typed record, a dataclass made from the parameters of
its function (``record_type``); a record read back is validated against it by pydantic,
strictly (a number is no time, a text no number, an unknown argument is refused), and a
record that does not fit raises UnknownOperation naming the field. A record keeps the
arguments it was given in their order, so that one read back is written again byte for byte
as it was (tests/data/journal_v1.jsonl holds one of each operation as this version writes
them). The writing is the small ``_encode`` below, not pydantic's: pydantic writes a UTC time
with a ``Z``, where every journal and outbox so far has ``+00:00``.

What a person typed — a note's words, the caller's name and number, the customer's profile,
the wrap-up, the senior's name, the handoff summary — is made storable and has its card
numbers masked (core/pii.py) before an operation is applied or its record is written
anywhere. A note's words are masked in its record only: applying the note masks them
again and counts the cards masked (store/repository.py), which the window reports.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import typing
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass, make_dataclass, replace
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any

import sqlalchemy as sa
from pydantic import ConfigDict, TypeAdapter, ValidationError, with_config
from sqlmodel import Session, select

from callhelper.core.case import Level, NoteKind, WrapUp
from callhelper.core.flag_review import FlagState
from callhelper.core.flags import DemandRules
from callhelper.core.phones import DEFAULT_REGION
from callhelper.core.pii import masked_phone, masked_words
from callhelper.core.session import StepChange
from callhelper.store import flag_reviews, live, repository
from callhelper.store.compiled import Compiled
from callhelper.store.models import Note
from callhelper.store.repository import CustomerProfile, NewContact

metadata = sa.MetaData()

#: The operations this database has applied, by uid (see the module's docstring).
received_operation = sa.Table(
    "received_operation", metadata,
    sa.Column("uid", sa.String, primary_key=True),
    sa.Column("received_at", sa.DateTime, nullable=False, index=True),
)
#: How long a database remembers the operations it applied. One comes again only from a
#: journal replayed at the next start or an outbox re-sent after a lost answer: days at most.
REMEMBER_APPLIED = timedelta(days=30)
#: How many are forgotten per unit of work, so the window's own writes get their turns.
FORGET_BATCH = 5000

#: Team mode, on the agent's file: the operations applied here and not yet on the server,
#: oldest first (``id``). ``refused_at`` and ``problem`` say the server refused one for good.
outbox = sa.Table(
    "outbox", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uid", sa.String, nullable=False, unique=True),
    sa.Column("operation", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("refused_at", sa.DateTime, nullable=True),
    sa.Column("problem", sa.Text, nullable=False, server_default=""),
)

Apply = Callable[..., Any]
OPERATIONS: dict[str, Apply] = {}


def _typed_contact(args: dict[str, Any]) -> dict[str, Any]:
    region = args.get("phone_region", DEFAULT_REGION)
    return {**args, "caller_name": masked_words(args.get("caller_name", "")),
            "phone": masked_phone(args.get("phone", ""), region)}


def _typed_profile(args: dict[str, Any]) -> dict[str, Any]:
    return {**args, "profile": args["profile"].masked(args.get("region", DEFAULT_REGION))}


def _typed_wrap_up(args: dict[str, Any]) -> dict[str, Any]:
    wrap_up = args["wrap_up"]
    return {**args, "wrap_up": replace(wrap_up, subject=masked_words(wrap_up.subject),
                                       fix=masked_words(wrap_up.fix),
                                       prevention=masked_words(wrap_up.prevention))}


def _typed_words(name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda args: {**args, name: masked_words(args[name])}


#: What a person typed into each operation's arguments, masked.
_TYPED: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "start_contact": _typed_contact, "update_customer": _typed_profile,
    "save_wrap_up": _typed_wrap_up, "add_handler": _typed_words("name"),
    "record_escalation": _typed_words("summary"),
    "publish_call": lambda args: {**args, "live_state": replace(
        args["live_state"], caller=masked_words(args["live_state"].caller))},
}
#: A note's words, masked in records only (see the module's docstring).
_RECORDED_WORDS = {"add_note": _typed_words("text"), "edit_note": _typed_words("text")}


def _operation(function: Apply) -> Apply:
    OPERATIONS[function.__name__] = function
    return function


@functools.cache
def _signature(function: Apply) -> inspect.Signature:
    return inspect.signature(function)


@functools.cache
def record_type(name: str) -> TypeAdapter:
    """The typed record of the operation ``name``'s arguments: a frozen dataclass of the
    parameters of its function after the session and the rules, with their types and
    defaults, read by pydantic. Made at the first record of that operation read back."""
    function = OPERATIONS[name]
    hints = typing.get_type_hints(function)
    parameters = list(_signature(function).parameters.values())[2:]
    record = make_dataclass(
        "".join(part.title() for part in name.split("_")),
        [(p.name, hints[p.name]) if p.default is p.empty else
         (p.name, hints[p.name], field(default=p.default)) for p in parameters],
        frozen=True, kw_only=True)
    return TypeAdapter(with_config(ConfigDict(extra="forbid", strict=True))(record))


def _problems(error: ValidationError) -> str:
    """Which fields of a record are wrong and how, without the values (a customer's words
    may be among them, and this goes to the log)."""
    return "; ".join(f"{'.'.join(map(str, problem['loc'])) or 'record'}: {problem['msg']}"
                     for problem in error.errors(include_url=False, include_input=False))


class UnknownOperation(ValueError):
    """A record names no operation this version knows, or arguments that do not fit it (the
    message names each field and what is wrong with it, never its value)."""


@dataclass(frozen=True)
class Operation:
    name: str
    args: dict[str, Any]
    uid: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def of(cls, name: str, /, **args: Any) -> Operation:
        """A new operation (a new uid); its arguments are checked against its function."""
        function = OPERATIONS.get(name)
        if function is None:
            raise UnknownOperation(f"no operation {name!r}")
        _signature(function).bind(None, None, **args)
        return cls(name, args)

    def apply(self, session: Session, rules: DemandRules) -> Any:
        function = OPERATIONS.get(self.name)
        if function is None:
            raise UnknownOperation(f"no operation {self.name!r}")
        return function(session, rules, **self._masked(_TYPED))

    def record(self) -> dict[str, Any]:
        args = self._masked({**_TYPED, **_RECORDED_WORDS})
        return {"op": self.name, "id": self.uid,
                **{name: _encode(value) for name, value in args.items()}}

    def _masked(self, typed: dict[str, Callable[[dict[str, Any]], dict[str, Any]]]
                ) -> dict[str, Any]:
        mask = typed.get(self.name)
        return mask(self.args) if mask else self.args

    def to_json(self) -> str:
        return json.dumps(self.record(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Operation:
        """The operation a record describes. A record of an older journal has no ``id``:
        its uid is then made from its contents, the same at every reading."""
        values = dict(record)
        name = values.pop("op", None)
        uid = values.pop("id", None)
        function = OPERATIONS.get(name) if isinstance(name, str) else None
        if function is None:
            raise UnknownOperation(f"no operation {name!r}")
        if not isinstance(uid, str) or not uid:
            uid = hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False)
                                 .encode()).hexdigest()[:32]
        try:
            typed = record_type(name).validate_json(json.dumps(values, ensure_ascii=False))
        except ValidationError as exc:
            raise UnknownOperation(f"{name}: {_problems(exc)}") from None
        except ValueError as exc:  # a text JSON cannot carry (a lone surrogate)
            raise UnknownOperation(f"{name}: unreadable arguments ({exc})") from exc
        return cls(name, {key: getattr(typed, key) for key in values}, uid)

    @classmethod
    def from_json(cls, text: str) -> Operation:
        try:
            record = json.loads(text)
        except ValueError as exc:
            raise UnknownOperation(f"not an operation: {exc}") from exc
        if not isinstance(record, dict):
            raise UnknownOperation("not an operation")
        return cls.from_record(record)


def name_of(text: str) -> str:
    """The name of the operation a JSON record names, even when its arguments do not fit;
    "?" when it names none."""
    try:
        name = json.loads(text).get("op")
    except (ValueError, AttributeError):
        return "?"
    return name if isinstance(name, str) and name else "?"


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _encode(item) for key, item in value.items()}
    return value


# ------------------------------------------------------------------ applying


_RECORD_APPLIED = Compiled(
    "INSERT INTO received_operation (uid, received_at) VALUES (:uid, :at) "
    "ON CONFLICT (uid) DO NOTHING RETURNING uid", {"at": received_operation.c.received_at.type})


def first_time(session: Session, uid: str, now: datetime | None = None) -> bool:
    """Record that the operation ``uid`` is applied in this transaction; False when it was
    applied before (by a transaction that committed). Two transactions recording the same
    uid at once: the second waits for the first, then finds it recorded."""
    at = (now or datetime.now(timezone.utc)).replace(tzinfo=None)
    return bool(_RECORD_APPLIED.rows(session.connection(), {"uid": uid, "at": at}))


def forget_applied(session: Session, before: datetime, limit: int = FORGET_BATCH) -> int:
    """Forget up to ``limit`` of the operations applied before ``before`` (they would
    otherwise add a row for every write, for ever); returns how many were forgotten."""
    cutoff = before.astimezone(timezone.utc).replace(tzinfo=None)
    connection = session.connection()
    # read first: most days there is nothing to forget, and a read takes no write lock
    oldest = list(connection.execute(sa.select(received_operation.c.uid).where(
        received_operation.c.received_at < cutoff).limit(limit)).scalars())
    if not oldest:
        return 0
    connection.execute(received_operation.delete().where(
        received_operation.c.uid.in_(oldest)))
    return len(oldest)


def perform(session: Session, operation: Operation, rules: DemandRules,
            ship: bool = False) -> Any:
    """Apply ``operation`` in the session's transaction, once: one applied before returns
    None and changes nothing. ``ship``: also keep it in the outbox for the server (team
    mode), in the same transaction.

    In team mode an operation may name a record this file does not hold: another agent's
    promise marked kept from the team's history, say. It is then kept for the server alone
    (which applies it, or refuses it for good if it has no such record either). The
    operations look their records up before they write anything, so nothing is half done
    here when that happens."""
    if not first_time(session, operation.uid):
        return None
    try:
        result = operation.apply(session, rules)
    except repository.NotFound:
        if not ship:
            raise
        result = None
    if ship:
        session.connection().execute(outbox.insert().values(
            uid=operation.uid, operation=operation.to_json(),
            created_at=datetime.now(timezone.utc).replace(tzinfo=None), problem=""))
    return result


# ------------------------------------------------------------------ the operations


@_operation
def start_contact(session: Session, rules: DemandRules, uid: str, agent: str,
                  playbook_id: str, playbook_version: int, started_at: datetime,
                  phone: str = "", caller_name: str = "",
                  phone_region: str = DEFAULT_REGION, direction: str = repository.INCOMING,
                  case_uid: str = ""):
    """A record written before calls had a direction is an incoming call; one written
    before a call could continue a case starts a new case."""
    return repository.start_contact(session, NewContact(
        uid, agent, playbook_id, playbook_version, started_at, phone, caller_name,
        phone_region, direction, case_uid))


@_operation
def move_contact(session: Session, rules: DemandRules, contact_uid: str, case_uid: str,
                 actor: str, at: datetime):
    return repository.move_contact(session, contact_uid, case_uid, actor, at)


@_operation
def add_note(session: Session, rules: DemandRules, contact_uid: str, note_uid: str,
             kind: NoteKind, text: str, offset_ms: int, agent: str, created_at: datetime,
             due_at: datetime | None = None):
    return repository.add_note(session, contact_uid, note_uid, kind, text, offset_ms, agent,
                               created_at, rules, due_at)


@_operation
def edit_note(session: Session, rules: DemandRules, note_uid: str, text: str, actor: str,
              at: datetime):
    return repository.edit_note(session, note_uid, text, actor, at, rules)


@_operation
def delete_note(session: Session, rules: DemandRules, note_uid: str, actor: str,
                at: datetime):
    return repository.delete_note(session, note_uid, actor, at)


@_operation
def restore_note(session: Session, rules: DemandRules, note_uid: str, actor: str,
                 at: datetime):
    return repository.restore_note(session, note_uid, actor, at)


@_operation
def review_flag(session: Session, rules: DemandRules, review_uid: str, note_uid: str,
                category: str, state: FlagState, actor: str, at: datetime):
    return flag_reviews.review_flag(session, rules, review_uid, note_uid, category, state,
                                    actor, at)


@_operation
def complete_promise(session: Session, rules: DemandRules, note_uid: str, by: str,
                     at: datetime):
    note_id = session.exec(select(Note.id).where(Note.uid == note_uid)).first()
    if note_id is None:
        raise repository.NotFound(f"no promise {note_uid}")
    return repository.complete_promise(session, note_id, by, at)


@_operation
def complete_prevention(session: Session, rules: DemandRules, case_uid: str, by: str,
                        at: datetime):
    return repository.complete_prevention(session, case_uid, by, at)


@_operation
def update_customer(session: Session, rules: DemandRules, contact_uid: str,
                    profile: CustomerProfile, at: datetime, region: str = DEFAULT_REGION):
    return repository.update_customer(session, contact_uid, profile, at, region)


@_operation
def set_hold(session: Session, rules: DemandRules, contact_uid: str, on_hold: bool,
             talk_seconds: float, hold_seconds: float):
    return repository.set_hold(session, contact_uid, on_hold, talk_seconds, hold_seconds)


@_operation
def end_contact(session: Session, rules: DemandRules, contact_uid: str, ended_at: datetime,
                talk_seconds: float, hold_seconds: float):
    return repository.end_contact(session, contact_uid, ended_at, talk_seconds, hold_seconds)


@_operation
def record_step_change(session: Session, rules: DemandRules, contact_uid: str,
                       change: StepChange, agent: str, at: datetime):
    return repository.record_step_change(session, contact_uid, change, agent, at)


@_operation
def save_wrap_up(session: Session, rules: DemandRules, contact_uid: str, wrap_up: WrapUp,
                 actor: str, at: datetime):
    return repository.save_wrap_up(session, contact_uid, wrap_up, actor, at)


@_operation
def set_case_levels(session: Session, rules: DemandRules, contact_uid: str,
                    urgency: Level | str, impact: Level | str, actor: str, at: datetime):
    return repository.set_case_levels(session, contact_uid, urgency, impact, actor, at)


@_operation
def record_escalation(session: Session, rules: DemandRules, contact_uid: str,
                      reasons: list[str], summary: str, agent: str, offset_ms: int,
                      at: datetime):
    return repository.record_escalation(session, contact_uid, reasons, summary, agent,
                                        offset_ms, at)


@_operation
def add_handler(session: Session, rules: DemandRules, contact_uid: str, name: str, role: str,
                at: datetime, actor: str = ""):
    """A record written before the agent was named is recorded under the handler's name."""
    return repository.add_handler(session, contact_uid, name, role, at, actor)


# ------------------------------------------------------------------ the live layer (team mode)


@_operation
def raise_hand(session: Session, rules: DemandRules, hand_uid: str, contact_uid: str,
               agent: str, reason: str, at: datetime):
    return live.raise_hand(session, hand_uid, contact_uid, agent, reason, at)


@_operation
def set_hand_reason(session: Session, rules: DemandRules, hand_uid: str, reason: str):
    return live.set_hand_reason(session, hand_uid, reason)


@_operation
def lower_hand(session: Session, rules: DemandRules, hand_uid: str, at: datetime):
    return live.lower_hand(session, hand_uid, at)


@_operation
def publish_call(session: Session, rules: DemandRules, live_state: live.LiveState,
                 at: datetime):
    return live.publish_call(session, live_state, at)
