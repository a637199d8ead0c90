"""Helpers for the tests of the harassment evidence export."""

import os
import shutil
import subprocess
import time
from contextlib import contextmanager

import pytest

#: Japan's time, UTC+09:00, written so that it needs no time zone database.
JAPAN_TZ = "JST-9"


def pdf_text(path) -> str:
    """The text of a PDF as a reader would copy it out (pdftotext, from poppler-utils)."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install poppler-utils (.ci/system-packages does)")
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True, timeout=60).stdout


@contextmanager
def japan_time():
    """Local time is Japan's inside the block."""
    if not hasattr(time, "tzset"):
        pytest.skip("the local time zone can be set only on POSIX systems")
    saved = os.environ.get("TZ")
    os.environ["TZ"] = JAPAN_TZ
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


THREAT = "ふざけるな、SNSに晒すぞ"
KNEELING = "土下座して謝れ"


CONFIRMED_THREAT = {"threat": "confirmed", "intimidation": "confirmed"}


def capture_cases(database_url, clock):
    """Two callers' cases, as captured earlier: one with flagged statements (their flags
    confirmed by the agent), one without; returns their case ids by name ("flagged",
    "calm")."""
    from callhelper.core.case import NoteKind

    return capture(database_url, clock, {
        "flagged": [(40, NoteKind.AGENT_NOTE, "お詫びし、状況を確認", {}),
                    (189, NoteKind.QUOTE, THREAT, CONFIRMED_THREAT),
                    (420, NoteKind.QUOTE, KNEELING, {"kneeling_apology": "confirmed"})],
        "calm": [(30, NoteKind.QUOTE, "返金してほしい", {})]})


def capture_reviewed_cases(database_url, clock):
    """Cases whose flags 鈴木 reviewed in different ways: "mixed" (a flag confirmed, one
    dismissed, one only suspected, one added by hand), "suspected" (nobody reviewed its
    flag) and "dismissed" (every flag dismissed); returns their case ids by name."""
    from callhelper.core.case import NoteKind

    return capture(database_url, clock, {
        "mixed": [(189, NoteKind.QUOTE, THREAT,
                   {"threat": "confirmed", "intimidation": "dismissed"}),
                  (300, NoteKind.QUOTE, KNEELING, {}),
                  (420, NoteKind.QUOTE, "そっちの出方次第やな", {"intimidation": "manual"})],
        "suspected": [(60, NoteKind.QUOTE, KNEELING, {})],
        "dismissed": [(60, NoteKind.QUOTE, THREAT,
                       {"threat": "dismissed", "intimidation": "dismissed"})]})


def capture(database_url, clock, calls):
    """One call of 鈴木's per name in ``calls``, each with its notes as (seconds into the
    call, kind, words, {flag category: 鈴木's decision on it}); returns the case ids by
    name."""
    from callhelper.store import flag_reviews, repository
    from callhelper.store.engine import Store
    from callhelper.store.repository import NewContact
    from callhelper.app.bootstrap import demand_rules

    store = Store(database_url)
    ids = {}
    for uid, notes in calls.items():
        start = clock.now()
        with store.unit_of_work() as session:
            ids[uid] = repository.start_contact(session, NewContact(
                uid, "鈴木", "complaint", 2, start, "03-1234-5678", "山田 太郎")).case_id
            for number, (seconds, kind, text, decisions) in enumerate(notes):
                clock.advance(start.timestamp() + seconds - clock.now().timestamp())
                note = repository.add_note(session, uid, f"{uid}-{number}", kind, text,
                                           seconds * 1000, "鈴木", clock.now(), demand_rules())
                for category, state in decisions.items():
                    flag_reviews.review_flag(session, demand_rules(), f"{note.uid}-{category}",
                                             note.uid, category, state, "鈴木", clock.now())
        clock.advance(3600)
    store.close()
    return ids


def shown_fragments(browser):
    """The runs of text a QTextBrowser shows, each with its colour and whether it is struck
    through: [(text, "#rrggbb", struck)]."""
    found = []
    block = browser.document().begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            style = fragment.charFormat()
            found.append((fragment.text(), style.foreground().color().name(),
                          style.fontStrikeOut()))
            iterator += 1
        block = block.next()
    return found


def shown_as(browser, words):
    """The colour and strike-through of the run that holds ``words``."""
    return next((color, struck) for text, color, struck in shown_fragments(browser)
                if words in text)
