"""What the phone system tells the window: a call rings, is answered, is over.

Commands come from a second launch of the app (``callhelper 03-1234-5678``,
``callhelper call start``…) through the single-instance socket, or from the local CTI
endpoint. On the socket each is one line of JSON; anything else is refused with a message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum

#: The longest line the socket accepts; a command is a few hundred bytes.
MAX_LINE = 16_384
MAX_FIELD = 200


class Action(StrEnum):
    INCOMING = "incoming"  # ringing: raise the window, show the caller's history
    START = "start"        # answered: start the timer
    END = "end"            # hung up: stop the timer, open the wrap-up
    SHOW = "show"          # bring the window to the front (a plain second launch)
    STATUS = "status"      # what the window shows now (answered on the socket)


class CommandError(ValueError):
    """A command that cannot be carried out as given."""


@dataclass(frozen=True)
class Command:
    action: Action
    number: str = ""
    name: str = ""

    def to_line(self) -> bytes:
        return (json.dumps({"action": self.action.value, "number": self.number,
                            "name": self.name}, ensure_ascii=False) + "\n").encode("utf-8")

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
        except ValueError as exc:
            raise CommandError(f"unknown action {data.get('action')!r}") from exc
        fields = {}
        for name in ("number", "name"):
            value = data.get(name, "")
            if not isinstance(value, str) or len(value) > MAX_FIELD:
                raise CommandError(f"{name} must be text of at most {MAX_FIELD} characters")
            fields[name] = clean(value)
        return cls(action, **fields)


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
