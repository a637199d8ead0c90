"""The command line: the call window by default, sub-commands for data work."""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import sys
from pathlib import Path

from callhelper.launcher import (command_fields, new_parser, parse, print_answer, typed_text,
                                 unsure, with_call_command)


def build_parser() -> argparse.ArgumentParser:
    parser, commands = new_parser()
    commands.add_parser("register-handlers",
                        help="make CallHelper open tel: and callto: links (this user only)")
    analyze = commands.add_parser(
        "analyze", help="show what capture would do to TEXT: masked text, flags, requests")
    analyze.add_argument("text", metavar="TEXT")
    analyze.add_argument("--json", action="store_true", help="machine-readable output")
    cases = commands.add_parser("cases", help="prior contacts of a caller, newest first")
    cases.add_argument("--number", required=True, type=typed_text, metavar="N",
                       help="the caller's number, in any common form (03-1234-5678, "
                            "+81312345678, tel:…)")
    cases.add_argument("--json", action="store_true", help="machine-readable output")
    search = commands.add_parser("search", help="search notes and cases (Japanese substrings "
                                                "of any length)")
    search.add_argument("query", type=typed_text, metavar="QUERY")
    search.add_argument("--limit", type=positive, default=50, metavar="K",
                        help="at most K results (default 50)")
    search.add_argument("--json", action="store_true", help="machine-readable output")
    export = commands.add_parser("export", help="write notes or cases to a CSV file that "
                                                "Excel opens correctly, or to an Excel "
                                                "workbook (docs/export.md)")
    export.add_argument("--out", required=True, metavar="FILE")
    export.add_argument("--format", dest="table_format", choices=("csv", "xlsx"),
                        help="csv or xlsx (default: as FILE ends, else csv)")
    export.add_argument("--language", choices=("ja", "en"),
                        help="of the column names and values (default: the app's language "
                             "setting)")
    export.add_argument("--ids", action="store_true",
                        help="column names and values as ids, for scripts")
    export.add_argument("--from", dest="since", type=local_date, metavar="DATE",
                        help="from this day on (YYYY-MM-DD)")
    export.add_argument("--to", dest="until", type=local_date, metavar="DATE",
                        help="up to and including this day (YYYY-MM-DD)")
    export.add_argument("--what", choices=("notes", "cases"), default="notes",
                        help="one row per note (default) or per case")
    export.add_argument("--agent", default="", type=typed_text, metavar="NAME",
                        help="only this handler's")
    evidence = commands.add_parser(
        "evidence", help="write a case's harassment evidence (its flagged statements with "
                         "their context) as a PDF report or CSV (docs/evidence.md)")
    evidence.add_argument("case", type=positive, metavar="CASE_ID")
    evidence.add_argument("--out", required=True, type=evidence_file, metavar="FILE",
                          help="FILE.pdf for the printable report, FILE.csv for a spreadsheet")
    verify = commands.add_parser(
        "verify", help="check the audit trail of a database file (default: this agent's) and "
                       "report the first broken link; exit code 3 if broken")
    verify.add_argument("database", nargs="?", metavar="DB_FILE")
    review = commands.add_parser(
        "review", help="open agents' database files, or the team's server, read-only in the "
                       "supervisor's review")
    review.add_argument("paths", nargs="*", metavar="DB_FILE_OR_DIR",
                        help="database files, or folders holding them (default: the team's "
                             "server in team mode, else this agent's file)")
    demo = commands.add_parser("demo", help="fill the database with realistic sample data")
    demo.add_argument("--cases", type=positive, required=True, metavar="N")
    demo.add_argument("--seed", type=int, default=1, metavar="S",
                      help="the same seed gives the same data (default 1)")
    backup = commands.add_parser(
        "backup", help="copy the database into <data folder>/backups now, checked; the "
                       "newest backup_keep backups are kept (docs/data-safety.md)")
    backup.add_argument("--json", action="store_true", help="machine-readable output")
    restore = commands.add_parser(
        "restore", help="put a backup in place of the database; the current file is moved "
                        "aside, never overwritten; refused while the window is open")
    restore.add_argument("file", metavar="FILE", help="a backup file (or its name in the "
                                                      "backups folder)")
    restore.add_argument("--json", action="store_true", help="machine-readable output")
    doctor = commands.add_parser(
        "doctor", help="paths, versions, database integrity, backups and audit trail; "
                       "exit code 1 if something is wrong")
    doctor.add_argument("--json", action="store_true", help="machine-readable output")
    purge = commands.add_parser(
        "purge", help="delete cases whose last activity is older than DAYS (with their calls, "
                      "notes and customers left without cases); without --yes it only "
                      "tells what it would delete")
    purge.add_argument("--older-than", type=days, required=True, metavar="DAYS")
    purge.add_argument("--yes", action="store_true", help="delete them")
    purge.add_argument("--json", action="store_true", help="machine-readable output")
    add_team_commands(commands)
    return parser


def add_team_commands(commands) -> None:
    """``callhelper team …``: a team's PostgreSQL server (docs/team-mode.md)."""
    team = commands.add_parser(
        "team", help="team mode on a PostgreSQL server: roles, logins and the password in "
                     "the system keyring (docs/team-mode.md)")
    actions = team.add_subparsers(dest="action", metavar="ACTION", required=True)
    team.command_names = actions.choices
    setup = actions.add_parser(
        "setup", help="as the database's owner: bring the schema up to date, create the "
                      "groups callhelper_agent and callhelper_supervisor if missing and grant "
                      "what each may do; run it again after every upgrade")
    people = []
    for name, who in (("add-agent", "an agent"), ("add-supervisor", "a supervisor")):
        add = actions.add_parser(
            name, help=f"as the database's owner: make NAME a login of {who} (created with a "
                       "password asked for, or read from standard input, if it is new)")
        add.add_argument("name", type=typed_text, metavar="NAME")
        add.add_argument("--new-password", action="store_true",
                         help="also give an existing login a new password")
        people.append(add)
    members = actions.add_parser("members", help="the logins of agents and supervisors")
    login = actions.add_parser(
        "login", help="ask for this login's password, check it with the server and keep it "
                      "in the system keyring; the URL (without a password) becomes the "
                      "database_url setting")
    logout = actions.add_parser("logout", help="remove this login's password from the "
                                               "system keyring")
    for parser in (setup, *people, members, login, logout):
        parser.add_argument("--database-url", metavar="URL", default=argparse.SUPPRESS,
                            help="the server's database, e.g. postgresql://owner@server/"
                                 "callhelper (no password: it comes from the keyring or "
                                 "libpq's password file)")


#: The largest whole number a database column holds (SQLite's and PostgreSQL's bigint).
LARGEST = 2**63 - 1
#: The longest retention period ``purge`` takes: about 270 years.
MOST_DAYS = 100_000


def positive(argument: str, most: int = LARGEST) -> int:
    try:
        value = int(argument)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {argument!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be at least 1: {argument}")
    if value > most:
        raise argparse.ArgumentTypeError(f"must be at most {most}: {argument}")
    return value


def days(argument: str) -> int:
    return positive(argument, MOST_DAYS)


def local_date(text: str):
    """A day whose local start and end can be told (not the very first or last days of the
    calendar, which a time zone pushes out of its range)."""
    from datetime import date

    from callhelper.store.export import ExportFilter

    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None
    try:
        ExportFilter.for_days(day, day)
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(f"a date out of range: {text!r}") from None
    return day


def evidence_file(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in (".pdf", ".csv"):
        raise argparse.ArgumentTypeError(f"must end in .pdf or .csv: {text!r}")
    return path


class ProgressLine:
    """How far a long command has got, on one line of standard error that each update
    overwrites; ended with a newline when the block ends, if anything was shown."""

    def __init__(self) -> None:
        self.shown = False

    def show(self, text: str) -> None:
        self.shown = True
        print(f"\r{text}", end="", file=sys.stderr, flush=True)

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(self, *_exc) -> None:
        if self.shown:
            print(file=sys.stderr)


def export_command(args: argparse.Namespace) -> int:
    from callhelper.core.export import format_of, write_table
    from callhelper.store.export import (CASE_HEADER, IDS, NOTE_HEADER, ExportFilter,
                                         case_rows, note_rows)

    from callhelper.store.files import replaceable_file

    out = replaceable_file(Path(args.out))
    table_format = args.table_format or format_of(out)
    if args.table_format and out.suffix.lower() in (".csv", ".xlsx") \
            and out.suffix.lower() != f".{table_format}":
        print(f"callhelper export: --format {table_format} does not match {args.out}; "
              "nothing was written", file=sys.stderr)
        return 2
    filters = ExportFilter.for_days(args.since, args.until, args.agent)
    header, rows = (NOTE_HEADER, note_rows) if args.what == "notes" else (CASE_HEADER, case_rows)
    labels = IDS if args.ids else export_labels(args)
    store = open_store(args)
    try:
        with store.unit_of_work() as session, ProgressLine() as line:
            count = write_table(out, labels.header(header), rows(session, filters, labels),
                                lambda count: line.show(f"{count} rows"),
                                table_format=table_format)
    finally:
        store.close()
    print(f"wrote {count} {args.what} to {args.out}")
    return 0


def export_labels(args: argparse.Namespace):
    """The export's column names and values in ``--language``, or the app's language."""
    from PySide6.QtCore import QCoreApplication

    from callhelper.config import Settings, resolve_paths
    from callhelper.ui.app import demand_rules, install_translators, ui_language
    from callhelper.ui.export_dialog import export_labels as labels_in

    language = args.language or ui_language(
        Settings.for_paths(resolve_paths(args.data_dir, args.database_url)))
    if language == "en":  # the source texts: no application, no translator
        return labels_in(args.what, demand_rules(), language)
    app = QCoreApplication.instance() or QCoreApplication(["callhelper"])
    translators = install_translators(app, language)
    try:
        return labels_in(args.what, demand_rules(), language)
    finally:
        for translator in translators:
            app.removeTranslator(translator)


def evidence_command(args: argparse.Namespace) -> int:
    import os
    from datetime import datetime, timezone

    from PySide6.QtGui import QGuiApplication

    from callhelper.config import Settings, resolve_paths
    from callhelper.store.evidence import case_evidence
    from callhelper.store.files import replaceable_file
    from callhelper.ui.app import demand_rules, install_translators, ui_language
    from callhelper.ui.evidence import write_evidence

    replaceable_file(args.out)
    store = open_store(args)
    try:
        with store.unit_of_work() as session:
            evidence = case_evidence(session, args.case)
    finally:
        store.close()
    if evidence is None or not evidence.statements:
        if evidence is None:
            reason = "no such case"
        elif evidence.unreviewed:
            reason = (f"no statement confirmed or flagged by an agent, {evidence.unreviewed} "
                      "only suspected (a suspected flag must be confirmed first)")
        else:
            reason = "no statement confirmed or flagged by an agent"
        print(f"callhelper evidence: case #{args.case}: {reason}; nothing written",
              file=sys.stderr)
        return 1
    settings = Settings.for_paths(resolve_paths(args.data_dir, args.database_url))
    platform = [] if os.environ.get("QT_QPA_PLATFORM") else ["-platform", "offscreen"]
    app = QGuiApplication.instance() or QGuiApplication(["callhelper", *platform])
    language = ui_language(settings)
    install_translators(app, language)
    write_evidence(args.out, evidence, demand_rules(), language, settings.agent_name,
                   datetime.now(timezone.utc))
    print(f"wrote {len(evidence.statements)} flagged statements of case #{args.case} "
          f"to {args.out}")
    return 0


def open_store(args: argparse.Namespace, create: bool = False):
    """The configured database; a file must be one ``usable_database`` accepts (``create``:
    a missing one is made)."""
    from callhelper.config import resolve_paths
    from callhelper.store.engine import Store

    paths = resolve_paths(args.data_dir, args.database_url)
    if paths.database_file is not None:
        usable_database(paths.database_file, missing_ok=create)
    return Store(paths.database_url)


def usable_database(database: Path, missing_ok: bool = False) -> Path:
    """``database`` if a command may use it, else ValueError in plain words: it exists (or
    ``missing_ok``), is a CallHelper database, and has its write-ahead log. A mistyped path
    never becomes a new, empty database, and a file that lost its log is not written to: the
    window's start sets it aside, and a write would hide the loss."""
    from callhelper.store.engine import check_database_file
    from callhelper.store.integrity import LOST_LOG, log_lost

    if log_lost(database):  # before SQLite opens the file: it would make a new log
        raise ValueError(f"{database}: {LOST_LOG}; start CallHelper, which sets the file aside "
                         "and offers the latest backup")
    check_database_file(database)
    if not database.exists() and not missing_ok:
        raise ValueError(f"no database at {database} (no such file)")
    return database


def print_json(rows) -> None:
    import json

    print(json.dumps(rows, ensure_ascii=False, indent=1, default=str))


def cases_command(args: argparse.Namespace) -> int:
    from callhelper.config import Settings, resolve_paths
    from callhelper.store.history import contacts_of_number

    region = Settings.for_paths(resolve_paths(args.data_dir, args.database_url)).get(
        "phone_region")
    store = open_store(args)
    with store.unit_of_work() as session:
        contacts = contacts_of_number(session, args.number, region)
    store.close()
    if args.json:
        print_json([{"id": c.contact_id, "case_id": c.case_id,
                     "started_at": c.started_at.isoformat(), "agent": c.agent,
                     "subject": c.subject, "status": c.status, "flags": c.flag_count}
                    for c in contacts])
    elif not contacts:
        print(f"no contacts from {args.number}")
    for c in contacts if not args.json else []:
        print(f"{c.started_at.astimezone():%Y-%m-%d %H:%M}  #{c.case_id:<6} {c.agent:<8} "
              f"{c.status:<16} {c.subject}")
    return 0


def search_command(args: argparse.Namespace) -> int:
    from callhelper.store.history import search

    store = open_store(args)
    with store.unit_of_work() as session:
        hits = search(session, args.query, args.limit)
    store.close()
    if args.json:
        print_json([{"id": h.id, "kind": h.kind, "case_id": h.case_id, "field": h.field,
                     "text": h.text, "at": h.at.isoformat(), "agent": h.agent,
                     "spans": [list(span) for span in h.spans]} for h in hits])
        return 0
    if not hits:
        print(f"nothing found for {args.query!r}")
    for h in hits:
        print(f"{h.at.astimezone():%Y-%m-%d %H:%M}  #{h.case_id:<6} {h.field:<10} {h.text}")
    return 0


def demo_command(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from callhelper.config import resources_dir
    from callhelper.core.flags import load_rules
    from callhelper.store.demo import fill_demo

    store = open_store(args, create=True)
    try:
        with ProgressLine() as line:
            fill_demo(store, args.cases, args.seed,
                      load_rules(resources_dir() / "rules" / "demands.toml"),
                      datetime.now(timezone.utc),
                      lambda done, total: line.show(f"{done}/{total} cases"))
    finally:
        store.close()
    print(f"added {args.cases} demo cases")
    return 0


def own_database(args: argparse.Namespace) -> Path:
    """This agent's database file, for the commands that take one optionally."""
    from callhelper.config import resolve_paths

    url = resolve_paths(args.data_dir, args.database_url).database_url
    if not url.startswith("sqlite:///"):
        raise ValueError("name a database file: the configured database is not a local file")
    return Path(url[len("sqlite:///"):])


FINDINGS = {
    "entry_changed": "entry #{seq} ({entity} {uid}) no longer matches its hash: the trail was "
                     "edited outside CallHelper",
    "link_broken": "entry #{seq} ({entity} {uid}) does not follow the entry before it: entries "
                   "were removed or inserted outside CallHelper",
    "record_changed": "{entity} {uid} differs from its last recorded state ({fields}): it was "
                      "changed outside CallHelper",
    "record_untracked": "{entity} {uid} is not in the audit trail: it was added outside "
                        "CallHelper",
    "record_missing": "{entity} {uid} is in the audit trail but gone from the file: it was "
                      "deleted outside CallHelper",
    "words_removed": "the words of {entity} {uid} were removed from the audit trail outside "
                     "CallHelper, although the record is still there",
}


def verify_command(args: argparse.Namespace) -> int:
    """The trail of a file is also checked against its anchor (store/anchor.py), when one is
    beside it; a server's has none."""
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    from callhelper.store.anchor import anchor_file
    from callhelper.store.audit import verify_file
    from callhelper.store.integrity import is_damage

    server = None if args.database else server_url(args)
    if server is not None:
        from callhelper.store.credentials import without_password

        path, result, checked = without_password(server), verify_server(server), None
    else:
        path = usable_database(Path(args.database) if args.database else own_database(args))
        try:
            checked = verify_file(path)
        except (DBAPIError, sqlite3.DatabaseError) as exc:
            if not is_damage(getattr(exc, "orig", exc)):
                raise
            print(f"{path}: BROKEN: the file is damaged (SQLite cannot read part of it), so "
                  "its audit trail cannot be checked; see docs/data-safety.md for restoring "
                  "a backup")
            return 3
        result = checked.verification
    if checked is not None and checked.shortened is not None:
        print(f"{path}: BROKEN: {checked.shortened}")
        return 3
    if result.ok:
        anchored = checked.anchored if checked is not None else None
        print(f"{path}: ok, {result.entries} audit entries, every note and case matches them"
              + (f"; none is missing from the end anchored at {anchored.when}"
                 if anchored else ""))
        if result.fuller_since:
            print(f"{path}: info: call times, callers, handlers, escalations, steps, customers "
                  "and note and case times are checked as recorded since the file was "
                  f"upgraded at {result.fuller_since}; entries from before hold what was followed "
                  "then (a note's words, offset, agent and flags; a case's wrap-up)")
        if checked is not None and anchored is None:
            print(f"{path}: info: no anchor beside the file ({anchor_file(path).name}): "
                  "entries removed from the end of the trail could not be looked for")
        return 0
    finding = result.finding
    print(f"{path}: BROKEN: " + FINDINGS[finding.problem].format(
        seq=finding.seq, entity=finding.entity, uid=finding.uid,
        fields=", ".join(finding.fields)))
    return 3


def verify_server(url: str):
    """Verify a server's audit trail in one read-only snapshot, so that agents writing
    meanwhile never show as a mismatch between the trail and the records."""
    from callhelper.store.audit import verify
    from callhelper.store.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
            return verify(connection)
    finally:
        engine.dispose()


def server_url(args: argparse.Namespace) -> str | None:
    """The configured database's URL if it is a server's (team mode), else None."""
    from callhelper.config import resolve_paths

    url = resolve_paths(args.data_dir, args.database_url).database_url
    return None if url.startswith("sqlite:") else url


#: What the commands made for a local database file say when pointed at a team's server.
ON_A_SERVER = {
    "backup": "a server's backups are made with pg_dump; see docs/team-mode.md",
    "restore": "a server's database is restored with pg_restore; see docs/team-mode.md",
    "demo": "demo data goes into a local database file only, never into a team's server",
}


def review_command(args: argparse.Namespace, paths, settings) -> int:
    """The review window: of the files named, else of the team's server when the app is
    pointed at one, else of this agent's own file. A server that cannot be reviewed (out of
    reach, another schema revision) is refused here, in one line, before any window opens."""
    from callhelper.ui.app import run_review

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


def backup_command(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from callhelper.config import Settings, resolve_paths
    from callhelper.store.backup import back_up

    paths = resolve_paths(args.data_dir, args.database_url)
    database = own_database(args)
    keep = Settings.for_paths(paths).get("backup_keep")
    open_store(args).close()  # checked, and an older schema brought up to date first
    made = back_up(database, paths.backup_dir, keep, datetime.now(timezone.utc))
    if args.json:
        print_json({"file": str(made.path), "size": made.size,
                    "made_at": made.made_at.isoformat()})
    else:
        print(made.path)
    return 0


def restore_command(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from callhelper.config import resolve_paths
    from callhelper.store.backup import restore
    from callhelper.store.engine import check_database_file
    from callhelper.ui.instance import take_lock

    paths = resolve_paths(args.data_dir, args.database_url)
    database = own_database(args)
    check_database_file(database)  # what is there is moved aside: only a CallHelper database
    backup = Path(args.file)
    if not backup.exists() and (paths.backup_dir / backup.name).exists():
        backup = paths.backup_dir / backup.name
    lock = take_lock(paths.capture_url)  # held while the file is replaced: no window starts
    if lock is None:
        print("callhelper restore: a CallHelper window is open on this database; close it "
              "first", file=sys.stderr)
        return 1
    try:
        moved = restore(backup, database, datetime.now(timezone.utc))
    finally:
        lock.unlock()
    if args.json:
        print_json({"restored": str(backup), "database": str(database),
                    "moved_aside": moved and str(moved)})
    else:
        print(f"restored {backup} to {database}")
        print(f"the database before it was moved to {moved}" if moved else
              "there was no database before it")
    return 0


def doctor_command(args: argparse.Namespace) -> int:
    from callhelper.config import Settings, resolve_paths
    from callhelper.doctor import diagnose

    paths = resolve_paths(args.data_dir, args.database_url)
    report = diagnose(paths, Settings.for_paths(paths))
    if args.json:
        print_json(report.as_dict())
    else:
        print("\n".join(report.lines()))
    return 0 if report.ok else 1


def purge_command(args: argparse.Namespace) -> int:
    from dataclasses import asdict
    from datetime import datetime, timezone

    from callhelper.config import Settings, resolve_paths
    from callhelper.store.retention import cutoff, expired, purge

    now = datetime.now(timezone.utc)
    before = cutoff(args.older_than, now)
    actor = Settings.for_paths(resolve_paths(args.data_dir, args.database_url)).agent_name
    store = open_store(args)
    try:
        if args.yes:
            with ProgressLine() as line:
                found = purge(store, before, actor, now,
                              lambda done: line.show(f"{done.cases} cases deleted"))
        else:
            with store.unit_of_work() as session:
                found = expired(session, before)
    finally:
        store.close()
    if args.json:
        print_json({"deleted": args.yes, "before": before.isoformat(), **asdict(found)})
        return 0
    what = (f"{found.cases} cases ({found.contacts} calls, {found.notes} notes) with no "
            f"activity since {before.astimezone():%Y-%m-%d %H:%M}, and {found.customers} "
            "customers left without cases")
    if args.yes:
        print(f"deleted {what}; each note and case deleted is recorded in the audit trail")
    else:
        print(f"would delete {what}; run again with --yes to delete them")
    return 0


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


def team_command(args: argparse.Namespace) -> int:
    from callhelper.store.credentials import NoKeyring
    from callhelper.store.roles import SetupError

    url = server_url(args)
    if url is None:
        print(f"callhelper team {args.action}: team mode needs a PostgreSQL server: give "
              "--database-url postgresql://LOGIN@HOST/DATABASE", file=sys.stderr)
        return 1
    actions = {"setup": team_setup, "add-agent": team_add, "add-supervisor": team_add,
               "members": team_members, "login": team_login, "logout": team_logout}
    try:
        return actions[args.action](args, url)
    except (SetupError, NoKeyring) as exc:
        print(f"callhelper team {args.action}: {exc}", file=sys.stderr)
        return 1


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
    from callhelper.store.credentials import (credential_name, has_password, keyring_name,
                                              store_password, without_password)
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


def analyze_command(args: argparse.Namespace) -> int:
    import json

    from callhelper.config import resources_dir
    from callhelper.core.flags import RulesError, analyze, load_rules

    try:
        rules = load_rules(resources_dir() / "rules" / "demands.toml")
    except RulesError as exc:
        print(f"callhelper: {exc}", file=sys.stderr)
        return 1
    result = analyze(args.text, rules)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
        return 0
    print(f"stored as: {result.text}")
    for title, matches in (("harassment flags", result.flags),
                           ("requests to check with the supervisor", result.requests)):
        print(f"{title}:" + ("" if matches else " none"))
        for match in matches:
            print(f"  {match.category} ({rules.label(match.category, 'en')}): "
                  f"{result.text[match.start:match.end]!r} at {match.start}-{match.end}")
    return 0


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are their user's only (the log names files, and what went
    wrong with them): files there already are tightened, new ones created 0600, also at a
    rollover."""

    def __init__(self, path: Path, **options) -> None:
        from callhelper.store.files import private_file

        for log_file in path.parent.glob(f"{path.name}*"):
            private_file(log_file)
        super().__init__(path, **options)

    def _open(self):
        from callhelper.store.files import private_opener

        return open(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors,
                    opener=private_opener)


def setup_logging(log_dir: Path) -> None:
    """Warnings and errors to a rotating file in the log folder (and to stderr); the folder
    and the files are their user's only."""
    from callhelper.config import LOG_FILE
    from callhelper.store.files import private_folder

    handlers: list[logging.Handler] = [logging.StreamHandler()]
    try:
        private_folder(log_dir)
        handlers.append(PrivateRotatingFileHandler(
            log_dir / LOG_FILE, maxBytes=1_000_000, backupCount=3, encoding="utf-8"))
    except OSError as exc:
        print(f"callhelper: cannot write logs to {log_dir}: {exc}", file=sys.stderr)
    logging.basicConfig(level=logging.WARNING, handlers=handlers,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def run_data_command(command, args: argparse.Namespace) -> int:
    """A command without the window: errors are one line on stderr and exit code 1."""
    import sqlite3

    from sqlalchemy.exc import NoSuchModuleError, SQLAlchemyError

    try:
        return command(args)
    except NoSuchModuleError:
        from callhelper.config import resolve_paths

        scheme = resolve_paths(args.data_dir, args.database_url).database_url.split(":", 1)[0]
        print(f"callhelper {args.command}: the database URL's scheme {scheme!r} is not known "
              "(expected sqlite:///FILE or postgresql://USER@HOST/DATABASE)", file=sys.stderr)
        return 1
    except (SQLAlchemyError, sqlite3.Error, OSError, ValueError, OverflowError) as exc:
        lines = str(exc).splitlines() or [type(exc).__name__]
        if getattr(getattr(exc, "orig", None), "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
            lines[0] += " (the server does not let this login do that; see docs/team-mode.md)"
        print(f"callhelper {args.command}: {lines[0]}", file=sys.stderr)
        return 1


#: PostgreSQL's SQLSTATE for a privilege, row rule or note owner's rule refusing a change.
INSUFFICIENT_PRIVILEGE = "42501"


def call_command(args: argparse.Namespace, paths) -> int:
    """``call status`` and ``call note`` ask the running window; the others go to it (or
    start it)."""
    from callhelper.core.commands import Action, Command

    fields = command_fields(args)
    command = Command(Action(fields.pop("action")), **fields)
    if command.action in (Action.STATUS, Action.NOTE):
        return ask_window(command, paths, args.json)
    return open_window(paths, command, f"callhelper call {command.action}")


def ask_window(command, paths, as_json: bool) -> int:
    """Print the running window's answer to ``call status`` or ``call note``. A note the
    window may have taken without answering is named by its id: sent again with it, it is
    saved once."""
    from callhelper.channel import UnsafeChannel
    from callhelper.ui.instance import NotAnswering, ask

    who = f"callhelper call {command.action}"
    unsure_note = unsure({"action": command.action, "id": command.id})
    try:
        reply = ask(paths.capture_url, command)
    except UnsafeChannel as exc:
        print(f"{who}: {exc}", file=sys.stderr)
        return 1
    except NotAnswering as exc:
        print(f"{who}: {exc}{unsure_note}", file=sys.stderr)
        return 1
    if reply is None:
        print(f"{who}: no CallHelper window is running", file=sys.stderr)
        return 1
    return print_answer(who, reply, unsure_note, as_json)


def open_window(paths, command=None, who: str = "callhelper") -> int:
    """The call window, or ``command`` handed to the one that runs on the database."""
    from callhelper.channel import UnsafeChannel
    from callhelper.config import Settings
    from callhelper.ui.app import run
    from callhelper.ui.instance import NotAnswering

    try:
        return run(paths, Settings.for_paths(paths), command)
    except (NotAnswering, UnsafeChannel) as exc:
        print(f"{who}: {exc}", file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    args = parse(build_parser(), with_call_command(list(sys.argv[1:] if argv is None
                                                        else argv)))
    data_commands = {"analyze": analyze_command, "cases": cases_command,
                     "search": search_command, "demo": demo_command, "export": export_command,
                     "evidence": evidence_command,
                     "verify": verify_command, "backup": backup_command,
                     "restore": restore_command, "doctor": doctor_command,
                     "purge": purge_command, "team": team_command}
    if args.command in ON_A_SERVER and not getattr(args, "paths", None) \
            and server_url(args) is not None:
        print(f"callhelper {args.command}: {ON_A_SERVER[args.command]}", file=sys.stderr)
        return 1
    if args.command in data_commands:
        return run_data_command(data_commands[args.command], args)
    return window_command(args)


def window_command(args: argparse.Namespace) -> int:
    """The commands that use the window's data folder: ``call``, ``register-handlers``,
    ``review``, and the window itself."""
    from callhelper.config import Settings, make_private_folders, resolve_paths

    paths = resolve_paths(args.data_dir, args.database_url)
    setup_logging(paths.log_dir)
    try:
        make_private_folders(paths)
    except OSError as exc:
        problem = "is a file, not a folder" if paths.data_dir.is_file() else \
            f"cannot be made: {exc.strerror or exc}"
        print(f"callhelper: the data folder {paths.data_dir} {problem}", file=sys.stderr)
        return 1
    if args.command == "call":
        return call_command(args, paths)
    if args.command == "register-handlers":
        from callhelper.handlers import register_handlers

        try:
            for line in register_handlers():
                print(line)
        except OSError as exc:
            print(f"callhelper register-handlers: {exc}", file=sys.stderr)
            return 1
        return 0
    if args.command == "review":
        return review_command(args, paths, Settings.for_paths(paths))
    return open_window(paths)
