"""The data: a caller's earlier contacts, search, export, demo data and the purge of what
the retention period no longer keeps."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from callhelper.cli.common import (ProgressLine, days, open_store, positive, print_json,
                                   runs)
from callhelper.launcher import typed_text


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


def add_cases(commands) -> None:
    cases = commands.add_parser("cases", help="prior contacts of a caller, newest first")
    cases.add_argument("--number", required=True, type=typed_text, metavar="N",
                       help="the caller's number, in any common form (03-1234-5678, "
                            "+81312345678, tel:…)")
    cases.add_argument("--json", action="store_true", help="machine-readable output")
    runs(cases, cases_command)


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


def add_search(commands) -> None:
    search = commands.add_parser("search", help="search notes and cases (Japanese substrings "
                                                "of any length)")
    search.add_argument("query", type=typed_text, metavar="QUERY")
    search.add_argument("--limit", type=positive, default=50, metavar="K",
                        help="at most K results (default 50)")
    search.add_argument("--json", action="store_true", help="machine-readable output")
    runs(search, search_command)


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


def add_export(commands) -> None:
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
    runs(export, export_command)


def export_command(args: argparse.Namespace) -> int:
    from callhelper.core.export import format_of, write_table
    from callhelper.store.export import (CASE_HEADER, IDS, NOTE_HEADER, ExportFilter,
                                         case_rows, note_rows)
    from callhelper.files import replaceable_file

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
    from callhelper.app.bootstrap import demand_rules, install_translators, ui_language
    from callhelper.ui.export_labels import export_labels as labels_in

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


def add_demo(commands) -> None:
    demo = commands.add_parser("demo", help="fill the database with realistic sample data")
    demo.add_argument("--cases", type=positive, required=True, metavar="N")
    demo.add_argument("--seed", type=int, default=1, metavar="S",
                      help="the same seed gives the same data (default 1)")
    runs(demo, demo_command, not_on_a_server="demo data goes into a local database file "
                                             "only, never into a team's server")


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


def add_purge(commands) -> None:
    purge = commands.add_parser(
        "purge", help="delete cases whose last activity is older than DAYS (with their calls, "
                      "notes and customers left without cases); without --yes it only "
                      "tells what it would delete")
    purge.add_argument("--older-than", type=days, required=True, metavar="DAYS")
    purge.add_argument("--yes", action="store_true", help="delete them")
    purge.add_argument("--json", action="store_true", help="machine-readable output")
    runs(purge, purge_command)


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
