"""`callhelper evidence` as a real process, with no display and no Qt platform chosen."""

import csv
import os
import subprocess
import sys

import pytest

from callhelper.app.bootstrap import demand_rules
from evidence_checks import (JAPAN_TZ, KNEELING, THREAT, capture_cases, capture_reviewed_cases,
                             pdf_text)



def run_evidence(*args):
    env = {name: value for name, value in os.environ.items()
           if name not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env["TZ"] = JAPAN_TZ
    return subprocess.run([sys.executable, "-m", "callhelper", "evidence", *args],
                          capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture
def cases(paths, settings, clock):
    """A flagged case and a calm one, captured by 鈴木, whose reports are in Japanese."""
    settings.set("language", "ja")
    return capture_cases(paths.database_url, clock)


def test_the_pdf_report_and_the_csv_of_a_case(cases, tmp_path):
    case = str(cases["flagged"])
    report = tmp_path / "evidence.pdf"
    result = run_evidence(case, "--out", str(report))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrote 2 flagged statements of case #{case} to {report}"
    text = pdf_text(report)
    packed = "".join(text.split())
    assert THREAT in text and KNEELING in text
    assert "2026-01-05" in text and "18:03:09 +09:00" in text and "18:07:00 +09:00" in text
    for category in ("threat", "intimidation", "kneeling_apology"):
        assert "".join(demand_rules().label(category, "ja").split()) in packed
    assert "山田 太郎" in text and "に 鈴木 が作成" in text

    table = tmp_path / "evidence.csv"
    result = run_evidence(case, "--out", str(table))
    assert result.returncode == 0, result.stderr
    with table.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [(row["text"], row["recorded_at"], row["offset"]) for row in rows] == [
        (THREAT, "2026-01-05 18:03:09 +09:00", "03:09"),
        (KNEELING, "2026-01-05 18:07:00 +09:00", "07:00")]


def test_what_cannot_be_written_is_refused_with_a_message(cases, tmp_path):
    out = str(tmp_path / "evidence.pdf")
    unknown = run_evidence("999", "--out", out)
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "callhelper evidence: case #999: no such case; nothing written"
    calm = run_evidence(str(cases["calm"]), "--out", out)
    assert calm.returncode == 1 and "no statement confirmed or flagged" in calm.stderr
    assert not (tmp_path / "evidence.pdf").exists()
    wrong_type = run_evidence(str(cases["flagged"]), "--out", str(tmp_path / "evidence.docx"))
    assert wrong_type.returncode == 2 and "must end in .pdf or .csv" in wrong_type.stderr
    nowhere = run_evidence(str(cases["flagged"]), "--out", str(tmp_path / "missing" / "e.pdf"))
    assert nowhere.returncode == 1
    assert nowhere.stderr.startswith("callhelper evidence: ")
    assert "Traceback" not in nowhere.stderr


def test_a_case_whose_flags_are_only_suspected_has_no_evidence_yet(paths, clock, tmp_path):
    cases = capture_reviewed_cases(paths.database_url, clock)
    out = tmp_path / "evidence.pdf"
    result = run_evidence(str(cases["suspected"]), "--out", str(out))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"callhelper evidence: case #{cases['suspected']}: no statement confirmed or flagged by "
        "an agent, 1 only suspected (a suspected flag must be confirmed first); nothing "
        "written")
    assert not out.exists()
    assert run_evidence(str(cases["mixed"]), "--out", str(out)).returncode == 0
