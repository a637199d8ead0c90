"""Density and calm: the ringing view laid out for what matters at any window height, a
banner that never moves the checklist, advice once per call and type, numbers as read."""

from datetime import timedelta

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication

from callhelper.core.case import CaseStatus, Level, NoteKind, WrapUp
from callhelper.store import repository
from callhelper.store.engine import Store
from callhelper.store.repository import NewContact
from callhelper.app.bootstrap import demand_rules, install_translators
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
    # the rows are laid out once the list has its height (the layout settles a moment later)
    qtbot.waitUntil(lambda: panel.contacts_box.visible_rows() > 3)
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
    qtbot.waitUntil(lambda: window.checklist.checklist_view.isVisible())
    qtbot.wait(50)
    before = in_window(window, window.checklist.checklist_view)
    type_text(window.note_entry, "誠意を見せろ、SNSに晒すぞ。土下座しろ。お前じゃ話にならない、"
                                 "上を出せ。殺すぞ。")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.handoff.escalation_label.isVisible())
    qtbot.waitUntil(lambda: window.banners.height() > 0)
    assert in_window(window, window.checklist.checklist_view) == before
    # a long banner wraps and can be scrolled to its end, never cut off
    banner, area = window.handoff.escalation_label, window.banners
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
    window.ringing_page.name_input.setFocus()
    qtbot.waitUntil(lambda: window.number_input.text() == "03-1481-4180")


#: Statements that raise several flags at once and, with them, a long banner: the response
#: to each type, and a threat of harm makes it the call-your-supervisor instruction.
SEVERAL_FLAGS = ("誠意を見せろ、商品券くらい持ってこい", "SNSに晒すぞ。土下座しろ",
                 "お前じゃ話にならない、上を出せ。殺すぞ。")


@pytest.fixture(params=["ja", "en"])
def language(request, qapp, settings):
    """The window in Japanese (its strings and Qt's own) and in English."""
    settings.set("language", request.param)
    translators = install_translators(qapp, request.param)
    yield request.param
    for translator in translators:
        QApplication.removeTranslator(translator)


def test_a_long_banner_at_400x700_leaves_the_checklist_the_entry_and_the_last_note(
        qtbot, open_window, language, paths, clock):
    """The tightest window in the middle of a hard call: a known caller (open promise,
    prior contacts, profile: a repeat caller, whom the banner suggests handing over) and
    statements with several flags. The banner grows below the checklist, which stays where
    it was; it takes at most a quarter of the window and
    scrolls within it; the note entry and the newest note, whole, stay in sight, and the
    window stays 400 pixels wide."""
    regular_caller(paths, clock, 40)
    window = open_window()
    window.resize(400, 700)
    qtbot.waitUntil(lambda: window.width() == 400 and window.height() == 700)
    type_text(window.number_input, "03-1481-4180")
    qtbot.waitUntil(lambda: window.caller_panel.contacts_model.rowCount() == 40)
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: window.checklist.checklist_view.isVisible())
    for words in ("先週買ったばかりなのに電源が入らない", "明日の会議で使うのに、本当に困る"):
        type_text(window.note_entry, words)
        qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == 2)
    qtbot.wait(50)
    checklist = in_window(window, window.checklist.checklist_view)

    for words in SEVERAL_FLAGS:
        before = window.notes_model.rowCount()
        type_text(window.note_entry, words)
        qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: window.notes_model.rowCount() == before + 1)
    area, banner = window.banners, window.handoff.escalation_label
    qtbot.waitUntil(lambda: banner.isVisible() and area.height() > 0)
    qtbot.wait(50)

    assert in_window(window, window.checklist.checklist_view) == checklist, "the checklist stays put"
    page = window.centralWidget().geometry()
    entry = in_window(window, window.entry)
    assert window.entry.isVisible() and page.contains(entry), "the entry in sight"
    assert in_window(window, area).bottom() < in_window(window, window.notes_view).top()
    # the banner: at most a quarter of the window, the rest of its words a scroll away
    assert area.height() <= window.height() // 4 + 1
    assert banner.height() > area.viewport().height(), "a long banner for this test"
    bar = area.verticalScrollBar()
    assert bar.maximum() + area.viewport().height() >= banner.height()
    # the newest note whole, words and flags, in the notes list
    notes = window.notes_view
    last = window.notes_model.index(window.notes_model.rowCount() - 1, 0)
    assert len(window.notes_model.data(last, window.notes_model.AnnotationsRole)) >= 2
    assert notes.viewport().rect().contains(notes.visualRect(last)), (
        notes.viewport().rect(), notes.visualRect(last))
    assert window.width() == 400 and window.height() == 700
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.wrap_up.isVisible())
    qtbot.wait(50)
    assert window.width() == 400, "the wrap-up fits too"
