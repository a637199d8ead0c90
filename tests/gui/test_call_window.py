"""A whole call taken with the keyboard in the real window, then checked on disk."""

import sqlite3

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem

from callhelper.config import Settings
from callhelper.core.session import CallState
from callhelper.ui.models import ChecklistModel, OVERDUE_COLOR
from keyboard import type_text

ALT, CTRL = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier
QUOTES = ["先週買ったばかりなのに電源が入らない", "明日の会議で使うのに、本当に困る",
          "誠意を見せろ😡 なんとかしろ"]



def type_note(qtbot, window, text):
    before = window.notes_model.rowCount()
    type_text(window.note_entry, text)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == before + 1)


def test_a_complete_call_with_the_keyboard_alone(qtbot, window, clock, db):
    type_text(window.number_input, "03-1234-5678")
    type_text(window.ringing_page.name_input, "山田 太郎")
    qtbot.keyClick(window.ringing_page.name_input, Qt.Key.Key_F7)
    assert window.session.state is CallState.ACTIVE
    assert QApplication.focusWidget() is window.note_entry
    assert window.header.caller_label.text() == "山田 太郎"

    clock.advance(20)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_1, CTRL)
    clock.advance(15)
    type_note(qtbot, window, QUOTES[0])
    clock.advance(40)
    type_note(qtbot, window, QUOTES[1])
    qtbot.keyClick(window.note_entry, Qt.Key.Key_2, CTRL)
    clock.advance(35)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F, ALT)
    type_note(qtbot, window, "11/15購入・店頭受取")
    assert window.entry.kind_combo.currentIndex() == 0, "the kind returns to the customer's words"
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F8)
    assert window.session.state is CallState.ON_HOLD
    clock.advance(60)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F8)
    clock.advance(10)
    type_note(qtbot, window, QUOTES[2])
    shown = [window.notes_model.index(row).data() for row in range(4)]
    assert shown[0] == f"00:35  “{QUOTES[0]}”"
    assert shown[2] == "01:50  [Fact] 11/15購入・店頭受取"

    qtbot.keyClick(window.note_entry, Qt.Key.Key_F9)
    assert window.session.state is CallState.ENDED
    assert window.wrap_up.isVisible()
    assert QApplication.focusWidget() is window.wrap_up.subject
    type_text(window.wrap_up.subject, "購入直後の電源不良")
    qtbot.keyClick(window.wrap_up.subject, Qt.Key.Key_Tab)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    type_text(QApplication.focusWidget(), "交換品を本日発送")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    type_text(QApplication.focusWidget(), "出荷前の通電確認を追加")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: window.session is None)
    assert window.pages.currentIndex() == 0

    contact = db("SELECT agent, phone, caller_name, state, playbook_id, playbook_version, "
                 "talk_seconds, hold_seconds, case_id FROM contact")
    assert contact == [("鈴木", "03-1234-5678", "山田 太郎", "closed", "complaint", 2,
                        120.0, 60.0, 1)]
    assert db("SELECT subject, urgency, impact, fix, prevention, status FROM support_case") == [
        ("購入直後の電源不良", "high", "", "交換品を本日発送", "出荷前の通電確認を追加",
         "waiting_callback")], "the impact never assessed stays not assessed"
    assert db("SELECT offset_ms, kind, text, agent FROM note ORDER BY id") == [
        (35_000, "quote", QUOTES[0], "鈴木"),
        (75_000, "quote", QUOTES[1], "鈴木"),
        (110_000, "fact", "11/15購入・店頭受取", "鈴木"),
        (180_000, "quote", QUOTES[2], "鈴木"),
    ]
    assert db("SELECT step_id, done, offset_ms, step_elapsed_ms FROM step_event ORDER BY id") == [
        ("limited-apology", 1, 20_000, 20_000), ("listen", 1, 75_000, 55_000)]
    assert db("SELECT name, phone FROM customer") == [("山田 太郎", "03-1234-5678")]


def test_a_note_appears_only_once_it_is_on_disk(qtbot, window, paths, db, wait_until_idle):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: db("SELECT count(*) FROM contact") == [(1,)])
    wait_until_idle(window)  # the call's other writes too: the note is the only one waiting
    on_disk_when_shown = []
    window.notes_model.rowsInserted.connect(
        lambda *_: on_disk_when_shown.append(db("SELECT text FROM note")))
    blocker = sqlite3.connect(paths.database_file, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        type_text(window.note_entry, "ロック中の発言")
        qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
        assert window.note_entry.text() == ""
        QApplication.processEvents()  # whatever the Enter set going, short of the write
        assert window.notes_model.rowCount() == 0
        assert window.saved_label.text() == "Saving… · 1 waiting"
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == 1, timeout=10_000)
    assert on_disk_when_shown == [[("ロック中の発言",)]]
    assert window.saved_label.text().startswith("✓ Saved")


def test_blank_entries_and_notes_outside_a_call_are_not_saved(qtbot, window, db,
                                                               wait_until_idle):
    window.note_entry.setText("   ")
    window.entry.submit()
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    type_text(window.note_entry, "   ")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    wait_until_idle(window)
    assert window.notes_model.rowCount() == 0
    assert db("SELECT count(*) FROM note") == [(0,)]


def test_a_card_number_is_masked_with_a_visible_notice(qtbot, window, db):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    type_note(qtbot, window, "カード番号は4111-1111-1111-1111です")
    assert "****-****-****-1111" in window.notes_model.index(0).data()
    assert "card number masked" in window.saved_label.text()
    assert db("SELECT text FROM note") == [("カード番号は****-****-****-1111です",)]


def test_the_timer_shows_call_time_and_the_checklist_marks_overdue(qtbot, window, clock):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    assert window.header.timer_label.text() == "00:00"
    clock.advance(65)
    qtbot.waitUntil(lambda: window.header.timer_label.text() == "01:05", timeout=3000)
    model = window.checklist.checklist_model
    first = model.index(0, ChecklistModel.TIME)
    assert first.data() == "1:05 / 0:30"
    assert first.data(ChecklistModel.OverdueRole) is True
    assert first.data(Qt.ItemDataRole.ForegroundRole).color() == OVERDUE_COLOR
    assert model.index(0, 0).data(ChecklistModel.CurrentRole) is True
    assert model.index(1, ChecklistModel.TIME).data() == "— / 3:00"


def test_a_step_is_ticked_and_unticked_by_clicking_its_box(qtbot, window):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    view = window.checklist.checklist_view
    index = window.checklist.checklist_model.index(2, 0)
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = view.visualRect(index)
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    box = view.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, option,
                                      view)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=box.center())
    assert [s.done for s in window.session.steps()] == [False, False, True, False, False, False,
                                                        False]
    assert index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=box.center())
    assert not window.session.steps()[2].done


def test_ctrl_number_toggles_the_step(qtbot, window):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_3, CTRL)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_7, CTRL)
    assert [s.done for s in window.session.steps()] == [False, False, True, False, False, False,
                                                        True]
    qtbot.keyClick(window.note_entry, Qt.Key.Key_3, CTRL)
    assert not window.session.steps()[2].done
    qtbot.keyClick(window.note_entry, Qt.Key.Key_9, CTRL)
    assert sum(s.done for s in window.session.steps()) == 1


def test_the_wrap_up_needs_a_subject(qtbot, window, db, wait_until_idle):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F9)
    qtbot.keyClick(window.wrap_up.subject, Qt.Key.Key_S, CTRL)
    assert window.wrap_up.problem.isVisible()
    assert window.session is not None
    wait_until_idle(window)
    assert db("SELECT state FROM contact") == [("wrap_up",)]


def test_quitting_during_a_call_loses_nothing_and_resumes(qtbot, open_window, clock, db):
    first = open_window()
    type_text(first.ringing_page.name_input, "田中")
    qtbot.keyClick(first.ringing_page.name_input, Qt.Key.Key_F7)
    clock.advance(25)
    qtbot.keyClick(first.note_entry, Qt.Key.Key_1, CTRL)
    type_text(first.note_entry, "最後の一言")
    qtbot.keyClick(first.note_entry, Qt.Key.Key_Return)
    clock.advance(30)
    first.close()
    assert db("SELECT text FROM note") == [("最後の一言",)]

    clock.advance(10)
    second = open_window()
    assert second.session.state is CallState.ACTIVE
    assert second.header.caller_label.text() == "田中"
    assert second.session.elapsed_seconds() == 65
    assert [s.done for s in second.session.steps()][:2] == [True, False]
    assert second.notes_model.index(0).data() == "00:25  “最後の一言”"
    assert "Resumed" in second.saved_label.text()
    qtbot.keyClick(second.note_entry, Qt.Key.Key_F9)
    type_text(second.wrap_up.subject, "再開後に完了")
    qtbot.keyClick(second.wrap_up.subject, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: second.session is None)
    assert db("SELECT state FROM contact") == [("closed",)]


def test_an_unsaved_wrap_up_is_offered_again_with_the_calls_length(qtbot, open_window, clock):
    first = open_window()
    qtbot.keyClick(first.number_input, Qt.Key.Key_F7)
    clock.advance(61)
    qtbot.keyClick(first.note_entry, Qt.Key.Key_F9)
    first.close()
    clock.advance(3600)
    second = open_window()
    assert second.session.state is CallState.ENDED
    assert second.wrap_up.isVisible()
    assert second.header.timer_label.text() == "01:01"


def test_a_call_on_hold_is_still_on_hold_after_a_restart(qtbot, open_window, clock):
    first = open_window()
    qtbot.keyClick(first.number_input, Qt.Key.Key_F7)
    clock.advance(30)
    qtbot.keyClick(first.note_entry, Qt.Key.Key_F8)
    clock.advance(20)
    first.close()
    clock.advance(10)
    second = open_window()
    assert second.session.state is CallState.ON_HOLD
    assert second.header.hold_button.text() == "Resume F8"
    assert (second.session.talk_seconds(), second.session.hold_seconds()) == (30, 30)


def test_the_next_call_starts_clean(qtbot, window):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    type_text(window.note_entry, "書きかけ")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_E, CTRL)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F9)
    type_text(window.wrap_up.subject, "件名")
    qtbot.keyClick(window.wrap_up.subject, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: window.session is None)
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    assert window.note_entry.text() == ""
    assert window.entry.kind_combo.currentIndex() == 0
    assert not window.handoff.isVisible()


def test_ticks_and_hold_do_not_leave_saving_on_screen(qtbot, window, db, wait_until_idle):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    type_text(window.note_entry, "最初の一言")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_1, CTRL)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: db("SELECT on_hold FROM contact") == [(1,)])
    wait_until_idle(window)
    assert window.saved_label.text() == "✓ Saved 00:00"


def test_the_window_remembers_its_place_and_always_on_top(qtbot, open_window, paths):
    first = open_window()
    first.setGeometry(first.x() + 40, first.y() + 30, 420, 700)
    qtbot.keyClick(first.note_entry, Qt.Key.Key_T, CTRL)
    assert first.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    geometry = first.geometry()
    first.close()
    second = open_window()
    assert second.geometry() == geometry
    assert second.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert second.header.pin_button.isChecked()
    qtbot.keyClick(second.note_entry, Qt.Key.Key_T, CTRL)
    assert not second.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert Settings.for_paths(paths).get("always_on_top") is False


def test_models_pass_qt_model_tester(qtbot, window, qtmodeltester):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    type_note(qtbot, window, "モデル確認")
    qtmodeltester.check(window.checklist.checklist_model)
    qtmodeltester.check(window.notes_model)


def test_the_notes_list_scrolls_to_the_newest(qtbot, window):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    for number in range(25):
        type_note(qtbot, window, f"発言 {number}")
    last = window.notes_model.index(24)
    assert window.notes_view.viewport().rect().contains(window.notes_view.visualRect(last).center())


def test_the_agent_name_is_changed_in_settings_and_recorded(qtbot, window, paths, db):
    def fill_in():
        dialog = QApplication.activeModalWidget()
        dialog.agent_name.selectAll()
        type_text(dialog.agent_name, "高橋")
        dialog.language.setCurrentIndex(dialog.language.findData("ja"))
        dialog.accept()

    QTimer.singleShot(0, fill_in)
    qtbot.keyClick(window.number_input, Qt.Key.Key_Comma, CTRL)
    assert "高橋" in window.header.caller_detail.text()
    saved = Settings.for_paths(paths)
    assert (saved.agent_name, saved.get("language")) == ("高橋", "ja")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    type_note(qtbot, window, "担当者の確認")
    assert db("SELECT agent FROM contact") == [("高橋",)]
    assert db("SELECT agent FROM note") == [("高橋",)]


def test_settings_do_not_open_during_a_call(qtbot, window):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Comma, CTRL)
    assert QApplication.activeModalWidget() is None
    assert QApplication.focusWidget() is window.note_entry


def test_a_note_that_cannot_be_stored_goes_back_into_the_entry(qtbot, window, paths, db):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: db("SELECT count(*) FROM contact") == [(1,)])
    with sqlite3.connect(paths.database_file) as connection:
        connection.execute("CREATE TRIGGER refuse BEFORE INSERT ON note BEGIN "
                           "SELECT RAISE(ABORT, 'refused by the test'); END")
    type_text(window.note_entry, "消えてはいけない言葉")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.note_entry.text() == "消えてはいけない言葉")
    assert window.notes_model.rowCount() == 0
    assert window.saved_label.text() == "This note could not be saved; it is back in the entry."


def test_the_lines_emptied_after_each_note_and_call_keep_no_history(qtbot, window):
    """A line emptied with QLineEdit.clear() keeps what was typed as a step to undo: the
    entry line would hold every note of the shift in memory."""
    type_text(window.number_input, "03-1234-5678")
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    for words in QUOTES:
        type_note(qtbot, window, words)
        assert window.note_entry.text() == ""
        assert not window.note_entry.isUndoAvailable()
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F9)
    type_text(window.wrap_up.subject, "電源不良")
    qtbot.keyClick(window.wrap_up.subject, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: window.session is None)
    assert window.number_input.text() == "" and not window.number_input.isUndoAvailable()
