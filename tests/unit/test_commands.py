"""Commands from the phone system: the socket's lines and the bare-number launch."""

import pytest

from callhelper.cli import build_parser, with_call_command
from callhelper.core.commands import Action, Command, CommandError, looks_like_number


def test_a_command_survives_the_socket_line():
    command = Command(Action.START, "０３（１２３４）５６７８", "山田 太郎")
    assert Command.from_line(command.to_line().strip()) == command


@pytest.mark.parametrize("line, reason", [
    (b"\xff\xfe", "not a command"),
    (b"[1, 2]", "JSON object"),
    (b'{"action": "format-disk"}', "unknown action"),
    (b'{"action": "incoming", "number": 12}', "number must be text"),
    (b'{"action": "incoming", "name": "' + b"x" * 300 + b'"}', "name must be text"),
    (b"x" * 70_000, "too long"),
])
def test_malformed_lines_are_refused_with_the_reason(line, reason):
    with pytest.raises(CommandError, match=reason):
        Command.from_line(line)


def test_control_characters_in_a_number_become_spaces():
    line = b'{"action": "incoming", "number": "03-1234\\u0000-5678\\n"}'
    assert Command.from_line(line).number == "03-1234 -5678"


@pytest.mark.parametrize("text", ["03-1234-5678", "+81 3 1234 5678", "tel:+81312345678",
                                  "callto:0312345678", "０３（１２３４）５６７８", "110"])
def test_numbers_and_links_are_numbers(text):
    assert looks_like_number(text)


@pytest.mark.parametrize("text", ["search", "serach", "12", "--json", "山田"])
def test_words_are_not_numbers(text):
    assert not looks_like_number(text)


def test_a_bare_number_becomes_call_incoming_after_the_options():
    names = set(build_parser().command_names)
    assert with_call_command(["--data-dir", "/x", "03-1234-5678"], names) == \
        ["--data-dir", "/x", "call", "incoming", "03-1234-5678"]
    assert with_call_command(["search", "0120"], names) == ["search", "0120"]
    assert with_call_command([], names) == []
