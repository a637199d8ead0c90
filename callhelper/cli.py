"""The command line: the call window by default, sub-commands for data work."""

from __future__ import annotations

import argparse
import sys

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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    from callhelper.config import Settings, resolve_paths
    from callhelper.ui.app import run

    paths = resolve_paths(args.data_dir, args.database_url)
    return run(paths, Settings.for_paths(paths))
