"""The harassment evidence of one case: every flagged statement with its context, for the
company's legal follow-up.

A statement is evidence once an agent confirmed one of its flags or flagged it by hand
(core/flag_review.py): what the detector only suspects is no finding. A statement comes
with the notes taken just before and just after it in the same call, the call's start and
handlers, and the case and customer it belongs to. Flags an agent dismissed are listed apart,
with who dismissed them and when, and suspicions nobody reviewed are only counted. Words are
exactly as stored (card numbers were masked at capture); times are absolute, in local time
with the offset from UTC, and as an offset from the call's start.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from callhelper.core.export import write_csv
from callhelper.core.flag_review import FlagState, NoteFlag
from callhelper.core.flags import DemandRules
from callhelper.core.session import format_offset

EVIDENCE_HEADER = ("no", "case", "subject", "customer", "phone", "contact_start", "handlers",
                   "recorded_at", "offset", "kind", "text", "edited_at", "categories",
                   "category_labels", "recorded_by", "flagged_by", "before_offset",
                   "before_kind", "before_text", "after_offset", "after_kind", "after_text",
                   "audit_entries", "audit_hash")


@dataclass(frozen=True)
class EvidenceNote:
    """A note as it was recorded."""

    note_id: int
    kind: str
    text: str
    offset_ms: int
    agent: str
    recorded_at: datetime
    #: Every flag of the note with its state (suspected, confirmed, dismissed, manual).
    flags: tuple[NoteFlag, ...] = ()
    #: When the words were last changed after capture (the earlier words are in the audit
    #: trail), or None.
    edited_at: datetime | None = None

    @property
    def evidence_flags(self) -> tuple[NoteFlag, ...]:
        """The flags an agent confirmed or added: what makes the note evidence."""
        return tuple(flag for flag in self.flags if flag.evidence)


@dataclass(frozen=True)
class EvidenceContact:
    """The call a statement was made in; ``handlers`` are (name, role) in the order they
    joined (role ``agent`` or ``senior``)."""

    contact_id: int
    started_at: datetime
    agent: str
    phone: str
    caller_name: str
    handlers: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FlaggedStatement:
    contact: EvidenceContact
    note: EvidenceNote
    before: EvidenceNote | None
    after: EvidenceNote | None


@dataclass(frozen=True)
class DismissedFlag:
    """A suspicion an agent dismissed: not evidence, listed with who dismissed it."""

    contact: EvidenceContact
    note: EvidenceNote
    flag: NoteFlag


@dataclass(frozen=True)
class CaseEvidence:
    case_id: int
    subject: str
    status: str
    opened_at: datetime
    customer_name: str
    customer_phone: str
    statements: tuple[FlaggedStatement, ...]
    dismissed: tuple[DismissedFlag, ...] = ()
    #: Flags the detector raised that no agent has confirmed or dismissed yet.
    unreviewed: int = 0
    #: The end of the database's audit trail when the evidence was read: how many entries
    #: it had and the last one's hash (``callhelper verify --against`` checks it later).
    trail_end: tuple[int, str] | None = None

    @property
    def categories(self) -> tuple[str, ...]:
        """Every category confirmed or added in the case, in the order they first occurred."""
        return tuple(dict.fromkeys(flag.category for statement in self.statements
                                   for flag in statement.note.evidence_flags))


def local_time(moment: datetime) -> str:
    """An absolute time in local time with its offset from UTC: 2026-11-20 14:03:12 +09:00."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone()
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M:%S} {offset[:3]}:{offset[3:]}"


def call_offset(note: EvidenceNote) -> str:
    """mm:ss from the start of the call."""
    return format_offset(note.offset_ms / 1000)


def handlers_text(contact: EvidenceContact, senior: str = "senior") -> str:
    """The handlers of a call, a senior who took over marked as such."""
    return ", ".join(name + (f" ({senior})" if role == "senior" else "")
                     for name, role in contact.handlers) or contact.agent


def flagged_by(flag: NoteFlag, confirmed: str = "confirmed by", added: str = "added by",
               at: str = "at") -> str:
    """Who made a flag evidence and when: ``confirmed by 鈴木 at 2026-11-20 14:03:12 +09:00``."""
    how = added if flag.state is FlagState.MANUAL else confirmed
    return f"{how} {flag.by} {at} {local_time(flag.at)}" if flag.at else f"{how} {flag.by}"


def evidence_rows(evidence: CaseEvidence, rules: DemandRules, language: str) -> Iterator[tuple]:
    """One row per flagged statement, in the order they were made; categories both as ids
    (stable) and as the labels the window shows, with who confirmed or added each."""
    for number, statement in enumerate(evidence.statements, 1):
        note, contact = statement.note, statement.contact
        context = []
        for neighbour in (statement.before, statement.after):
            context += [call_offset(neighbour), neighbour.kind, neighbour.text] if neighbour \
                else ["", "", ""]
        yield (number, evidence.case_id, evidence.subject,
               evidence.customer_name or contact.caller_name,
               contact.phone or evidence.customer_phone, local_time(contact.started_at),
               handlers_text(contact), local_time(note.recorded_at), call_offset(note),
               note.kind, note.text, local_time(note.edited_at) if note.edited_at else "",
               " ".join(flag.category for flag in note.evidence_flags),
               " / ".join(rules.label(flag.category, language) for flag in note.evidence_flags),
               note.agent, "; ".join(f"{flag.category} {flagged_by(flag)}"
                                     for flag in note.evidence_flags), *context,
               *(evidence.trail_end or ("", "")))


def write_evidence_csv(path: Path, evidence: CaseEvidence, rules: DemandRules,
                       language: str) -> int:
    """The statements as CSV that Excel opens (docs/export.md); returns how many."""
    return write_csv(Path(path), EVIDENCE_HEADER, evidence_rows(evidence, rules, language))
