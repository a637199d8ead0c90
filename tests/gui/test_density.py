"""Density and calm: the ringing view laid out for what matters at any window height, a
banner that never moves the checklist, advice once per call and type, numbers as read."""

from datetime import timedelta

import pytest
from PySide6.QtCore import QPoint, QRect, Qt

from callhelper.core.case import CaseStatus, Level, NoteKind, WrapUp
from callhelper.store import repository
from callhelper.store.engine import Store
from callhelper.store.repository import NewContact
from callhelper.app.bootstrap import demand_rules
from keyboard import type_text


def regular_caller(paths, clock, calls):
    """A caller with ``calls`` earlier calls, the newest with an open promise, and a
    profile."""
    store = Store(paths.database_url)
    with store.unit_of_work() as session:
        for number in range(calls):
            uid = f"past-{number}"
            started = clock.now() - timedelta(days=1 + number)
            repository.start_contact(session, NewContact(uid, "佐藤", "complaint", 2, started,
                                                         "03-1481-4180", "山田 太郎"))
            if number == 0:
                repository.add_note(session, uid, f"{uid}-p", NoteKind.PROMISE,
                                    "交換品の発送日を折り返し連絡", 1000, "佐藤", started,
                                    demand_rules())
            repository.save_wrap_up(session, uid, WrapUp(
                f"件名 {number}", Level.LOW, Level.LOW, "", "",
                CaseStatus.WAITING_CALLBACK if number == 0 else CaseStatus.RESOLVED),
                "佐藤", started)
        repository.update_customer(session, "past-0", repository.CustomerProfile(
            "山田 太郎", "", "電話(メールは見ない)", "水曜午後は不在"), clock.now())
    store.close()


def in_window(window, widget):
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


@pytest.mark.parametrize("size", [(400, 700), (600, 1000)])
def test_the_ringing_view_shows_promises_then_whole_contact_rows_then_the_profile(
        qtbot, window, paths, clock, size):
    regular_caller(paths, clock, 40)
    window.resize(*size)
    qtbot.waitUntil(lambda: window.width() == size[0] and window.height() == size[1])
    type_text(window.number_input, "03-1481-4180")
    panel = window.caller_panel
    qtbot.waitUntil(lambda: panel.contacts_model.rowCount() == 40)
    qtbot.waitUntil(lambda: panel.profile.isVisible() and panel.promises.isVisible())
    promises, contacts, profile = (in_window(window, widget) for widget in (
        panel.promises, panel.contacts, panel.profile))
    assert promises.bottom() < contacts.top() < contacts.bottom() < profile.top()
    for label in (panel.promises, panel.profile):  # no box stretched over empty space
        assert label.height() <= label.heightForWidth(label.width()) + 2
    view = panel.contacts
    viewport = view.viewport().rect()
    shown = [row for row in range(40)
             if view.visualRect(panel.contacts_model.index(row)).intersects(viewport)]
    assert shown, "the contacts are shown"
    for row in shown:  # none cut off mid-row
        assert viewport.contains(view.visualRect(panel.contacts_model.index(row)))
    # the contacts take the room the window has: no room left for one more row
    assert len(shown) > 3
    assert len(shown) == panel.contacts_box.visible_rows()
    assert window.width() == size[0], "the window fits its width"


def test_a_taller_window_shows_more_prior_contacts(qtbot, window, paths, clock):
    regular_caller(paths, clock, 40)
    window.resize(400, 700)
    type_text(window.number_input, "03-1481-4180")
    box = window.caller_panel.contacts_box
    qtbot.waitUntil(lambda: window.caller_panel.contacts_model.rowCount() == 40)
    qtbot.waitUntil(lambda: box.visible_rows() > 3)
    small = box.visible_rows()
    window.resize(600, 1000)
    qtbot.waitUntil(lambda: box.visible_rows() > small + 10)


def test_a_banner_appearing_mid_call_does_not_move_the_checklist(qtbot, window):
    window.resize(400, 700)
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: window.checklist_view.isVisible())
    qtbot.wait(50)
    before = in_window(window, window.checklist_view)
    type_text(window.note_entry, "誠意を見せろ、SNSに晒すぞ。土下座しろ。お前じゃ話にならない、"
                                 "上を出せ。殺すぞ。")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.escalation_label.isVisible())
    qtbot.waitUntil(lambda: window.banners.height() > 0)
    assert in_window(window, window.checklist_view) == before
    # a long banner wraps and can be scrolled to its end, never cut off
    banner, area = window.escalation_label, window.banners
    assert banner.wordWrap()
    assert banner.width() <= area.viewport().width()
    bar = area.verticalScrollBar()
    assert bar.maximum() + area.viewport().height() >= banner.height()
    assert area.height() <= window.height() // 4 + 1


def test_advice_on_a_flag_type_is_given_once_per_call(qtbot, window):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    for text in ("土下座しろ", "今すぐ土下座して謝れ", "土下座で謝罪しろ"):
        before = window.notes_model.rowCount()
        type_text(window.note_entry, text)
        qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: window.notes_model.rowCount() == before + 1)
    shown = "\n".join(window.notes_model.index(row).data() for row in range(3))
    advice = ("⚠ suspected: Demanding a kneeling apology → empathise, do not accept, do not "
              "argue, record verbatim, escalate")
    assert shown.count(advice) == 1, "in full once"
    assert advice in window.notes_model.index(0).data()
    for row in (1, 2):  # compactly after
        assert "⚠ suspected: Demanding a kneeling apology\n" in \
            window.notes_model.index(row).data() + "\n"


def test_the_number_field_shows_the_number_normalised(qtbot, window):
    type_text(window.number_input, "０３（１４８１）４１８０")
    window.name_input.setFocus()
    qtbot.waitUntil(lambda: window.number_input.text() == "03-1481-4180")
