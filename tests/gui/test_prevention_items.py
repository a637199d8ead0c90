"""A case's prevention item (再発防止) stays open in the supervisor's review until the item
itself is marked done — resolving the case does not close it."""

from PySide6.QtCore import Qt
from keyboard import type_text

from callhelper.core.case import CaseStatus

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def resolve_a_case_with_a_prevention_item(qtbot, window):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: window.session is not None)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F9)
    type_text(window.wrap_up.subject, "配送の遅れ")
    window.wrap_up.prevention.setPlainText("出荷前に配送日を自動で確認する")
    window.wrap_up.status.setCurrentIndex(window.wrap_up.status.findData(
        CaseStatus.RESOLVED.value))
    qtbot.keyClick(window.wrap_up.subject, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: window.session is None)


def test_a_prevention_item_stays_open_after_the_case_is_resolved_until_marked_done(
        qtbot, window, db):
    resolve_a_case_with_a_prevention_item(qtbot, window)
    assert db("SELECT status, prevention_done_at FROM support_case") == [("resolved", None)]
    qtbot.keyClick(window, Qt.Key.Key_R, CTRL | SHIFT)
    review = window.windows.review_window
    review.open_prevention.setChecked(True)
    qtbot.waitUntil(lambda: review.proxy.rowCount() == 1)
    # the summary is read on the review's worker after the cases: it may come a moment later
    qtbot.waitUntil(lambda: review.summary is not None
                    and sum(review.summary.prevention_by_age) == 1)

    review.table.selectRow(0)
    qtbot.keyClick(review.table, Qt.Key.Key_D, CTRL)
    qtbot.waitUntil(lambda: review.statusBar().currentMessage() ==
                    "✓ Prevention item marked done")
    assert db("SELECT prevention_done_by FROM support_case") == [("鈴木",)]
    assert db("SELECT actor, action FROM audit_entry WHERE entity = 'prevention'") == [
        ("鈴木", "create")], "marking it done is in the audit trail"
    qtbot.waitUntil(lambda: review.proxy.rowCount() == 0)
    review.open_prevention.setChecked(False)
    qtbot.waitUntil(lambda: review.proxy.rowCount() == 1)
    review.close()


def test_a_case_without_a_prevention_item_is_said_to_have_none(qtbot, window):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F9)
    type_text(window.wrap_up.subject, "問い合わせ")
    qtbot.keyClick(window.wrap_up.subject, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: window.session is None)
    qtbot.keyClick(window, Qt.Key.Key_R, CTRL | SHIFT)
    review = window.windows.review_window
    qtbot.waitUntil(lambda: review.proxy.rowCount() == 1)
    review.table.selectRow(0)
    qtbot.keyClick(review.table, Qt.Key.Key_D, CTRL)
    qtbot.waitUntil(lambda: review.statusBar().currentMessage() ==
                    "This case has no open prevention item.")
    review.close()
