"""The playbook's response to each type of flagged statement, in the window: a threat of
harm calls the supervisor now with the safety script, a sexual remark a warning and another
handler, anger alone a warning against a takeover on reflex; the senior's script on
handover."""

from PySide6.QtCore import Qt
from keyboard import type_text

CTRL = Qt.KeyboardModifier.ControlModifier


def say(qtbot, window, text):
    before = window.notes_model.rowCount()
    type_text(window.note_entry, text)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == before + 1)


def start(qtbot, window):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: window.session is not None)


def test_a_threat_of_harm_brings_the_supervisor_now_banner_with_the_safety_script(
        qtbot, window):
    start(qtbot, window)
    say(qtbot, window, "今から会社に乗り込むぞ")
    banner = window.handoff.escalation_label
    assert banner.isVisible() and banner.urgent
    text = banner.text()
    assert "Call your supervisor NOW — safety first" in text
    assert "Consider handing over" not in text
    assert "calls the police at once (110)" in text
    assert "Keep the call recording" in text
    assert "I have to take what you just said as a threat" in text
    assert "I will end the call now" in text


def test_a_sexual_remark_brings_a_warning_and_a_change_of_handler(qtbot, window):
    start(qtbot, window)
    say(qtbot, window, "エロい声やな")
    banner = window.handoff.escalation_label
    text = banner.text()
    assert not banner.urgent
    assert "A sexual remark: a firm warning, then another handler" in text
    assert "hand the call to another handler (Ctrl+E)" in text
    assert "Please refrain from remarks like that." in text
    assert "A senior takes over for a stalemate" not in text


def test_an_insult_alone_brings_the_warning_phrase_and_the_reflex_warning(qtbot, window):
    start(qtbot, window)
    say(qtbot, window, "役立たずが")
    text = window.handoff.escalation_label.text()
    assert "If remarks like that continue, I will end the call." in text
    assert "A senior takes over for a stalemate, a threat or a decision of the company, " \
           "not for anger alone" in text


def test_a_demand_for_money_is_declined_while_the_feeling_is_acknowledged(qtbot, window):
    start(qtbot, window)
    say(qtbot, window, "慰謝料払え")
    text = window.handoff.escalation_label.text()
    assert "acknowledge the feeling, decline clearly" in text
    assert "However, we cannot agree to that request." in text


def test_restraint_states_the_limit_in_talk_time(qtbot, window, clock):
    start(qtbot, window)
    clock.advance(600)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F8)
    clock.advance(300)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F8)
    say(qtbot, window, "納得するまで切らせないからな")
    text = window.handoff.escalation_label.text()
    assert "The limit: 45:00 of talk time (hold time not counted); talked so far: 10:00" \
        in text
    assert "As we are going round in circles, I will end the call now." in text


def test_the_senior_script_is_shown_on_handover(qtbot, window, settings):
    start(qtbot, window)
    say(qtbot, window, "上司を出せ")
    assert not window.handoff.senior_script.isVisible()
    qtbot.keyClick(window.note_entry, Qt.Key.Key_E, CTRL)
    script = window.handoff.senior_script
    assert script.isVisible()
    assert "Taking over (the senior)" in script.text()
    assert "Give your name and your standing" in script.text()
    assert "the first account may carry the agent" in script.text()
    assert "my own lack of guidance" in script.text()
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: not script.isVisible())
