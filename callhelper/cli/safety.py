"""Safety of the data: the audit trail verified, backups made and restored, the doctor's
check of the installation, and a case's harassment evidence written out."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from callhelper.cli.common import (open_store, own_database, positive, print_json, runs,
                                   server_url, usable_database)


def evidence_file(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in (".pdf", ".csv"):
        raise argparse.ArgumentTypeError(f"must end in .pdf or .csv: {text!r}")
    return path


def add_evidence(commands) -> None:
    evidence = commands.add_parser(
        "evidence", help="write a case's harassment evidence (its flagged statements with "
                         "their context) as a PDF report or CSV (docs/evidence.md)")
    evidence.add_argument("case", type=positive, metavar="CASE_ID")
    evidence.add_argument("--out", required=True, type=evidence_file, metavar="FILE",
                          help="FILE.pdf for the printable report, FILE.csv for a spreadsheet")
    runs(evidence, evidence_command)


def evidence_command(args: argparse.Namespace) -> int:
    import os
    from datetime import datetime, timezone

    from PySide6.QtGui import QGuiApplication

    from callhelper.config import Settings, resolve_paths
    from callhelper.store.evidence import case_evidence
    from callhelper.files import replaceable_file
    from callhelper.app.bootstrap import demand_rules, install_translators, ui_language
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


def add_verify(commands) -> None:
    verify = commands.add_parser(
        "verify", help="check the audit trail of a database file (default: this agent's) and "
                       "report the first broken link; exit code 3 if broken")
    verify.add_argument("database", nargs="?", metavar="DB_FILE")
    verify.add_argument("--against", action="append", default=[], metavar="REPORT_OR_END",
                        help="also check that the trail still holds the end printed in an "
                             "evidence report: the report's file (.pdf or .csv), or the "
                             "'ENTRY:HASH' it prints; may be given more than once")
    runs(verify, verify_command)


#: How an evidence report names the trail's end: in the PDF's properties, and in the text.
REPORT_END = re.compile(rb"audit trail (\d+):([0-9a-f]{64})")
GIVEN_END = re.compile(r"#?(\d+):([0-9a-fA-F]{64})")


def given_ends(values: list[str]):
    """The trail's ends given with ``--against``, as anchors; ValueError in plain words."""
    import csv
    from datetime import datetime, timezone

    from callhelper.store.anchor import Anchor, Origin, Place

    found = []
    for value in values:
        match = GIVEN_END.fullmatch(value.strip())
        if match is not None:
            entry, end = int(match[1]), match[2].lower()
            source = f"when the end {entry}:{end[:12]}… given on the command line was taken"
            place = Place(Origin.GIVEN, file=f"{entry}:{end[:12]}…")
        else:
            path = Path(value)
            try:
                content = path.read_bytes()
            except OSError as exc:
                raise ValueError(f"--against {value}: neither ENTRY:HASH nor a report that can "
                                 f"be read ({exc.strerror or exc})") from None
            ends = {(int(a), b.decode()) for a, b in REPORT_END.findall(content)}
            if path.suffix.lower() == ".csv":
                rows = csv.DictReader(content.decode("utf-8-sig", "replace").splitlines())
                ends |= {(int(row["audit_entries"]), row["audit_hash"]) for row in rows
                         if (row.get("audit_entries") or "").isdigit() and row.get("audit_hash")}
            if len(ends) != 1:
                raise ValueError(f"--against {value}: no end of the audit trail found in it "
                                 "(an evidence report of this version prints one)")
            entry, end = ends.pop()
            source = f"when the report {path.name} was made"
            place = Place(Origin.REPORT, file=path.name)
        found.append(Anchor(entry, end, entry, datetime.now(timezone.utc), source,
                            place=place))
    return tuple(found)


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
    """The trail of a file is also checked against every anchor found for it
    (store/anchor.py): beside the file, the record in the backups folder (the agent's own
    database, or a ``backups`` folder beside the file named), and the ends given with
    ``--against``; a server's against those given."""
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    from callhelper.config import resolve_paths
    from callhelper.store.anchor import anchor_file
    from callhelper.store.audit import verify_file
    from callhelper.store.integrity import check_file, is_damage

    given = given_ends(args.against)
    server = None if args.database else server_url(args)
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    if server is not None:
        from callhelper.urls import without_password

        path, checked = without_password(server), None
        result, problems = verify_server(server, given)
    else:
        paths = resolve_paths(args.data_dir, args.database_url)
        own = Path(paths.capture_url[len("sqlite:///"):])  # in team mode: the agent's file
        path = usable_database(Path(args.database) if args.database else own_database(args))
        is_own = path.resolve() == own.resolve()
        backups = paths.backup_dir if is_own else path.parent / "backups"
        team = server_url(args)
        if team is not None:
            sent, note = end_on_server(team, path)
            given += (sent,) if sent is not None else ()
            notes += (note,) if note else ()
        try:
            # Damage where the trail does not look (a search index, say) is damage too.
            damaged = check_file(path) is not None
            checked = None if damaged else verify_file(path, backups, own=is_own, given=given)
        except (DBAPIError, sqlite3.DatabaseError) as exc:
            if not is_damage(getattr(exc, "orig", exc)):
                raise
            damaged = True
        if damaged:
            print(f"{path}: BROKEN: the file is damaged (SQLite cannot read part of it), so "
                  "its audit trail cannot be checked; see docs/data-safety.md for restoring "
                  "a backup")
            return 3
        result, problems = checked.verification, checked.problems
        notes += checked.anchors.notes if checked.anchors is not None else ()
    if result.ok and problems:
        for problem in problems:
            print(f"{path}: BROKEN: {problem}")
        return 3
    if result.ok:
        anchored = checked.anchored if checked is not None else None
        print(f"{path}: ok, {result.entries} audit entries, every note and case matches them"
              + (f"; none is missing from the end anchored at {anchored.when}"
                 if anchored else ""))
        held = [anchor for anchor in (checked.anchors.checked if checked is not None
                                      and checked.anchors is not None else given)
                if anchor.source is not None]
        for anchor in (anchor for anchor in held if anchor in given):
            print(f"{path}: ok: the trail still holds its end as it was {anchor.source}")
        recorded = [anchor for anchor in held if anchor not in given]
        if recorded:
            print(f"{path}: ok: the trail still holds the {len(recorded)} "
                  f"end{'s' if len(recorded) > 1 else ''} recorded outside the file, the "
                  f"latest as it was {recorded[-1].source}")
        if result.fuller_since:
            print(f"{path}: info: call times, callers, handlers, escalations, steps, customers "
                  "and note and case times are checked as recorded since the file was "
                  f"upgraded at {result.fuller_since}; entries from before hold what was followed "
                  "then (a note's words, offset, agent and flags; a case's wrap-up)")
        for note in notes:
            print(f"{path}: info: {note}")
        if checked is not None and anchored is None:
            print(f"{path}: info: no anchor beside the file ({anchor_file(path).name}): "
                  "entries removed from the end of the trail could not be looked for")
        return 0
    finding = result.finding
    print(f"{path}: BROKEN: " + FINDINGS[finding.problem].format(
        seq=finding.seq, entity=finding.entity, uid=finding.uid,
        fields=", ".join(finding.fields)))
    return 3


def end_on_server(url: str, path: Path):
    """The end of the trail of the agent's file ``path`` as the team's server last received
    it (sync.Shipper.ship_end), and a note when there is none or the server cannot say."""
    from callhelper.store.anchor import read_key, shipped_uid
    from callhelper.store.audit import shipped_end
    from callhelper.store.engine import make_engine
    from callhelper.store.sync import describe, with_connect_timeout

    engine = make_engine(with_connect_timeout(url))
    try:
        with engine.connect() as connection:
            sent = shipped_end(connection, shipped_uid(read_key(), path))
    except Exception as error:  # the file is still checked against the other anchors
        return None, (f"the team's server could not be asked for the end of this file's "
                      f"trail it received: {describe(error)}")
    finally:
        engine.dispose()
    if sent is None:
        return None, "the team's server has received no end of this file's trail from this account"
    return sent, None


def verify_server(url: str, given=()):
    """Verify a server's audit trail in one read-only snapshot, so that agents writing
    meanwhile never show as a mismatch between the trail and the records; then, when it is
    sound, its end against the ends ``given``. Returns the verification and the problems
    those found."""
    from callhelper.store.anchor import check_anchors
    from callhelper.store.audit import verify
    from callhelper.store.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
            result = verify(connection)
            found = check_anchors(connection, result.entries, None, None, own=False,
                                  given=given) if result.ok else None
            return result, (found.problems if found is not None else ())
    finally:
        engine.dispose()


def add_backup(commands) -> None:
    backup = commands.add_parser(
        "backup", help="copy the database into <data folder>/backups now, checked; the "
                       "newest backup_keep backups are kept (docs/data-safety.md)")
    backup.add_argument("--json", action="store_true", help="machine-readable output")
    runs(backup, backup_command, not_on_a_server="a server's backups are made with pg_dump; "
                                                 "see docs/team-mode.md")


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


def add_restore(commands) -> None:
    restore = commands.add_parser(
        "restore", help="put a backup in place of the database; the current file is moved "
                        "aside, never overwritten; refused while the window is open")
    restore.add_argument("file", metavar="FILE", help="a backup file (or its name in the "
                                                      "backups folder)")
    restore.add_argument("--json", action="store_true", help="machine-readable output")
    runs(restore, restore_command,
         not_on_a_server="a server's database is restored with pg_restore; see "
                         "docs/team-mode.md")


def restore_command(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from callhelper.config import resolve_paths
    from callhelper.store.backup import restore
    from callhelper.store.engine import check_database_file
    from callhelper.app.instance import take_lock

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
        moved = restore(backup, database, datetime.now(timezone.utc), paths.backup_dir)
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


def add_doctor(commands) -> None:
    doctor = commands.add_parser(
        "doctor", help="paths, versions, database integrity, backups and audit trail; "
                       "exit code 1 if something is wrong")
    doctor.add_argument("--json", action="store_true", help="machine-readable output")
    runs(doctor, doctor_command)


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
