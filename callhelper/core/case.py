"""What a case records: the kinds of note, the wrap-up and its values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class NoteKind(StrEnum):
    """The kinds of note; QUOTE (the customer's exact words) is the default."""

    QUOTE = "quote"
    AGENT_NOTE = "agent_note"
    FACT = "fact"
    REQUEST = "request"
    PROMISE = "promise"


class Level(StrEnum):
    """Urgency (緊急度) and impact (重要度) of a case."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class CaseStatus(StrEnum):
    OPEN = "open"
    WAITING_CALLBACK = "waiting_callback"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class WrapUp:
    """What the agent records after the call; saving it closes the contact. Urgency and
    impact are None while not assessed."""

    subject: str
    urgency: Level | None
    impact: Level | None
    fix: str
    prevention: str
    status: CaseStatus
