"""A team's database on the throw-away server, set up as docs/team-mode.md tells: the
database's owner runs `team setup`, then adds two agents and a supervisor, each a login of
their own with a password.

Role names are the cluster's, not one database's, so every test's logins get names of their
own (the group roles are shared, as on a real server holding several databases).
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from sqlalchemy.engine import make_url

from databases import APP_ROLE

_numbers = itertools.count(1)
#: A keyring that keeps passwords in a file, without a desktop session: what the tests of
#: team login set as PYTHON_KEYRING_BACKEND.
FILE_KEYRING = "keyrings.alt.file.PlaintextKeyring"


@dataclass
class Team:
    owner_url: str
    logins: dict[str, str]  # name: password
    agents: tuple[str, str]
    supervisor: str

    def url(self, name: str, password: str | None = "") -> str:
        """The database's URL for the login ``name`` (with its password unless told
        otherwise; None: no password in the URL)."""
        parsed = make_url(self.owner_url)
        secret = self.logins[name] if password == "" else password
        login = quote(name, safe="")
        server = f"{parsed.host}:{parsed.port}/{parsed.database}"
        if secret is None:
            return f"postgresql+psycopg://{login}@{server}"
        return f"postgresql+psycopg://{login}:{quote(secret, safe='')}@{server}"


def allow_role_making(cluster) -> None:
    """The owner may create roles, as docs/team-mode.md has the superuser grant."""
    with cluster.admin() as connection:
        connection.execute(f'ALTER ROLE "{APP_ROLE}" CREATEROLE')


def make_team(cluster, owner_url: str) -> Team:
    from callhelper.store.engine import make_engine
    from callhelper.store.roles import AGENT, SUPERVISOR, add_member, set_up

    allow_role_making(cluster)
    number = next(_numbers)
    tag = secrets.token_hex(2)
    names = (f"鈴木_{tag}{number}", f"sato_{tag}{number}", f"boss_{tag}{number}")
    logins = {name: secrets.token_urlsafe(12) for name in names}
    engine = make_engine(owner_url)
    try:
        with engine.begin() as connection:
            set_up(connection)
            for name, group in zip(names, (AGENT, AGENT, SUPERVISOR)):
                add_member(connection, name, group, logins[name])
    finally:
        engine.dispose()
    return Team(owner_url, logins, names[:2], names[2])


@pytest.fixture
def team(postgres_cluster, postgres_url) -> Team:
    return make_team(postgres_cluster, postgres_url)
