"""The exported CSV opened by a real spreadsheet: LibreOffice Calc, headless, with formula
evaluation on, as a user double-clicking the file would get it."""

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


def add_formula_like_notes(database_url):
    rules = load_rules(resources_dir() / "rules" / "demands.toml")
    started = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
    store = Store(database_url)
    with store.unit_of_work() as session:
        repository.start_contact(session, repository.NewContact(
            "formula-call", "山本", "complaint", 2, started, "+81 3 1234 5678", "=山田"))
        for index, words in enumerate(FORMULA_LIKE):
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
    for row in table.iter(f"{{{NS['table']}}}table-row"):
        cells = []
        for cell in row:
            repeat = int(cell.get(f"{{{NS['table']}}}number-columns-repeated", "1"))
            shown = "\n".join(paragraph_text(p) for p in cell.findall("text:p", NS))
            value = (shown, cell.get(f"{{{NS['office']}}}value-type"),
                     cell.get(f"{{{NS['table']}}}formula"))
            cells.extend([value] * repeat)
        rows.extend([cells] * int(row.get(f"{{{NS['table']}}}number-rows-repeated", "1")))
    return rows


def open_in_calc(tmp_path, *csv_files):
    """Convert the files to OpenDocument as LibreOffice Calc opens them; the .ods paths."""
    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice Calc is needed: bash .ci/system-packages --test")
    out = tmp_path / "calc"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
                    "--headless", f"--infilter={CSV_IMPORT}", "--convert-to", "ods",
                    "--outdir", str(out), *map(str, csv_files)],
                   check=True, capture_output=True, timeout=300)
    return [out / f"{path.stem}.ods" for path in csv_files]


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
    assert ("'+81 3 1234 5678", "string", None) in [row[2] for row in notes_sheet]
