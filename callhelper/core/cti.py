"""Zammad's generic CTI interface, as a phone system speaks it, turned into window commands.

A PBX that can notify Zammad (Admin → Integrations → CTI (generic)) POSTs every call event to
``/api/v1/cti/<token>``: ``event`` (newCall, answer, hangup), ``from``, ``to``, ``direction``
(in, out), ``callId`` and, optionally, ``user``, ``queue``, ``cause`` and ``answeringNumber``,
as a form (URL-encoded or multipart) or as a JSON object. Pointed at this computer instead,
the same notifications drive the call window:

| event   | command                                                             |
| ------- | ------------------------------------------------------------------- |
| newCall | INCOMING with the customer's number (``from`` if in, ``to`` if out) |
| answer  | START with that number, if the call rang here                       |

Both carry the call's direction: an outgoing call (the agent calling the customer back) is
recorded as such and does not count as the customer calling again.
| hangup  | END, if the call was answered here                                  |

The window follows one call at a time, so events for calls it never heard ring (another
agent's, or from before a restart) change nothing: the PBX still gets 200, as Zammad answers.
A call that rang but was hung up before it was answered here ends with no command either —
there is no timer to stop, and an END would close whatever call the agent is on.

Nothing here touches the network: the HTTP server hands over the method, the request target,
the headers and the body stream, and sends back the Reply.
"""

from __future__ import annotations

import hmac
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from enum import StrEnum
from typing import BinaryIO
from urllib.parse import parse_qsl, unquote, urlsplit

from callhelper.core.commands import (MAX_FIELD, Action, Command, TooDeeplyNested, bounded_json,
                                      clean)

PATH_PREFIX = "/api/v1/cti/"
HOST = "127.0.0.1"
#: Zammad's events are a few hundred bytes; anything much larger is not one.
MAX_BODY = 16 * 1024
MAX_CALL_ID = 250
MAX_FIELDS = 64
#: Calls remembered between their events; a desk sees a handful at a time.
REMEMBERED_CALLS = 32


class Event(StrEnum):
    NEW_CALL = "newCall"
    ANSWER = "answer"
    HANGUP = "hangup"


@dataclass(frozen=True)
class Reply:
    """What to answer the PBX, and the command for the window if the event calls for one."""

    status: int
    body: bytes
    content_type: str
    command: Command | None = None
    event: str = ""   # the event of an accepted request
    reason: str = ""  # why a request was refused; fixed text, never a value from the request

    @property
    def refused(self) -> bool:
        return self.status != 200


class RequestError(ValueError):
    """A request that is refused; carries the status and a short reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def endpoint_url(port: int, token: str) -> str:
    """The address to give the PBX."""
    return f"http://{HOST}:{port}{PATH_PREFIX}{token}"


@dataclass
class _Call:
    number: str
    outgoing: bool = False
    answered: bool = False


class CallTracker:
    """The calls that rang here, by callId, oldest forgotten first."""

    def __init__(self, limit: int = REMEMBERED_CALLS) -> None:
        self._limit = limit
        self._calls: OrderedDict[str, _Call] = OrderedDict()

    def ring(self, call_id: str, number: str, outgoing: bool = False) -> bool:
        """Remember a new call; False if it rang already (a repeated notification)."""
        if call_id in self._calls:
            return False
        self._calls[call_id] = _Call(number, outgoing)
        while len(self._calls) > self._limit:
            self._calls.popitem(last=False)
        return True

    def answer(self, call_id: str) -> tuple[str, bool] | None:
        """The number of a call that rang here and is answered now, and whether it is
        outgoing; None otherwise."""
        call = self._calls.get(call_id)
        if call is None or call.answered:
            return None
        call.answered = True
        return call.number, call.outgoing

    def hang_up(self, call_id: str) -> bool:
        """Forget the call; True if it had been answered here."""
        call = self._calls.pop(call_id, None)
        return call is not None and call.answered


class CtiInterface:
    """One endpoint's token and the calls it has seen. Safe to use from several threads."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("the CTI endpoint needs a token")
        self._token = token.encode("utf-8")
        self._calls = CallTracker()
        self._lock = threading.Lock()

    def admit(self, method: str, target: str, headers: Mapping[str, str]) -> Reply | None:
        """The refusal of a request by its request line and headers alone (None when it may
        go on): the server asks before it gives the request a place or reads its body, so
        that a client without the token cannot hold one."""
        try:
            self._length(method, target, _lowered(headers))
        except RequestError as refusal:
            return _refusal(refusal)
        return None

    def handle(self, method: str, target: str, headers: Mapping[str, str],
               body: BinaryIO) -> Reply:
        """Answer one request. ``target`` is the request line's path (a query is ignored);
        ``body`` is read only once the path, token, method and length are acceptable."""
        try:
            fields = self._read(method, target, _lowered(headers), body)
            with self._lock:
                return self._event(fields)
        except RequestError as refusal:
            return _refusal(refusal)

    # ----------------------------------------------------------------- the request

    def _read(self, method: str, target: str, headers: dict[str, str],
              body: BinaryIO) -> dict[str, object]:
        length = self._length(method, target, headers)
        data = body.read(length) if length else b""
        if len(data) != length:
            raise RequestError(400, "body shorter than its Content-Length")
        return _fields(headers.get("content-type", ""), data)

    def _length(self, method: str, target: str, headers: dict[str, str]) -> int:
        """The body's length, once the request line and headers are acceptable."""
        if not _loopback_host(headers.get("host")):
            raise RequestError(421, "this endpoint answers for 127.0.0.1 and localhost only")
        path = urlsplit(target).path
        if not path.startswith(PATH_PREFIX):
            raise RequestError(404, "not found")
        token = unquote(path[len(PATH_PREFIX):]).encode("utf-8", "replace")
        if not hmac.compare_digest(token, self._token):
            raise RequestError(403, "wrong token")
        if "origin" in headers:
            raise RequestError(403, "requests from web pages are refused")
        if method != "POST":
            raise RequestError(405, "only POST is accepted")
        if "transfer-encoding" in headers:
            raise RequestError(411, "a Content-Length is required")
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            raise RequestError(400, "bad Content-Length") from None
        if length < 0:
            raise RequestError(400, "bad Content-Length")
        if length > MAX_BODY:
            raise RequestError(413, f"body larger than {MAX_BODY} bytes")
        return length

    # ----------------------------------------------------------------- the event

    def _event(self, fields: dict[str, object]) -> Reply:
        name = _text(fields, "event")
        if not name:
            raise RequestError(400, "event missing")
        try:
            event = Event(name)
        except ValueError:
            raise RequestError(400, "unknown event (expected newCall, answer or hangup)") \
                from None
        direction = _text(fields, "direction")
        if direction not in ("in", "out"):
            raise RequestError(400, "direction must be in or out")
        call_id = _text(fields, "callId")
        if not call_id:
            raise RequestError(400, "callId missing")
        command = None
        if event is Event.NEW_CALL:
            party = "from" if direction == "in" else "to"
            number = _text(fields, party)
            if number is None:
                raise RequestError(400, f"{party} missing")
            outgoing = direction == "out"
            if self._calls.ring(call_id, number, outgoing):
                command = Command(Action.INCOMING, number, outgoing=outgoing)
        elif event is Event.ANSWER:
            answered = self._calls.answer(call_id)
            if answered is not None:
                number, outgoing = answered
                command = Command(Action.START, number, outgoing=outgoing)
        elif self._calls.hang_up(call_id):
            command = Command(Action.END)
        return Reply(200, b"{}", "application/json", command, event=event.value)


def _lowered(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _refusal(refusal: RequestError) -> Reply:
    return Reply(refusal.status, f"{refusal.reason}\n".encode(), "text/plain; charset=utf-8",
                 reason=refusal.reason)


#: The names a request for this computer's loopback address carries in its Host header. A
#: web page that a renamed DNS entry points here (DNS rebinding) carries its own name.
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})


def _loopback_host(host: str | None) -> bool:
    """Whether a Host header names the loopback address (a client that sends none, as
    HTTP/1.0 allows, is taken at its word: browsers always send one)."""
    if host is None:
        return True
    name = host.strip().lower()
    if not name.startswith("["):
        name = name.rsplit(":", 1)[0] if name.count(":") == 1 else name
    elif "]:" in name:
        name = name[:name.index("]:") + 1]
    return name in LOOPBACK_NAMES


def _fields(content_type: str, data: bytes) -> dict[str, object]:
    """The body's parameters; the first of repeated names counts."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        try:
            value = bounded_json(data.decode("utf-8")) if data else {}
        except TooDeeplyNested as exc:
            raise RequestError(400, f"body is {exc}") from None
        except (UnicodeDecodeError, ValueError):
            raise RequestError(400, "body is not valid JSON") from None
        if not isinstance(value, dict):
            raise RequestError(400, "body is not a JSON object")
        return value
    if media_type in ("", "application/x-www-form-urlencoded"):
        try:
            pairs = parse_qsl(data.decode("utf-8"), keep_blank_values=True,
                              max_num_fields=MAX_FIELDS, errors="strict")
        except (UnicodeDecodeError, ValueError):
            raise RequestError(400, "body is not a valid form") from None
    elif media_type == "multipart/form-data":
        pairs = _multipart(content_type, data)
    else:
        raise RequestError(415, "expected a form or JSON body")
    fields: dict[str, object] = {}
    for name, value in pairs:
        fields.setdefault(name, value)
    return fields


def _multipart(content_type: str, data: bytes) -> list[tuple[str, str]]:
    try:
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + data)
    except (UnicodeEncodeError, ValueError):
        raise RequestError(400, "body is not a valid form") from None
    if not message.is_multipart() or message.defects:
        raise RequestError(400, "body is not a valid form")
    pairs = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or part.get_filename() is not None:
            continue
        if len(pairs) == MAX_FIELDS:
            raise RequestError(400, "too many fields")
        payload = part.get_payload(decode=True)
        try:
            if not isinstance(payload, bytes):
                raise ValueError("not a simple field")
            pairs.append((name, payload.decode(part.get_content_charset() or "utf-8")))
        except (LookupError, ValueError):
            raise RequestError(400, "body is not a valid form") from None
    return pairs


def _text(fields: dict[str, object], name: str) -> str | None:
    """A parameter as clean text, None if absent. JSON numbers pass as text (a numeric
    callId); anything else that is not text is refused."""
    value = fields.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RequestError(400, f"{name} must be text")
    text = clean(str(value))
    limit = MAX_CALL_ID if name == "callId" else MAX_FIELD
    if len(text) > limit:
        raise RequestError(400, f"{name} longer than {limit} characters")
    return text
