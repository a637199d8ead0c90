"""Reading the harassment evidence of a case: its confirmed and hand-flagged statements with
their context, the flags dismissed, and how many suspicions nobody reviewed."""

from __future__ import annotations

from datetime import datetime, timezone
from itertools import groupby

from sqlmodel import Session, col, select

from callhelper.core.evidence import (CaseEvidence, DismissedFlag, EvidenceContact,
                                      EvidenceNote, FlaggedStatement)
from callhelper.core.flag_review import FlagState, NoteFlag
from callhelper.store import flag_reviews
from callhelper.store.anchor import trail_end
from callhelper.store.models import Contact, ContactHandler, Customer, Note, SupportCase


def case_evidence(session: Session, case_id: int) -> CaseEvidence | None:
    """The case's flagged statements, call by call in the order they were made, each with the
    notes just before and after it in the same call; None if there is no such case."""
    case = session.get(SupportCase, case_id)
    if case is None:
        return None
    contacts = session.exec(select(Contact).where(Contact.case_id == case_id)
                            .order_by(col(Contact.started_at), col(Contact.id))).all()
    handlers: dict[int, list[tuple[str, str]]] = {}
    for handler in session.exec(
            select(ContactHandler).join(Contact, col(Contact.id) == ContactHandler.contact_id)
            .where(Contact.case_id == case_id).order_by(col(ContactHandler.id))):
        handlers.setdefault(handler.contact_id, []).append((handler.name, handler.role))
    notes = session.exec(select(Note).join(Contact, col(Contact.id) == Note.contact_id)
                         .where(Contact.case_id == case_id)
                         .order_by(col(Note.contact_id), col(Note.offset_ms), col(Note.id))).all()
    flags = flag_reviews.flags_of(session, notes)
    by_contact = {contact_id: [_note(note, flags[note.uid]) for note in group]
                  for contact_id, group in groupby(notes, key=lambda note: note.contact_id)}
    statements, dismissed, unreviewed = [], [], 0
    for contact in contacts:
        call = EvidenceContact(contact.id, _utc(contact.started_at), contact.agent,
                               contact.phone, contact.caller_name,
                               tuple(handlers.get(contact.id, ())))
        taken = by_contact.get(contact.id, [])
        for index, note in enumerate(taken):
            if note.evidence_flags:
                statements.append(FlaggedStatement(
                    call, note, taken[index - 1] if index > 0 else None,
                    taken[index + 1] if index + 1 < len(taken) else None))
            dismissed += [DismissedFlag(call, note, flag) for flag in note.flags
                          if flag.state is FlagState.DISMISSED]
            unreviewed += sum(flag.state is FlagState.SUSPECTED for flag in note.flags)
    customer = session.get(Customer, case.customer_id) if case.customer_id else None
    name = customer.name if customer else ""
    phone = customer.phone if customer else ""
    name = name or next((c.caller_name for c in contacts if c.caller_name), "")
    phone = phone or next((c.phone for c in contacts if c.phone), "")
    return CaseEvidence(case.id, case.subject, case.status, _utc(case.created_at), name, phone,
                        tuple(statements), tuple(dismissed), unreviewed,
                        trail_end(session.connection()))


def _note(note: Note, flags: tuple[NoteFlag, ...]) -> EvidenceNote:
    return EvidenceNote(note.id, note.kind, note.text, note.offset_ms, note.agent,
                        _utc(note.created_at), flags,
                        _utc(note.edited_at) if note.edited_at else None)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
