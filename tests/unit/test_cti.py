"""The phone system's CTI events, as Zammad's generic interface has them, become commands."""

import io
import json
from urllib.parse import urlencode

import pytest

from callhelper.config import Settings, ensure_cti_token
from callhelper.core.commands import Action, Command
from callhelper.core.cti import MAX_BODY, CallTracker, CtiInterface, endpoint_url

TOKEN = "s3cret-Token_0123456789abcdef"
URL = f"/api/v1/cti/{TOKEN}"
FORM = "application/x-www-form-urlencoded"


def form(**fields) -> bytes:
    return urlencode({name.rstrip("_"): value for name, value in fields.items()}).encode()


def send(interface, body=b"", *, method="POST", target=URL, content_type=FORM, headers=None):
    all_headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
    all_headers.update(headers or {})
    return interface.handle(method, target, all_headers, io.BytesIO(body))


def event(interface, name, call_id="c1", direction="in", **fields):
    return send(interface, form(event=name, callId=call_id, direction=direction, **fields))


@pytest.fixture
def cti():
    return CtiInterface(TOKEN)


def test_a_ringing_call_shows_the_callers_history(cti):
    reply = event(cti, "newCall", from_="0312345678", to="0120000000")
    assert reply.status == 200
    assert json.loads(reply.body) == {}
    assert reply.content_type == "application/json"
    assert reply.command == Command(Action.INCOMING, "0312345678")


def test_a_whole_call_rings_starts_and_ends(cti):
    commands = [event(cti, "newCall", from_="0312345678", to="0120000000").command,
                event(cti, "answer", from_="0312345678", to="0120000000").command,
                event(cti, "hangup", from_="0312345678", to="0120000000",
                      cause="normalClearing").command]
    assert commands == [Command(Action.INCOMING, "0312345678"),
                        Command(Action.START, "0312345678"), Command(Action.END)]


def test_an_outgoing_call_follows_the_number_called_and_says_it_is_outgoing(cti):
    assert event(cti, "newCall", direction="out", from_="0120000000",
                 to="09011112222").command == Command(Action.INCOMING, "09011112222",
                                                      outgoing=True)
    assert event(cti, "answer", direction="out").command == Command(
        Action.START, "09011112222", outgoing=True)


def test_answer_and_hangup_take_the_number_from_the_ringing(cti):
    event(cti, "newCall", from_="0312345678", to="100")
    assert event(cti, "answer").command == Command(Action.START, "0312345678")
    assert event(cti, "hangup").command == Command(Action.END)


def test_json_bodies_as_zammad_recommends(cti):
    body = json.dumps({"event": "newCall", "from": "493023125741", "to": "492214710334",
                       "direction": "in", "callId": 307,
                       "user": ["Christopher Miller", "Emma Taylor"]}).encode()
    reply = send(cti, body, content_type="application/json; charset=utf-8")
    assert reply.command == Command(Action.INCOMING, "493023125741")
    answer = json.dumps({"event": "answer", "direction": "in", "callId": "307"}).encode()
    assert send(cti, answer, content_type="application/json").command.action is Action.START


def test_multipart_forms_as_curl_form_sends_them(cti):
    boundary = "------------------------12e0b42aceacfb7d"
    parts = [("event", "newCall"), ("from", "0312345678"), ("to", "100"),
             ("direction", "in"), ("callId", "m1"), ("user[]", "Emma Taylor")]
    body = "".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                   f"{value}\r\n" for name, value in parts) + f"--{boundary}--\r\n"
    reply = send(cti, body.encode(), content_type=f"multipart/form-data; boundary={boundary}")
    assert reply.command == Command(Action.INCOMING, "0312345678")


def test_a_withheld_number_still_raises_the_window(cti):
    reply = event(cti, "newCall", from_="anonymous", to="100")
    assert reply.command == Command(Action.INCOMING, "anonymous")


def test_events_of_calls_that_never_rang_here_change_nothing(cti):
    for name in ("answer", "hangup"):
        reply = event(cti, name, call_id="elsewhere", from_="0312345678", to="100")
        assert reply.status == 200
        assert reply.command is None


def test_a_call_hung_up_before_it_was_answered_ends_nothing(cti):
    event(cti, "newCall", call_id="a", from_="0311112222", to="100")
    event(cti, "answer", call_id="a")
    event(cti, "newCall", call_id="b", from_="0399998888", to="100")
    assert event(cti, "hangup", call_id="b", cause="cancel").command is None
    assert event(cti, "hangup", call_id="a").command == Command(Action.END)


def test_repeated_notifications_give_one_command(cti):
    assert event(cti, "newCall", from_="0312345678", to="100").command is not None
    assert event(cti, "newCall", from_="0312345678", to="100").command is None
    assert event(cti, "answer").command is not None
    assert event(cti, "answer").command is None
    assert event(cti, "hangup").command is not None
    assert event(cti, "hangup").command is None


def test_control_characters_in_a_number_become_spaces(cti):
    reply = event(cti, "newCall", from_="03\x1b1234\n5678", to="100")
    assert reply.command.number == "03 1234 5678"


def test_old_calls_are_forgotten_first():
    tracker = CallTracker(limit=3)
    for call_id in "abcd":
        tracker.ring(call_id, f"03-0000-000{call_id}")
    assert tracker.answer("a") is None
    assert tracker.answer("d") == ("03-0000-000d", False)


def test_the_query_string_is_ignored(cti):
    body = form(event="newCall", callId="q", direction="in", **{"from": "0312345678"})
    assert send(cti, body, target=f"{URL}?from=0999").command.number == "0312345678"


REFUSALS = [
    ("wrong token", dict(target="/api/v1/cti/not-the-token"), 403),
    ("no token", dict(target="/api/v1/cti/"), 403),
    ("another path", dict(target="/"), 404),
    ("a file", dict(target="/etc/passwd"), 404),
    ("GET", dict(method="GET", body=b""), 405),
    ("PUT", dict(method="PUT"), 405),
    ("a web page's request", dict(headers={"Origin": "https://example.com"}), 403),
    ("too large", dict(body=b"event=newCall&x=" + b"1" * MAX_BODY), 413),
    ("chunked", dict(headers={"Transfer-Encoding": "chunked"}), 411),
    ("bad length", dict(headers={"Content-Length": "many"}), 400),
    ("no event", dict(body=form(callId="1", direction="in")), 400),
    ("unknown event", dict(body=form(event="ring", callId="1", direction="in")), 400),
    ("no direction", dict(body=form(event="newCall", callId="1", to="1")), 400),
    ("bad direction", dict(body=form(event="answer", callId="1", direction="up")), 400),
    ("no callId", dict(body=form(event="answer", direction="in")), 400),
    ("long callId", dict(body=form(event="answer", direction="in", callId="x" * 251)), 400),
    ("no caller", dict(body=form(event="newCall", callId="1", direction="in", to="1")), 400),
    ("no callee", dict(body=form(event="newCall", callId="1", direction="out",
                                 **{"from": "1"})), 400),
    ("long number", dict(body=form(event="newCall", callId="1", direction="in",
                                   **{"from": "1" * 201})), 400),
    ("bad JSON", dict(body=b"{event", content_type="application/json"), 400),
    ("JSON list", dict(body=b"[]", content_type="application/json"), 400),
    ("JSON object as value", dict(body=json.dumps({"event": {"a": 1}}).encode(),
                                  content_type="application/json"), 400),
    ("bad form", dict(body=b"event=%ff%fe", content_type=FORM), 400),
    ("XML", dict(body=b"<event/>", content_type="text/xml"), 415),
]


@pytest.mark.parametrize("case, request_, status", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_bad_requests_are_refused_with_a_status_and_a_reason(cti, case, request_, status):
    options = {"body": form(event="newCall", callId="1", direction="in",
                            **{"from": "0312345678"})} | request_
    reply = send(cti, **options)
    assert reply.status == status
    assert reply.refused
    assert reply.command is None
    assert reply.content_type.startswith("text/plain")
    assert reply.body.decode().strip() == reply.reason
    assert "0312345678" not in reply.reason and TOKEN not in reply.reason


def test_a_refused_request_leaves_the_calls_as_they_were(cti):
    event(cti, "newCall", from_="0312345678", to="100")
    send(cti, form(event="answer", callId="c1", direction="in"), target="/api/v1/cti/x")
    assert event(cti, "answer").command == Command(Action.START, "0312345678")


def test_an_endpoint_without_a_token_cannot_be_made():
    with pytest.raises(ValueError):
        CtiInterface("")


def test_the_address_for_the_pbx():
    assert endpoint_url(8321, TOKEN) == f"http://127.0.0.1:8321/api/v1/cti/{TOKEN}"


# ----------------------------------------------------------------- settings


def test_the_endpoint_is_off_until_enabled(paths):
    settings = Settings.for_paths(paths)
    assert settings.get("cti_enabled") is False
    assert settings.get("cti_token") == ""
    assert 1024 <= settings.get("cti_port") <= 65535


def test_the_token_is_made_once_and_kept(paths):
    token = ensure_cti_token(Settings.for_paths(paths))
    assert len(token) >= 32
    assert ensure_cti_token(Settings.for_paths(paths)) == token
    assert json.loads((paths.config_dir / "settings.json").read_text())["cti_token"] == token


def test_ports_and_tokens_out_of_range_are_refused(paths):
    settings = Settings.for_paths(paths)
    with pytest.raises(ValueError):
        settings.set("cti_port", 70000)
    with pytest.raises(TypeError):
        settings.set("cti_port", True)
    with pytest.raises(ValueError):
        settings.set("cti_token", "short")
    with pytest.raises(ValueError):
        settings.set("cti_token", "has/a/slash/and/more/than/16")


def test_a_hand_edited_bad_port_or_token_falls_back(paths):
    paths.config_dir.mkdir(parents=True)
    (paths.config_dir / "settings.json").write_text(json.dumps(
        {"cti_enabled": True, "cti_port": 0, "cti_token": "a b"}), encoding="utf-8")
    settings = Settings.for_paths(paths)
    assert settings.get("cti_enabled") is True
    assert settings.get("cti_port") == 8321
    assert settings.get("cti_token") == ""


def test_a_deeply_nested_json_body_is_refused_with_400(cti):
    reply = send(cti, b"[" * 15_000, content_type="application/json")
    assert reply.status == 400 and reply.reason == "body is nested deeper than 32 levels"
    assert reply.command is None
