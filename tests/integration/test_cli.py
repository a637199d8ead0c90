"""The command line and the app, as real processes."""

import os
import signal
import sqlite3
import subprocess
import sys

from callhelper import __version__
from processes import run_cli, schema_ready, wait_for


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"CallHelper {__version__}"


def test_a_bad_argument_is_refused_with_a_message():
    result = run_cli("--no-such-option")
    assert result.returncode == 2
    assert "unrecognized arguments: --no-such-option" in result.stderr


def test_the_app_starts_on_its_data_folder_and_closes_cleanly_on_sigterm(tmp_path):
    data = tmp_path / "elsewhere"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    app = subprocess.Popen([sys.executable, "-m", "callhelper", "--data-dir", str(data)],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: schema_ready(data / "callhelper.db")), "no database was created"
        app.send_signal(signal.SIGTERM)
        assert app.wait(timeout=30) == 0
    finally:
        if app.poll() is None:
            app.kill()
    config = tmp_path / "config"
    assert (config / "window.ini").exists(), "the window did not save its place on the way out"
    with sqlite3.connect(data / "callhelper.db") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_file_that_is_not_a_database_is_refused_left_as_it_is_and_reported_in_the_log(
        tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    not_a_database = tmp_path / "garbage.db"
    garbage = b"this is not a database" * 100
    not_a_database.write_bytes(garbage)
    app = subprocess.Popen([sys.executable, "-m", "callhelper", "--database-url",
                            f"sqlite:///{not_a_database}"], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    log = tmp_path / "logs" / "callhelper.log"
    try:
        assert wait_for(lambda: log.exists() and "not a CallHelper database" in log.read_text())
        app.send_signal(signal.SIGTERM)
        assert app.wait(timeout=30) == 0
    finally:
        if app.poll() is None:
            app.kill()
    assert not_a_database.read_bytes() == garbage
    assert [path.name for path in tmp_path.glob("garbage.db*")] == ["garbage.db"]
    assert str(not_a_database) in log.read_text()


def test_analyze_json_prints_masked_text_flags_and_requests():
    import json

    result = run_cli("analyze", "カード4111 1111 1111 1111で払った。返金しろ、SNSに晒すぞ", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["text"] == "カード**** **** **** 1111で払った。返金しろ、SNSに晒すぞ"
    assert [f["category"] for f in out["flags"]] == ["threat"]
    flag = out["flags"][0]
    assert out["text"][flag["start"]:flag["end"]] == "晒す"
    assert [r["category"] for r in out["requests"]] == ["refund"]


def test_analyze_plain_text_has_no_flags():
    result = run_cli("analyze", "先週買ったばかりなのに電源が入らない")
    assert result.returncode == 0
    assert "harassment flags: none" in result.stdout


def test_demo_then_cases_and_search_as_real_processes(tmp_path):
    import json

    data = ["--data-dir", str(tmp_path / "data")]
    made = run_cli(*data, "demo", "--cases", "120", "--seed", "4")
    assert made.returncode == 0, made.stderr
    assert "added 120 demo cases" in made.stdout
    with sqlite3.connect(tmp_path / "data" / "callhelper.db") as connection:
        number, contacts = connection.execute(
            "SELECT phone, count(*) FROM contact GROUP BY phone_key ORDER BY count(*) DESC"
        ).fetchone()
    written_otherwise = "+81" + number[1:]
    found = run_cli(*data, "cases", "--number", written_otherwise, "--json")
    assert found.returncode == 0, found.stderr
    rows = json.loads(found.stdout)
    assert len(rows) == contacts and all("id" in row for row in rows)
    starts = [row["started_at"] for row in rows]
    assert starts == sorted(starts, reverse=True)
    hits = json.loads(run_cli(*data, "search", "返金", "--limit", "5", "--json").stdout)
    assert 0 < len(hits) <= 5
    for hit in hits:
        assert "id" in hit
        start, end = hit["spans"][0]
        assert hit["text"][start:end] == "返金"
    plain = run_cli(*data, "search", "存在しない言葉")
    assert plain.returncode == 0 and "nothing found" in plain.stdout


def test_data_commands_refuse_bad_arguments_and_unreadable_databases(tmp_path):
    bad_limit = run_cli("search", "x", "--limit", "0")
    assert bad_limit.returncode == 2 and "must be at least 1" in bad_limit.stderr
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 50)
    result = run_cli("--database-url", f"sqlite:///{garbage}", "search", "返金")
    assert result.returncode == 1
    assert result.stderr.startswith("callhelper search: ")
    assert "Traceback" not in result.stderr


def test_export_writes_a_csv_excel_opens_and_refuses_bad_dates(tmp_path):
    import csv

    data = ["--data-dir", str(tmp_path / "data")]
    assert run_cli(*data, "demo", "--cases", "40", "--seed", "2").returncode == 0
    out = tmp_path / "notes.csv"
    result = run_cli(*data, "export", "--out", str(out), "--ids")
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0][:3] == ["case", "customer", "phone"]
    assert f"wrote {len(rows) - 1} notes" in result.stdout
    assert any("土下座" in row[6] or "晒" in row[6] or "慰謝料" in row[6] for row in rows[1:])
    cases = tmp_path / "cases.csv"
    assert run_cli(*data, "export", "--out", str(cases), "--what", "cases").returncode == 0
    assert len(cases.read_text(encoding="utf-8-sig").splitlines()) >= 41
    bad = run_cli(*data, "export", "--out", str(out), "--from", "2026-13-01")
    assert bad.returncode == 2 and "not a date" in bad.stderr
    nowhere = run_cli(*data, "export", "--out", str(tmp_path / "missing" / "x.csv"))
    assert nowhere.returncode == 1 and nowhere.stderr.startswith("callhelper export: ")


def test_export_speaks_the_app_language_or_the_one_asked_and_writes_xlsx_when_asked(
        settings, tmp_path):
    import csv
    import zipfile

    settings.set("language", "ja")
    assert run_cli("demo", "--cases", "5").returncode == 0

    def first_row(*args):
        out = tmp_path / "notes.csv"
        result = run_cli("export", "--out", str(out), *args)
        assert result.returncode == 0, result.stderr
        with out.open(encoding="utf-8-sig", newline="") as stream:
            return next(csv.reader(stream))

    assert first_row()[:3] == ["案件番号", "お客様名", "電話番号"]
    # the words come from Qt's translations, and no widget is loaded for them
    imports = run_cli("export", "--out", str(tmp_path / "notes.csv"),
                      env={"PYTHONPROFILEIMPORTTIME": "1"}).stderr
    assert "| PySide6.QtCore" in imports and "PySide6.QtWidgets" not in imports
    assert first_row("--language", "en")[:3] == ["Case no.", "Customer", "Phone"]
    assert first_row("--ids", "--language", "en")[:5] == [
        "case", "customer", "phone", "contact_start", "offset_seconds"]
    for out, option in ((tmp_path / "notes.xlsx", []),
                        (tmp_path / "workbook", ["--format", "xlsx"])):
        result = run_cli("export", "--out", str(out), *option)
        assert result.returncode == 0, result.stderr
        with zipfile.ZipFile(out) as workbook:
            assert "<t>案件番号</t>" in workbook.read("xl/worksheets/sheet1.xml").decode()
    mismatch = run_cli("export", "--out", str(tmp_path / "other.csv"), "--format", "xlsx")
    assert mismatch.returncode == 2 and "does not match" in mismatch.stderr
    assert not (tmp_path / "other.csv").exists()
    assert run_cli("export", "--out", "x.csv", "--language", "fr").returncode == 2


def make_demo_file(folder, name, cases, seed):
    result = run_cli("--data-dir", str(folder / name), "demo", "--cases", str(cases), "--seed",
                     str(seed))
    assert result.returncode == 0, result.stderr
    return folder / name / "callhelper.db"


def test_verify_finds_a_note_changed_behind_the_apps_back(tmp_path):
    database = make_demo_file(tmp_path, "agent", 20, 4)
    result = run_cli("verify", str(database))
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout
    with sqlite3.connect(database) as connection:
        uid = connection.execute("SELECT uid FROM note ORDER BY id LIMIT 1 OFFSET 7").fetchone()[0]
        connection.execute("UPDATE note SET text = '言っていない' WHERE uid = ?", (uid,))
    connection.close()
    result = run_cli("verify", str(database))
    assert result.returncode == 3
    assert f"note {uid} differs from its last recorded state (text)" in result.stdout
    assert run_cli("verify", str(tmp_path / "missing.db")).returncode == 1


def test_review_as_a_process_reads_both_files_and_changes_neither(tmp_path):
    files = [make_demo_file(tmp_path, name, 15, seed) for name, seed in (("a", 1), ("b", 2))]
    with sqlite3.connect(files[1]) as connection:
        connection.execute("UPDATE support_case SET subject = '改ざん' WHERE id = 3")
    connection.close()
    before = [path.read_bytes() for path in files]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    app = subprocess.Popen([sys.executable, "-m", "callhelper", "review", *map(str, files)],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log_file = tmp_path / "logs" / "callhelper.log"
    try:
        assert wait_for(lambda: log_file.exists() and "audit trail broken" in
                        log_file.read_text(encoding="utf-8")), "the review did not check the files"
        app.send_signal(signal.SIGTERM)
        assert app.wait(timeout=30) == 0
    finally:
        if app.poll() is None:
            app.kill()
    assert "case demo-case-3" in log_file.read_text(encoding="utf-8")
    assert [path.read_bytes() for path in files] == before
    assert sorted(p.name for p in files[0].parent.iterdir()) == [
        "callhelper.db", "callhelper.db.anchor"]
