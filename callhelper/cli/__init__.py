"""The command line: the call window by default, sub-commands for data work.

The commands live by theme: ``call`` (the window, the phone system's commands, tel: links,
what capture does to words), ``data`` (a caller's contacts, search, export, demo data, the
purge), ``safety`` (verify, backup, restore, doctor, evidence) and ``team`` (the team's
server, the supervisor's review); ``common`` holds what they share. Each theme's
``add_…`` function makes a command's sub-parser and registers the function that runs it
(``common.runs``); ``build_parser`` adds them in the order ``--help`` lists them.
"""

from __future__ import annotations

import argparse
import sys

from callhelper.cli.common import run_data_command, server_url, setup_logging
from callhelper.launcher import new_parser, parse, with_call_command


def build_parser() -> argparse.ArgumentParser:
    """Every command, in the order of ``--help``: the themes are loaded here, so that a
    plain launch (the window, launcher.py) loads none of them."""
    from callhelper.cli import call, data, safety, team

    parser, commands = new_parser()
    parser.set_defaults(run=call.window, uses_window=True, not_on_a_server=None)
    call.register_call(commands)
    for add in (call.add_register_handlers, call.add_analyze, data.add_cases,
                data.add_search, data.add_export, safety.add_evidence, safety.add_verify,
                team.add_review, team.add_board, data.add_demo, safety.add_backup,
                safety.add_restore, safety.add_doctor, data.add_purge, team.add_team):
        add(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parse(build_parser(), with_call_command(list(sys.argv[1:] if argv is None
                                                        else argv)))
    if args.not_on_a_server and not getattr(args, "paths", None) \
            and server_url(args) is not None:
        print(f"callhelper {args.command}: {args.not_on_a_server}", file=sys.stderr)
        return 1
    if args.uses_window:
        return window_command(args, args.run)
    return run_data_command(args.run, args)


def window_command(args: argparse.Namespace, run) -> int:
    """A command that uses the window's data folder (``call``, ``register-handlers``,
    ``review``, the window itself): ``run(args, paths)`` once the log and the folders are
    there."""
    from callhelper.config import make_private_folders, resolve_paths

    paths = resolve_paths(args.data_dir, args.database_url)
    setup_logging(paths.log_dir)
    try:
        make_private_folders(paths)
    except OSError as exc:
        problem = "is a file, not a folder" if paths.data_dir.is_file() else \
            f"cannot be made: {exc.strerror or exc}"
        print(f"callhelper: the data folder {paths.data_dir} {problem}", file=sys.stderr)
        return 1
    return run(args, paths)
