"""The databases the store's tests run on: a SQLite file, and a real PostgreSQL server.

The server is a throw-away cluster made once per test session: ``initdb`` in a temporary
folder, started on a free port of 127.0.0.1 (as the ``postgres`` user when the tests run as
root, since the server refuses to run as root), and removed at the end. It runs the way a
team's server would differ from a laptop: its time zone is Japan's, its collation is ICU's
Japanese one, and the app connects as an ordinary role that owns its database, not as the
superuser. The schema is migrated once into a template database; each test gets a database
of its own copied from it (``CREATE DATABASE … TEMPLATE``), in a fraction of the time the
migrations would take.

The server comes from Debian's ``postgresql`` package, installed when it is missing
(``make test`` installs it first, see .ci/system-packages); on a system without apt-get and
without a server the PostgreSQL tests are skipped.

Fixtures: ``database_url`` (a test runs once on each database, at the schema's head),
``empty_database_url`` (a database with no schema yet), ``postgres_url`` and
``empty_postgres_url`` (PostgreSQL only). ``raw_rows`` and ``tamper`` reach a database
behind the app's back, with the driver alone.
"""

from __future__ import annotations

import glob
import itertools
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

SERVER_PACKAGE = "postgresql"
SUPERUSER = "postgres"
APP_ROLE = "callhelper"
TEMPLATE = "callhelper_template"
#: A server set up unlike a laptop, so that what depends on either shows in the tests.
SERVER_TIME_ZONE = "Asia/Tokyo"
ICU_LOCALE = "ja-JP"
#: Throw-away data: nothing needs to survive a crash of the test server.
FAST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")

#: What each database's driver raises when the database refuses a change as invalid (the
#: audit trail's triggers do so).
REFUSED = (sqlite3.IntegrityError, psycopg.errors.IntegrityError)


def _server_programs() -> Path | None:
    """The folder with ``initdb`` and ``pg_ctl``: Debian's newest, or the ones on PATH."""
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                    key=lambda path: int(re.sub(r"\D", "", Path(path).parts[-3]) or 0))
    if debian:
        return Path(debian[-1]).parent
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl", path=str(Path(found).parent)):
        return Path(found).parent
    return None


def _install_server() -> Path:
    """Install Debian's server package (root, or sudo without a password)."""
    if shutil.which("apt-get") is None:
        pytest.skip("no PostgreSQL server, and no apt-get to install one: install PostgreSQL "
                    "(initdb and pg_ctl) to run the PostgreSQL tests")
    sudo = [] if _is_root() else ["sudo", "-n"]
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                     SERVER_PACKAGE]):
        result = subprocess.run(sudo + command, env=environment, capture_output=True,
                                text=True)
        if result.returncode != 0:
            pytest.fail(f"could not install Debian's {SERVER_PACKAGE} package for the "
                        f"PostgreSQL tests ({' '.join(command)}):\n{result.stderr}")
    programs = _server_programs()
    if programs is None:
        pytest.fail(f"{SERVER_PACKAGE} was installed but initdb was not found")
    return programs


def _is_root() -> bool:
    return getattr(os, "geteuid", lambda: -1)() == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    """A running throw-away PostgreSQL server."""

    programs: Path
    folder: Path
    port: int
    password: str
    run_as: list[str]

    def url(self, database: str) -> str:
        return (f"postgresql+psycopg://{APP_ROLE}:{self.password}@127.0.0.1:{self.port}/"
                f"{database}")

    def admin(self):
        """The superuser, over the server's socket in the cluster's folder."""
        return psycopg.connect(host=str(self.folder), port=self.port, user=SUPERUSER,
                               dbname="postgres", autocommit=True)

    def create_database(self, name: str, template: str = "template1") -> str:
        with self.admin() as connection:
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" '
                               f'OWNER "{APP_ROLE}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with self.admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def start_again(self) -> None:
        """Start the server again after a test stopped it (``pg_ctl stop``), on its port."""
        settings = " ".join(f"-c {setting}" for setting in (
            "listen_addresses=127.0.0.1", f"timezone={SERVER_TIME_ZONE}", *FAST_SETTINGS))
        started = self.pg_ctl("-l", str(self.folder / "server.log"), "-w", "-t", "60", "-o",
                              f"-p {self.port} -k {self.folder} {settings}", "start")
        assert started.returncode == 0, started.stderr

    def pg_ctl(self, *arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run([*self.run_as, str(self.programs / "pg_ctl"), "-D",
                               str(self.folder / "data"), *arguments], cwd=self.folder,
                              capture_output=True, text=True)


def _start_cluster(programs: Path) -> Cluster:
    run_as = ["runuser", "-u", SUPERUSER, "--"] if _is_root() else []
    # As root, in /tmp: the server's user must reach the folder, as it may not reach $TMPDIR.
    folder = Path(tempfile.mkdtemp(prefix="callhelper-postgres-", dir="/tmp" if run_as else None))
    if run_as:
        shutil.chown(folder, SUPERUSER)
    password = secrets.token_hex(16)
    password_file = folder / "password"
    password_file.write_text(password)
    if run_as:
        shutil.chown(password_file, SUPERUSER)
    version = subprocess.run([str(programs / "initdb"), "--version"], capture_output=True,
                             text=True).stdout
    icu = (["--locale-provider=icu", f"--icu-locale={ICU_LOCALE}"]
           if int(re.search(r"(\d+)", version).group(1)) >= 15 else [])
    initdb = subprocess.run(
        [*run_as, str(programs / "initdb"), "-D", str(folder / "data"), "--no-sync",
         f"--username={SUPERUSER}", f"--pwfile={password_file}", "--auth-local=trust",
         "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", *icu],
        cwd=folder, capture_output=True, text=True)
    password_file.unlink()
    if initdb.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"initdb failed:\n{initdb.stdout}\n{initdb.stderr}")
    settings = " ".join(f"-c {setting}" for setting in (
        "listen_addresses=127.0.0.1", f"timezone={SERVER_TIME_ZONE}", *FAST_SETTINGS))
    for _attempt in range(3):  # a port found free may be taken before the server binds it
        cluster = Cluster(programs, folder, _free_port(), password, run_as)
        started = cluster.pg_ctl("-l", str(folder / "server.log"), "-w", "-t", "60", "-o",
                                 f"-p {cluster.port} -k {folder} {settings}", "start")
        if started.returncode == 0:
            break
    else:
        log = (folder / "server.log").read_text(errors="replace")
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"the PostgreSQL test server did not start:\n{started.stderr}\n{log}")
    with cluster.admin() as connection:
        connection.execute(f"CREATE ROLE \"{APP_ROLE}\" LOGIN PASSWORD '{password}'")
    return cluster


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throw-away PostgreSQL server for the whole test session."""
    programs = _server_programs() or _install_server()
    cluster = _start_cluster(programs)
    yield cluster
    cluster.pg_ctl("-m", "immediate", "stop")
    shutil.rmtree(cluster.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_template(postgres_cluster):
    """A database migrated to the schema's head, for the tests' databases to copy."""
    from callhelper.store.engine import make_engine, upgrade_schema

    engine = make_engine(postgres_cluster.create_database(TEMPLATE))
    upgrade_schema(engine)
    engine.dispose()
    return TEMPLATE


_numbers = itertools.count(1)


@pytest.fixture
def postgres_url(postgres_cluster, postgres_template):
    """A database of this test's own, at the schema's head."""
    name = f"test_{next(_numbers)}"
    yield postgres_cluster.create_database(name, postgres_template)
    postgres_cluster.drop_database(name)


@pytest.fixture
def empty_postgres_url(postgres_cluster):
    """A database of this test's own, with no schema yet."""
    name = f"empty_{next(_numbers)}"
    yield postgres_cluster.create_database(name)
    postgres_cluster.drop_database(name)


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """The URL of a database at the schema's head: a SQLite file, or a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'callhelper.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path):
    """The URL of a database with no schema yet (a SQLite file not made yet)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'callhelper.db'}"
    return request.getfixturevalue("empty_postgres_url")


def _connect(url: str):
    """A connection of the database's own driver, outside the app."""
    if url.startswith("sqlite:///"):
        return sqlite3.connect(url.removeprefix("sqlite:///"))
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return psycopg.connect(host=parsed.host, port=parsed.port, user=parsed.username,
                           password=parsed.password, dbname=parsed.database)


def raw_rows(url: str, sql: str) -> list[tuple]:
    """Read what is stored, through a connection of its own."""
    connection = _connect(url)
    try:
        return [tuple(row) for row in connection.execute(sql).fetchall()]
    finally:
        connection.close()


def tamper(url: str, *statements: str) -> None:
    """Change the database the way someone with its own tool would, behind the app's back
    (a SQLite tool on the file, psql on the server)."""
    connection = _connect(url)
    try:
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


def is_postgresql(url: str) -> bool:
    return url.startswith("postgresql")
