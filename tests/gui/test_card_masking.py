"""A card number typed into the caller's name and the wrap-up's fix, in the real window, is
masked on disk, in the CSV export and in what `callhelper search` prints."""

import csv
import json
import subprocess
import sys

from PySide6.QtCore import Qt

from keyboard import type_text

CTRL = Qt.KeyboardModifier.ControlModifier
IN_THE_NAME = "4111 1111 1111 1111"
IN_THE_FIX = "５５００－００００－００００－０００４"


def run_cli(*args):
    """The command as a real process, on the test's data folder (its environment)."""
    result = subprocess.run([sys.executable, "-m", "callhelper", *args], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def test_a_card_in_the_callers_name_and_the_fix_is_masked_everywhere(qtbot, window, db, paths,
                                                                     tmp_path):
    type_text(window.number_input, "03-1234-5678")
    type_text(window.ringing_page.name_input, f"山田 {IN_THE_NAME}")
    qtbot.keyClick(window.ringing_page.name_input, Qt.Key.Key_F7)
    type_text(window.note_entry, "二重に引き落とされた")
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F9)
    type_text(window.wrap_up.subject, "二重請求")
    type_text(window.wrap_up.fix, f"カード{IN_THE_FIX}に返金")
    qtbot.keyClick(window.wrap_up.subject, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: window.session is None)

    assert db("SELECT caller_name FROM contact") == [("山田 **** **** **** 1111",)]
    assert db("SELECT name FROM customer") == [("山田 **** **** **** 1111",)]
    assert db("SELECT fix FROM support_case") == [("カード****－****－****－０００４に返金",)]
    stored = b"".join(path.read_bytes() for path in paths.database_file.parent.rglob("*")
                      if path.is_file())
    for card in (IN_THE_NAME, IN_THE_FIX, "4111111111111111"):
        assert card.encode() not in stored

    notes, cases = tmp_path / "notes.csv", tmp_path / "cases.csv"
    run_cli("export", "--out", str(notes), "--ids")
    run_cli("export", "--out", str(cases), "--what", "cases", "--ids")
    assert [row["customer"] for row in read_csv(notes)] == ["山田 **** **** **** 1111"]
    [case] = read_csv(cases)
    assert (case["customer"], case["fix"]) == ("山田 **** **** **** 1111",
                                               "カード****－****－****－０００４に返金")

    hits = json.loads(run_cli("search", "返金", "--json"))
    assert [(hit["field"], hit["text"]) for hit in hits] == [
        ("fix", "カード****－****－****－０００４に返金")]
    printed = run_cli("search", "カード")
    assert "カード****－****－****－０００４に返金" in printed and "5500" not in printed
