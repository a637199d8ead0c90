"""The team: a PostgreSQL server's roles and logins (``callhelper team …``,
docs/team-mode.md) and the supervisor's review of agents' files or of the team's server."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from callhelper.cli.common import own_database, runs, server_url
from callhelper.launcher import typed_text


def add_review(commands) -> None:
    review = commands.add_parser(
        "review", help="open agents' database files, or the team's server, read-only in the "
                       "supervisor's review")
    review.add_argument("paths", nargs="*", metavar="DB_FILE_OR_DIR",
                        help="database files, or folders holding them (default: the team's "
                             "server in team mode, else this agent's file)")
    runs(review, review_command, window=True)


def review_command(args: argparse.Namespace, paths) -> int:
    """The review window: of the files named, else of the team's server when the app is
    pointed at one, else of this agent's own file. A server that cannot be reviewed (out of
    reach, another schema revision) is refused here, in one line, before any window opens."""
    from callhelper.config import Settings
    from callhelper.ui.start import run_review

    settings = Settings.for_paths(paths)
    server = None if args.paths else paths.server_url
    if server is not None:
        from callhelper.store.review import ReviewError, open_server

        try:
            open_server(server).engine.dispose()
        except ReviewError as exc:
            print(f"callhelper review: {exc}", file=sys.stderr)
            return 1
        return run_review(paths, settings, [], server)
    try:
        files = [Path(p) for p in args.paths] or [own_database(args)]
    except ValueError as exc:
        print(f"callhelper review: {exc}", file=sys.stderr)
        return 1
    return run_review(paths, settings, files)


def add_board(commands) -> None:
    board = commands.add_parser(
        "board", help="team mode, for supervisors: the board of the calls in progress and the "
                      "raised hands, live (docs/team-mode.md)")
    runs(board, board_command, window=True)


def board_command(args: argparse.Namespace, paths) -> int:
    """The supervisors' board of the team's server. Refused in one line, before any window
    opens, without a server, when it cannot be reached, or for a login that is not a
    supervisor's."""
    from callhelper.config import Settings
    from callhelper.store.sync import describe

    server = paths.server_url
    if server is None:
        print("callhelper board: the board shows a team's calls and needs the team's server: "
              "run `callhelper team login` first, or give --database-url "
              "postgresql://LOGIN@HOST/DATABASE (docs/team-mode.md)", file=sys.stderr)
        return 1
    from callhelper.store.engine import make_engine
    from callhelper.store.roles import SUPERVISOR, is_member
    from callhelper.store.sync import with_connect_timeout

    engine = make_engine(with_connect_timeout(server))
    try:
        with engine.connect() as connection:
            login = connection.exec_driver_sql("SELECT session_user").scalar()
            supervisor = is_member(connection, SUPERVISOR)
    except Exception as exc:  # out of reach, the login refused: one line
        print(f"callhelper board: the server cannot be opened: {describe(exc)}",
              file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if not supervisor:
        print(f"callhelper board: only supervisors open the board, and the login {login} is "
              f"not one (not in {SUPERVISOR}); an agent sees their own raised hand and its "
              "answer in the call window", file=sys.stderr)
        return 1
    from callhelper.ui.start import run_board

    return run_board(Settings.for_paths(paths), server, login)


def add_team(commands) -> None:
    """``callhelper team …``: a team's PostgreSQL server (docs/team-mode.md)."""
    team = commands.add_parser(
        "team", help="team mode on a PostgreSQL server: roles, logins and the password in "
                     "the system keyring (docs/team-mode.md)")
    runs(team, team_command)
    actions = team.add_subparsers(dest="action", metavar="ACTION", required=True)
    team.command_names = actions.choices
    setup = actions.add_parser(
        "setup", help="as the database's owner: bring the schema up to date, create the "
                      "groups callhelper_agent and callhelper_supervisor if missing and grant "
                      "what each may do; run it again after every upgrade")
    setup.set_defaults(team_action=team_setup)
    people = []
    for name, who in (("add-agent", "an agent"), ("add-supervisor", "a supervisor")):
        add = actions.add_parser(
            name, help=f"as the database's owner: make NAME a login of {who} (created with a "
                       "password asked for, or read from standard input, if it is new)")
        add.add_argument("name", type=typed_text, metavar="NAME")
        add.add_argument("--new-password", action="store_true",
                         help="also give an existing login a new password")
        add.set_defaults(team_action=team_add)
        people.append(add)
    members = actions.add_parser("members", help="the logins of agents and supervisors")
    members.set_defaults(team_action=team_members)
    login = actions.add_parser(
        "login", help="ask for this login's password, check it with the server and keep it "
                      "in the system keyring; the URL (without a password) becomes the "
                      "database_url setting")
    login.set_defaults(team_action=team_login)
    logout = actions.add_parser("logout", help="remove this login's password from the "
                                               "system keyring")
    logout.set_defaults(team_action=team_logout)
    for parser in (setup, *people, members, login, logout):
        parser.add_argument("--database-url", metavar="URL", default=argparse.SUPPRESS,
                            help="the server's database, e.g. postgresql://owner@server/"
                                 "callhelper (no password: it comes from the keyring or "
                                 "libpq's password file)")


def team_command(args: argparse.Namespace) -> int:
    """The team action's function (``team_action``, registered on its sub-parser) with the
    server's URL; refusals of the server or the keyring are one line."""
    from callhelper.store.credentials import NoKeyring
    from callhelper.store.roles import SetupError

    url = server_url(args)
    if url is None:
        print(f"callhelper team {args.action}: team mode needs a PostgreSQL server: give "
              "--database-url postgresql://LOGIN@HOST/DATABASE", file=sys.stderr)
        return 1
    try:
        return args.team_action(args, url)
    except (SetupError, NoKeyring) as exc:
        print(f"callhelper team {args.action}: {exc}", file=sys.stderr)
        return 1


def read_password(prompt: str, confirm: bool = False) -> str:
    """A password from the terminal (not echoed), or the first line of standard input when
    it is not a terminal; never from the command line."""
    import getpass

    if sys.stdin is not None and sys.stdin.isatty():
        password = getpass.getpass(prompt)
        if confirm and password and getpass.getpass("Again: ") != password:
            raise ValueError("the two passwords differ")
    else:
        password = (sys.stdin.readline() if sys.stdin is not None else "").rstrip("\r\n")
    if not password:
        raise ValueError("no password given")
    return password


def team_setup(args: argparse.Namespace, url: str) -> int:
    from callhelper.store.engine import make_engine, upgrade_schema
    from callhelper.store.roles import set_up

    engine = make_engine(url)
    try:
        upgrade_schema(engine)
        with engine.begin() as connection:
            report = set_up(connection)
            revision = connection.exec_driver_sql(
                "SELECT version_num FROM alembic_version").scalar()
    finally:
        engine.dispose()
    made = ", ".join(report.groups_made) or "none, they existed"
    print(f"database {report.database} (owner {report.owner}) is set up for team mode: "
          f"schema at revision {revision}, {len(report.tables)} tables granted; "
          f"groups made: {made}")
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def team_add(args: argparse.Namespace, url: str) -> int:
    from callhelper.store.engine import make_engine
    from callhelper.store.roles import (AGENT, SUPERVISOR, add_member, check_login_name,
                                        role_exists)

    group = AGENT if args.action == "add-agent" else SUPERVISOR
    name = check_login_name(args.name)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            password = None
            if not role_exists(connection, name) or args.new_password:
                password = read_password(f"Password for {name}: ", confirm=True)
            done = add_member(connection, name, group, password)
    finally:
        engine.dispose()
    if done.created:
        print(f"made the login {done.name} in {done.group}")
    else:
        print(f"{done.name} is in {done.group}"
              + ("; its password is new" if done.password_set else
                 " (the login existed; its password is unchanged)"))
    return 0


def team_members(args: argparse.Namespace, url: str) -> int:
    from callhelper.store.engine import make_engine
    from callhelper.store.roles import members

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            found = members(connection)
    finally:
        engine.dispose()
    for name, groups in found:
        print(f"{name}: {', '.join(groups)}")
    if not found:
        print("no agents or supervisors yet (callhelper team add-agent NAME)")
    return 0


def team_login(args: argparse.Namespace, url: str) -> int:
    from callhelper.config import Settings, resolve_paths
    from callhelper.store.credentials import credential_name, keyring_name, store_password
    from callhelper.urls import has_password, without_password
    from callhelper.store.engine import make_engine

    if has_password(url):
        raise ValueError("give the URL without its password: the password is asked for")
    keyring = keyring_name()  # before the password is typed: is there anywhere to keep it?
    name = credential_name(url)
    password = read_password(f"Password for {name}: ")
    from sqlalchemy.engine import make_url

    engine = make_engine(make_url(url).set(password=password).render_as_string(
        hide_password=False))
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    finally:
        engine.dispose()
    store_password(url, password)
    print(f"the password of {name} is kept in the system keyring ({keyring})")
    settings = Settings.for_paths(resolve_paths(args.data_dir))
    settings.set("database_url", without_password(url))
    print(f"CallHelper opens {without_password(url)} from now on (the database_url setting)")
    return 0


def team_logout(args: argparse.Namespace, url: str) -> int:
    from callhelper.store.credentials import credential_name, forget_password

    name = credential_name(url)
    if forget_password(url):
        print(f"the password of {name} is no longer in the system keyring")
    else:
        print(f"the system keyring held no password for {name}")
    return 0
