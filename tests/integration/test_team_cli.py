"""The command line against a team's PostgreSQL server, as real processes: `callhelper team`
(setup, logins, the password in a keyring), and each data command with --database-url
either working on the server or refusing in one line."""

import csv
import json
import os

import pytest
from sqlalchemy.engine import make_url

from databases import raw_rows, tamper
from evidence_checks import THREAT, capture_cases
from processes import run_cli
from team_server import FILE_KEYRING, allow_role_making, make_team

pytestmark = pytest.mark.postgresql


def one_line(result) -> str:
    """The single line a refusal prints, with exit code 1."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def captured(postgres_url, clock):
    return capture_cases(postgres_url, clock)


def test_setup_twice_then_logins_with_passwords_from_standard_input(postgres_cluster,
                                                                    postgres_url):
    allow_role_making(postgres_cluster)
    first = run_cli("team", "setup", "--database-url", postgres_url)
    assert first.returncode == 0, first.stderr
    assert "is set up for team mode" in first.stdout
    again = run_cli("team", "setup", "--database-url", postgres_url)
    assert again.returncode == 0, again.stderr
    assert "groups made: none, they existed" in again.stdout

    name = f"agent_cli_{os.getpid()}"
    made = run_cli("team", "add-agent", name, "--database-url", postgres_url,
                   stdin="first password\n")
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == f"made the login {name} in callhelper_agent"
    assert "first password" not in made.stdout + made.stderr
    supervisor = run_cli("team", "add-supervisor", name, "--database-url", postgres_url)
    assert supervisor.returncode == 0, supervisor.stderr
    assert "its password is unchanged" in supervisor.stdout
    listed = run_cli("team", "members", "--database-url", postgres_url)
    assert f"{name}: callhelper_agent, callhelper_supervisor" in listed.stdout
    no_password = run_cli("team", "add-agent", f"{name}_2", "--database-url", postgres_url)
    assert one_line(no_password).endswith("no password given")
    bad = run_cli("team", "add-agent", "pg_admin", "--database-url", postgres_url)
    assert "reserved" in one_line(bad)


def test_team_commands_need_a_server():
    assert "needs a PostgreSQL server" in one_line(run_cli("team", "setup"))


def test_login_keeps_the_password_in_the_keyring_and_the_url_without_it(
        postgres_cluster, postgres_url, captured, tmp_path, app_dirs):
    team = make_team(postgres_cluster, postgres_url)
    agent = team.agents[0]
    url = team.url(agent, password=None)
    keyring = {"PYTHON_KEYRING_BACKEND": FILE_KEYRING,
               "XDG_DATA_HOME": str(tmp_path / "keyring")}
    wrong = run_cli("team", "login", "--database-url", url, stdin="not it\n", env=keyring)
    assert "password authentication failed" in one_line(wrong)
    login = run_cli("team", "login", "--database-url", url, stdin=team.logins[agent] + "\n",
                    env=keyring)
    assert login.returncode == 0, login.stderr
    assert f"is kept in the system keyring ({FILE_KEYRING})" in login.stdout
    settings = (app_dirs["config"] / "settings.json").read_text(encoding="utf-8")
    assert json.loads(settings)["database_url"] == url
    assert team.logins[agent] not in settings

    # From now on the app opens the server: the URL from the settings, the password from
    # the keyring.
    found = run_cli("cases", "--number", "03-1234-5678", "--json", env=keyring)
    assert found.returncode == 0, found.stderr
    assert len(json.loads(found.stdout)) == 2
    without = run_cli("cases", "--number", "03-1234-5678",
                      env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert "callhelper cases:" in one_line(without)
    with_url_in_place = run_cli("team", "login", "--database-url", team.url(agent))
    assert "without its password" in one_line(with_url_in_place)
    logout = run_cli("team", "logout", env=keyring)
    assert "no longer in the system keyring" in logout.stdout


@pytest.fixture
def calls_ended(postgres_url, captured):
    """The captured calls ended long ago, so a purge finds their cases expired."""
    tamper(postgres_url, "UPDATE contact SET state = 'closed', ended_at = started_at")
    return captured


def test_an_agents_purge_is_refused_by_the_server(postgres_cluster, postgres_url,
                                                  calls_ended):
    team = make_team(postgres_cluster, postgres_url)
    refused = run_cli("--database-url", team.url(team.agents[0]), "purge",
                      "--older-than", "30", "--yes")
    line = one_line(refused)
    assert line.endswith("(the server does not let this login do that; see docs/team-mode.md)")
    assert raw_rows(postgres_url, "SELECT count(*) FROM support_case") == [(2,)]


def test_the_search_and_the_callers_history_on_the_server(postgres_url, captured):
    hits = run_cli("--database-url", postgres_url, "search", "晒す", "--json")
    assert hits.returncode == 0, hits.stderr
    assert [hit["text"] for hit in json.loads(hits.stdout)] == [THREAT]
    cases = run_cli("--database-url", postgres_url, "cases", "--number", "+81312345678")
    assert cases.returncode == 0, cases.stderr
    assert len(cases.stdout.strip().splitlines()) == 2 and "鈴木" in cases.stdout


def test_export_of_notes_and_cases_from_the_server(postgres_url, captured, tmp_path):
    notes, cases = tmp_path / "notes.csv", tmp_path / "cases.csv"
    for what, out in (("notes", notes), ("cases", cases)):
        result = run_cli("--database-url", postgres_url, "export", "--what", what,
                         "--out", str(out), "--ids")
        assert result.returncode == 0, result.stderr
    with open(notes, encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [row["text"] for row in rows][1] == THREAT
    assert rows[1]["flags"]  # the threat's categories, as words
    with open(cases, encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(row["handlers"], row["notes"]) for row in rows] == [("鈴木", "3"), ("鈴木", "1")]


def test_evidence_from_the_server(postgres_url, captured, tmp_path):
    out = tmp_path / "evidence.csv"
    result = run_cli("--database-url", postgres_url, "evidence", str(captured["flagged"]),
                     "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert THREAT in out.read_text(encoding="utf-8-sig")


def test_verify_checks_the_servers_trail(postgres_url, captured):
    """Every entry is counted. How many there are follows the detector: each flag found on
    the captured statements and confirmed is an entry of its own."""
    (entries,), = raw_rows(postgres_url, "SELECT count(*) FROM audit_entry")
    result = run_cli("--database-url", postgres_url, "verify")
    assert result.returncode == 0, result.stderr
    assert f"ok, {entries} audit entries," in result.stdout
    assert make_url(postgres_url).password not in result.stdout  # the URL shown without it


def test_purge_by_the_owner_on_the_server(postgres_url, calls_ended):
    told = run_cli("--database-url", postgres_url, "purge", "--older-than", "30")
    assert told.returncode == 0, told.stderr
    assert "would delete 2 cases (2 calls, 4 notes)" in told.stdout
    done = run_cli("--database-url", postgres_url, "purge", "--older-than", "30", "--yes")
    assert done.returncode == 0, done.stderr
    assert "deleted 2 cases" in done.stdout
    assert raw_rows(postgres_url, "SELECT count(*) FROM note") == [(0,)]
    assert run_cli("--database-url", postgres_url, "verify").returncode == 0


def test_doctor_on_the_server(postgres_url):
    result = run_cli("--database-url", postgres_url, "doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "a server database" in result.stdout


@pytest.mark.parametrize("command, told", [
    (["backup"], "a server's backups are made with pg_dump; see docs/team-mode.md"),
    (["restore", "old.db"], "a server's database is restored with pg_restore"),
    (["demo", "--cases", "3"], "demo data goes into a local database file only"),
])
def test_commands_for_a_local_file_refuse_a_server_in_one_line(postgres_url, command, told):
    line = one_line(run_cli("--database-url", postgres_url, *command))
    assert line.startswith(f"callhelper {command[0]}: {told}")
    assert raw_rows(postgres_url, "SELECT count(*) FROM support_case") == [(0,)]
