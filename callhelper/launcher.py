"""What ``callhelper`` runs first: the ring path, then everything else.

A softphone runs ``callhelper NUMBER`` or ``callhelper call …`` at every step of every
call, while the window runs. Such a launch is handed to the window by the plain client of
channel.py, having loaded only what that needs — no Qt, no database layer, no demand
rules — so the window hears of the call about as soon as a bare Python process could
tell it. Only when no window takes the command does the launch load the app (the cli
package) and become the window or say what is wrong. Every other command goes to the cli
package at once.

On Windows the window listens on a named pipe, which the plain client cannot reach: there
every launch goes through the cli package and Qt's client (app/instance.py).
"""

from __future__ import annotations

import argparse
import sys

from callhelper import __version__
from callhelper.core.wire import NOTE_KINDS, clean, looks_like_number, new_command_id

OPTIONS_WITH_VALUES = ("--data-dir", "--database-url")
#: The ``call`` actions whose answer the launch waits for and prints.
ANSWERED = ("status", "note")


class Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr (exit code 2), naming the command and where its
    usage is shown."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see: {self.prog} --help)\n")


def new_parser() -> tuple[Parser, argparse._SubParsersAction]:
    """The top-level parser with its options, and its sub-commands with ``call``; the cli
    package adds the others."""
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
    add_call_command(commands)
    return parser, commands


def add_call_command(commands: argparse._SubParsersAction) -> None:
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
                                           "says 'saved' once it is on disk, or 'queued' if "
                                           "the database cannot take it yet (it is saved "
                                           "later), with the note's id")
    note.add_argument("text", type=typed_text, metavar="TEXT")
    note.add_argument("--kind", default="quote",
                      choices=NOTE_KINDS)
    note.add_argument("--id", type=command_id, metavar="ID",
                      help="the note's id (default: a new one): a note sent again with the "
                           "same id is saved once, so a script may retry safely")
    note.add_argument("--json", action="store_true", help="machine-readable output")
    status = actions.add_parser("status", help="what the running window shows")
    status.add_argument("--json", action="store_true", help="machine-readable output")


def typed_text(argument: str) -> str:
    """Words from the command line as they can be stored: bytes that are not UTF-8 (which
    Python keeps as lone surrogates) become U+FFFD, as in notes (core/text.py)."""
    from callhelper.core.text import storable_text

    return storable_text(argument)[0]


def command_id(argument: str) -> str:
    from callhelper.core.wire import CommandError, checked_id

    try:
        return checked_id(argument)
    except CommandError as exc:
        raise argparse.ArgumentTypeError(f"{exc}: {argument!r}") from None


def command_parser(parser: argparse.ArgumentParser,
                   args: argparse.Namespace) -> argparse.ArgumentParser:
    """The parser of the command (and action) that ``args`` name."""
    for name in (getattr(args, "command", None), getattr(args, "action", None)):
        commands = getattr(parser, "command_names", {})
        if name not in commands:
            break
        parser = commands[name]
    return parser


def parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    args, extra = parser.parse_known_args(argv)
    if extra:  # told by the command they were given to, with its usage
        command_parser(parser, args).error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def first_command(argv: list[str]) -> int | None:
    """The index of the first argument that is neither an option nor an option's value."""
    index = 0
    while index < len(argv):
        argument = argv[index]
        if argument in OPTIONS_WITH_VALUES:
            index += 2
        elif argument.startswith("-") and not looks_like_number(argument):
            index += 1
        else:
            return index
    return None


def with_call_command(argv: list[str]) -> list[str]:
    """``callhelper NUMBER`` (how softphones pass the caller) as ``call incoming NUMBER``.
    No command's name looks like a number."""
    index = first_command(argv)
    if index is not None and looks_like_number(argv[index]):
        return argv[:index] + ["call", "incoming"] + argv[index:]
    return argv


def command_fields(args: argparse.Namespace) -> dict:
    """What ``callhelper call …`` tells the window, as core.commands.Command's fields."""
    fields = {"action": args.action, "number": clean(getattr(args, "number", "")),
              "name": clean(getattr(args, "name", "")), "text": getattr(args, "text", ""),
              "kind": getattr(args, "kind", "quote")}
    if getattr(args, "id", None):
        fields["id"] = args.id
    return fields


def unsure(fields: dict) -> str:
    """What to add when a note's fate is not known: how to send it again safely."""
    if fields["action"] != "note":
        return ""
    return (f"; the note may still be saved: send it again with --id {fields['id']} and it "
            "is saved once")


def print_answer(who: str, reply: bytes, unsure_note: str, as_json: bool) -> int:
    """Print the window's answer line to ``call status`` or ``call note``."""
    import json

    from callhelper.core.wire import bounded_json

    try:
        answer = bounded_json(reply.decode("utf-8"))
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        print(f"{who}: no answer from the window{unsure_note}", file=sys.stderr)
        return 1
    if "error" in answer:
        print(f"{who}: {answer['error']}", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(answer, ensure_ascii=False))
    else:
        for key, value in answer.items():
            print(f"{key}: {value}")
    if answer.get("status") == "kept":  # a note: (``call status`` only reports the state)
        from callhelper.channel import UNSAVED

        print(f"{who}: not saved: {answer.get('unsaved', '')}", file=sys.stderr)
        return UNSAVED
    return 0


def hand_over(args: argparse.Namespace) -> int | None:
    """``callhelper call …`` handed to the running window with the plain client: the exit
    code, or None when no window took it (the cli package then starts one, or says what is
    wrong)."""
    from callhelper import channel
    from callhelper.core.wire import command_line
    from callhelper.locations import window_database

    who = f"callhelper call {args.action}" if args.action != "show" else "callhelper"
    fields = command_fields(args)
    try:
        where = channel.address(window_database(args.data_dir, args.database_url))
        reply = channel.send(where, command_line(**fields), wait_reply=args.action in ANSWERED)
    except channel.UnsafeChannel as exc:
        print(f"{who}: {exc}", file=sys.stderr)
        return 1
    if reply is None:
        return None
    if args.action in ANSWERED:
        return print_answer(who, reply, unsure(fields), args.json)
    return channel.launch_answer(who, reply)


def main(argv: list[str] | None = None) -> int:
    argv = with_call_command(list(sys.argv[1:] if argv is None else argv))
    index = first_command(argv)
    if index is None and not {"-h", "--help"} & set(argv):
        return open_the_window(argv)
    if sys.platform == "win32" or index is None or argv[index] != "call":
        from callhelper.cli import main as full_main

        return full_main(argv)
    args = parse(new_parser()[0], argv)
    if args.action == "note" and not args.id:
        args.id = new_command_id()  # the same id if the note must go the long way below
    handed = hand_over(args)
    if handed is not None:
        return handed
    from callhelper.cli import window_command
    from callhelper.cli.call import call_command

    return window_command(args, call_command)


def open_the_window(argv: list[str]) -> int:
    """``callhelper`` with options only: the running window brought to the front through
    the plain client, as a ring is; else the window, read with this module's parser, which
    knows the options: the cli package's other commands and their parser are not loaded
    (they would delay the window)."""
    args = parse(new_parser()[0], argv)
    if sys.platform != "win32":  # a window running: brought to the front, as a ring would
        args.action = "show"
        handed = hand_over(args)
        if handed is not None:
            return handed
    from callhelper.cli import window_command
    from callhelper.cli.call import window

    return window_command(args, window)
