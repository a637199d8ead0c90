"""The export's column names and values as the window shows them, for the export dialog and
for ``callhelper export``: Qt's translations only, no widget, so that the command loads no
more of Qt than its core."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from callhelper.core.case import CaseStatus, Level, NoteKind
from callhelper.core.flag_review import FlagState
from callhelper.core.flags import DemandRules
from callhelper.store.export import Labels
from callhelper.ui.labels import level_label, status_label

NOTES, CASES = "notes", "cases"


def _column_names(what: str) -> dict[str, str]:
    translate = QCoreApplication.translate
    shared = {
        "case": translate("ExportColumns", "Case no."),
        "customer": translate("ExportColumns", "Customer"),
        "phone": translate("ExportColumns", "Phone"),
        "subject": translate("ExportColumns", "Subject"),
    }
    if what == NOTES:
        return shared | {
            "contact_start": translate("ExportColumns", "Call started"),
            "offset_seconds": translate("ExportColumns", "Seconds into the call"),
            "kind": translate("ExportColumns", "Kind"),
            "text": translate("ExportColumns", "Text"),
            "flags": translate("ExportColumns", "Suspected harassment"),
            "requests": translate("ExportColumns", "Requests"),
            "handler": translate("ExportColumns", "Agent"),
            "flag_states": translate("ExportColumns", "Flag review"),
            "due": translate("ExportColumns", "Promise due"),
        }
    return shared | {
        "opened": translate("ExportColumns", "Opened"),
        "last_contact": translate("ExportColumns", "Last contact"),
        "status": translate("ExportColumns", "Status"),
        "urgency": translate("ExportColumns", "Urgency"),
        "impact": translate("ExportColumns", "Impact"),
        "fix": translate("ExportColumns", "Fix"),
        "prevention": translate("ExportColumns", "Prevention"),
        "handlers": translate("ExportColumns", "Agents"),
        "contacts": translate("ExportColumns", "Calls"),
        "notes": translate("ExportColumns", "Notes"),
        "flags": translate("ExportColumns", "Flagged statements"),
    }


def export_labels(what: str, rules: DemandRules, language: str) -> Labels:
    """Column names and values as the window shows them (its translator's language), flag
    and request categories as the rules name them in ``language``. Built on the GUI thread
    (or the command's), then handed to the export's thread."""
    translate = QCoreApplication.translate
    return Labels(
        columns=_column_names(what),
        kinds={
            NoteKind.QUOTE: translate("ExportValues", "Customer's words"),
            NoteKind.AGENT_NOTE: translate("ExportValues", "Agent note"),
            NoteKind.FACT: translate("ExportValues", "Fact"),
            NoteKind.REQUEST: translate("ExportValues", "Request"),
            NoteKind.PROMISE: translate("ExportValues", "Promise"),
        },
        categories={category.id: rules.label(category.id, language)
                    for category in rules.categories},
        states={
            FlagState.SUSPECTED: translate("ExportValues", "suspected"),
            FlagState.CONFIRMED: translate("ExportValues", "confirmed"),
            FlagState.DISMISSED: translate("ExportValues", "dismissed"),
            FlagState.MANUAL: translate("ExportValues", "flagged by the agent"),
        },
        statuses={status.value: status_label(status) for status in CaseStatus},
        levels={level.value: level_label(level) for level in Level},
        separator=" / ")
