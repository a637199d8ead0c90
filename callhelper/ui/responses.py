"""What the window tells the agent to do about the call's flags and signals: the playbook's
response to each type (core/playbook.py ``Response``), the suggestion to hand over, and,
once the call is handed over, the senior's script.

A threat of harm turns the suggestion into an instruction (a red banner: the supervisor
now, safety first); a suggestion that rests on anger alone carries the playbook's warning
against a takeover on reflex.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from callhelper.core.escalation import anger_alone
from callhelper.core.playbook import Playbook, Response
from callhelper.core.session import format_offset

SUGGESTION_STYLE = ("background: #fff4d6; border: 1px solid #e0b252; color: #8a4b00; "
                    "padding: 4px;")
URGENT_STYLE = ("background: #fde2e1; border: 2px solid #c62828; color: #8e0000; "
                "padding: 4px;")
SENIOR_STYLE = "background: #e8f0fe; border: 1px solid #7baaf7; color: #0d3c84; padding: 4px;"


#: Marks the words to say; symbols a Japanese font has (no emoji, which a desktop without an
#: emoji font draws as empty boxes).
SAY_MARK = "◇"


def _items(texts: Iterable[str], mark: str) -> str:
    return "".join(f"<br>{mark} {escape(text)}" for text in texts)


class ResponseBanner(QLabel):
    """The banner above the checklist; hidden while nothing calls for it."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("escalation")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.urgent = False
        self.hide()

    def present(self, playbook: Playbook, language: str, flags: Iterable[str],
                reasons: list[str], reason_labels: Mapping[str, str],
                talk_seconds: float) -> None:
        """Show the responses to ``flags`` and to the signals among ``reasons`` (most urgent
        first) under the suggestion to hand over, if there is one."""
        flags = list(flags)
        responses = playbook.responses_for([*flags, *reasons])
        self.urgent = bool(responses) and responses[0].level == "supervisor_now"
        if not reasons and not responses:
            self.hide()
            return
        parts = []
        if self.urgent:
            parts.append("<b>" + escape(self.tr(
                "⚠ Call your supervisor NOW — safety first. Do not handle this alone.")) + "</b>")
        elif reasons:
            parts.append(escape(self.tr("⚠ Consider handing over: %1 — Ctrl+E copies the handoff")
                                .replace("%1", self.tr(", ").join(reason_labels.get(r, r)
                                                                  for r in reasons))))
            if anger_alone(playbook, reasons, flags):
                parts.append("<i>" + escape(playbook.escalation.not_by_reflex.get(language))
                             + "</i>")
        parts.extend(self._response_html(playbook, language, response, talk_seconds)
                     for response in responses)
        self.setText("<br>".join(part for part in parts if part))
        self.setStyleSheet(URGENT_STYLE if self.urgent else SUGGESTION_STYLE)
        self.show()

    def _response_html(self, playbook: Playbook, language: str, response: Response,
                       talk_seconds: float) -> str:
        html = f"<b>{escape(response.title.get(language))}</b>"
        html += _items(response.do.get(language) or (), "•")
        if response.level == "limit" and playbook.call_limit_seconds:
            html += "<br>" + escape(self.tr(
                "The limit: %1 of talk time (hold time not counted); talked so far: %2")
                .replace("%1", format_offset(playbook.call_limit_seconds))
                .replace("%2", format_offset(talk_seconds)))
        return html + _items(response.say.get(language) or (), SAY_MARK)


class SeniorScript(QLabel):
    """The senior's side of the takeover (二次対応), shown from the handover to the end of
    the call."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("seniorScript")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setStyleSheet(SENIOR_STYLE)
        self.hide()

    def present(self, playbook: Playbook, language: str) -> None:
        script = playbook.senior
        if script is None:
            self.hide()
            return
        self.setText(f"<b>{escape(script.title.get(language))}</b>"
                     + _items(script.do.get(language) or (), "•")
                     + _items(script.say.get(language) or (), SAY_MARK))
        self.show()
