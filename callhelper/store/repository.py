"""Repository functions: each takes a Session and works in the caller's unit
of work (the caller commits). Datetimes are timezone-aware; they come back in UTC.

What a person typed arrives with its card numbers masked already (store/operations.py),
but for a note's words: those are masked here, where the cards masked are counted."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.engine import Connection
from sqlalchemy.orm import configure_mappers, make_transient_to_detached
from sqlalchemy.orm.attributes import manager_of_class
from sqlmodel import Session, col, select

from callhelper.core.audit import Action, Entity, record_uid
from callhelper.core.case import Level, NoteKind, WrapUp
from callhelper.core.flags import DemandRules, analyze
from callhelper.core.phones import DEFAULT_REGION, normalize_phone
from callhelper.core.pii import mask_card_numbers, masked_phone, masked_words
from callhelper.core.session import StepChange
from callhelper.core.text import storable_text
from callhelper.store import audit, grams
from callhelper.store.compiled import Compiled
from callhelper.store.dialect import insert_construct
from callhelper.store.models import (Contact, ContactHandler, Customer, CustomerPhone,
                                     Escalation, Note, StepEvent, SupportCase)

#: A contact's direction: the customer called, or the agent called the customer.
INCOMING = "incoming"
OUTGOING = "outgoing"
DIRECTIONS = (INCOMING, OUTGOING)

#: The kinds of note that hold the customer's words, and so are checked for demands.
CUSTOMER_WORDS = (NoteKind.QUOTE, NoteKind.REQUEST)


class NotFound(LookupError):
    """A record the caller named does not exist."""


@dataclass(frozen=True)
class NewContact:
    uid: str
    agent: str
    playbook_id: str
    playbook_version: int
    started_at: datetime
    phone: str = ""
    caller_name: str = ""
    phone_region: str = DEFAULT_REGION
    direction: str = INCOMING
    #: The open case the call continues (a caller calling back about it); empty: a new case.
    case_uid: str = ""


@dataclass(frozen=True)
class UnfinishedContact:
    """A contact left active or awaiting its wrap-up, with what it holds so far."""

    contact: Contact
    case: SupportCase
    notes: list[Note]
    ticked: dict[str, float]


def start_contact(session: Session, new: NewContact) -> Contact:
    """Record a call that has started, on the case it continues (``new.case_uid``) or on a
    new case of its own, with its customer (if known)."""
    if new.direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}")
    existing = _contact_by_uid(session, new.uid, required=False)
    if existing is not None:
        return existing
    now = new.started_at
    number = normalize_phone(new.phone, new.phone_region)
    customer = _customer_for_caller(session, number.typed, number.key, new.caller_name.strip(),
                                    now)
    case = _case_by_uid(session, new.case_uid) if new.case_uid else None
    if case is None:
        case = _new_case(session, new.uid, customer.id if customer else None, new.agent, now)
    contact = Contact(uid=new.uid, case_id=case.id, customer_id=case.customer_id,
                      agent=new.agent, phone=number.typed, phone_key=number.key,
                      caller_name=new.caller_name.strip(), playbook_id=new.playbook_id,
                      playbook_version=new.playbook_version, started_at=now,
                      direction=new.direction)
    session.add(contact)
    session.flush()
    session.add(ContactHandler(contact_id=contact.id, name=new.agent, role="agent",
                               joined_at=now))
    if customer is not None:
        _reseal(session, new.agent, Entity.CUSTOMER, record_uid(customer.id), now)
    _reseal(session, new.agent, Entity.CONTACT, contact.uid, now)
    return contact


def _reseal(session: Session, actor: str, entity: Entity, uid: str, at: datetime) -> None:
    """The trail follows this case, call or customer as it now is (audit.reseal)."""
    audit.reseal_session(session, actor, entity, uid, at)


def _new_case(session: Session, uid: str, customer_id: int | None, agent: str,
              now: datetime) -> SupportCase:
    case = SupportCase(uid=uid, customer_id=customer_id, created_at=now, updated_at=now)
    session.add(case)
    session.flush()
    audit.record(session, agent, Action.CREATE, Entity.CASE, case.uid, None,
                 audit.case_snapshot(case), now)
    return case


def _case_by_uid(session: Session, uid: str) -> SupportCase | None:
    return session.exec(select(SupportCase).where(SupportCase.uid == uid)).first()


def move_contact(session: Session, contact_uid: str, case_uid: str, actor: str,
                 at: datetime) -> SupportCase:
    """Put a call under way on another case: the open case ``case_uid`` of the caller, or
    (empty, or a case no longer stored) a new case of its own. Its flags are counted on
    the case it joins; the case it leaves, if no other call is on it, is removed (it was
    made for this call, which is now part of another case)."""
    contact = _contact_by_uid(session, contact_uid)
    case = _case_by_uid(session, case_uid) if case_uid else None
    if case is None:
        case = _case_by_uid(session, contact.uid) or _new_case(
            session, contact.uid, contact.customer_id, actor, at)
    left = session.get(SupportCase, contact.case_id)
    if case.id == left.id:
        return case
    flags = sum(len(note.flags) for note in contact_notes(session, contact.id))
    _count_flags(session, left.id, -flags)
    _count_flags(session, case.id, flags)
    contact.case_id = case.id
    session.add(contact)
    _reseal(session, actor, Entity.CONTACT, contact.uid, at)
    others = session.exec(select(Contact.id).where(Contact.case_id == left.id)).first()
    if others is None:
        grams.cases_changed(session.connection(),
                            [(left.id, (left.subject, left.fix, left.prevention), ("", "", ""))])
        audit.record(session, actor, Action.DELETE, Entity.CASE, left.uid,
                     audit.case_snapshot(left), None, at)
        session.delete(left)
    return case


def _customer_for_caller(session: Session, phone: str, key: str, name: str,
                         now: datetime) -> Customer | None:
    if not phone and not name:
        return None
    customer = find_customer(session, key) if key else None
    if customer is None:
        customer = Customer(name=name, phone=phone, phone_key=key, created_at=now)
        session.add(customer)
        session.flush()
        if key:
            session.add(CustomerPhone(customer_id=customer.id, phone=phone, phone_key=key))
    elif name and not customer.name:
        customer.name = name
    return customer


def add_note(session: Session, contact_uid: str, note_uid: str, kind: NoteKind, text: str,
             offset_ms: int, agent: str, created_at: datetime, rules: DemandRules,
             due_at: datetime | None = None) -> Note:
    """Store a note exactly as typed, card numbers masked first (and a lone surrogate, which
    cannot be stored, replaced: core/text.py).

    The customer's words are checked for demands: the flags and requests are stored on
    the note and the flags counted on the case. A note whose uid is already stored is
    returned as it is, so a retried write never makes a twin.
    """
    connection = session.connection()
    found = CONTACT_IDS.rows(connection, {"uid": contact_uid})
    if not found:
        existing = _stored_note(session, note_uid)
        if existing is not None:
            return existing
        raise NotFound(f"no contact {contact_uid}")
    contact_id, case_id = found[0]
    kind = NoteKind(kind)
    stored, masked, flags, requests = _checked(kind, text, rules)
    values = {"uid": note_uid, "contact_id": contact_id, "kind": kind.value, "text": stored,
              "offset_ms": max(0, int(offset_ms)), "agent": agent, "created_at": created_at,
              "masked_cards": masked, "flags": flags, "requests": requests,
              "due_at": due_at if kind is NoteKind.PROMISE else None, **NOTE_DEFAULTS}
    inserted = _insert_note(connection).rows(connection, values)
    if not inserted:  # stored already: a retried write
        return _stored_note(session, note_uid)
    note_id = inserted[0][0]
    grams.notes_changed(connection, [(note_id, "", stored)])
    _count_flags(session, case_id, len(flags))
    note = _persistent(session, Note, {**values, "id": note_id})
    audit.append(connection, agent, Action.CREATE, Entity.NOTE, note_uid, None,
                 audit.note_snapshot(note, contact_uid), created_at)
    return note


#: Looking up a contact's ids by its uid, for writers that need nothing else of it.
CONTACT_IDS = Compiled("SELECT id, case_id FROM contact WHERE uid = :uid")
#: What a new note holds in the columns add_note has no value for.
NOTE_DEFAULTS = {"done_at": None, "done_by": "", "edited_at": None}
#: Every column of a new note but its id.
NOTE_COLUMNS = ("uid", "contact_id", "kind", "text", "offset_ms", "agent", "created_at",
                "masked_cards", "flags", "requests", "due_at", *NOTE_DEFAULTS)
_INSERT_NOTE: dict[str, Compiled] = {}


def _insert_note(connection: Connection) -> Compiled:
    """A note's INSERT that does nothing when its uid is stored already and returns the new
    id (built once per kind of database)."""
    name = connection.dialect.name
    statement = _INSERT_NOTE.get(name)
    if statement is None:
        insert = insert_construct(connection)
        table = Note.__table__
        statement = _INSERT_NOTE[name] = Compiled(
            insert(table).values({column: bindparam(column) for column in NOTE_COLUMNS})
            .on_conflict_do_nothing(index_elements=[table.c.uid]).returning(table.c.id),
            {column: table.c[column].type for column in NOTE_COLUMNS})
    return statement


def _stored_note(session: Session, uid: str) -> Note | None:
    return session.exec(select(Note).where(Note.uid == uid)).first()


def _persistent(session: Session, model: type, values: dict[str, Any]):
    """A model object for a row just written with ``values`` (every column), made part of
    the session as if it had been loaded."""
    instance = loaded(model, values)
    session.add(instance)
    return instance


def loaded(model: type, values: dict[str, Any]):
    """A model object for a stored row whose columns are ``values``, as the ORM loads one
    (detached from any session): building it through the model's constructor validates
    every field again, which costs more than reading or writing the row. It uses the ORM's
    internals, under the version bounds of pyproject.toml (see compiled.py)."""
    configure_mappers()  # once: the first write may come before any query
    instance = manager_of_class(model).new_instance()
    instance.__dict__.update(values)
    make_transient_to_detached(instance)
    return instance


def _checked(kind: NoteKind, text: str, rules: DemandRules) -> tuple[str, int, list, list]:
    """The text to store (storable, card numbers masked), how many were masked, and for
    the customer's words the demands found in them: flags and requests."""
    if kind in CUSTOMER_WORDS:
        analysis = analyze(text, rules)
        return (analysis.text, analysis.masked_cards, list(analysis.flag_categories),
                list(analysis.request_categories))
    stored, masked = mask_card_numbers(storable_text(text)[0])
    return stored, masked, [], []


def _count_flags(session: Session, case_id: int, change: int) -> None:
    if change:
        case = session.get(SupportCase, case_id)
        case.flag_count = max(0, case.flag_count + change)
        session.add(case)


def edit_note(session: Session, note_uid: str, text: str, actor: str, at: datetime,
              rules: DemandRules) -> Note:
    """Change a note's words. The new words are checked like new ones; the old ones stay
    in the audit trail as the note's earlier revision."""
    note, contact = _note_by_uid(session, note_uid)
    before = audit.note_snapshot(note, contact.uid)
    stored, masked, flags, requests = _checked(NoteKind(note.kind), text, rules)
    if stored == note.text:
        return note
    _count_flags(session, contact.case_id, len(flags) - len(note.flags))
    grams.notes_changed(session.connection(), [(note.id, note.text, stored)])
    note.text, note.masked_cards, note.flags, note.requests = stored, masked, flags, requests
    note.edited_at = at
    session.add(note)
    audit.record(session, actor, Action.EDIT, Entity.NOTE, note.uid, before,
                 audit.note_snapshot(note, contact.uid), at)
    return note


def delete_note(session: Session, note_uid: str, actor: str, at: datetime) -> None:
    """Remove a note; its words stay in the audit trail. Deleting it again does nothing."""
    found = session.exec(select(Note).where(Note.uid == note_uid)).first()
    if found is None:
        return
    note, contact = _note_by_uid(session, note_uid)
    before = audit.note_snapshot(note, contact.uid)
    _count_flags(session, contact.case_id, -len(note.flags))
    grams.notes_changed(session.connection(), [(note.id, note.text, "")])
    session.delete(note)
    audit.record(session, actor, Action.DELETE, Entity.NOTE, note_uid, before, None, at)


def restore_note(session: Session, note_uid: str, actor: str, at: datetime) -> Note:
    """Put a deleted note back as it was deleted (the undo of a deletion): its words, call
    time, flags and promise come from the state the audit trail kept at the deletion, under
    its own uid; the trail records it created again by ``actor``. Restoring a note that is
    there returns it as it is."""
    existing = _stored_note(session, note_uid)
    if existing is not None:
        return existing
    entries = audit.history_of(session, Entity.NOTE, note_uid)
    if not entries or entries[-1].action != Action.DELETE.value or not entries[-1].before:
        raise NotFound(f"no deleted note {note_uid}")
    state = entries[-1].before_state()
    connection = session.connection()
    found = CONTACT_IDS.rows(connection, {"uid": state["contact"]})
    if not found:
        raise NotFound(f"no contact {state['contact']}")
    contact_id, case_id = found[0]
    values = {"uid": note_uid, "contact_id": contact_id, "kind": state["kind"],
              "text": state["text"], "offset_ms": state["offset_ms"], "agent": state["agent"],
              "created_at": _moment(state.get("created_at") or entries[0].at),
              "masked_cards": state.get("masked_cards", 0),
              "flags": state["flags"], "requests": state["requests"],
              "due_at": _moment(state["due_at"]), "done_at": _moment(state["done_at"]),
              "done_by": state["done_by"], "edited_at": _moment(state.get("edited_at"))}
    note_id = _insert_note(connection).rows(connection, values)[0][0]
    grams.notes_changed(connection, [(note_id, "", values["text"])])
    _count_flags(session, case_id, len(values["flags"]))
    note = _persistent(session, Note, {**values, "id": note_id})
    audit.append(connection, actor, Action.CREATE, Entity.NOTE, note_uid, None,
                 audit.note_snapshot(note, state["contact"]), at)
    return note


def _moment(stamp: str | None) -> datetime | None:
    return datetime.fromisoformat(stamp) if stamp else None


def _note_by_uid(session: Session, uid: str) -> tuple[Note, Contact]:
    note = session.exec(select(Note).where(Note.uid == uid)).first()
    if note is None:
        raise NotFound(f"no note {uid}")
    return note, session.get(Contact, note.contact_id)


def complete_promise(session: Session, note_id: int, by: str, at: datetime) -> Note:
    """Mark a promise kept: who and when are recorded; the note's words stay as they were."""
    note = session.get(Note, note_id)
    if note is None or note.kind != NoteKind.PROMISE.value:
        raise NotFound(f"no promise {note_id}")
    if note.done_at is None:
        contact = session.get(Contact, note.contact_id)
        before = audit.note_snapshot(note, contact.uid)
        note.done_at, note.done_by = at, by
        session.add(note)
        audit.record(session, by, Action.EDIT, Entity.NOTE, note.uid, before,
                     audit.note_snapshot(note, contact.uid), at)
    return note


def complete_prevention(session: Session, case_uid: str, by: str, at: datetime) -> SupportCase:
    """Mark a case's prevention item (再発防止) done: who and when are recorded. It is done on
    its own — resolving the case does not do it — so that it stays in the supervisor's
    review until the change it names has been made. Recorded in the audit trail as an
    entity of its own (core/audit.py)."""
    case = session.exec(select(SupportCase).where(SupportCase.uid == case_uid)).first()
    if case is None or not case.prevention:
        raise NotFound(f"no prevention item in case {case_uid}")
    if case.prevention_done_at is None:
        case.prevention_done_at, case.prevention_done_by = at, by
        session.add(case)
        audit.record(session, by, Action.CREATE, Entity.PREVENTION, case.uid, None,
                     audit.prevention_snapshot(case), at)
    return case


def _edit_case(session: Session, contact_uid: str, actor: str, at: datetime,
               change) -> SupportCase:
    """Apply ``change`` to the contact's case and record it in the audit trail."""
    contact = _contact_by_uid(session, contact_uid)
    case = session.get(SupportCase, contact.case_id)
    before = audit.case_snapshot(case)
    words = (case.subject, case.fix, case.prevention)
    change(case, contact)
    grams.cases_changed(session.connection(),
                        [(case.id, words, (case.subject, case.fix, case.prevention))])
    case.updated_at = at
    session.add(case)
    audit.record(session, actor, Action.EDIT, Entity.CASE, case.uid, before,
                 audit.case_snapshot(case), at)
    return case


def set_case_levels(session: Session, contact_uid: str, urgency: Level | str,
                    impact: Level | str, actor: str, at: datetime) -> None:
    """Urgency (緊急度) and impact (重要度), as the agent judges them during the call;
    an empty value means not assessed yet."""
    def change(case: SupportCase, _contact: Contact) -> None:
        case.urgency = Level(urgency).value if urgency else ""
        case.impact = Level(impact).value if impact else ""
    _edit_case(session, contact_uid, actor, at, change)


def record_escalation(session: Session, contact_uid: str, reasons: list[str], summary: str,
                      agent: str, offset_ms: int, at: datetime) -> Escalation:
    contact = _contact_by_uid(session, contact_uid)
    escalation = Escalation(contact_id=contact.id, reasons=list(reasons), summary=summary,
                            agent=agent, offset_ms=offset_ms, created_at=at)
    session.add(escalation)
    _reseal(session, agent, Entity.CONTACT, contact.uid, at)
    return escalation


def add_handler(session: Session, contact_uid: str, name: str, role: str,
                at: datetime, actor: str = "") -> ContactHandler:
    """Record someone who handled the contact (a senior who took over, say), recorded by
    ``actor`` (the agent on the call; on a team's server the trail's entry must carry the
    login's name) or, when not given, under the handler's name."""
    contact = _contact_by_uid(session, contact_uid)
    handler = ContactHandler(contact_id=contact.id, name=name, role=role, joined_at=at)
    session.add(handler)
    _reseal(session, actor or name, Entity.CONTACT, contact.uid, at)
    return handler


def contact_handlers(session: Session, contact_uid: str) -> list[ContactHandler]:
    contact = _contact_by_uid(session, contact_uid)
    return list(session.exec(select(ContactHandler).where(ContactHandler.contact_id == contact.id)
                             .order_by(col(ContactHandler.id))).all())


@dataclass(frozen=True)
class CustomerProfile:
    """What every agent sees of a customer at the next call (their preferences and promises)."""

    name: str = ""
    company: str = ""
    preferred_channel: str = ""
    unavailable: str = ""
    note: str = ""
    other_numbers: str = ""

    def numbers(self) -> list[str]:
        """The other numbers, as written, split at commas, 、 and ;."""
        return [n.strip() for n in _NUMBER_SEPARATOR.split(self.other_numbers) if n.strip()]

    def masked(self, region: str) -> CustomerProfile:
        """The profile as it may be stored: card numbers masked in every field, and in each
        of the other numbers that is no phone number."""
        words = {name: masked_words(getattr(self, name)) for name in
                 ("name", "company", "preferred_channel", "unavailable", "note")}
        numbers = "".join(masked_phone(part, region) for part in
                          re.split(f"({_NUMBER_SEPARATOR.pattern})", self.other_numbers))
        return CustomerProfile(**words, other_numbers=numbers)


_NUMBER_SEPARATOR = re.compile(r"[,、;；]")


def update_customer(session: Session, contact_uid: str, profile: CustomerProfile,
                    at: datetime, region: str = DEFAULT_REGION) -> Customer:
    """Save the profile of the contact's customer, creating the customer if the caller was
    unknown; the contact (and its case) then belong to that customer."""
    contact = _contact_by_uid(session, contact_uid)
    customer = session.get(Customer, contact.customer_id) if contact.customer_id else None
    if customer is None:
        customer = Customer(phone=contact.phone, phone_key=contact.phone_key, created_at=at)
    for field_name in ("name", "company", "preferred_channel", "unavailable", "note"):
        setattr(customer, field_name, getattr(profile, field_name).strip())
    session.add(customer)
    session.flush()
    calling = [contact.phone] if contact.phone_key else []
    _set_numbers(session, customer, calling + profile.numbers(), region)
    if contact.customer_id != customer.id:
        contact.customer_id = customer.id
        case = session.get(SupportCase, contact.case_id)
        case.customer_id = customer.id
        session.add(contact)
        session.add(case)
        _reseal(session, contact.agent, Entity.CASE, case.uid, at)
    if customer.name and not contact.caller_name:
        contact.caller_name = customer.name
        session.add(contact)
    _reseal(session, contact.agent, Entity.CUSTOMER, record_uid(customer.id), at)
    _reseal(session, contact.agent, Entity.CONTACT, contact.uid, at)
    return customer


def _set_numbers(session: Session, customer: Customer, others: list[str], region: str) -> None:
    """The customer's numbers: the main one and ``others``; each key once."""
    wanted = {customer.phone_key: customer.phone} if customer.phone_key else {}
    for typed in others:
        wanted.setdefault(normalize_phone(typed, region).key, typed)
    existing = session.exec(select(CustomerPhone).where(
        CustomerPhone.customer_id == customer.id)).all()
    for row in existing:
        if row.phone_key not in wanted:
            session.delete(row)
    known = {row.phone_key for row in existing}
    for key, typed in wanted.items():
        if key not in known:
            session.add(CustomerPhone(customer_id=customer.id, phone=typed, phone_key=key))


def customer_numbers(session: Session, customer_id: int) -> list[CustomerPhone]:
    return list(session.exec(select(CustomerPhone).where(CustomerPhone.customer_id == customer_id)
                             .order_by(col(CustomerPhone.id))).all())


def find_customer(session: Session, key: str) -> Customer | None:
    """The customer one of whose numbers has this key (the oldest record, if several)."""
    return session.exec(
        select(Customer).join(CustomerPhone, col(CustomerPhone.customer_id) == Customer.id)
        .where(CustomerPhone.phone_key == key).order_by(col(Customer.id))).first()


def record_step_change(session: Session, contact_uid: str, change: StepChange, agent: str,
                       at: datetime) -> StepEvent:
    contact = _contact_by_uid(session, contact_uid)
    event = StepEvent(contact_id=contact.id, step_id=change.step_id, done=change.done,
                      offset_ms=round(change.offset_seconds * 1000),
                      step_elapsed_ms=round(change.step_elapsed_seconds * 1000),
                      agent=agent, created_at=at)
    session.add(event)
    _reseal(session, agent, Entity.CONTACT, contact.uid, at)
    return event


def set_hold(session: Session, contact_uid: str, on_hold: bool, talk_seconds: float,
             hold_seconds: float) -> None:
    """Hold or resume, with the talk and hold time so far (a restart resumes from them)."""
    contact = _contact_by_uid(session, contact_uid)
    contact.on_hold = on_hold
    contact.talk_seconds = talk_seconds
    contact.hold_seconds = hold_seconds
    session.add(contact)
    _reseal(session, contact.agent, Entity.CONTACT, contact.uid, datetime.now(timezone.utc))


def end_contact(session: Session, contact_uid: str, ended_at: datetime, talk_seconds: float,
                hold_seconds: float) -> Contact:
    """The call is over; the contact waits for its wrap-up."""
    contact = _contact_by_uid(session, contact_uid)
    contact.state = "wrap_up"
    contact.ended_at = ended_at
    contact.talk_seconds = talk_seconds
    contact.hold_seconds = hold_seconds
    contact.on_hold = False
    session.add(contact)
    _reseal(session, contact.agent, Entity.CONTACT, contact.uid, ended_at)
    return contact


def save_wrap_up(session: Session, contact_uid: str, wrap_up: WrapUp, actor: str,
                 at: datetime) -> SupportCase:
    """Record the wrap-up on the contact's case and close the contact."""
    def change(case: SupportCase, contact: Contact) -> None:
        case.subject = wrap_up.subject
        case.urgency = wrap_up.urgency.value if wrap_up.urgency else ""
        case.impact = wrap_up.impact.value if wrap_up.impact else ""
        case.fix = wrap_up.fix
        case.prevention = wrap_up.prevention
        case.status = wrap_up.status.value
        if contact.ended_at is None:
            contact.ended_at = at
        contact.state = "closed"
        session.add(contact)
    case = _edit_case(session, contact_uid, actor, at, change)
    _reseal(session, actor, Entity.CONTACT, contact_uid, at)
    return case


def unfinished_contact(session: Session, agent: str) -> UnfinishedContact | None:
    """The agent's newest contact that is still active or awaiting its wrap-up."""
    contact = session.exec(
        select(Contact).where(Contact.agent == agent, col(Contact.state).in_(("active", "wrap_up")))
        .order_by(col(Contact.id).desc())).first()
    if contact is None:
        return None
    case = session.get(SupportCase, contact.case_id)
    events = session.exec(select(StepEvent).where(StepEvent.contact_id == contact.id)
                          .order_by(col(StepEvent.id))).all()
    ticked: dict[str, float] = {}
    for event in events:
        if event.done:
            ticked[event.step_id] = event.step_elapsed_ms / 1000
        else:
            ticked.pop(event.step_id, None)
    return UnfinishedContact(contact, case, contact_notes(session, contact.id), ticked)


def contact_notes(session: Session, contact_id: int) -> list[Note]:
    """The notes of one contact in the order they were taken."""
    return list(session.exec(select(Note).where(Note.contact_id == contact_id)
                             .order_by(col(Note.offset_ms), col(Note.id))).all())


def _contact_by_uid(session: Session, uid: str, required: bool = True) -> Contact | None:
    contact = session.exec(select(Contact).where(Contact.uid == uid)).first()
    if contact is None and required:
        raise NotFound(f"no contact {uid}")
    return contact
