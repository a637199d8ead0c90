"""Bad command lines: each gets one clear line on stderr and an exit code — 2 when the
command is used wrongly, 1 when it cannot be carried out — never a traceback."""

import json
import os
import signal
import sqlite3
import subprocess
import sys

import pytest
from damage import damage, database_with_cases
from processes import wait_for

from callhelper.cli import main
from callhelper.store.engine import Store

USAGE_ERRORS = [
    ["frobnicate"],
    ["search"],
    ["search", "返金", "--limit", "0"],
    ["search", "返金", "--limit", "many"],
    ["search", "返金", "--limit", "99999999999999999999"],
    ["cases"],
    ["cases", "--number"],
    ["analyze"],
    ["analyze", "a", "b"],
    ["export"],
    ["export", "--out", "x.csv", "--from", "2026-13-01"],
    ["export", "--out", "x.csv", "--to", "tomorrow"],
    ["export", "--out", "x.csv", "--what", "calls"],
    ["evidence", "1", "--out", "x.txt"],
    ["evidence", "first", "--out", "x.pdf"],
    ["evidence", "99999999999999999999999", "--out", "x.pdf"],
    ["verify", "a.db", "b.db"],
    ["backup", "now"],
    ["restore"],
    ["doctor", "--verbose"],
    ["purge"],
    ["purge", "--older-than", "0"],
    ["purge", "--older-than", "a-year"],
    ["purge", "--older-than", "99999999999"],
    ["demo"],
    ["demo", "--cases", "-1"],
    ["demo", "--cases", "2", "--seed", "x"],
    ["call"],
    ["call", "ring"],
    ["call", "note"],
    ["call", "note", "言葉", "--kind", "insult"],
]


def run(capsys, argv):
    """The command line in this process: its exit code and what it wrote."""
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("argv", USAGE_ERRORS, ids=" ".join)
def test_a_command_used_wrongly_says_so_in_one_line_with_exit_code_2(capsys, argv):
    code, out, err = run(capsys, argv)
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    named = "callhelper:" if argv[0] == "frobnicate" else f"callhelper {argv[0]}"
    assert lines[0].startswith(named)
    assert "--help" in lines[0]


@pytest.fixture
def not_a_database(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("お客様の言葉、ただのテキスト\n", encoding="utf-8")
    return path


@pytest.fixture
def failures(tmp_path, not_a_database):
    """Commands used rightly that cannot be carried out, and what their message names."""
    database = tmp_path / "agent.db"
    Store(f"sqlite:///{database}").close()
    agent = ["--database-url", f"sqlite:///{database}"]
    return {
        "verify a missing file": (["verify", str(tmp_path / "missing.db")], "no such file"),
        "verify a folder": (["verify", str(tmp_path)], str(tmp_path)),
        "verify a text file": (["verify", str(not_a_database)], "not a CallHelper database"),
        "restore a missing file": (["restore", str(tmp_path / "missing.db")], "no such file"),
        "restore a text file": (["restore", str(not_a_database)], "not a database"),
        "backup without a database": (["backup"], "no database"),
        "export into a folder": ([*agent, "export", "--out", str(tmp_path)], "is a folder"),
        "export into a missing folder": ([*agent, "export", "--out",
                                          str(tmp_path / "no" / "x.csv")], "No such file"),
        "evidence of a missing case": ([*agent, "evidence", "99", "--out",
                                        str(tmp_path / "x.pdf")], "no such case"),
        "search a text file": (["--database-url", f"sqlite:///{not_a_database}", "search",
                                "返金"], "not a database"),
        "search an unknown database": (["--database-url", "nosuchdb://host/db", "search",
                                        "返金"], "nosuchdb"),
        "cases in a data folder that is a file": (["--data-dir", str(not_a_database), "cases",
                                                   "--number", "03-1234-5678"], "exists"),
    }


FAILURES = ["verify a missing file", "verify a folder", "verify a text file",
            "restore a missing file", "restore a text file", "backup without a database",
            "export into a folder", "export into a missing folder",
            "evidence of a missing case", "search a text file", "search an unknown database",
            "cases in a data folder that is a file"]


@pytest.mark.parametrize("name", FAILURES)
def test_a_command_that_cannot_be_carried_out_says_why_in_one_line_with_exit_code_1(
        capsys, failures, name):
    argv, named = failures[name]
    code, out, err = run(capsys, argv)
    assert code == 1
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line and not line.endswith(" rows")]
    assert len(lines) == 1, err
    command = next(argument for argument in argv if argument in
                   ("verify", "restore", "backup", "export", "evidence", "search", "cases"))
    assert lines[0].startswith(f"callhelper {command}: ")
    assert named in lines[0]


def test_a_data_command_on_a_damaged_database_fails_with_a_message(capsys, paths):
    paths.data_dir.mkdir(parents=True)
    paths.database_file.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    code, out, err = run(capsys, ["search", "返金"])
    assert code == 1
    assert err.startswith("callhelper search: ") and len(err.splitlines()) == 1


@pytest.mark.parametrize("command", [[], ["review"]], ids=["the window", "review"])
def test_a_data_folder_that_is_a_file_is_named_in_one_line_before_any_window_opens(
        tmp_path, command):
    not_a_folder = tmp_path / "メモ.txt"
    not_a_folder.write_text("折り返しの控え", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "callhelper", "--data-dir",
                             str(not_a_folder), *command], capture_output=True, text=True,
                            timeout=60, env=environment(tmp_path))
    assert result.returncode == 1
    assert result.stderr == (f"callhelper: the data folder {not_a_folder} is a file, not a "
                             "folder\n")
    assert not_a_folder.read_text(encoding="utf-8") == "折り返しの控え"


def environment(tmp_path):
    return {"CALLHELPER_DATA_DIR": str(tmp_path / "data"),
            "CALLHELPER_CONFIG_DIR": str(tmp_path / "config"),
            "CALLHELPER_LOG_DIR": str(tmp_path / "logs"), "QT_QPA_PLATFORM": "offscreen",
            "LANG": "C.UTF-8", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}


#: What a terminal set to another encoding passes: words that are not UTF-8.
NOT_UTF8 = "返金して".encode() + b"\xff\xfe" + "ください".encode()
REPLACED = "返金して\ufffd\ufffdください"


@pytest.mark.parametrize("argv", [["analyze", NOT_UTF8], ["analyze", NOT_UTF8, "--json"],
                                  ["search", NOT_UTF8], ["cases", "--number", NOT_UTF8]],
                         ids=["analyze", "analyze --json", "search", "cases"])
def test_arguments_that_are_not_utf8_are_read_with_replacement_characters(tmp_path, argv):
    """Bytes that are not UTF-8 become U+FFFD, as in notes (docs/data-safety.md); the
    command runs and prints them."""
    Store(f"sqlite:///{tmp_path / 'data' / 'callhelper.db'}").close()
    result = subprocess.run([sys.executable, "-m", "callhelper", *argv], capture_output=True,
                            timeout=60, env=environment(tmp_path))
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    out = result.stdout.decode("utf-8")
    if argv[0] == "analyze":
        assert REPLACED in (json.loads(out)["text"] if "--json" in argv else out)


def test_a_note_sent_in_words_that_are_not_utf8_is_saved_with_replacement_characters(
        tmp_path):
    env = environment(tmp_path)
    app = subprocess.Popen([sys.executable, "-m", "callhelper", "call", "start"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def status():
            result = subprocess.run([sys.executable, "-m", "callhelper", "call", "status",
                                     "--json"], capture_output=True, timeout=60, env=env)
            return json.loads(result.stdout) if result.returncode == 0 else {}

        assert wait_for(lambda: status().get("call") == "active"), "the call did not start"
        result = subprocess.run([sys.executable, "-m", "callhelper", "call", "note", NOT_UTF8,
                                 "--json"], capture_output=True, timeout=60, env=env)
        assert result.returncode == 0, result.stderr.decode()
        assert json.loads(result.stdout)["text"] == REPLACED
    finally:
        app.send_signal(signal.SIGTERM)
        app.wait(timeout=30)
    with sqlite3.connect(tmp_path / "data" / "callhelper.db") as connection:
        assert connection.execute("SELECT text FROM note").fetchall() == [(REPLACED,)]
    connection.close()


def callhelper(tmp_path, *argv, cwd=None, **extra):
    return subprocess.run([sys.executable, "-m", "callhelper", *argv], capture_output=True,
                          text=True, timeout=60, cwd=cwd, env=environment(tmp_path) | extra)


@pytest.fixture
def database_of_cases(tmp_path):
    return database_with_cases(tmp_path / "data" / "callhelper.db", cases=3)


@pytest.fixture
def not_files(tmp_path):
    """Paths that name something other than a file, each with what it is."""
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    device = tmp_path / "null.csv"
    device.symlink_to(os.devnull)
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    return {fifo: "a named pipe", device: "a device", folder: "a folder"}


def test_an_export_onto_what_is_not_a_file_is_refused_and_the_path_left_as_it_was(
        tmp_path, database_of_cases, not_files):
    for path, kind in not_files.items():
        result = callhelper(tmp_path, "export", "--out", str(path))
        assert (result.returncode, result.stdout) == (1, "")
        assert result.stderr == (f"callhelper export: {path} is {kind}, not a file: nothing "
                                 "was written\n")
    here = callhelper(tmp_path, "export", "--out", ".", cwd=tmp_path)
    assert (here.returncode, here.stderr) == (1, "callhelper export: . is a folder, not a "
                                                 "file: nothing was written\n")
    fifo, device, folder = not_files
    assert fifo.is_fifo() and device.is_symlink() and folder.is_dir()
    assert not [path for path in tmp_path.rglob("*.part")]


def test_evidence_onto_a_device_is_refused(tmp_path, database_of_cases):
    device = tmp_path / "evidence.pdf"
    device.symlink_to(os.devnull)
    result = callhelper(tmp_path, "evidence", "1", "--out", str(device))
    assert result.returncode == 1
    assert result.stderr == (f"callhelper evidence: {device} is a device, not a file: nothing "
                             "was written\n")
    assert device.is_symlink()


@pytest.mark.parametrize("option,day", [("--from", "0001-01-01"), ("--to", "9999-12-31")])
def test_a_date_at_the_end_of_the_calendar_is_a_usage_error(tmp_path, database_of_cases,
                                                            option, day):
    """In Japan the first day of the calendar starts in the year before it in UTC."""
    result = callhelper(tmp_path, "export", "--out", str(tmp_path / "x.csv"), option, day,
                        TZ="Asia/Tokyo")
    assert result.returncode == 2
    assert result.stderr == (f"callhelper export: argument {option}: a date out of range: "
                             f"'{day}' (see: callhelper export --help)\n")
    assert not (tmp_path / "x.csv").exists()


def test_an_unknown_database_url_scheme_is_named(tmp_path):
    result = callhelper(tmp_path, "--database-url", "bogus://server/db", "export", "--out",
                        str(tmp_path / "x.csv"))
    assert result.returncode == 1
    assert result.stderr == ("callhelper export: the database URL's scheme 'bogus' is not "
                             "known (expected sqlite:///FILE or postgresql://USER@HOST/"
                             "DATABASE)\n")


def test_verify_on_a_damaged_file_says_broken_with_exit_code_3(tmp_path):
    damaged = tmp_path / "damaged.db"
    damage(database_with_cases(damaged))
    result = callhelper(tmp_path, "verify", str(damaged))
    assert result.returncode == 3, result.stderr
    assert result.stdout == (f"{damaged}: BROKEN: the file is damaged (SQLite cannot read part "
                             "of it), so its audit trail cannot be checked; see "
                             "docs/data-safety.md for restoring a backup\n")
    assert result.stderr == ""
