"""How a note's flags are shown with their state (core/flag_review.py), wherever notes are
shown: the call window's list, and the timelines of the history browser and the review.

A suspicion is amber, a flag an agent confirmed or added by hand red with who did it, a
dismissed one grey and struck through, with who dismissed it. The words of a note are red
once one of its flags is confirmed or added, amber while one is only suspected: a
suspicion is never shown as a verdict.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from callhelper.core.flag_review import FlagState, NoteFlag

if TYPE_CHECKING:
    from callhelper.core.flags import DemandRules

FLAGGED_COLOR = "#c62828"
SUSPECTED_COLOR = "#a35200"
DISMISSED_COLOR = "#8a8a8a"
STATE_COLORS = {
    FlagState.SUSPECTED: SUSPECTED_COLOR,
    FlagState.CONFIRMED: FLAGGED_COLOR,
    FlagState.MANUAL: FLAGGED_COLOR,
    FlagState.DISMISSED: DISMISSED_COLOR,
}


def flag_line(flag: NoteFlag, rules: DemandRules, language: str, guidance: bool = True) -> str:
    """One flag as a line under the note: its state, its label and who decided it.
    ``guidance``: a suspicion carries what to do about it (during the call)."""
    translate = QCoreApplication.translate
    text = {
        FlagState.SUSPECTED: translate(
            "flags", "⚠ suspected: %1 → empathise, do not accept, do not argue, record "
            "verbatim, escalate") if guidance else translate("flags", "⚠ suspected: %1"),
        FlagState.CONFIRMED: translate("flags", "⚠ confirmed: %1 (%2)"),
        FlagState.MANUAL: translate("flags", "⚠ flagged by the agent: %1 (%2)"),
        FlagState.DISMISSED: translate("flags", "dismissed: %1 (%2)"),
    }[flag.state]
    return text.replace("%1", rules.label(flag.category, language)).replace("%2", flag.by)


def words_color(states: Iterable[str]) -> str | None:
    """The colour of a note's words given its flags' states (None: the usual one)."""
    found = set(states)
    if found & {FlagState.CONFIRMED, FlagState.MANUAL}:
        return FLAGGED_COLOR
    if FlagState.SUSPECTED in found:
        return SUSPECTED_COLOR
    return None
