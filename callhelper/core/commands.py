"""What the phone system tells the window: a call rings, is answered, is over.

Commands come from a second launch of the app (``callhelper 03-1234-5678``,
``callhelper call start``…) through the single-instance socket, or from the local CTI
endpoint. On the socket each is one line of JSON; anything else is refused with a message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum

from callhelper.core.wire import (MAX_LINE, NOTE_KINDS, CommandError, TooDeeplyNested,
                                  bounded_json, checked_id, clean, command_line,
                                  new_command_id)

MAX_FIELD = 200
MAX_TEXT = 10_000
#: How long the window waits for a note to be on disk before it answers that the note is
#: queued (it is saved later).
QUEUED_AFTER_MS = 3000


class Action(StrEnum):
    INCOMING = "incoming"  # ringing: raise the window, show the caller's history
    START = "start"        # answered: start the timer
    END = "end"            # hung up: stop the timer, open the wrap-up
    SHOW = "show"          # bring the window to the front (a plain second launch)
    STATUS = "status"      # what the window shows now (answered on the socket)
    NOTE = "note"          # capture a note in the call (answered once on disk, or queued)


@dataclass(frozen=True)
class Command:
    action: Action
    number: str = ""
    name: str = ""
    #: For NOTE: the words, exactly, and their kind (core.case.NoteKind's values).
    text: str = ""
    kind: str = "quote"
    #: For INCOMING and START: the agent is calling the customer (a callback), not the
    #: customer calling; such a call does not count as the customer calling again.
    outgoing: bool = False
    #: Chosen by the sender so that it can send the command again: a note with an id the
    #: window has seen is saved once (a new id when the sender gives none). Not part of
    #: what the command says, so not compared.
    id: str = field(default_factory=new_command_id, compare=False)

    def to_line(self) -> bytes:
        return command_line(self.action.value, self.number, self.name, self.text, self.kind,
                            self.outgoing, self.id)

    @classmethod
    def from_line(cls, line: bytes) -> "Command":
        """Parse one line from the socket; anything malformed raises CommandError."""
        if len(line) > MAX_LINE:
            raise CommandError("command too long")
        try:
            data = bounded_json(line.decode("utf-8"))
        except TooDeeplyNested as exc:
            raise CommandError(f"not a command ({exc})") from exc
        except (UnicodeDecodeError, ValueError) as exc:
            raise CommandError("not a command (expected one line of JSON)") from exc
        if not isinstance(data, dict):
            raise CommandError("not a command (expected a JSON object)")
        try:
            action = Action(data.get("action"))
        except ValueError as exc:  # not named: the message is logged, and may hold anything
            raise CommandError("unknown action (expected one of "
                               f"{', '.join(known.value for known in Action)})") from exc
        fields = {}
        for name in ("number", "name"):
            value = data.get(name, "")
            if not isinstance(value, str) or len(value) > MAX_FIELD:
                raise CommandError(f"{name} must be text of at most {MAX_FIELD} characters")
            fields[name] = clean(value)
        text, kind = data.get("text", ""), data.get("kind", "quote")
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise CommandError(f"text must be text of at most {MAX_TEXT} characters")
        if kind not in NOTE_KINDS:
            raise CommandError(f"kind must be one of {', '.join(NOTE_KINDS)}")
        if action is Action.NOTE and not text.strip():
            raise CommandError("a note needs text")
        direction = data.get("direction", "in")
        if direction not in ("in", "out"):
            raise CommandError("direction must be in or out")
        fields["outgoing"] = direction == "out"
        if data.get("id") not in (None, ""):
            fields["id"] = checked_id(data["id"])
        return cls(action, **fields, text=text, kind=kind)


def note_operation_uid(note: Command, contact_uid: str) -> str:
    """The uid of the operation that saves ``note`` in the call ``contact_uid``
    (store/operations.py): the same whenever the note is sent again with its id, so the
    database applies it once; another with that id (other words) gets another. Made from the
    id rather than the id itself, and with the call, so that no sender's id can be taken for
    another operation's uid — another agent's, say, on a team's server."""
    import hashlib  # not at start: the window shows before any note is sent

    key = json.dumps([contact_uid, note.id, note.kind, note.text], ensure_ascii=False)
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
