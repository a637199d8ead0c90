"""The history browser on a database full of demo cases."""

from datetime import datetime, timezone

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from callhelper.store.demo import fill_demo
from callhelper.store.engine import Store
from callhelper.app.bootstrap import demand_rules
from callhelper.ui.history_window import CaseIdRole, SpansRole
from keyboard import type_text

CTRL = Qt.KeyboardModifier.ControlModifier


def fill(paths, cases=150):
    store = Store(paths.database_url)
    fill_demo(store, cases, 3, demand_rules(), datetime(2026, 11, 20, tzinfo=timezone.utc))
    store.close()


def test_cases_search_highlight_and_timeline(qtbot, window, paths, qtmodeltester):
    fill(paths)
    qtbot.keyClick(window.number_input, Qt.Key.Key_H, CTRL)
    browser = window.windows.history_window
    qtbot.waitUntil(lambda: browser.cases_model.rowCount() == 150)
    qtmodeltester.check(browser.cases_model)
    dates = [browser.proxy.index(row, 0).data() for row in range(browser.proxy.rowCount())]
    assert dates == sorted(dates, reverse=True)

    browser.flagged.setChecked(True)
    qtbot.waitUntil(lambda: 0 < browser.cases_model.rowCount() < 150)
    assert all(int(browser.cases_model.index(row, 5).data())
               for row in range(browser.cases_model.rowCount()))
    browser.flagged.setChecked(False)

    type_text(browser.search_box, "返金")
    qtbot.waitUntil(lambda: browser.proxy.sourceModel() is browser.search_model
                    and browser.search_model.rowCount() > 0)
    qtmodeltester.check(browser.search_model)
    first = browser.search_model.index(0, 3)
    start, end = first.data(SpansRole)[0]
    assert first.data()[start:end] == "返金"
    browser.table.selectRow(0)
    case_id = browser.proxy.index(0, 0).data(CaseIdRole)
    qtbot.waitUntil(lambda: f"#{case_id}" in browser.detail.toPlainText())
    assert "✔ Limited apology" in browser.detail.toPlainText()


def test_a_sorted_column_keeps_the_selection_and_orders_the_next_results(qtbot, window, paths):
    fill(paths, 60)
    browser = window.windows.open_history()
    qtbot.waitUntil(lambda: browser.cases_model.rowCount() == 60)
    browser.table.selectRow(7)
    chosen = browser.table.currentIndex().data(CaseIdRole)

    browser.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)  # a click on "Subject"

    subjects = [browser.proxy.index(row, 2).data() for row in range(browser.proxy.rowCount())]
    assert subjects == sorted(subjects) and subjects != list(reversed(subjects))
    assert browser.table.currentIndex().data(CaseIdRole) == chosen
    type_text(browser.search_box, "返金")
    qtbot.waitUntil(lambda: browser.proxy.sourceModel() is browser.search_model
                    and browser.search_model.rowCount() > 1)
    places = [browser.proxy.index(row, 2).data() for row in range(browser.proxy.rowCount())]
    assert places == sorted(places)


def test_a_prior_contact_opens_its_case(qtbot, window, paths):
    fill(paths, 30)
    from callhelper.store.engine import Store as S
    store = S(paths.database_url)
    with store.engine.connect() as connection:
        from sqlalchemy import text
        phone, subject = connection.execute(text(
            "SELECT k.phone, c.subject FROM contact k JOIN support_case c ON c.id = k.case_id "
            "ORDER BY k.id LIMIT 1")).one()
    store.close()
    type_text(window.number_input, phone)
    model = window.caller_panel.contacts_model
    qtbot.waitUntil(lambda: model.rowCount() > 0)
    view = window.caller_panel.contacts
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(model.index(0)).center())
    browser = window.windows.history_window
    case_id = model.index(0).data(model.CaseIdRole)
    qtbot.waitUntil(lambda: f"#{case_id}" in browser.detail.toPlainText())


def open_by_keyboard(qtbot, window):
    """Ctrl+H from the call window; the browser active, its cases listed."""
    qtbot.keyClick(window.number_input, Qt.Key.Key_H, CTRL)
    browser = window.windows.history_window
    qtbot.waitUntil(browser.isActiveWindow)
    qtbot.waitUntil(lambda: browser.proxy.rowCount() > 0)
    return browser


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    """A key pressed where the keyboard is."""
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)
    return QApplication.focusWidget()


def test_tab_goes_from_the_search_to_the_results_the_case_and_through_the_filters(
        qtbot, window, paths):
    fill(paths, 20)
    browser = open_by_keyboard(qtbot, window)
    assert QApplication.focusWidget() is browser.search_box

    visited = [press(qtbot, Qt.Key.Key_Tab) for _ in range(12)]

    assert visited[:2] == [browser.table, browser.detail]
    back = visited.index(browser.search_box)  # round the window, not stuck in a date
    filters = [browser.since, browser.until, browser.status, browser.handler, browser.flagged,
               browser.escalated, browser.promises_only]
    assert [widget for widget in visited[2:back] if widget in filters] == filters

    press(qtbot, Qt.Key.Key_F, CTRL)
    backwards = [press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
                 for _ in range(12)]
    back = backwards.index(browser.search_box)
    assert [widget for widget in backwards[:back] if widget in filters] == filters[::-1]
    assert backwards[back - 2:back] == [browser.detail, browser.table]

def test_down_from_the_search_enters_the_results_and_enter_opens_the_case(
        qtbot, window, paths):
    fill(paths, 60)
    browser = open_by_keyboard(qtbot, window)
    type_text(browser.search_box, "返金")
    qtbot.waitUntil(lambda: browser.proxy.sourceModel() is browser.search_model
                    and browser.search_model.rowCount() > 1)
    first = browser.proxy.index(0, 0).data(CaseIdRole)
    assert browser.table.selectionModel().isRowSelected(0)
    qtbot.waitUntil(lambda: f"#{first} " in browser.detail.toPlainText())

    assert press(qtbot, Qt.Key.Key_Down) is browser.table
    while browser.table.currentIndex().data(CaseIdRole) == first:
        press(qtbot, Qt.Key.Key_Down)
    chosen = browser.table.currentIndex().data(CaseIdRole)
    assert press(qtbot, Qt.Key.Key_Return) is browser.detail
    qtbot.waitUntil(lambda: f"#{chosen} " in browser.detail.toPlainText())
    assert browser.detail.toPlainText().startswith(f"#{chosen} ")


def test_a_search_without_results_shows_no_case(qtbot, window, paths):
    fill(paths, 20)
    browser = open_by_keyboard(qtbot, window)
    qtbot.waitUntil(lambda: browser.detail.toPlainText().startswith("#"))
    type_text(browser.search_box, "存在しない言葉")
    qtbot.waitUntil(lambda: browser.count_label.text() == "0 results")
    assert browser.detail.toPlainText() == ""
    assert press(qtbot, Qt.Key.Key_Down) is browser.search_box
