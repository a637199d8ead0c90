"""The supervisor's review window over two agents' files, and over a team's server."""

import sqlite3

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from databases import raw_rows, tamper
from evidence_checks import KNEELING, capture_reviewed_cases, shown_as
from review_data import team_data, two_agents  # noqa: F401  (a fixture)

from callhelper.store.review import server_label
from callhelper.app.bootstrap import demand_rules, playbook_catalog
from callhelper.ui.review_window import ReviewCasesModel, ReviewWindow, SourceRole


@pytest.fixture
def open_review(qtbot, paths, clock):
    windows = []

    def open_(files, server=None):
        state = QSettings(str(paths.config_dir / "window.ini"), QSettings.Format.IniFormat)
        window = ReviewWindow(files, playbook_catalog(paths), demand_rules(), "en", state,
                              clock, server=server)
        windows.append(window)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.integrity_label.text() and "Checking" not in
                        window.integrity_label.text(), timeout=10_000)
        return window

    yield open_
    for window in windows:
        window.close()


def shown_sources(window):
    model = window.proxy
    return sorted(model.index(row, ReviewCasesModel.SOURCE).data()
                  for row in range(model.rowCount()))


def test_the_cases_of_both_files_are_listed_by_file_and_filtered(open_review, two_agents, qtbot):
    window = open_review([two_agents])
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 3)
    assert shown_sources(window) == ["sato", "suzuki", "suzuki"]
    assert "sato" in window.windowTitle() and "suzuki" in window.windowTitle()
    window.flagged.setChecked(True)
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 1)
    assert shown_sources(window) == ["suzuki"]
    window.flagged.setChecked(False)
    window.agent.setCurrentIndex(window.agent.findData("佐藤"))
    qtbot.waitUntil(lambda: shown_sources(window) == ["sato"])
    assert window.count_label.text() == "1 cases"


def test_a_case_shows_step_times_against_their_targets(open_review, two_agents, qtbot):
    window = open_review([two_agents])
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 3)
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: "target" in window.detail.toPlainText())
    assert "00:40 (target 00:30)" in window.detail.toPlainText()


def test_a_case_shows_each_flag_with_the_agents_decision(open_review, paths, clock, qtbot):
    cases = capture_reviewed_cases(paths.database_url, clock)
    window = open_review([paths.database_file])
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 3)
    window.table.selectRow(next(row for row in range(3) if window.proxy.index(row, 0).data(
        SourceRole)[1] == cases["mixed"]))
    qtbot.waitUntil(lambda: "(鈴木)" in window.detail.toPlainText())
    shown = window.detail.toPlainText()
    assert "⚠ confirmed: Talk of posting online or retaliation (鈴木)" in shown
    assert "⚠ flagged by the agent: Intimidation (鈴木)" in shown
    assert shown_as(window.detail, "dismissed: Intimidation (鈴木)") == ("#8a8a8a", True)
    assert shown_as(window.detail, "⚠ suspected: Demanding a kneeling apology") == (
        "#a35200", False)
    assert shown_as(window.detail, KNEELING) == ("#a35200", False)


def test_the_summary_charts_what_the_filters_select(open_review, two_agents, qtbot):
    window = open_review([two_agents])
    qtbot.waitUntil(lambda: sum(window.calls_chart.values()) == 3)
    assert window.flags_chart.labels() == ["Demanding a kneeling apology"]
    assert window.steps_chart.over_target()[0] is True  # 40 s on a 30 s step
    assert "overall 33%" in window.escalation_chart.title
    assert window.subjects_chart.series_names()[0] == "配送の遅延"
    window.escalated.setChecked(True)
    qtbot.waitUntil(lambda: sum(window.calls_chart.values()) == 1)


def test_a_tampered_file_is_shown_as_broken_and_the_other_as_intact(open_review, two_agents):
    with sqlite3.connect(two_agents / "sato.db") as connection:
        connection.execute("UPDATE note SET text = '言っていない'")
    connection.close()
    window = open_review([two_agents])
    shown = window.integrity_label.text()
    assert "suzuki: audit trail intact" in shown
    assert "sato: AUDIT TRAIL BROKEN" in shown and "佐藤-0-n" in shown


def test_unreadable_files_are_named_and_the_rest_still_reviewed(open_review, two_agents, qtbot,
                                                                tmp_path):
    (two_agents / "junk.db").write_bytes(b"not a database" * 100)
    window = open_review([two_agents])
    assert "junk.db: not a CallHelper database" in window.integrity_label.text()
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 3)


def test_ctrl_shift_r_opens_the_review_of_the_agents_own_file(window, qtbot):
    qtbot.keyClick(window, Qt.Key.Key_R,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    review = window.windows.review_window
    assert review is not None and review.isVisible()
    qtbot.waitUntil(lambda: "audit trail intact" in review.integrity_label.text())
    review.close()


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)
    return QApplication.focusWidget()


def test_the_keyboard_starts_in_the_cases_and_enter_opens_one(open_review, two_agents, qtbot):
    window = open_review([two_agents])
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 3)
    assert QApplication.focusWidget() is window.table
    assert window.table.selectionModel().isRowSelected(0)
    press(qtbot, Qt.Key.Key_Down)
    label, case_id = window.proxy.index(1, 0).data(SourceRole)

    assert press(qtbot, Qt.Key.Key_Return) is window.detail
    qtbot.waitUntil(lambda: window.detail.toPlainText().startswith(f"{label}\n#{case_id} "))

    visited = [press(qtbot, Qt.Key.Key_Tab) for _ in range(12)]
    back = visited.index(window.table)  # round the window, not stuck in a date
    assert visited[:4] == [window.agent, window.since, window.until, window.status]
    assert window.add_button in visited[:back]


@pytest.mark.postgresql
def test_the_review_of_a_server_shows_its_cases_and_charts(open_review, postgres_url, clock,
                                                           qtbot):
    team_data(postgres_url, clock)
    label = server_label(postgres_url)
    window = open_review([], server=postgres_url)
    assert f"{label}: audit trail intact" in window.integrity_label.text()
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 3)
    assert shown_sources(window) == [label] * 3
    assert label in window.windowTitle()
    assert sorted(window.agent.itemData(index) for index in range(1, window.agent.count())) \
        == sorted(["佐藤", "鈴木"])
    qtbot.waitUntil(lambda: sum(window.calls_chart.values()) == 3)
    assert window.flags_chart.labels() == ["Demanding a kneeling apology"]
    assert window.steps_chart.over_target()[0] is True
    assert "overall 33%" in window.escalation_chart.title
    assert window.subjects_chart.series_names()[0] == "配送の遅延"

    window.agent.setCurrentIndex(window.agent.findData("佐藤"))
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 1)
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: "請求が二重になっている" in window.detail.toPlainText())
    assert "二重に請求されている" in window.detail.toPlainText()  # the words first recorded
    assert "00:40 (target 00:30)" in window.detail.toPlainText()
    window.agent.setCurrentIndex(window.agent.findData("鈴木"))
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 2)
    qtbot.waitUntil(lambda: sum(window.calls_chart.values()) == 2)


@pytest.mark.postgresql
def test_a_server_at_another_revision_is_named_in_the_window(open_review, postgres_url):
    tamper(postgres_url, "UPDATE alembic_version SET version_num = '0005'")
    window = open_review([], server=postgres_url)
    assert "database is at schema 0005" in window.integrity_label.text()
    assert window.cases_model.rowCount() == 0


@pytest.mark.postgresql
def test_ctrl_shift_r_in_team_mode_opens_the_review_of_the_server(qtbot, clock, postgres_url,
                                                                  open_team_window):
    team_data(postgres_url, clock)
    window, _paths = open_team_window(postgres_url)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_R,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    review = window.windows.review_window
    assert review is not None and review.isVisible()
    label = server_label(postgres_url)
    qtbot.waitUntil(lambda: f"{label}: audit trail intact" in review.integrity_label.text(),
                    timeout=20_000)
    qtbot.waitUntil(lambda: review.proxy.rowCount() == 3, timeout=10_000)
    review.close()
    window.close()
    assert raw_rows(postgres_url, "SELECT count(*) FROM support_case") == [(3,)]
