"""A case as a timeline, in HTML for a QTextBrowser: the history browser and the
supervisor's review both show it.

The review adds what only a supervisor looks at: how long each checklist step took against
its target, and each note's earlier words (edits and deletions, from the audit trail).
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from PySide6.QtCore import QObject

from callhelper.core.audit import Entry
from callhelper.core.case import CaseStatus, Level, NoteKind
from callhelper.core.flag_review import FlagState, NoteFlag
from callhelper.core.flags import DemandRules
from callhelper.core.playbook import Playbook, PlaybookCatalog
from callhelper.core.session import format_offset
from callhelper.store.history import CaseTimeline, TimelineEntry
from callhelper.ui.flag_states import STATE_COLORS, flag_line, words_color
from callhelper.ui.labels import (level_label, note_kind_tag, phone_label, quoted,
                                  status_label)

GREY, WARNING, OVER = "#6b6b6b", "#8a4b00", "#c62828"


def _status(value: str) -> str:
    return status_label(CaseStatus(value)) if value in set(CaseStatus) else value


def _when(moment: datetime | str) -> str:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return f"{moment.astimezone():%m/%d %H:%M}"


class TimelineRenderer(QObject):
    def __init__(self, catalog: PlaybookCatalog, rules: DemandRules, language: str,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self._rules = rules
        self._language = language

    def html(self, timeline: CaseTimeline, step_times: bool = False,
             revisions: dict[str, list[Entry]] | None = None,
             deleted: list[Entry] | None = None) -> str:
        """The case, then each contact's entries by time. ``step_times`` adds each step's
        duration against its target; ``revisions`` and ``deleted`` (from the audit trail)
        show the words a note had before it was edited or deleted."""
        case, customer = timeline.case, timeline.customer
        who = escape(customer.name or phone_label(customer.phone)) if customer else ""
        subject = case.subject or self.tr("(no subject)")
        calls = self.tr("Calls: %1").replace("%1", str(len(timeline.contacts)))
        parts = [f"<h3>#{case.id} {escape(subject)}</h3>",
                 f"<p>{who} · {escape(_status(case.status))}"
                 f"<br>{escape(self._assessment(case.urgency, case.impact))} · {escape(calls)}"]
        for label, text in ((self.tr("Fix:"), case.fix),
                            (self.tr("Prevention:"), case.prevention)):
            if text:
                parts.append(f"<br><b>{escape(label)}</b> {escape(text)}")
        parts.append("</p>")
        revisions = revisions or {}
        for contact in timeline.contacts:
            senior = self.tr("senior")
            people = ", ".join(escape(name) + (f" ({escape(senior)})" if role == "senior" else "")
                               for name, role in contact.handlers)
            parts.append(f"<h4>{contact.contact.started_at.astimezone():%Y-%m-%d %H:%M} · "
                         f"{people}</h4><table cellspacing=2>")
            playbook = self._catalog.get(contact.contact.playbook_id)
            rows = [(entry.offset_ms, self._entry_html(entry, playbook, step_times,
                                                       revisions.get(entry.uid, [])))
                    for entry in contact.entries]
            rows += [(int(state.get("offset_ms", 0)), self._deleted_html(entry, state))
                     for entry in deleted or []
                     if (state := entry.before_state() or {}).get("contact")
                     == contact.contact.uid]
            rows.sort(key=lambda row: row[0])
            for offset_ms, body in rows:
                parts.append(f"<tr><td style='color:{GREY}'>{format_offset(offset_ms / 1000)}"
                             f"</td><td>{body}</td></tr>")
            parts.append("</table>")
        return "".join(parts)

    def _assessment(self, urgency: str, impact: str) -> str:
        """The case's urgency and impact as the agent assessed them, or that they were not."""
        def level(value: str) -> str:
            return level_label(Level(value)) if value in set(Level) else self.tr("not assessed")

        return self.tr("Urgency: %1 · Impact: %2").replace("%1", level(urgency)).replace(
            "%2", level(impact))

    def _entry_html(self, entry: TimelineEntry, playbook: Playbook | None, step_times: bool,
                    revisions: list[Entry]) -> str:
        if entry.kind in ("tick", "untick"):
            return self._step_html(entry, playbook, step_times)
        if entry.kind == "hand":
            return self._hand_html(entry)
        if entry.kind == "escalation":
            escalated = self.tr("Escalated")
            reasons = f": {escape(entry.text)}" if entry.text else ""
            return (f"<span style='color:{WARNING}'>⚠ {escape(escalated)}{reasons} "
                    f"({escape(entry.who)})</span>")
        body = self._words_html(entry.kind, entry.text, entry.flags)
        if NoteKind(entry.kind) is NoteKind.PROMISE:
            body += " " + escape(self._promise_state(entry))
        for revision in revisions:
            if revision.action == "edit" and (revision.before_state() or {}).get("text") != \
                    (revision.after_state() or {}).get("text"):
                earlier = (revision.before_state() or {}).get("text", "")
                body += (f"<br><span style='color:{GREY}'>✎ "
                         + escape(self.tr("edited by %1 at %2; before: %3")
                                  .replace("%1", revision.actor)
                                  .replace("%2", _when(revision.at))
                                  .replace("%3", quoted(earlier)))
                         + "</span>")
        return body

    def _hand_html(self, entry: TimelineEntry) -> str:
        """A raised hand (team mode): who raised it and why; who answered what, after how
        long; or that it was lowered unanswered."""
        from callhelper.ui.hand import answer_label, reason_label

        raised = self.tr("%1 raised a hand").replace("%1", entry.who)
        if entry.text:
            raised += f" ({reason_label(entry.text)})"
        waited = format_offset(entry.elapsed_ms / 1000)
        if entry.answer:
            outcome = self.tr("answered by %1 after %2: %3").replace(
                "%1", entry.done_by).replace("%2", waited).replace("%3",
                                                                  answer_label(entry.answer))
        elif entry.elapsed_ms:
            outcome = self.tr("lowered after %1 without an answer").replace("%1", waited)
        else:
            outcome = self.tr("no answer yet")
        return f"<span style='color:{WARNING}'>{escape(raised)} — {escape(outcome)}</span>"

    def _words_html(self, kind: str, text: str, flags: tuple[NoteFlag, ...]) -> str:
        """The note's words, then a line for each of its flags, as the call window shows
        them (ui/flag_states.py)."""
        note_kind = NoteKind(kind)
        body = escape(quoted(text) if note_kind is NoteKind.QUOTE
                      else f"{note_kind_tag(note_kind)} {text}")
        color = words_color(flag.state for flag in flags)
        if color:
            body = f"<span style='color:{color}'>{body}</span>"
        for flag in flags:
            line = escape(flag_line(flag, self._rules, self._language, guidance=False))
            tag = "s" if flag.state is FlagState.DISMISSED else "span"
            body += f"<br><{tag} style='color:{STATE_COLORS[flag.state]}'>{line}</{tag}>"
        return body

    def _deleted_html(self, entry: Entry, state: dict) -> str:
        words = self._words_html(state.get("kind", "quote"), state.get("text", ""), ())
        note = self.tr("deleted by %1 at %2").replace("%1", entry.actor).replace(
            "%2", _when(entry.at))
        return f"<s style='color:{GREY}'>{words}</s> <span style='color:{GREY}'>" \
               f"({escape(note)})</span>"

    def _step_html(self, entry: TimelineEntry, playbook: Playbook | None,
                   step_times: bool) -> str:
        mark = "✔" if entry.kind == "tick" else "✗"
        step = next((s for s in playbook.steps if s.id == entry.text), None) \
            if playbook else None
        title = step.title.get(self._language) if step else entry.text
        text = f"{mark} {escape(title)}"
        if step_times and entry.kind == "tick" and entry.elapsed_ms:
            took = format_offset(entry.elapsed_ms / 1000)
            if step is not None and step.target_seconds:
                target = format_offset(step.target_seconds)
                over = entry.elapsed_ms / 1000 > step.target_seconds
                timing = self.tr("%1 (target %2)").replace("%1", took).replace("%2", target)
                colour = OVER if over else GREY
                text += f" — <span style='color:{colour}'>{escape(timing)}</span>"
            else:
                text += f" — {escape(took)}"
        return f"<span style='color:{GREY}'>{text}</span>"

    def _promise_state(self, entry: TimelineEntry) -> str:
        if entry.done_at is not None:
            return self.tr("(kept: %1, %2)").replace("%1", entry.done_by).replace(
                "%2", _when(entry.done_at))
        if entry.due_at is not None:
            return self.tr("(open, due %1)").replace("%1", _when(entry.due_at))
        return self.tr("(open)")
