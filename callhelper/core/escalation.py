"""When to hand a call to a senior (二次対応), and the summary that goes with it.

The senior needs the facts, the customer's exact words, what was apologised for, what was
promised, urgency and impact, the flags and how long the call has run, so that they can
hear the story again in the customer's own words without starting blind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from callhelper.core.case import NoteKind
from callhelper.core.playbook import SENIOR_LEVELS, Playbook
from callhelper.core.session import CallSession, format_offset

#: Reasons the window gives for suggesting escalation (besides request category ids).
PAST_ESCALATION_TIME = "time"
PAST_CALL_LIMIT = "long_call"
FLAGGED = "flagged"
REPEATED_CALLS = "repeat_calls"


def escalation_reasons(playbook: Playbook, elapsed_seconds: float, flags: Iterable[str],
                       requests: Iterable[str], recent_contacts: int = 0,
                       talk_seconds: float | None = None) -> list[str]:
    """The playbook's escalation rules that hold now, in a stable order. The call limit
    counts talk time (``talk_seconds``, the elapsed time when not given): the time the
    customer waits on hold is the company's, not the customer's."""
    rules = playbook.escalation
    reasons = []
    talked = elapsed_seconds if talk_seconds is None else talk_seconds
    if rules.after_seconds and elapsed_seconds > rules.after_seconds:
        reasons.append(PAST_ESCALATION_TIME)
    if playbook.call_limit_seconds and talked > playbook.call_limit_seconds:
        reasons.append(PAST_CALL_LIMIT)
    if rules.on_flags and any(True for _ in flags):
        reasons.append(FLAGGED)
    asked = set(requests)
    reasons.extend(category for category in rules.on_requests if category in asked)
    if rules.repeat_calls and recent_contacts >= rules.repeat_calls:
        reasons.append(REPEATED_CALLS)
    return reasons


def anger_alone(playbook: Playbook, reasons: Iterable[str], flags: Iterable[str]) -> bool:
    """Whether a suggestion to hand over rests on flagged statements alone, none of whose
    responses calls for a senior (a threat of harm, a remark that needs another handler):
    the customer is angry, but nothing calls for a stalemate's, a threat's or a policy
    decision's takeover."""
    if list(reasons) != [FLAGGED]:
        return False
    return not any(response.level in SENIOR_LEVELS for response in playbook.responses_for(flags))


@dataclass(frozen=True)
class CapturedNote:
    offset_seconds: float
    kind: NoteKind
    text: str
    flags: tuple[str, ...] = ()
    requests: tuple[str, ...] = ()


#: The headings ``Handoff.render`` needs, in the agent's language.
HEADINGS = ("title", "caller", "agent", "elapsed", "reasons", "steps_done", "urgency", "facts",
            "quotes", "requests", "promises", "flags", "none", "not_assessed")


@dataclass(frozen=True)
class Handoff:
    caller: str
    agent: str
    elapsed_seconds: float
    reasons: tuple[str, ...]
    steps_done: tuple[str, ...]
    urgency: str
    impact: str
    notes: tuple[CapturedNote, ...]

    def render(self, headings: Mapping[str, str], labels: Mapping[str, str]) -> str:
        """Plain text for the clipboard; ``labels`` name reasons, levels and categories."""
        missing = set(HEADINGS) - set(headings)
        if missing:
            raise KeyError(f"headings missing: {sorted(missing)}")
        h = headings
        name = labels.get
        lines = [f"【{h['title']}】",
                 f"{h['caller']}: {self.caller}",
                 f"{h['agent']}: {self.agent}",
                 f"{h['elapsed']}: {format_offset(self.elapsed_seconds)}",
                 f"{h['reasons']}: " + (", ".join(name(r, r) for r in self.reasons) or h["none"]),
                 f"{h['steps_done']}: " + (", ".join(self.steps_done) or h["none"]),
                 f"{h['urgency']}: " + " / ".join(name(level, level) if level else
                                                  h["not_assessed"]
                                                  for level in (self.urgency, self.impact))]

        def section(key: str, notes: list[CapturedNote], describe) -> None:
            lines.append(f"■ {h[key]}")
            lines.extend(f"  {format_offset(n.offset_seconds)} {describe(n)}" for n in notes)
            if not notes:
                lines.append(f"  {h['none']}")

        by_kind = {kind: [n for n in self.notes if n.kind is kind] for kind in NoteKind}
        section("facts", by_kind[NoteKind.FACT] + by_kind[NoteKind.AGENT_NOTE], lambda n: n.text)
        section("quotes", by_kind[NoteKind.QUOTE], lambda n: f"「{n.text}」")
        section("requests", [n for n in self.notes if n.requests or n.kind is NoteKind.REQUEST],
                lambda n: f"{', '.join(name(r, r) for r in n.requests)} 「{n.text}」".strip())
        section("promises", by_kind[NoteKind.PROMISE], lambda n: n.text)
        section("flags", [n for n in self.notes if n.flags],
                lambda n: f"{', '.join(name(f, f) for f in n.flags)} 「{n.text}」")
        return "\n".join(lines)


def build_handoff(session: CallSession, caller: str, agent: str, language: str,
                  notes: Iterable[CapturedNote], reasons: Iterable[str], urgency: str = "",
                  impact: str = "") -> Handoff:
    steps_done = tuple(status.step.title.get(language) for status in session.steps()
                       if status.done)
    return Handoff(caller, agent, session.elapsed_seconds(), tuple(reasons), steps_done,
                   urgency, impact, tuple(notes))
