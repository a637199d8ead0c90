"""Translated names for the values the core defines."""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import QCoreApplication, QLocale

from callhelper.core.case import CaseStatus, Level, NoteKind


translate = QCoreApplication.translate


def note_kind_label(kind: NoteKind) -> str:
    return {
        NoteKind.QUOTE: translate("labels", "Customer's words"),
        NoteKind.AGENT_NOTE: translate("labels", "Agent note"),
        NoteKind.FACT: translate("labels", "Fact"),
        NoteKind.REQUEST: translate("labels", "Request"),
        NoteKind.PROMISE: translate("labels", "Promise"),
    }[kind]


def note_kind_tag(kind: NoteKind) -> str:
    """The short tag a note of this kind carries in the list (quotes get 「」 instead)."""
    return {
        NoteKind.QUOTE: "",
        NoteKind.AGENT_NOTE: translate("labels", "[Note]"),
        NoteKind.FACT: translate("labels", "[Fact]"),
        NoteKind.REQUEST: translate("labels", "[Request]"),
        NoteKind.PROMISE: translate("labels", "[Promise]"),
    }[kind]


#: How much of a very long note a list shows (laying out megabytes would stall the window).
PREVIEW_LENGTH = 2000


def note_preview(text: str) -> str:
    """A note as a list shows it: whole, or the start of a very long one with its length."""
    if len(text) <= PREVIEW_LENGTH:
        return text
    return text[:PREVIEW_LENGTH] + " … " + translate(
        "labels", "(%1 characters in all)").replace("%1", f"{len(text):,}")


def level_label(level: Level) -> str:
    return {Level.HIGH: translate("labels", "High"), Level.MEDIUM: translate("labels", "Medium"), Level.LOW: translate("labels", "Low")}[level]


def status_label(status: CaseStatus) -> str:
    return {
        CaseStatus.OPEN: translate("labels", "Open"),
        CaseStatus.WAITING_CALLBACK: translate("labels", "Callback due"),
        CaseStatus.RESOLVED: translate("labels", "Resolved"),
    }[status]


def quoted(text: str) -> str:
    """The customer's words as the list shows them: “…” in English, 「…」 in Japanese."""
    return translate("labels", "“%1”").replace("%1", text)


def due_label(moment: datetime, language: str) -> str:
    """A promise's due time in local time with its weekday, as the agent checks it:
    「1/6 (火) 10:00」, "1/6 (Tue) 10:00" (the year only when it is not this one)."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone()
    locale = QLocale(QLocale.Language.Japanese if language == "ja" else QLocale.Language.English)
    pattern = "M/d (ddd) HH:mm" if local.year == datetime.now().year else "yyyy/M/d (ddd) HH:mm"
    return locale.toString(local.replace(tzinfo=None), pattern)


def phone_label(typed: str) -> str:
    """A number as agents read it (０３（１４８１）４１８０ → 03-1481-4180); what was typed
    when it is no number (非通知, a name)."""
    if not typed.strip():
        return ""
    # loaded at the first number, not before the window shows (its tables take ~20 ms);
    # the store's worker has usually loaded it by then
    from callhelper.core.phones import normalize_phone

    return normalize_phone(typed).display
