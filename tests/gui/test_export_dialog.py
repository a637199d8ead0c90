"""Export from the call window (CSV or .xlsx), on its own thread and connection, over demo
data."""

import csv
import zipfile
from datetime import datetime, timezone

import pytest
from PySide6.QtCore import QDate, QObject, Qt, QTimer, Slot
from PySide6.QtWidgets import QApplication, QFileDialog
from sqlmodel import Session

from callhelper.core.export import write_csv
from callhelper.store.demo import fill_demo
from callhelper.store.engine import Store
from callhelper.store.export import CASE_HEADER, NOTE_HEADER, ExportFilter, note_rows
from callhelper.app.bootstrap import demand_rules
from callhelper.ui.export_labels import export_labels
from keyboard import type_text

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def fill(paths, cases=60):
    store = Store(paths.database_url)
    fill_demo(store, cases, 5, demand_rules(), datetime(2026, 11, 20, tzinfo=timezone.utc))
    store.close()


@pytest.fixture
def exports(tmp_path):
    """A folder for the exported files."""
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


def read_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))


def open_export(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.number_input, Qt.Key.Key_E, CTRL_SHIFT)
    dialog = window.windows.export_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def export(qtbot, dialog, path):
    dialog.path_edit.setText(str(path))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running, timeout=30_000)


class Hold(QObject):
    """Holds the export's thread at its first progress report, in the middle of the rows,
    while ``action`` runs on the GUI thread."""

    def __init__(self, dialog, action):
        super().__init__()
        self._action = action
        self.rows_written = None
        dialog.export_started.connect(lambda thread: thread.progressed.connect(
            self.progressed, Qt.ConnectionType.BlockingQueuedConnection))

    @Slot(int)
    def progressed(self, rows):
        if self.rows_written is None:
            self.rows_written = rows
            self._action()


def test_an_agent_exports_their_notes_and_the_dialog_remembers_the_choice(
        qtbot, window, paths, db, exports, tmp_path):
    fill(paths)
    dialog = open_export(qtbot, window)
    assert dialog.path_edit.text().endswith("callhelper-notes-20260105.csv")
    dialog.agent_choice.setCurrentIndex(dialog.agent_choice.findData("鈴木"))
    target = exports / "mine.csv"

    export(qtbot, dialog, target)

    (mine,) = db("SELECT count(*) FROM note WHERE agent = '鈴木'")[0]
    rows = read_rows(target)
    labels = export_labels("notes", demand_rules(), "en")
    assert mine > 0 and len(rows) == mine + 1
    assert rows[0][:5] == ["Case no.", "Customer", "Phone", "Call started",
                           "Seconds into the call"]
    assert {row[9] for row in rows[1:]} == {"鈴木"}
    assert "Customer's words" in {row[5] for row in rows[1:]}
    assert dialog.progress.value() == dialog.progress.maximum() == mine
    assert dialog.message.text() == f"✓ {mine:,} notes written to {target}"
    store = Store(paths.database_url)
    with Session(store.engine) as session:
        write_csv(tmp_path / "same.csv", labels.header(NOTE_HEADER),
                  note_rows(session, ExportFilter(agent="鈴木"), labels))
    store.close()
    assert target.read_bytes() == (tmp_path / "same.csv").read_bytes()

    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    again = open_export(qtbot, window)
    assert again is not dialog
    assert again.agent_choice.currentData() == "鈴木"
    assert again.path_edit.text() == str(target.parent / "callhelper-notes-20260105.csv")


def test_cases_of_one_month(qtbot, window, paths, exports):
    fill(paths)
    dialog = open_export(qtbot, window)
    dialog.what.setCurrentIndex(dialog.what.findData("cases"))
    assert dialog.path_edit.text().endswith("callhelper-cases-20260105.csv")
    dialog.from_check.setChecked(True)
    dialog.from_date.setDate(QDate(2026, 10, 1))
    dialog.to_check.setChecked(True)
    dialog.to_date.setDate(QDate(2026, 10, 31))

    export(qtbot, dialog, exports / "october.csv")

    rows = read_rows(exports / "october.csv")
    assert rows[0][:5] == ["Case no.", "Customer", "Phone", "Opened", "Last contact"]
    assert len(rows) > 1
    assert all(row[3].startswith("2026-10-") for row in rows[1:])
    assert dialog.message.text().startswith(f"✓ {len(rows) - 1} cases written to ")


def test_a_cancelled_export_keeps_the_previous_file(qtbot, window, paths, db, exports):
    fill(paths)
    (notes,) = db("SELECT count(*) FROM note")[0]
    target = exports / "notes.csv"
    target.write_text("the previous export", encoding="utf-8")
    dialog = open_export(qtbot, window)
    hold = Hold(dialog, lambda: qtbot.mouseClick(dialog.close_button,
                                                 Qt.MouseButton.LeftButton))
    assert dialog.close_button.text() == "Close"

    export(qtbot, dialog, target)

    assert 0 < hold.rows_written < notes
    assert target.read_text(encoding="utf-8") == "the previous export"
    assert [path.name for path in exports.iterdir()] == ["notes.csv"]
    assert not dialog.isVisible()
    assert dialog.message.text() == "Export cancelled; no file was written."


def test_an_unwritable_target_is_named_and_the_window_goes_on(qtbot, window, paths, db,
                                                              exports):
    fill(paths, 10)
    dialog = open_export(qtbot, window)
    target = exports / "no such folder" / "notes.csv"

    export(qtbot, dialog, target)

    assert dialog.message.text() == (f"The file {target} could not be written: "
                                     "No such file or directory")
    assert dialog.export_button.isEnabled() and dialog.path_edit.isEnabled()
    assert not target.parent.exists()
    export(qtbot, dialog, exports / "notes.csv")
    assert dialog.message.text().startswith("✓ ")
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.header.start_button, Qt.MouseButton.LeftButton)
    type_text(window.note_entry, "返金してほしい")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == 1)
    assert db("SELECT text FROM note WHERE agent = '鈴木' ORDER BY id DESC LIMIT 1") == [
        ("返金してほしい",)]


def test_a_note_typed_during_an_export_is_saved_at_once(qtbot, window, paths, db, exports):
    fill(paths)
    (before,) = db("SELECT count(*) FROM note")[0]
    dialog = open_export(qtbot, window)

    def take_a_call():
        """The phone rings while the export is half written: the call starts and a note is
        saved while the export's thread still waits in the middle of its rows."""
        qtbot.mouseClick(window.header.start_button, Qt.MouseButton.LeftButton)
        type_text(window.note_entry, "=1+1 と言われた")
        qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: window.notes_model.rowCount() == 1)
        assert dialog.running
        assert window.windows.open_export() is None
        assert window.saved_label.text() == "Export opens between calls."

    hold = Hold(dialog, take_a_call)
    export(qtbot, dialog, exports / "notes.csv")

    assert hold.rows_written is not None
    assert db("SELECT text FROM note ORDER BY id DESC LIMIT 1") == [("=1+1 と言われた",)]
    rows = read_rows(exports / "notes.csv")
    assert len(rows) == before + 1
    assert dialog.progress.value() == dialog.progress.maximum() == before
    assert window.session is not None


class ChooserWatch(QObject):
    """Notes and closes a file chooser that opens (it is modal: left open, it would hold the
    test up); watches until stopped."""

    def __init__(self):
        super().__init__()
        self.opened = False
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._check)
        self._timer.start(20)

    def _check(self):
        chooser = QApplication.activeModalWidget()
        if isinstance(chooser, QFileDialog):
            self.opened = True
            chooser.reject()

    def stop(self):
        self._timer.stop()


def test_enter_in_the_file_field_exports_and_the_chooser_keeps_its_shortcut(
        qtbot, window, paths, db, exports):
    fill(paths, 10)
    (notes,) = db("SELECT count(*) FROM note")[0]
    dialog = open_export(qtbot, window)
    target = exports / "typed.csv"
    dialog.path_edit.setFocus()
    dialog.path_edit.selectAll()
    type_text(dialog.path_edit, str(target))
    watch = ChooserWatch()

    qtbot.keyClick(dialog.path_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.running and target.exists(), timeout=30_000)

    watch.stop()
    assert not watch.opened, "Enter opened the file chooser"
    assert len(read_rows(target)) == notes + 1
    assert dialog.message.text() == f"✓ {notes:,} notes written to {target}"
    watch = ChooserWatch()
    qtbot.keyClick(dialog.path_edit, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: watch.opened)
    watch.stop()


def test_an_xlsx_export_is_chosen_remembered_and_named_by_the_format(
        qtbot, window, paths, db, exports):
    fill(paths, 10)
    (cases,) = db("SELECT count(*) FROM support_case")[0]
    dialog = open_export(qtbot, window)
    dialog.what.setCurrentIndex(dialog.what.findData("cases"))
    dialog.table_format.setCurrentIndex(dialog.table_format.findData("xlsx"))
    assert dialog.path_edit.text().endswith("callhelper-cases-20260105.xlsx")
    dialog.path_edit.setText(str(exports / "mine.csv"))
    dialog.table_format.setCurrentIndex(dialog.table_format.findData("csv"))
    dialog.table_format.setCurrentIndex(dialog.table_format.findData("xlsx"))
    assert dialog.path_edit.text() == str(exports / "mine.xlsx")
    dialog.ids_check.setChecked(True)

    export(qtbot, dialog, exports / "mine.xlsx")

    assert dialog.message.text() == f"✓ {cases} cases written to {exports / 'mine.xlsx'}"
    with zipfile.ZipFile(exports / "mine.xlsx") as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert f"<t>{CASE_HEADER[5]}</t>" in sheet and 'state="frozen"' in sheet
    assert sheet.count("<row ") == cases + 1
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    again = open_export(qtbot, window)
    assert again.table_format.currentData() == "xlsx" and again.ids_check.isChecked()
    assert again.path_edit.text() == str(exports / "callhelper-cases-20260105.xlsx")


def test_a_cancelled_xlsx_export_keeps_the_previous_file(qtbot, window, paths, db, exports):
    fill(paths)
    target = exports / "notes.xlsx"
    target.write_text("the previous export", encoding="utf-8")
    dialog = open_export(qtbot, window)
    dialog.table_format.setCurrentIndex(dialog.table_format.findData("xlsx"))
    hold = Hold(dialog, lambda: qtbot.mouseClick(dialog.close_button,
                                                 Qt.MouseButton.LeftButton))

    export(qtbot, dialog, target)

    assert hold.rows_written is not None
    assert target.read_text(encoding="utf-8") == "the previous export"
    assert [path.name for path in exports.iterdir()] == ["notes.xlsx"]
    assert dialog.message.text() == "Export cancelled; no file was written."
