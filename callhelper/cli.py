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
    return parser


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
    from callhelper.config import Settings, resolve_paths
    from callhelper.ui.app import run

    paths = resolve_paths(args.data_dir, args.database_url)
    setup_logging(paths.log_dir)
    return run(paths, Settings.for_paths(paths))
