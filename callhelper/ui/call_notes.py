"""The notes of the call under way: a plain list, owned by the call controller, that the
notes model in the window mirrors (ui/call_controller.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from callhelper.core.case import NoteKind
from callhelper.core.flag_review import FlagDecision, FlagState, NoteFlag, note_flags

#: How far back a note arriving again (a phone command sent twice) is looked for.
RECENT_NOTES = 50


@dataclass(frozen=True)
class NoteRow:
    """A saved note as the list shows it: what the detector found (``detected``) and the
    agent's decisions on it, oldest first (core/flag_review.py)."""

    uid: str
    kind: NoteKind
    text: str
    offset_seconds: float
    masked_cards: int = 0
    detected: tuple[str, ...] = ()
    requests: tuple[str, ...] = ()
    decisions: tuple[FlagDecision, ...] = ()
    due_at: datetime | None = None  # a promise's

    @classmethod
    def from_note(cls, note, decisions: Iterable[FlagDecision] = ()) -> NoteRow:
        """From a stored Note and the decisions on its flags."""
        return cls(note.uid, NoteKind(note.kind), note.text, note.offset_ms / 1000,
                   note.masked_cards, tuple(note.flags), tuple(note.requests),
                   tuple(decisions), note.due_at)

    @property
    def flag_states(self) -> tuple[NoteFlag, ...]:
        return note_flags(self.detected, self.decisions)

    @property
    def flags(self) -> tuple[str, ...]:
        """The categories that still count as flags: all but the dismissed ones."""
        return tuple(flag.category for flag in self.flag_states if flag.active)

    def suspected(self) -> list[str]:
        """The categories the detector suspects and nobody has reviewed yet."""
        return [flag.category for flag in self.flag_states
                if flag.state is FlagState.SUSPECTED]


class CallNotes:
    """The notes in the order taken (newest last). The flags and requests of all the notes
    are counted as notes come and go: the escalation rules, checked at every note and every
    second, read the counts rather than every note of a long call.

    Each change returns the position it touched (None: no such note), for a Qt model to
    say which row changed."""

    def __init__(self) -> None:
        self._rows: list[NoteRow] = []
        self._flags: Counter[str] = Counter()
        self._requests: Counter[str] = Counter()

    def reset(self, rows: Iterable[NoteRow] = ()) -> None:
        self._rows = list(rows)
        self._flags.clear()
        self._requests.clear()
        for row in self._rows:
            self._count(row, 1)

    def add(self, row: NoteRow) -> int | None:
        """Append ``row``; None when it is there already (a note saved before)."""
        if any(existing.uid == row.uid for existing in self._rows[-RECENT_NOTES:]):
            return None
        self._rows.append(row)
        self._count(row, 1)
        return len(self._rows) - 1

    def correct(self, row: NoteRow) -> int | None:
        """A corrected note in its place, with the decisions on its flags taken so far."""
        return self._change(row.uid, lambda existing: replace(row, decisions=existing.decisions))

    def decide(self, note_uid: str, decision: FlagDecision) -> int | None:
        """A decision on one of a note's flags."""
        return self._change(note_uid, lambda existing: replace(
            existing, decisions=(*existing.decisions, decision)))

    def put(self, row: NoteRow) -> int | None:
        """``row`` as it is now, in place of the note with its uid."""
        return self._change(row.uid, lambda _existing: row)

    def remove(self, uid: str) -> int | None:
        position = self.position(uid)
        if position is not None:
            self._count(self._rows.pop(position), -1)
        return position

    def _change(self, uid: str, change: Callable[[NoteRow], NoteRow]) -> int | None:
        position = self.position(uid)
        if position is not None:
            existing = self._rows[position]
            row = change(existing)
            self._count(existing, -1)
            self._rows[position] = row
            self._count(row, 1)
        return position

    def position(self, uid: str) -> int | None:
        return next((position for position, row in enumerate(self._rows) if row.uid == uid),
                    None)

    def _count(self, row: NoteRow, change: int) -> None:
        self._flags.update(dict.fromkeys(row.flags, change))
        self._requests.update(dict.fromkeys(row.requests, change))

    def newest_suspected(self) -> tuple[NoteRow, str] | None:
        """The newest note with a flag nobody reviewed, and that flag's category."""
        for row in reversed(self._rows):
            suspected = row.suspected()
            if suspected:
                return row, suspected[0]
        return None

    def newest_customer_words(self) -> NoteRow | None:
        from callhelper.store.repository import CUSTOMER_WORDS

        return next((row for row in reversed(self._rows) if row.kind in CUSTOMER_WORDS), None)

    def flag_categories(self) -> list[str]:
        """The flag categories of the notes, each once."""
        return [category for category, count in self._flags.items() if count > 0]

    def request_categories(self) -> list[str]:
        """The request categories of the notes, each once."""
        return [category for category, count in self._requests.items() if count > 0]

    def rows(self) -> list[NoteRow]:
        return list(self._rows)

    def __getitem__(self, position: int) -> NoteRow:
        return self._rows[position]

    def __len__(self) -> int:
        return len(self._rows)
