"""The caller's history appears as the call comes in; the profile is edited in place."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from callhelper.core.case import CaseStatus
from callers import earlier_call
from keyboard import type_text

CTRL = Qt.KeyboardModifier.ControlModifier


def test_a_known_caller_shows_history_promises_and_profile_while_ringing(qtbot, window, paths,
                                                                         clock):
    earlier_call(paths, clock, "a", 20, "プリンターの電源", CaseStatus.RESOLVED)
    earlier_call(paths, clock, "b", 3, "交換品の発送", CaseStatus.WAITING_CALLBACK,
                 promise="交換品の発送日を折り返し連絡")
    type_text(window.number_input, "０３（１２３４）５６７８")
    panel = window.caller_panel
    qtbot.waitUntil(lambda: panel.contacts_model.rowCount() == 2)
    assert window.header.caller_label.text() == "山田 太郎  ·  株式会社ヤマダ商事"
    assert "3 calls in 30 days" in window.header.caller_detail.text()
    rows = [panel.contacts_model.index(row).data() for row in range(2)]
    assert "佐藤  “交換品の発送” — Callback due" in rows[0], "open cases first"
    assert "“プリンターの電源” — Resolved" in rows[1]
    assert "交換品の発送日を折り返し連絡" in panel.promises.text()
    assert "Open promise" in panel.promises.text()
    assert panel.profile.text() == "Contact by: 電話(メールは見ない) · 水曜午後は不在"
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: panel.contacts_model.rowCount() == 2)
    assert window.header.caller_label.text().startswith("山田 太郎")


def test_an_unknown_caller_gets_a_profile_without_a_dialog(qtbot, window, db):
    type_text(window.number_input, "090-9999-0000")
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: "New caller" in window.header.caller_detail.text())
    qtbot.keyClick(window.note_entry, Qt.Key.Key_P, CTRL)
    panel = window.caller_panel
    assert QApplication.focusWidget() is panel.name
    type_text(panel.name, "新規 花子")
    panel.channel.setText("メール")
    qtbot.keyClick(panel.name, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is window.note_entry
    qtbot.waitUntil(lambda: db("SELECT name, preferred_channel FROM customer")
                    == [("新規 花子", "メール")])
    qtbot.waitUntil(lambda: window.caller_panel.profile.text() == "Contact by: メール")
    assert window.header.caller_label.text() == "新規 花子"


def test_the_panel_model_passes_the_model_tester(qtbot, window, paths, clock, qtmodeltester):
    earlier_call(paths, clock, "a", 1, "件名", CaseStatus.OPEN)
    type_text(window.number_input, "03-1234-5678")
    qtbot.waitUntil(lambda: window.caller_panel.contacts_model.rowCount() == 1)
    qtmodeltester.check(window.caller_panel.contacts_model)


def test_numbers_added_to_the_profile_find_the_same_history(qtbot, window, paths, clock):
    earlier_call(paths, clock, "a", 2, "会社の電話から", CaseStatus.OPEN)
    type_text(window.number_input, "03-1234-5678")
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    panel = window.caller_panel
    qtbot.waitUntil(lambda: panel.contacts_model.rowCount() == 1)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_P, CTRL)
    type_text(panel.other_numbers, "090-5555-6666")
    qtbot.keyClick(panel.other_numbers, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Also calls from 090-5555-6666" in panel.profile.text())
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F9)
    type_text(window.wrap_up.subject, "番号の追加")
    qtbot.keyClick(window.wrap_up.subject, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: window.session is None)
    type_text(window.number_input, "09055556666")
    qtbot.waitUntil(lambda: panel.contacts_model.rowCount() == 2)
    assert window.header.caller_label.text().startswith("山田 太郎")


def test_ctrl_p_before_the_profile_arrives_waits_for_it(qtbot, window, paths, clock, db):
    earlier_call(paths, clock, "a", 2, "件名", CaseStatus.OPEN)
    type_text(window.number_input, "03-1234-5678")
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_P, CTRL)
    panel = window.caller_panel
    qtbot.waitUntil(lambda: panel.form.isVisible())
    assert panel.company.text() == "株式会社ヤマダ商事"
    qtbot.keyClick(panel.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Contact by" in panel.profile.text())
    assert db("SELECT company, preferred_channel FROM customer") == [
        ("株式会社ヤマダ商事", "電話(メールは見ない)")]
    assert db("SELECT phone FROM customer_phone") == [("03-1234-5678",)]
