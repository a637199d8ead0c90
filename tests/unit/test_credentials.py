"""Passwords for a team's server: never in the settings; from the system keyring, else from
libpq's password file (store/credentials.py), against the real server."""

import json
import logging
import os

import pytest
from sqlalchemy import text

from callhelper.config import Settings, resolve_paths
from callhelper.store import credentials
from callhelper.store.engine import Store, make_engine
from callhelper.urls import without_password
from team_server import FILE_KEYRING, team  # noqa: F401 (a fixture)


@pytest.fixture
def file_keyring(tmp_path, monkeypatch):
    """A keyring that works without a desktop session: keyrings.alt's file, chosen by name
    as PYTHON_KEYRING_BACKEND does (the only way the app accepts a file keyring)."""
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "keyring"))
    monkeypatch.setenv(credentials.CHOSEN_BACKEND, FILE_KEYRING)
    previous = keyring.get_keyring()
    keyring.set_keyring(PlaintextKeyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring(monkeypatch):
    """A system without a keyring (keyring's own stand-in that refuses everything)."""
    import keyring
    from keyring.backends import fail

    monkeypatch.delenv(credentials.CHOSEN_BACKEND, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_a_database_url_with_a_password_is_never_saved_in_the_settings(settings):
    with pytest.raises(ValueError):
        settings.set("database_url", "postgresql://suzuki:secret@server/callhelper")
    settings.set("database_url", "postgresql://suzuki@server/callhelper")
    assert "secret" not in settings.path.read_text(encoding="utf-8")
    assert resolve_paths().database_url == "postgresql://suzuki@server/callhelper"


def test_a_password_written_into_the_settings_file_is_not_used(paths, caplog):
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    (paths.config_dir / "settings.json").write_text(json.dumps(
        {"database_url": "postgresql://suzuki:secret@server:5433/callhelper"}))
    with caplog.at_level(logging.WARNING):
        url = resolve_paths().database_url
    assert url == "postgresql://suzuki@server:5433/callhelper"
    assert "holds a password, which is not used" in caplog.text
    assert "secret" not in caplog.text
    assert Settings.for_paths(paths).problem is not None  # shown, and the value not taken


def test_the_option_and_the_environment_come_before_the_setting(settings, monkeypatch):
    settings.set("database_url", "postgresql://suzuki@server/callhelper")
    monkeypatch.setenv("CALLHELPER_DATABASE_URL", "postgresql://sato@other/callhelper")
    assert resolve_paths().database_url == "postgresql://sato@other/callhelper"
    assert resolve_paths(database_url="sqlite:///x.db").database_url == "sqlite:///x.db"


def test_on_a_server_the_agent_name_is_the_login_name(settings, paths):
    settings.set("agent_name", "誰か")
    server = resolve_paths(database_url="postgresql://%E9%88%B4%E6%9C%A8@server/callhelper")
    assert Settings.for_paths(server).agent_name == "鈴木"
    assert Settings.for_paths(paths).agent_name == "誰か"  # a local file: the setting


@pytest.mark.postgresql
def test_the_keyring_gives_the_password_when_connecting(team, file_keyring):  # noqa: F811
    agent = team.agents[0]
    url = team.url(agent, password=None)
    credentials.store_password(url, team.logins[agent])
    assert credentials.stored_password(url) == team.logins[agent]
    store = Store(url)
    try:
        with store.unit_of_work() as session:
            assert session.execute(text("SELECT session_user")).scalar() == agent
    finally:
        store.close()
    assert credentials.forget_password(url)
    assert credentials.stored_password(url) is None


@pytest.mark.postgresql
def test_without_a_keyring_libpq_password_file_is_used(team, no_keyring, tmp_path,
                                                       monkeypatch):  # noqa: F811
    agent = team.agents[1]
    url = team.url(agent, password=None)
    assert credentials.stored_password(url) is None
    with pytest.raises(credentials.NoKeyring):
        credentials.store_password(url, "anything")
    parsed = make_engine(url).url
    password_file = tmp_path / "pgpass"
    password_file.write_text(f"{parsed.host}:{parsed.port}:{parsed.database}:{agent}:"
                             f"{team.logins[agent]}\n", encoding="utf-8")
    os.chmod(password_file, 0o600)
    monkeypatch.setenv("PGPASSFILE", str(password_file))
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT session_user")).scalar() == agent
    finally:
        engine.dispose()


def test_a_file_keyring_not_chosen_by_name_is_passed_over(tmp_path, monkeypatch):
    """keyrings.alt's file keeps passwords in plain text: found on its own (a machine with
    nothing better), it is not used."""
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "keyring"))
    monkeypatch.delenv(credentials.CHOSEN_BACKEND, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(PlaintextKeyring())
    try:
        with pytest.raises(credentials.NoKeyring):
            credentials.store_password("postgresql://suzuki@server/callhelper", "secret")
        assert credentials.stored_password("postgresql://suzuki@server/callhelper") is None
    finally:
        keyring.set_keyring(previous)
    assert not (tmp_path / "keyring").exists()


def test_the_keyring_name_follows_libpq_defaults(monkeypatch):
    monkeypatch.setenv("PGUSER", "sato")
    monkeypatch.delenv("PGHOST", raising=False)
    monkeypatch.delenv("PGPORT", raising=False)
    monkeypatch.delenv("PGDATABASE", raising=False)
    assert credentials.credential_name("postgresql:///callhelper") == \
        "sato@localhost:5432/callhelper"
    assert credentials.credential_name("postgresql+psycopg://鈴木@server:5433/team") == \
        "鈴木@server:5433/team"
    assert without_password("postgresql://a:b@server/db") == \
        "postgresql://a@server/db"
