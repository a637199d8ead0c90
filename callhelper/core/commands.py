"""What the phone system tells the window: a call rings, is answered, is over.

Commands come from a second launch of the app (``callhelper 03-1234-5678``,
``callhelper call start``…) through the single-instance socket, or from the local CTI
endpoint. On the socket each is one line of JSON; anything else is refused with a message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum

#: The longest line the socket accepts (a note of MAX_TEXT characters fits).
MAX_LINE = 65_536
MAX_FIELD = 200
MAX_TEXT = 10_000
NOTE_KINDS = ("quote", "agent_note", "fact", "request", "promise")


class Action(StrEnum):
    INCOMING = "incoming"  # ringing: raise the window, show the caller's history
    START = "start"        # answered: start the timer
    END = "end"            # hung up: stop the timer, open the wrap-up
    SHOW = "show"          # bring the window to the front (a plain second launch)
    STATUS = "status"      # what the window shows now (answered on the socket)
    NOTE = "note"          # capture a note in the call (answered once it is on disk)


class CommandError(ValueError):
    """A command that cannot be carried out as given. Its message never repeats what the
    command held (it reaches the log, which must not hold what customers said)."""


@dataclass(frozen=True)
class Command:
    action: Action
    number: str = ""
    name: str = ""
    #: For NOTE: the words, exactly, and their kind (core.case.NoteKind's values).
    text: str = ""
    kind: str = "quote"

    def to_line(self) -> bytes:
        return (json.dumps({"action": self.action.value, "number": self.number,
                            "name": self.name, "text": self.text, "kind": self.kind},
                           ensure_ascii=False) + "\n").encode("utf-8")

    @classmethod
    def from_line(cls, line: bytes) -> "Command":
        """Parse one line from the socket; anything malformed raises CommandError."""
        if len(line) > MAX_LINE:
            raise CommandError("command too long")
        try:
            data = json.loads(line.decode("utf-8"))
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
        return cls(action, **fields, text=text, kind=kind)


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
