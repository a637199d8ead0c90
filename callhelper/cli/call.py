"""The call: the window itself, ``callhelper call …`` (and ``callhelper NUMBER``) from the
phone system, tel: and callto: links, and what capture does to a note's words."""

from __future__ import annotations

import argparse
import sys

from callhelper.cli.common import runs
from callhelper.launcher import command_fields, print_answer, unsure


def window(args: argparse.Namespace, paths) -> int:
    """``callhelper`` without a command: the call window."""
    return open_window(paths)


def register_call(commands) -> None:
    """``call`` is made by the launcher's parser (launcher.py), which hands it to a running
    window without loading this package; here it gets what it does when none took it."""
    runs(commands.choices["call"], call_command, window=True)


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
    from callhelper.app.instance import NotAnswering, ask

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
    from callhelper.ui.start import run
    from callhelper.app.instance import NotAnswering

    try:
        return run(paths, Settings.for_paths(paths), command)
    except (NotAnswering, UnsafeChannel) as exc:
        print(f"{who}: {exc}", file=sys.stderr)
        return 1


def add_register_handlers(commands) -> None:
    runs(commands.add_parser(
        "register-handlers", help="make CallHelper open tel: and callto: links (this user "
                                  "only)"),
         register_handlers_command, window=True)


def register_handlers_command(args: argparse.Namespace, paths) -> int:
    from callhelper.handlers import register_handlers

    try:
        for line in register_handlers():
            print(line)
    except OSError as exc:
        print(f"callhelper register-handlers: {exc}", file=sys.stderr)
        return 1
    return 0


def add_analyze(commands) -> None:
    analyze = commands.add_parser(
        "analyze", help="show what capture would do to TEXT: masked text, flags, requests")
    analyze.add_argument("text", metavar="TEXT")
    analyze.add_argument("--json", action="store_true", help="machine-readable output")
    runs(analyze, analyze_command)


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
