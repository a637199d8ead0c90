"""The command line: the call window by default, sub-commands for data work."""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import sys
from pathlib import Path

from callhelper import __version__


class Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr (exit code 2), naming the command and where its
    usage is shown."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="callhelper",
        description="A desktop helper for complaint calls. Without a command it opens the "
                    "call window (or brings the running one to the front); "
                    "`callhelper NUMBER` means `callhelper call incoming NUMBER`.")
    parser.add_argument("--version", action="version", version=f"CallHelper {__version__}")
    parser.add_argument("--data-dir", metavar="PATH",
                        help="folder for the database (default: the user data folder; "
                             "environment: CALLHELPER_DATA_DIR)")
    parser.add_argument("--database-url", metavar="URL",
                        help="database URL (default: sqlite:///<data folder>/callhelper.db; "
                             "environment: CALLHELPER_DATABASE_URL)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    parser.command_names = commands.choices  # for telling a bare number from a command
    call = commands.add_parser(
        "call", help="tell the call window what the phone does (docs/phone-systems.md); "
                     "starts the window if none runs, returns at once if one does")
    actions = call.add_subparsers(dest="action", metavar="ACTION", required=True)
    call.command_names = actions.choices
    incoming = actions.add_parser("incoming", help="ringing: show the caller's history")
    incoming.add_argument("number", type=typed_text, metavar="NUMBER",
                          help="the caller's number or a tel:/callto: URI")
    incoming.add_argument("--name", default="", type=typed_text, metavar="NAME")
    start = actions.add_parser("start", help="answered: start the timer")
    start.add_argument("--number", default="", type=typed_text, metavar="N")
    start.add_argument("--name", default="", type=typed_text, metavar="NAME")
    end = actions.add_parser("end", help="hung up: stop the timer and open the wrap-up")
    end.add_argument("ignored", nargs="?", metavar="NUMBER",
                     help="accepted and ignored (softphones add the number to every hook)")
    note = actions.add_parser("note", help="capture TEXT as a note of the call under way; "
                                           "returns once it is on disk")
    note.add_argument("text", type=typed_text, metavar="TEXT")
    note.add_argument("--kind", default="quote",
                      choices=("quote", "agent_note", "fact", "request", "promise"))
    note.add_argument("--json", action="store_true", help="machine-readable output")
    status = actions.add_parser("status", help="what the running window shows")
    status.add_argument("--json", action="store_true", help="machine-readable output")
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
                                                "Excel opens correctly (docs/export.md)")
    export.add_argument("--out", required=True, metavar="FILE")
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
        "review", help="open agents' database files read-only in the supervisor's review")
    review.add_argument("paths", nargs="*", metavar="DB_FILE_OR_DIR",
                        help="database files, or folders holding them (default: this agent's)")
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
    return parser


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


def typed_text(argument: str) -> str:
    """Words from the command line as they can be stored: bytes that are not UTF-8 (which
    Python keeps as lone surrogates) become U+FFFD, as in notes (core/text.py)."""
    from callhelper.core.text import storable_text

    return storable_text(argument)[0]


def local_date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def evidence_file(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in (".pdf", ".csv"):
        raise argparse.ArgumentTypeError(f"must end in .pdf or .csv: {text!r}")
    return path


def export_command(args: argparse.Namespace) -> int:
    from callhelper.core.export import write_csv
    from callhelper.store.export import (CASE_HEADER, NOTE_HEADER, ExportFilter, case_rows,
                                         note_rows)

    shown = False

    def progress(count: int) -> None:
        nonlocal shown
        shown = True
        print(f"\r{count} rows", end="", file=sys.stderr, flush=True)

    filters = ExportFilter.for_days(args.since, args.until, args.agent)
    header, rows = (NOTE_HEADER, note_rows) if args.what == "notes" else (CASE_HEADER, case_rows)
    store = open_store(args)
    try:
        with store.unit_of_work() as session:
            count = write_csv(Path(args.out), header, rows(session, filters), progress)
    finally:
        store.close()
        if shown:
            print(file=sys.stderr)  # ends the progress line
    print(f"wrote {count} {args.what} to {args.out}")
    return 0


def evidence_command(args: argparse.Namespace) -> int:
    import os
    from datetime import datetime, timezone

    from PySide6.QtGui import QGuiApplication

    from callhelper.config import Settings, resolve_paths
    from callhelper.store.evidence import case_evidence
    from callhelper.ui.app import demand_rules, install_translators, ui_language
    from callhelper.ui.evidence import write_evidence

    store = open_store(args)
    try:
        with store.unit_of_work() as session:
            evidence = case_evidence(session, args.case)
    finally:
        store.close()
    if evidence is None or not evidence.statements:
        reason = "no such case" if evidence is None else "no flagged statements"
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


def open_store(args: argparse.Namespace):
    from callhelper.config import resolve_paths
    from callhelper.store.engine import Store

    return Store(resolve_paths(args.data_dir, args.database_url).database_url)


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

    shown = False

    def progress(done: int, total: int) -> None:
        nonlocal shown
        shown = True
        print(f"\r{done}/{total} cases", end="", file=sys.stderr, flush=True)

    store = open_store(args)
    try:
        fill_demo(store, args.cases, args.seed,
                  load_rules(resources_dir() / "rules" / "demands.toml"),
                  datetime.now(timezone.utc), progress)
    finally:
        store.close()
        if shown:
            print(file=sys.stderr)  # ends the progress line
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
    from callhelper.store.audit import verify
    from callhelper.store.review import open_source

    path = Path(args.database) if args.database else own_database(args)
    source = open_source(path)
    try:
        with source.connect() as connection:
            result = verify(connection)
    finally:
        source.engine.dispose()
    if result.ok:
        print(f"{path}: ok, {result.entries} audit entries, every note and case matches them")
        return 0
    finding = result.finding
    print(f"{path}: BROKEN: " + FINDINGS[finding.problem].format(
        seq=finding.seq, entity=finding.entity, uid=finding.uid,
        fields=", ".join(finding.fields)))
    return 3


def backup_command(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from callhelper.config import Settings, resolve_paths
    from callhelper.store.backup import back_up

    paths = resolve_paths(args.data_dir, args.database_url)
    database = own_database(args)
    if not database.exists():
        raise ValueError(f"no database at {database}")
    keep = Settings.for_paths(paths).get("backup_keep")
    open_store(args).close()  # an older schema is brought up to date first
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
    from callhelper.core.commands import Action, Command
    from callhelper.store.backup import restore
    from callhelper.ui.instance import send, server_name

    paths = resolve_paths(args.data_dir, args.database_url)
    database = own_database(args)
    backup = Path(args.file)
    if not backup.exists() and (paths.backup_dir / backup.name).exists():
        backup = paths.backup_dir / backup.name
    if send(server_name(paths.database_url), Command(Action.STATUS), wait_reply=True) is not None:
        print("callhelper restore: a CallHelper window is open on this database; close it "
              "first", file=sys.stderr)
        return 1
    moved = restore(backup, database, datetime.now(timezone.utc))
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

    def progress(done) -> None:
        print(f"\r{done.cases} cases deleted", end="", file=sys.stderr, flush=True)

    now = datetime.now(timezone.utc)
    before = cutoff(args.older_than, now)
    actor = Settings.for_paths(resolve_paths(args.data_dir, args.database_url)).agent_name
    store = open_store(args)
    try:
        if args.yes:
            found = purge(store, before, actor, now, progress)
            print(file=sys.stderr)
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


def setup_logging(log_dir: Path) -> None:
    """Warnings and errors to a rotating file in the log folder (and to stderr); the folder
    is its user's only."""
    from callhelper.store.files import private_folder

    handlers: list[logging.Handler] = [logging.StreamHandler()]
    try:
        private_folder(log_dir)
        handlers.append(logging.handlers.RotatingFileHandler(
            log_dir / "callhelper.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"))
    except OSError as exc:
        print(f"callhelper: cannot write logs to {log_dir}: {exc}", file=sys.stderr)
    logging.basicConfig(level=logging.WARNING, handlers=handlers,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def run_data_command(command, args: argparse.Namespace) -> int:
    """A command without the window: errors are one line on stderr and exit code 1."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return command(args)
    except (SQLAlchemyError, OSError, ValueError, OverflowError) as exc:
        lines = str(exc).splitlines() or [type(exc).__name__]
        print(f"callhelper {args.command}: {lines[0]}", file=sys.stderr)
        return 1


def command_parser(parser: argparse.ArgumentParser,
                   args: argparse.Namespace) -> argparse.ArgumentParser:
    """The parser of the command (and action) that ``args`` name."""
    for name in (getattr(args, "command", None), getattr(args, "action", None)):
        commands = getattr(parser, "command_names", {})
        if name not in commands:
            break
        parser = commands[name]
    return parser


OPTIONS_WITH_VALUES = ("--data-dir", "--database-url")


def with_call_command(argv: list[str], commands: set[str]) -> list[str]:
    """``callhelper NUMBER`` (how softphones pass the caller) as ``call incoming NUMBER``."""
    from callhelper.core.commands import looks_like_number

    index = 0
    while index < len(argv):
        argument = argv[index]
        if argument in OPTIONS_WITH_VALUES:
            index += 2
            continue
        if argument.startswith("-") and not looks_like_number(argument):
            index += 1
            continue
        if argument not in commands and looks_like_number(argument):
            return argv[:index] + ["call", "incoming"] + argv[index:]
        return argv
    return argv


def call_command(args: argparse.Namespace, paths) -> int:
    """``call status`` asks the running window; the others go to it (or start it)."""
    import json

    from callhelper.core.commands import Action, Command, clean

    action = Action(args.action)
    command = Command(action, clean(getattr(args, "number", "")),
                      clean(getattr(args, "name", "")), getattr(args, "text", ""),
                      getattr(args, "kind", "quote"))
    if action in (Action.STATUS, Action.NOTE):
        from callhelper.ui.instance import send, server_name

        reply = send(server_name(paths.database_url), command, wait_reply=True)
        if reply is None:
            print(f"callhelper call {action}: no CallHelper window is running", file=sys.stderr)
            return 1
        try:
            answer = json.loads(reply)
        except ValueError:
            print(f"callhelper call {action}: no answer from the window", file=sys.stderr)
            return 1
        if "error" in answer:
            print(f"callhelper call {action}: {answer['error']}", file=sys.stderr)
            return 1
        if args.json:
            print(json.dumps(answer, ensure_ascii=False))
        else:
            for key, value in answer.items():
                print(f"{key}: {value}")
        return 0
    from callhelper.config import Settings
    from callhelper.ui.app import run

    return run(paths, Settings.for_paths(paths), command)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = with_call_command(list(sys.argv[1:] if argv is None else argv),
                             set(parser.command_names))
    args, extra = parser.parse_known_args(argv)
    if extra:  # told by the command they were given to, with its usage
        command_parser(parser, args).error(f"unrecognized arguments: {' '.join(extra)}")
    data_commands = {"analyze": analyze_command, "cases": cases_command,
                     "search": search_command, "demo": demo_command, "export": export_command,
                     "evidence": evidence_command,
                     "verify": verify_command, "backup": backup_command,
                     "restore": restore_command, "doctor": doctor_command,
                     "purge": purge_command}
    if args.command in data_commands:
        return run_data_command(data_commands[args.command], args)
    from callhelper.config import Settings, make_private_folders, resolve_paths
    from callhelper.ui.app import run

    paths = resolve_paths(args.data_dir, args.database_url)
    setup_logging(paths.log_dir)
    make_private_folders(paths)
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
        from callhelper.ui.app import run_review

        try:
            files = [Path(p) for p in args.paths] or [own_database(args)]
        except ValueError as exc:
            print(f"callhelper review: {exc}", file=sys.stderr)
            return 1
        return run_review(paths, Settings.for_paths(paths), files)
    return run(paths, Settings.for_paths(paths))
