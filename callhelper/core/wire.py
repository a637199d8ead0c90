"""The instance socket's line format, on its own: what a later launch needs to hand a
command to the running window without loading the rest of the app (``callhelper.ring``).

One line of JSON per command and per answer. core/commands.py builds its Command on this.
"""

from __future__ import annotations

import json
import os
import re

#: The longest line the socket accepts (a note of commands.MAX_TEXT characters fits).
MAX_LINE = 65_536
#: The deepest nesting of arrays and objects accepted in JSON from outside: a command or a
#: phone system's event is flat, and far deeper input would exhaust Python's recursion.
MAX_NESTING = 32
NOTE_KINDS = ("quote", "agent_note", "fact", "request", "promise")
#: What a sender may choose as a command's id (a UUID fits, or a call's id and a counter).
COMMAND_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")


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


def new_command_id() -> str:
    """A fresh id for a command whose sender chose none: 128 random bits, as hex."""
    return os.urandom(16).hex()


def command_line(action: str, number: str = "", name: str = "", text: str = "",
                 kind: str = "quote", outgoing: bool = False, id: str = "") -> bytes:
    """A command as the line the window reads (``id``: a new one when empty)."""
    return (json.dumps({"action": action, "number": number, "name": name, "text": text,
                        "kind": kind, "direction": "out" if outgoing else "in",
                        "id": id or new_command_id()}, ensure_ascii=False) + "\n"
            ).encode("utf-8")


def checked_id(value: object) -> str:
    """A command's id as the sender gave it, if it is one (COMMAND_ID)."""
    if not isinstance(value, str) or not COMMAND_ID.fullmatch(value):
        raise CommandError("id must be 1 to 100 letters, digits or the characters . _ : -")
    return value


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
