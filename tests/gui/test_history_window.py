"""The history browser on a database full of demo cases."""

from datetime import datetime, timezone

from PySide6.QtCore import Qt

from callhelper.store.demo import fill_demo
from callhelper.store.engine import Store
from callhelper.ui.app import demand_rules
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
    browser = window._history_window
    qtbot.waitUntil(lambda: browser.cases_model.rowCount() == 150)
    assert browser.windowTitle().startswith("CallHelper")
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
    browser = window.open_history()
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
    browser = window._history_window
    case_id = model.index(0).data(model.CaseIdRole)
    qtbot.waitUntil(lambda: f"#{case_id}" in browser.detail.toPlainText())
