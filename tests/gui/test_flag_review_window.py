"""The agent reviews the detector's flags by keys during a real call: one confirmed, one
dismissed, one statement flagged by hand. The decisions reach the evidence report, the audit
trail, the supervisor's review and the CSV export."""

import csv
import json

import pytest

from PySide6.QtCore import Qt
from evidence_checks import pdf_text
from keyboard import type_text

from callhelper.core.audit import Entity
from callhelper.core.export import write_csv
from callhelper.store.engine import Store
from callhelper.store.evidence import case_evidence
from callhelper.store.export import NOTE_HEADER, ExportFilter, note_rows
from callhelper.store.history import CaseFilter
from callhelper.store.review import ReviewSet, summary
from callhelper.app.bootstrap import demand_rules
from callhelper.ui.evidence import write_evidence

#: The offscreen platform cannot grab the keyboard for a popup list (a desktop can).
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
THREAT = "SNSに晒すぞ"
INSULT = "ばかやろう"
#: Shouted: the words carry none of it, so the detector has nothing to find.
MISSED = "もうええわ、はよして"


def say(qtbot, window, text):
    before = window.notes_model.rowCount()
    type_text(window.note_entry, text)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == before + 1)


def lines_of(window, position):
    return window.notes_model.index(position).data().splitlines()


def decisions(db):
    return db("SELECT n.text, r.category, r.state, r.actor FROM flag_review r "
              "JOIN note n ON n.uid = r.note_uid ORDER BY r.id")


def review_by_keys(qtbot, window, db):
    """Three statements; Ctrl+Shift+N dismisses the insult (the newest suspicion),
    Ctrl+Shift+Y confirms the threat, Ctrl+Shift+F flags the shouted one as intimidation, all
    while the entry line has the focus."""
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    for text in (THREAT, INSULT, MISSED):
        say(qtbot, window, text)
    assert lines_of(window, 0)[1].startswith("⚠ suspected: Talk of posting online")
    assert window.note_entry.hasFocus()

    qtbot.keyClick(window.note_entry, Qt.Key.Key_N, CTRL_SHIFT)
    qtbot.waitUntil(lambda: len(decisions(db)) == 1)
    qtbot.waitUntil(lambda: lines_of(window, 1)[1] == "dismissed: Abusive words (鈴木)")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Y, CTRL_SHIFT)
    qtbot.waitUntil(lambda: lines_of(window, 0)[1] ==
                    "⚠ confirmed: Talk of posting online or retaliation (鈴木)")

    qtbot.keyClick(window.note_entry, Qt.Key.Key_F, CTRL_SHIFT)
    qtbot.waitUntil(lambda: window.flag_review.menu is not None
                    and window.flag_review.menu.isVisible())
    menu = window.flag_review.menu
    labels = [action.text() for action in menu.actions()]
    first, intimidation = (demand_rules().label(c, "en") for c in ("violence", "intimidation"))
    assert labels[0] == first and menu.activeAction().text() == first
    for _ in range(labels.index(intimidation)):
        qtbot.keyClick(menu, Qt.Key.Key_Down)
    assert menu.activeAction().text() == intimidation
    qtbot.keyClick(menu, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(lines_of(window, 2)) == 2)
    assert lines_of(window, 2)[1] == f"⚠ flagged by the agent: {intimidation} (鈴木)"
    qtbot.waitUntil(lambda: window.focusWidget() is window.note_entry)  # to type on
    assert decisions(db) == [(INSULT, "insult", "dismissed", "鈴木"),
                             (THREAT, "threat", "confirmed", "鈴木"),
                             (MISSED, "intimidation", "manual", "鈴木")]


def test_confirm_dismiss_and_flag_by_hand_during_the_call(qtbot, window, db, paths, clock,
                                                         tmp_path):
    review_by_keys(qtbot, window, db)

    # the audit trail holds the three decisions, and still verifies
    entries = db("SELECT actor, action, after FROM audit_entry WHERE entity = ? ORDER BY id",
                 Entity.FLAG.value)
    assert [(actor, action, json.loads(after)["category"], json.loads(after)["state"])
            for actor, action, after in entries] == [
        ("鈴木", "create", "insult", "dismissed"), ("鈴木", "create", "threat", "confirmed"),
        ("鈴木", "create", "intimidation", "manual")]

    store = Store(paths.database_url)
    try:
        with store.unit_of_work() as session:
            [(case_id,)] = db("SELECT id FROM support_case")
            evidence = case_evidence(session, case_id)
            write_csv(tmp_path / "notes.csv", NOTE_HEADER, note_rows(session, ExportFilter()))
    finally:
        store.close()

    # the evidence: the confirmed and the hand-flagged statements, the dismissed one apart
    write_evidence(tmp_path / "evidence.pdf", evidence, demand_rules(), "en", "鈴木",
                   clock.now())
    report = " ".join(pdf_text(tmp_path / "evidence.pdf").split())
    assert [statement.note.text for statement in evidence.statements] == [THREAT, MISSED]
    assert THREAT in report and MISSED in report  # the insult is there as their context
    assert report.count("Abusive words") == 1, "a dismissed flag is no evidence"
    assert "confirmed by 鈴木 at" in report and "added by 鈴木 at" in report
    assert "Abusive words — dismissed by 鈴木 at" in report
    assert "Confirmed or flagged 2" in report and evidence.unreviewed == 0

    # the supervisor's review counts them per category
    reviewed = ReviewSet.open([paths.database_file])
    try:
        counts = {review.category: review for review in
                  summary(reviewed, CaseFilter(), clock.now()).flag_reviews}
    finally:
        reviewed.close()
    assert (counts["threat"].confirmed, counts["threat"].confirmation_rate) == (1, 1.0)
    assert (counts["insult"].dismissed, counts["insult"].confirmation_rate) == (1, 0.0)
    assert (counts["intimidation"].manual, counts["intimidation"].unreviewed) == (1, 0)

    review_window = window.windows.open_review()  # and shows them on a page of their own
    table = review_window.flag_table
    qtbot.waitUntil(lambda: table.rowCount() == 3)
    shown = {table.item(row, 0).text(): [table.item(row, column).text()
                                         for column in range(1, 6)]
             for row in range(table.rowCount())}
    assert shown["Talk of posting online or retaliation"] == ["1", "0", "0", "0", "100%"]
    assert shown["Abusive words"] == ["0", "1", "0", "0", "0%"]
    review_window.close()

    # the CSV export carries each note's flag states
    with (tmp_path / "notes.csv").open(encoding="utf-8-sig", newline="") as stream:
        rows = {row["text"]: row["flag_states"] for row in csv.DictReader(stream)}
    assert rows == {THREAT: "threat:confirmed", INSULT: "insult:dismissed",
                    MISSED: "intimidation:manual"}


def test_a_right_click_on_a_note_offers_the_same(qtbot, window, db):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    say(qtbot, window, THREAT)
    view = window.notes_view
    point = view.visualRect(window.notes_model.index(0)).center()
    view.customContextMenuRequested.emit(point)
    menu = window.flag_review.menu
    assert menu is not None and menu.objectName() == "noteFlagMenu"
    confirm = menu.actions()[0]
    assert confirm.text() == ("Confirm: Talk of posting online or retaliation "
                              "(Ctrl+Shift+Y)")
    confirm.trigger()
    menu.close()
    qtbot.waitUntil(lambda: decisions(db) == [(THREAT, "threat", "confirmed", "鈴木")])


def test_decisions_are_back_when_an_unfinished_call_is_resumed(qtbot, open_window, db):
    window = open_window()
    review_by_keys(qtbot, window, db)
    window.close()
    again = open_window()
    assert [lines_of(again, position)[1] for position in range(3)] == [
        "⚠ confirmed: Talk of posting online or retaliation (鈴木)",
        "dismissed: Abusive words (鈴木)",
        f"⚠ flagged by the agent: {demand_rules().label('intimidation', 'en')} (鈴木)"]
