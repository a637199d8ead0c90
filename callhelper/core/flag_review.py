"""What the agent made of the demand detector's flags: suspected, confirmed, dismissed, or
added by hand.

The detector reads words, and words mislead it: a refusal, a quotation, a product
complaint or a dialect can carry the patterns or miss them. So a flag the detector puts
on a note is a suspicion (``suspected``) until the agent says otherwise: ``confirmed``
(the statement is harassment), ``dismissed`` (it is not), or ``manual`` (the agent flags
what the detector missed: shouting, a tone, a dialect). Each decision is kept with who
made it and when; a later decision on the same note and category replaces an earlier one.
Only confirmed and manual flags are evidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class FlagState(StrEnum):
    SUSPECTED = "suspected"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    MANUAL = "manual"


#: The decisions an agent can record (a suspicion is the detector's).
DECISIONS = (FlagState.CONFIRMED, FlagState.DISMISSED, FlagState.MANUAL)
#: The states that are evidence of harassment.
EVIDENCE = (FlagState.CONFIRMED, FlagState.MANUAL)


@dataclass(frozen=True)
class FlagDecision:
    """One decision as stored: on which category, which state, by whom and when."""

    category: str
    state: FlagState
    by: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class NoteFlag:
    """A flag of a note as it stands; ``by`` and ``at`` are empty for a suspicion nobody
    reviewed yet."""

    category: str
    state: FlagState
    by: str = ""
    at: datetime | None = None

    @property
    def active(self) -> bool:
        """Whether it still counts as a flag (everything but a dismissed suspicion)."""
        return self.state is not FlagState.DISMISSED

    @property
    def evidence(self) -> bool:
        return self.state in EVIDENCE


def decided_state(detected: Iterable[str], category: str, wanted: FlagState) -> FlagState:
    """The state a decision records: a category flagged by hand that the detector had
    found already is a confirmation of it."""
    if wanted is FlagState.MANUAL and category in set(detected):
        return FlagState.CONFIRMED
    return wanted


def note_flags(detected: Iterable[str], decisions: Iterable[FlagDecision]) -> tuple[NoteFlag, ...]:
    """A note's flags: the detector's categories in its order, each suspected until the
    latest decision on it, then the categories added by hand. ``decisions`` oldest first."""
    latest: dict[str, FlagDecision] = {}
    for decision in decisions:
        latest.pop(decision.category, None)
        latest[decision.category] = decision
    flags = []
    for category in dict.fromkeys(detected):
        decision = latest.pop(category, None)
        flags.append(NoteFlag(category, FlagState.SUSPECTED) if decision is None else
                     NoteFlag(category, decision.state, decision.by, decision.at))
    flags += [NoteFlag(category, decision.state, decision.by, decision.at)
              for category, decision in latest.items()]
    return tuple(flags)


def states_text(flags: Iterable[NoteFlag]) -> str:
    """The flags in one CSV cell: ``threat:confirmed;insult:dismissed``."""
    return ";".join(f"{flag.category}:{flag.state.value}" for flag in flags)


def decided_states_text(detected: Iterable[str], decided: str) -> str:
    """``states_text`` of a note's flags from the detector's categories and its decisions
    written as that text too, oldest first (as the CSV export reads them)."""
    decisions = [FlagDecision(category, FlagState(state)) for category, state in
                 (pair.split(":", 1) for pair in decided.split(";") if pair)]
    return states_text(note_flags(detected, decisions))


def flag_review_state(note_uid: str, category: str, state: FlagState) -> dict[str, Any]:
    """A decision as the audit trail records it (who and when are the entry's own)."""
    return {"note": note_uid, "category": category, "state": FlagState(state).value}


@dataclass(frozen=True)
class CategoryReview:
    """How the floor judged the detector on one category: flags it raised that nobody
    reviewed, that agents confirmed or dismissed, and flags agents added by hand."""

    category: str
    unreviewed: int = 0
    confirmed: int = 0
    dismissed: int = 0
    manual: int = 0

    @property
    def confirmation_rate(self) -> float | None:
        """Confirmed of the reviewed suspicions: the detector's precision as the agents see
        it (None when none was reviewed)."""
        reviewed = self.confirmed + self.dismissed
        return self.confirmed / reviewed if reviewed else None
