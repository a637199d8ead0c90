"""`callhelper review` on a team's server, as a real process: a supervisor logs in (the
password goes to the keyring), the review opens the server read-only and checks its audit
trail, and a server at another schema revision is refused in one line."""

import os
import signal
import subprocess
import sys

import pytest

from databases import raw_rows, tamper
from review_data import team_data
from team_server import FILE_KEYRING, make_team
from processes import run_cli, wait_for

from callhelper.store.engine import head_revision
from callhelper.store.review import server_label

pytestmark = pytest.mark.postgresql

def server_content(url):
    """Every table's row count and a digest of its rows."""
    tables = [row[0] for row in raw_rows(
        url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
    return raw_rows(url, " UNION ALL ".join(
        f"SELECT '{table}', count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), "
        f"'')) FROM {table} t" for table in tables))


def test_a_supervisor_reviews_the_server_with_the_password_from_the_keyring(
        postgres_cluster, postgres_url, clock, tmp_path, app_dirs):
    team_data(postgres_url, clock)
    tamper(postgres_url, "UPDATE support_case SET subject = '改ざん' WHERE uid = '佐藤-0'")
    team = make_team(postgres_cluster, postgres_url)
    url = team.url(team.supervisor, password=None)
    keyring = {"PYTHON_KEYRING_BACKEND": FILE_KEYRING,
               "XDG_DATA_HOME": str(tmp_path / "keyring"), "QT_QPA_PLATFORM": "offscreen"}
    login = run_cli("team", "login", "--database-url", url,
                    stdin=team.logins[team.supervisor] + "\n", env=keyring)
    assert login.returncode == 0, login.stderr
    before = server_content(postgres_url)

    # the server from the database_url setting, the password from the keyring
    app = subprocess.Popen([sys.executable, "-m", "callhelper", "review"],
                           env={**os.environ, **keyring}, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    log_file = app_dirs["logs"] / "callhelper.log"
    try:
        assert wait_for(lambda: log_file.exists() and "audit trail broken" in
                        log_file.read_text(encoding="utf-8"), 60), "the server was not checked"
        app.send_signal(signal.SIGTERM)
        assert app.wait(timeout=30) == 0
    finally:
        if app.poll() is None:
            app.kill()
    logged = log_file.read_text(encoding="utf-8")
    assert f"audit trail broken in {server_label(url)}: record_changed" in logged
    assert "case 佐藤-0" in logged
    assert team.logins[team.supervisor] not in logged
    assert "[review]\ngeometry=" in (app_dirs["config"] / "window.ini").read_text()
    assert server_content(postgres_url) == before


def test_a_server_at_another_revision_is_refused_in_one_line(postgres_url):
    tamper(postgres_url, "UPDATE alembic_version SET version_num = '0005'")
    result = run_cli("--database-url", postgres_url, "review",
                     env={"QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 1, result.stdout + result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line == (f"callhelper review: {server_label(postgres_url)}: the server's database "
                    f"is at schema 0005, this version of CallHelper reads {head_revision()}; its "
                    "administrator brings it up to date with `callhelper team setup` "
                    "(docs/team-mode.md)")
