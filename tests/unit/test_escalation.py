"""Escalation rules and the handoff summary."""

from dataclasses import replace

from callhelper.core.case import NoteKind
from callhelper.core.escalation import (FLAGGED, HEADINGS, PAST_CALL_LIMIT,
                                        PAST_ESCALATION_TIME, REPEATED_CALLS, CapturedNote,
                                        build_handoff, escalation_reasons)
from callhelper.core.playbook import EscalationRules, Localized, Playbook, PlaybookStep
from callhelper.core.session import CallSession

PLAYBOOK = Playbook("p", 1, Localized({"en": "P"}), (
    PlaybookStep("apology", Localized({"en": "Limited apology", "ja": "お詫び"}), 30),
    PlaybookStep("listen", Localized({"en": "Listen"}), 60)),
    call_limit_seconds=1800,
    escalation=EscalationRules(after_seconds=600, repeat_calls=3))


def test_no_reason_in_a_calm_short_call():
    assert escalation_reasons(PLAYBOOK, 120, [], ["refund"], 1) == []


def test_each_rule_gives_its_reason():
    assert escalation_reasons(PLAYBOOK, 601, [], []) == [PAST_ESCALATION_TIME]
    assert escalation_reasons(PLAYBOOK, 1801, [], []) == [PAST_ESCALATION_TIME, PAST_CALL_LIMIT]
    assert escalation_reasons(PLAYBOOK, 10, ["threat"], []) == [FLAGGED]
    assert escalation_reasons(PLAYBOOK, 10, [], ["superior", "refund"]) == ["superior"]
    assert escalation_reasons(PLAYBOOK, 10, [], [], recent_contacts=3) == [REPEATED_CALLS]


def test_the_call_limit_counts_talk_time_not_hold_time():
    """Forty minutes of call with fifteen on hold is 25 minutes the customer kept the
    agent: under a 30-minute limit."""
    assert PAST_CALL_LIMIT not in escalation_reasons(PLAYBOOK, 2400, [], [], 0, 1500)
    assert PAST_CALL_LIMIT in escalation_reasons(PLAYBOOK, 2400, [], [], 0, 1801)


def test_rules_can_be_switched_off():
    quiet = replace(PLAYBOOK, escalation=EscalationRules(on_flags=False, on_requests=()),
                    call_limit_seconds=None)
    assert escalation_reasons(quiet, 99999, ["threat"], ["superior"], 10) == []


def test_the_handoff_carries_what_the_senior_needs(clock):
    session = CallSession(PLAYBOOK, clock)
    session.start()
    clock.advance(20)
    session.toggle(0)
    clock.advance(734)
    notes = [
        CapturedNote(35, NoteKind.QUOTE, "電源が入らない"),
        CapturedNote(90, NoteKind.FACT, "11/15購入"),
        CapturedNote(120, NoteKind.QUOTE, "返金しろ、土下座しろ", ("kneeling_apology",),
                     ("refund",)),
        CapturedNote(200, NoteKind.PROMISE, "本日中に折り返す"),
    ]
    reasons = escalation_reasons(PLAYBOOK, session.elapsed_seconds(), ["kneeling_apology"],
                                 ["refund"])
    headings = {key: key.upper() for key in HEADINGS}
    text = build_handoff(session, "山田 太郎 (03-1234-5678)", "鈴木", "ja", notes, reasons,
                         "high", "").render(headings, {"kneeling_apology": "土下座の強要",
                                                       "high": "高", FLAGGED: "不当要求"})
    assert text.startswith("【TITLE】\nCALLER: 山田 太郎 (03-1234-5678)\nAGENT: 鈴木\n")
    assert "ELAPSED: 12:34" in text
    assert "REASONS: time, 不当要求" in text
    assert "STEPS_DONE: お詫び" in text
    assert "URGENCY: 高 / NOT_ASSESSED" in text
    assert "■ PROMISES\n  03:20 本日中に折り返す" in text
    assert "  00:35 「電源が入らない」" in text
    assert "  01:30 11/15購入" in text
    assert "  02:00 refund 「返金しろ、土下座しろ」" in text
    assert "  03:20 本日中に折り返す" in text
    assert "  02:00 土下座の強要 「返金しろ、土下座しろ」" in text
