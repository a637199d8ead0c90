"""The exported CSV and .xlsx opened by a real spreadsheet: LibreOffice Calc, headless, with
formula evaluation on, as a user double-clicking the file would get it."""

import csv
import shutil
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from xml.etree import ElementTree

import pytest

from callhelper.config import resources_dir
from callhelper.core.case import NoteKind
from callhelper.core.flags import load_rules
from callhelper.store import repository
from callhelper.store.engine import Store
from export_data import (CUSTOMER, DUE, FORMULA_LIKE as SUPERVISOR_FORMULA_LIKE, NUMBER_LIKE,
                         STARTED, SUBJECT, add_supervisor_calls, local)

NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
# LibreOffice's CSV import: comma, double quote, UTF-8, from line 1, standard column types,
# English (US), quoted fields not forced to text, no special numbers, and (the 13th token)
# formulas evaluated.
CSV_IMPORT = "CSV:44,34,76,1,,1033,false,false,false,false,false,-1,true"
FORMULA_LIKE = ["=1+1", "+81 3 1234 5678 に掛け直せ", "-100万円払え", "@店長 を出せ",
                "=HYPERLINK(\"http://example.com\",\"返金\")"]


def run_cli(*args):
    result = subprocess.run([sys.executable, "-m", "callhelper", *args], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


#: Cells that hide a formula from a check of the first character only, or from a file whose
#: fields an import splits at other separators than the comma.
HIDDEN_FORMULAS = [" =1+1", "\u3000=1+1", "\x01=1+1", "\x00=1+1", "\x00 \x00+1+1",
                   "返金;=1+1", "返金\t=1+1", "返金; =1+1", "返金\t\x00=1+1", "返金 =1+1",
                   "返金して,=1+1"]
#: The same import with every separator it offers (comma, tab, semicolon, space), spaces
#: trimmed from each field, and formulas evaluated.
EVERY_SEPARATOR_TRIMMED = "CSV:44/9/59/32,34,76,1,,1033,false,false,false,false,true,-1,true"


def add_formula_like_notes(database_url, formulas=FORMULA_LIKE):
    rules = load_rules(resources_dir() / "rules" / "demands.toml")
    started = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
    store = Store(database_url)
    with store.unit_of_work() as session:
        repository.start_contact(session, repository.NewContact(
            "formula-call", "山本", "complaint", 2, started, "+81 3 1234 5678", "=山田"))
        for index, words in enumerate(formulas):
            repository.add_note(session, "formula-call", f"formula-{index}", NoteKind.QUOTE,
                                words, index * 1000, "山本", started + timedelta(seconds=index),
                                rules)
    store.close()


def paragraph_text(element):
    """The text of an ODF paragraph, with its space, tab and line-break elements."""
    parts = [element.text or ""]
    for child in element:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "s":
            parts.append(" " * int(child.get(f"{{{NS['text']}}}c", "1")))
        elif tag == "tab":
            parts.append("\t")
        elif tag == "line-break":
            parts.append("\n")
        else:
            parts.append(paragraph_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def sheet_cells(ods_file):
    """Each row of the first sheet as (shown text, value type, formula) per cell."""
    with zipfile.ZipFile(ods_file) as archive:
        root = ElementTree.fromstring(archive.read("content.xml"))
    table = root.find(".//table:table", NS)
    rows = []
    empty = ("", None, None)
    for row in table.iter(f"{{{NS['table']}}}table-row"):
        cells = []
        for cell in row:
            repeat = int(cell.get(f"{{{NS['table']}}}number-columns-repeated", "1"))
            shown = "\n".join(paragraph_text(p) for p in cell.findall("text:p", NS))
            value = (shown, cell.get(f"{{{NS['office']}}}value-type"),
                     cell.get(f"{{{NS['table']}}}formula"))
            cells.extend([value] * repeat)
        while cells and cells[-1] == empty:  # the sheet's empty columns up to its last one
            cells.pop()
        repeat = int(row.get(f"{{{NS['table']}}}number-rows-repeated", "1"))
        # the empty rows down to the sheet's last one (a million of them, when a whole
        # column is formatted) are one empty row here
        rows.extend([cells] * (repeat if cells else 1))
    return rows


def open_in_calc(tmp_path, *files, import_filter=CSV_IMPORT):
    """Convert the files to OpenDocument as LibreOffice Calc opens them; the .ods paths."""
    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice Calc is needed: bash .ci/system-packages --test")
    out = tmp_path / "calc"
    filters = [f"--infilter={import_filter}"] if import_filter else []
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
                    "--headless", *filters, "--convert-to", "ods",
                    "--outdir", str(out), *map(str, files)],
                   check=True, capture_output=True, timeout=300)
    return [out / f"{path.stem}.ods" for path in files]


def test_calc_shows_japanese_text_as_written_and_runs_no_formula(tmp_path):
    data = ["--data-dir", str(tmp_path / "data")]
    run_cli(*data, "demo", "--cases", "30")
    add_formula_like_notes(f"sqlite:///{tmp_path / 'data' / 'callhelper.db'}")
    exported = tmp_path / "notes.csv"
    run_cli(*data, "export", "--out", str(exported))
    # The same kind of cell written as is: proof that this import would run a formula.
    unguarded = tmp_path / "unguarded.csv"
    unguarded.write_text("a\r\n=1+1\r\n", encoding="utf-8-sig", newline="")

    notes_sheet, control = map(sheet_cells, open_in_calc(tmp_path, exported, unguarded))

    assert control[1][0] == ("2", "float", "of:=1+1")
    with exported.open(encoding="utf-8-sig", newline="") as stream:
        written = list(csv.reader(stream))
    assert len(notes_sheet) == len(written)
    assert not [cell for row in notes_sheet for cell in row if cell[2] is not None]
    for sheet_row, csv_row in zip(notes_sheet[1:], written[1:]):
        for column in (1, 5, 6, 9):  # customer, kind, the customer's words, handler
            assert sheet_row[column] == (csv_row[column], "string", None)
    shown_words = [row[6][0] for row in notes_sheet[1:]]
    assert all(f"'{words}" in shown_words for words in FORMULA_LIKE)
    assert any("土下座" in words for words in shown_words)
    assert ("'=山田", "string", None) in [row[1] for row in notes_sheet]
    assert ("03-1234-5678", "string", None) in [row[2] for row in notes_sheet]


def test_no_import_setting_turns_a_cell_into_a_formula(tmp_path):
    data = ["--data-dir", str(tmp_path / "data")]
    run_cli(*data, "demo", "--cases", "3")
    add_formula_like_notes(f"sqlite:///{tmp_path / 'data' / 'callhelper.db'}",
                           FORMULA_LIKE + HIDDEN_FORMULAS)
    exported = tmp_path / "notes.csv"
    run_cli(*data, "export", "--out", str(exported))
    unguarded = tmp_path / "unguarded.csv"  # proof that this import runs formulas
    unguarded.write_text('"a"\r\n"x"; =1+1\r\n', encoding="utf-8-sig", newline="")

    notes_sheet, control = map(sheet_cells, open_in_calc(
        tmp_path, exported, unguarded, import_filter=EVERY_SEPARATOR_TRIMMED))

    assert "of:=1+1" in [cell[2] for cell in control[1]]
    assert not [cell for row in notes_sheet for cell in row if cell[2] is not None]
    shown = {cell[0] for row in notes_sheet for cell in row}
    assert "'=1+1" in shown or "' =1+1" in shown
    assert "返金;=1+1" in shown, "a field split at its semicolon"
    assert "返金\t=1+1" in shown, "a field split at its tab"


NOTES_JA = ["案件番号", "お客様名", "電話番号", "通話開始日時", "通話開始からの秒数", "種類", "内容",
            "カスハラの疑い", "要望", "オペレーター", "疑いの確認状況", "件名", "約束の期限"]


def shown_time(moment):
    return f"{local(moment):%Y-%m-%d %H:%M:%S}"


def test_calc_reads_the_xlsx_cells_with_their_types_and_japanese_headers(tmp_path):
    data = tmp_path / "data"
    add_supervisor_calls(f"sqlite:///{data / 'callhelper.db'}")
    notes, cases = tmp_path / "notes.xlsx", tmp_path / "cases.xlsx"
    run_cli("--data-dir", str(data), "export", "--out", str(notes), "--language", "ja")
    run_cli("--data-dir", str(data), "export", "--out", str(cases), "--what", "cases",
            "--format", "xlsx", "--language", "ja")
    with zipfile.ZipFile(notes) as workbook:
        sheet_xml = workbook.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' \
        in sheet_xml

    notes_sheet, cases_sheet = map(sheet_cells, open_in_calc(tmp_path, notes, cases,
                                                             import_filter=None))

    assert [cell[0] for cell in notes_sheet[0][:len(NOTES_JA)]] == NOTES_JA
    assert not [cell for row in notes_sheet + cases_sheet for cell in row if cell[2] is not None]
    rows = {row[6][0]: row for row in notes_sheet[1:] if row and row[0][0]}
    assert len(rows) == 2 + len(SUPERVISOR_FORMULA_LIKE) + len(NUMBER_LIKE)
    kneel, promise = rows["土下座しろ"], rows["明日15時半に折り返す"]
    assert kneel[0][1:] == ("float", None) and kneel[4] == ("89", "float", None)
    assert kneel[3] == (shown_time(STARTED), "date", None)
    assert kneel[5][0] == "お客様の発言" and kneel[7][0] == "土下座を求める発言"
    assert kneel[10][0] == "土下座を求める発言: 疑い(未確認)"
    assert kneel[11] == promise[11] == (SUBJECT, "string", None)
    assert promise[5][0] == "約束" and promise[12] == (shown_time(DUE), "date", None)
    for words in SUPERVISOR_FORMULA_LIKE:  # text as typed: no apostrophe, no formula
        assert rows[words][6] == (words, "string", None)
        assert rows[words][1] == (CUSTOMER, "string", None)  # from the customer record
        assert rows[words][2] == ("090-1234-5678", "string", None)
    for words in NUMBER_LIKE:  # no number, no date: the leading zero stays
        assert rows[words][6] == (words, "string", None)
    assert rows["09012345678"][2] == ("03-1234-5678", "string", None)
    assert [cell[0] for cell in cases_sheet[0][:6]] == ["案件番号", "お客様名", "電話番号",
                                                       "受付日時", "最終対応日時", "件名"]
    first_case = cases_sheet[1]
    assert first_case[5] == (SUBJECT, "string", None)
    assert (first_case[6][0], first_case[7][0], first_case[8][0]) == ("折り返し待ち", "高", "中")
    assert first_case[12] == ("1", "float", None) and first_case[3][1] == "date"
