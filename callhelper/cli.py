"""The command line: the call window by default, sub-commands for data work."""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import sys
from pathlib import Path

from callhelper import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="callhelper",
        description="A desktop helper for complaint calls. Without a command it opens the "
                    "call window.")
    parser.add_argument("--version", action="version", version=f"CallHelper {__version__}")
    parser.add_argument("--data-dir", metavar="PATH",
                        help="folder for the database (default: the user data folder; "
                             "environment: CALLHELPER_DATA_DIR)")
    parser.add_argument("--database-url", metavar="URL",
                        help="database URL (default: sqlite:///<data folder>/callhelper.db; "
                             "environment: CALLHELPER_DATABASE_URL)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    analyze = commands.add_parser(
        "analyze", help="show what capture would do to TEXT: masked text, flags, requests")
    analyze.add_argument("text", metavar="TEXT")
    analyze.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


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
    """Warnings and errors to a rotating file in the log folder (and to stderr)."""
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.RotatingFileHandler(
            log_dir / "callhelper.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"))
    except OSError as exc:
        print(f"callhelper: cannot write logs to {log_dir}: {exc}", file=sys.stderr)
    logging.basicConfig(level=logging.WARNING, handlers=handlers,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "analyze":
        return analyze_command(args)
    from callhelper.config import Settings, resolve_paths
    from callhelper.ui.app import run

    paths = resolve_paths(args.data_dir, args.database_url)
    setup_logging(paths.log_dir)
    return run(paths, Settings.for_paths(paths))
