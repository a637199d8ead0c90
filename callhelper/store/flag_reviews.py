"""Recording and reading the agents' decisions on demand flags (core/flag_review.py).

A decision is a new ``flag_review`` row, never a change to the note: the note keeps what the
detector found, and its audit trail stays as it was. Each decision gets its own entry in the
audit trail, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

from sqlmodel import Session, col, select

from callhelper.core.audit import Action, Entity
from callhelper.core.flag_review import (DECISIONS, FlagDecision, FlagState, NoteFlag,
                                         decided_state, flag_review_state, note_flags)
from callhelper.core.flags import FLAG, DemandRules
from callhelper.store import audit
from callhelper.store.models import FlagReview, Note
from callhelper.store.repository import NotFound

#: Notes looked up per query (below every database's limit on parameters).
CHUNK = 500


class NotAFlagCategory(ValueError):
    """A decision names a category that is no flag of the rules."""


def review_flag(session: Session, rules: DemandRules, review_uid: str, note_uid: str,
                category: str, state: FlagState | str, actor: str, at: datetime) -> FlagReview:
    """Record ``actor``'s decision on a flag of a note: confirmed, dismissed, or added by
    hand (a category the detector had found counts as confirmed then)."""
    state = FlagState(state)
    if state not in DECISIONS:
        raise ValueError(f"a flag is {', '.join(DECISIONS)} by an agent, not {state}")
    found = rules.category(category)
    if found is None or found.kind != FLAG:
        raise NotAFlagCategory(f"no flag category {category!r}")
    detected = session.exec(select(Note.flags).where(Note.uid == note_uid)).first()
    if detected is None:
        raise NotFound(f"no note {note_uid}")
    review = FlagReview(uid=review_uid, note_uid=note_uid, category=category,
                        state=decided_state(detected, category, state).value, actor=actor,
                        at=at)
    session.add(review)
    audit.record(session, actor, Action.CREATE, Entity.FLAG, review_uid, None,
                 flag_review_state(note_uid, category, review.state), at)
    return review


def decision(review: FlagReview) -> FlagDecision:
    at = review.at if review.at.tzinfo else review.at.replace(tzinfo=timezone.utc)
    return FlagDecision(review.category, FlagState(review.state), review.actor, at)


def decisions_of(session: Session, note_uids: Iterable[str]) -> dict[str, list[FlagDecision]]:
    """The decisions on these notes' flags, oldest first, by note uid."""
    uids = list(dict.fromkeys(note_uids))
    found: dict[str, list[FlagDecision]] = {}
    for start in range(0, len(uids), CHUNK):
        for review in session.exec(select(FlagReview).where(
                col(FlagReview.note_uid).in_(uids[start:start + CHUNK]))
                .order_by(col(FlagReview.id))):
            found.setdefault(review.note_uid, []).append(decision(review))
    return found


def flags_of(session: Session, notes: Iterable[Note]) -> dict[str, tuple[NoteFlag, ...]]:
    """Each note's flags as they stand, by note uid."""
    notes = list(notes)
    decided = decisions_of(session, (note.uid for note in notes))
    return {note.uid: note_flags(note.flags, decided.get(note.uid, ())) for note in notes}
