"""What the phone system tells the window: a call rings, is answered, is over.

Commands come from a second launch of the app (``callhelper 03-1234-5678``,
``callhelper call start``…) through the single-instance socket, or from the local CTI
endpoint. On the socket each is one line of JSON; anything else is refused with a message.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from enum import StrEnum

#: The longest line the socket accepts (a note of MAX_TEXT characters fits).
MAX_LINE = 65_536
MAX_FIELD = 200
MAX_TEXT = 10_000
#: The deepest nesting of arrays and objects accepted in JSON from outside: a command or a
#: phone system's event is flat, and far deeper input would exhaust Python's recursion.
MAX_NESTING = 32
NOTE_KINDS = ("quote", "agent_note", "fact", "request", "promise")
#: What a sender may choose as a command's id (a UUID fits, or a call's id and a counter).
COMMAND_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")
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


class CommandError(ValueError):
    """A command that cannot be carried out as given. Its message never repeats what the
    command held (it reaches the log, which must not hold what customers said)."""


class TooDeeplyNested(ValueError):
    """JSON nested deeper than MAX_NESTING."""


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*(?:"|\Z)', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def bounded_json(text: str) -> object:
    """``json.loads`` for text from outside. The nesting is counted first (brackets outside
    strings), so that a deep ``[[[…`` is refused with TooDeeplyNested instead of raising
    RecursionError from the parser."""
    depth = deepest = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if bracket.group() in "[{" else -1
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            raise TooDeeplyNested(f"nested deeper than {MAX_NESTING} levels")
    return json.loads(text)


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
    id: str = field(default_factory=lambda: uuid.uuid4().hex, compare=False)

    def to_line(self) -> bytes:
        return (json.dumps({"action": self.action.value, "number": self.number,
                            "name": self.name, "text": self.text, "kind": self.kind,
                            "direction": "out" if self.outgoing else "in",
                            "id": self.id}, ensure_ascii=False) + "\n").encode("utf-8")

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


def checked_id(value: object) -> str:
    """A command's id as the sender gave it, if it is one (COMMAND_ID)."""
    if not isinstance(value, str) or not COMMAND_ID.fullmatch(value):
        raise CommandError("id must be 1 to 100 letters, digits or the characters . _ : -")
    return value


def note_operation_uid(note: Command, contact_uid: str) -> str:
    """The uid of the operation that saves ``note`` in the call ``contact_uid``
    (store/operations.py): the same whenever the note is sent again with its id, so the
    database applies it once; another with that id (other words) gets another. Made from the
    id rather than the id itself, and with the call, so that no sender's id can be taken for
    another operation's uid — another agent's, say, on a team's server."""
    key = json.dumps([contact_uid, note.id, note.kind, note.text], ensure_ascii=False)
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def clean(value: str) -> str:
    """A number or name as the window can show it: control characters become spaces."""
    return "".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in value).strip()


def looks_like_number(argument: str) -> bool:
    """Whether a bare argument is a phone number or a tel:/callto: URI, the way softphones
    pass the caller (``callhelper 03-1234-5678``) — and not a mistyped command."""
    text = argument.strip()
    lowered = text.lower()
    if lowered.startswith(("tel:", "callto:", "sip:")):
        return True
    digits = sum(ch.isdigit() for ch in text)
    return digits >= 3 and all(ch.isdigit() or ch in "+-() .#*　－（）＋" or
                               "０" <= ch <= "９" for ch in text)
