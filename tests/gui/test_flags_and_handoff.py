"""Flags beside the note, escalation suggested by the playbook's rules, the handoff on Ctrl+E."""

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from keyboard import type_text

CTRL = Qt.KeyboardModifier.ControlModifier



def say(qtbot, window, text):
    before = window.notes_model.rowCount()
    type_text(window.note_entry, text)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == before + 1)
    return window.notes_model.index(before)


def start(qtbot, window, number=""):
    if number:
        type_text(window.number_input, number)
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)


def test_a_flagged_statement_shows_the_guidance_at_once(qtbot, window, db):
    start(qtbot, window)
    assert not window.handoff.escalation_label.isVisible()
    row = say(qtbot, window, "誠意を見せろ、SNSに晒すぞ")
    assert row.data().splitlines() == [
        "00:00  “誠意を見せろ、SNSに晒すぞ”",
        "⚠ suspected: Talk of posting online or retaliation → empathise, do not accept, "
        "do not argue, record verbatim, escalate",
        "⚠ suspected: Money or goods beyond the remedy → empathise, do not accept, do not "
        "argue, record verbatim, escalate",
        "Request: Compensation — check its validity with the supervisor"]
    assert window.handoff.escalation_label.isVisible()
    assert "suspected harassment" in window.handoff.escalation_label.text()
    assert db("SELECT flags, requests FROM note") == [
        ('["threat", "money_demand"]', '["compensation"]')]
    assert db("SELECT flag_count FROM support_case") == [(2,)]


def test_a_request_is_never_shown_as_harassment(qtbot, window, db):
    start(qtbot, window)
    row = say(qtbot, window, "壊れているので返金してほしい")
    assert "⚠" not in row.data()
    assert "Request: Refund" in row.data()
    assert not window.handoff.escalation_label.isVisible()
    plain = say(qtbot, window, "担当の方のお名前を教えていただけますか")
    assert plain.data().splitlines() == ["00:00  “担当の方のお名前を教えていただけますか”"]
    assert db("SELECT flag_count FROM support_case") == [(0,)]


def test_facts_written_by_the_agent_are_not_checked_for_demands(qtbot, window):
    start(qtbot, window)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    row = say(qtbot, window, "交換品を本日発送")
    assert row.data().splitlines() == ["00:00  [Fact] 交換品を本日発送"]


def test_asking_for_a_superior_and_a_long_call_suggest_escalation(qtbot, window, clock):
    start(qtbot, window)
    say(qtbot, window, "上司を出せ")
    assert "Asks for a superior" in window.handoff.escalation_label.text()
    clock.advance(901)
    qtbot.waitUntil(lambda: "the call is long" in window.handoff.escalation_label.text(), timeout=3000)


def test_the_third_call_in_a_month_from_one_number_is_signalled(qtbot, window, clock,
                                                               wait_until_idle):
    for _ in range(2):
        start(qtbot, window, "03-1234-5678")
        wait_until_idle(window)
        assert not window.handoff.escalation_label.isVisible()
        qtbot.keyClick(window.note_entry, Qt.Key.Key_F9)
        type_text(window.wrap_up.subject, "問い合わせ")
        qtbot.keyClick(window.wrap_up.subject, Qt.Key.Key_S, CTRL)
        qtbot.waitUntil(lambda: window.session is None)
        clock.advance(86400 * 3)
    start(qtbot, window, "03-1234-5678")
    qtbot.waitUntil(lambda: window.handoff.escalation_label.isVisible())
    assert "a case that may be unresolved (3 calls in 30 days)" in \
        window.handoff.escalation_label.text()


def test_ctrl_e_copies_the_handoff_records_it_and_the_senior(qtbot, window, clock, db):
    type_text(window.ringing_page.name_input, "山田 太郎")
    start(qtbot, window, "03-1234-5678")
    clock.advance(20)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_1, CTRL)
    clock.advance(15)
    say(qtbot, window, "先週買ったばかりなのに電源が入らない")
    window.checklist.urgency_combo.setCurrentIndex(window.checklist.urgency_combo.findData("high"))
    window.checklist.urgency_combo.activated.emit(window.checklist.urgency_combo.currentIndex())
    clock.advance(60)
    say(qtbot, window, "土下座しろ")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_E, CTRL)
    summary = QApplication.clipboard().text()
    assert summary.startswith("【Handoff (second response)】")
    assert "Customer: 山田 太郎 (03-1234-5678)" in summary
    assert "Why now: suspected harassment" in summary
    assert "Done so far (apologies included): Limited apology" in summary
    assert "Urgency / impact: High / not assessed yet" in summary
    assert "  00:35 「先週買ったばかりなのに電源が入らない」" in summary
    assert "  01:35 Demanding a kneeling apology 「土下座しろ」" in summary
    assert QApplication.focusWidget() is window.handoff.senior_input
    type_text(window.handoff.senior_input, "田中主任")
    qtbot.keyClick(window.handoff.senior_input, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is window.note_entry
    qtbot.waitUntil(lambda: db("SELECT count(*) FROM contact_handler") == [(2,)])
    assert db("SELECT name, role FROM contact_handler ORDER BY id") == [
        ("鈴木", "agent"), ("田中主任", "senior")]
    (reasons, stored, agent, offset), = db("SELECT reasons, summary, agent, offset_ms "
                                           "FROM escalation")
    assert json.loads(reasons) == ["flagged"] and stored == summary
    assert (agent, offset) == ("鈴木", 95_000)
    assert db("SELECT urgency FROM support_case") == [("high",)]
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F9)
    assert window.wrap_up.urgency.currentData() == "high"


def test_the_hint_shows_better_phrasings_and_why(qtbot, window):
    start(qtbot, window)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_1, CTRL)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_2, CTRL)
    assert "✗ We will humbly be allowed to handle it" in window.checklist.hint_label.text()
    assert "Record the customer's exact words" in window.checklist.hint_label.toolTip()
