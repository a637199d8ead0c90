"""Saving a case's harassment evidence from the history browser."""

import csv

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLineEdit

from callhelper.ui.history_window import CaseIdRole
from evidence_checks import (KNEELING, THREAT, capture_cases, capture_reviewed_cases,
                             japan_time, pdf_text, shown_as)

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def cases(paths, clock):
    """Two callers' cases, as captured earlier: one with flagged statements, one without."""
    return capture_cases(paths.database_url, clock)


@pytest.fixture
def reviewed(paths, clock):
    """Cases whose flags were confirmed, dismissed, left suspected or added by hand."""
    return capture_reviewed_cases(paths.database_url, clock)


def show_case(qtbot, window, case_id, cases=2):
    """The history browser (Ctrl+H) with this case chosen in the list."""
    qtbot.keyClick(window.number_input, Qt.Key.Key_H, CTRL)
    browser = window.windows.history_window
    qtbot.waitUntil(lambda: browser.proxy.rowCount() == cases)
    row = next(row for row in range(browser.proxy.rowCount())
               if browser.proxy.index(row, 0).data(CaseIdRole) == case_id)
    browser.table.selectRow(row)
    qtbot.waitUntil(lambda: f"#{case_id}" in browser.detail.toPlainText())
    return browser


def save_as(qtbot, browser, path, file_type):
    """Answer the file dialog: this type (0 PDF, 1 CSV, 2 both), this name typed in."""
    qtbot.waitUntil(lambda: browser.findChild(QFileDialog, "evidenceDialog") is not None)
    dialog = browser.findChild(QFileDialog, "evidenceDialog")
    qtbot.waitExposed(dialog)
    dialog.selectNameFilter(dialog.nameFilters()[file_type])
    dialog.findChild(QLineEdit, "fileNameEdit").setText(str(path))
    dialog.accept()


def test_evidence_is_offered_only_for_a_case_with_flagged_statements(qtbot, window, cases):
    browser = show_case(qtbot, window, cases["calm"])
    assert not browser.evidence_button.isEnabled()
    show_case(qtbot, window, cases["flagged"])
    assert browser.evidence_button.isEnabled()


def test_each_flag_is_shown_with_its_state_and_who_decided_it(qtbot, window, reviewed):
    browser = show_case(qtbot, window, reviewed["mixed"], cases=3)
    shown = browser.detail.toPlainText()
    assert "⚠ confirmed: Talk of posting online or retaliation (鈴木)" in shown
    assert "dismissed: Intimidation (鈴木)" in shown
    assert "⚠ suspected: Demanding a kneeling apology" in shown
    assert "⚠ flagged by the agent: Intimidation (鈴木)" in shown
    red, amber, grey = "#c62828", "#a35200", "#8a8a8a"
    assert shown_as(browser.detail, "⚠ confirmed: Talk of posting") == (red, False)
    assert shown_as(browser.detail, "dismissed: Intimidation") == (grey, True)
    assert shown_as(browser.detail, "⚠ suspected: Demanding") == (amber, False)
    assert shown_as(browser.detail, "⚠ flagged by the agent") == (red, False)
    assert shown_as(browser.detail, THREAT)[0] == red
    assert shown_as(browser.detail, KNEELING)[0] == amber, "a suspicion is no verdict"


def test_evidence_waits_until_a_suspected_flag_is_confirmed(qtbot, window, reviewed):
    browser = show_case(qtbot, window, reviewed["suspected"], cases=3)
    assert not browser.evidence_button.isEnabled()
    assert "must be confirmed first" in browser.evidence_button.toolTip()
    show_case(qtbot, window, reviewed["dismissed"], cases=3)
    qtbot.waitUntil(lambda: "only suspected" not in browser.evidence_button.toolTip())
    assert not browser.evidence_button.isEnabled()
    assert "no statement of this case is confirmed" in browser.evidence_button.toolTip()
    show_case(qtbot, window, reviewed["mixed"], cases=3)
    qtbot.waitUntil(browser.evidence_button.isEnabled)
    assert "confirmed or flagged as harassment" in browser.evidence_button.toolTip()


def test_the_report_and_the_csv_hold_the_exact_words_and_times(qtbot, window, cases, tmp_path):
    browser = show_case(qtbot, window, cases["flagged"])
    qtbot.keyClick(browser.table, Qt.Key.Key_P, CTRL | SHIFT)
    with japan_time():
        save_as(qtbot, browser, tmp_path / "case-evidence", 2)
        qtbot.waitUntil(lambda: browser.evidence_status.text().startswith("Saved"))
    assert str(tmp_path / "case-evidence.pdf") in browser.evidence_status.text()

    report = pdf_text(tmp_path / "case-evidence.pdf")
    words = " ".join(report.split())
    assert THREAT in report and KNEELING in report
    assert "お詫びし、状況を確認" in report, "the note before is there as context"
    assert "18:03:09 +09:00" in words and "18:07:00 +09:00" in words
    assert "03:09 into the call" in words
    assert "Talk of posting online or retaliation" in words and "confirmed by 鈴木 at" in words
    assert "山田 太郎" in words and "03-1234-5678" in words
    assert "by 鈴木" in words and "Page 1 of 1" in words

    with (tmp_path / "case-evidence.csv").open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [row["text"] for row in rows] == [THREAT, KNEELING]
    assert rows[0]["recorded_at"] == "2026-01-05 18:03:09 +09:00"


def test_a_pdf_alone_and_a_failure_said_in_the_window(qtbot, window, cases, tmp_path):
    browser = show_case(qtbot, window, cases["flagged"])
    qtbot.mouseClick(browser.evidence_button, Qt.MouseButton.LeftButton)
    save_as(qtbot, browser, tmp_path / "report", 0)
    qtbot.waitUntil(lambda: browser.evidence_status.text().startswith("Saved"))
    assert [path.name for path in tmp_path.glob("report*")] == ["report.pdf"]

    (tmp_path / "blocked.csv").mkdir()
    qtbot.mouseClick(browser.evidence_button, Qt.MouseButton.LeftButton)
    save_as(qtbot, browser, tmp_path / "blocked", 2)
    qtbot.waitUntil(lambda: "could not be saved" in browser.evidence_status.text())
    assert "blocked.csv" in browser.evidence_status.text()
    assert "#c62828" in browser.evidence_status.styleSheet()


def test_the_evidence_of_the_case_chosen_with_the_keys(qtbot, window, cases):
    """A case is selected as soon as there are results; ↓ from the search and the arrows
    choose another, and Ctrl+Shift+P saves the evidence of the one chosen."""
    qtbot.keyClick(window.number_input, Qt.Key.Key_H, CTRL)
    browser = window.windows.history_window
    qtbot.waitUntil(lambda: browser.proxy.rowCount() == 2)
    assert browser.table.selectionModel().isRowSelected(0)
    qtbot.keyClick(browser.search_box, Qt.Key.Key_Down)
    if browser.table.currentIndex().data(CaseIdRole) != cases["flagged"]:
        qtbot.keyClick(browser.table, Qt.Key.Key_Down)
    assert browser.table.currentIndex().data(CaseIdRole) == cases["flagged"]
    qtbot.waitUntil(browser.evidence_button.isEnabled)

    qtbot.keyClick(browser.table, Qt.Key.Key_P, CTRL | SHIFT)

    qtbot.waitUntil(lambda: browser.findChild(QFileDialog, "evidenceDialog") is not None)
    dialog = browser.findChild(QFileDialog, "evidenceDialog")
    assert dialog.windowTitle() == f"Save the evidence of case #{cases['flagged']}"
    dialog.reject()


def test_ctrl_shift_p_without_evidence_says_why(qtbot, window, cases):
    browser = show_case(qtbot, window, cases["calm"])
    qtbot.waitUntil(lambda: not browser.evidence_button.isEnabled()
                    and browser.evidence_button.toolTip().startswith("No evidence"))
    qtbot.keyClick(browser.table, Qt.Key.Key_P, CTRL | SHIFT)
    assert browser.evidence_status.text().startswith("No evidence")
    assert browser.findChild(QFileDialog, "evidenceDialog") is None
