"""Commands from the phone system: the socket's lines and the bare-number launch."""

from dataclasses import replace

import pytest

from callhelper.cli import build_parser, with_call_command
from callhelper.core.commands import Action, Command, CommandError, note_operation_uid
from callhelper.core.wire import looks_like_number


def test_a_command_survives_the_socket_line():
    command = Command(Action.START, "０３（１２３４）５６７８", "山田 太郎")
    assert Command.from_line(command.to_line().strip()) == command


def test_a_note_keeps_the_id_its_sender_chose_and_gets_one_if_it_chose_none():
    note = Command(Action.NOTE, text="返金してほしい", id="call-1.note-2")
    assert Command.from_line(note.to_line().strip()).id == "call-1.note-2"
    line = '{"action": "note", "text": "返金してほしい"}'.encode()
    first, second = Command.from_line(line), Command.from_line(line)
    assert first.id and second.id and first.id != second.id


def test_a_note_sent_again_is_the_same_operation_and_another_note_another():
    note = Command(Action.NOTE, text="返金してほしい", id="call-1.note-2")
    sent_again = Command.from_line(note.to_line().strip())
    uid = note_operation_uid(note, "contact-1")
    assert note_operation_uid(sent_again, "contact-1") == uid != note.id
    for other in (replace(note, id="call-1.note-3"), replace(note, text="上司を出せ"),
                  replace(note, kind="request")):
        assert note_operation_uid(other, "contact-1") != uid
    assert note_operation_uid(note, "another agent's call") != uid


def test_call_note_takes_an_id_and_refuses_one_that_is_not():
    parser = build_parser()
    assert parser.parse_args(["call", "note", "--id", "call-1.note-2", "言葉"]).id == \
        "call-1.note-2"
    with pytest.raises(SystemExit) as refused:
        parser.parse_args(["call", "note", "--id", "two words", "言葉"])
    assert refused.value.code == 2


@pytest.mark.parametrize("line, reason", [
    (b"\xff\xfe", "not a command"),
    (b"[1, 2]", "JSON object"),
    (b'{"action": "format-disk"}', "unknown action"),
    (b'{"action": "incoming", "number": 12}', "number must be text"),
    (b'{"action": "incoming", "name": "' + b"x" * 300 + b'"}', "name must be text"),
    (b"x" * 70_000, "too long"),
    (b'{"action": "note", "text": "x", "id": "two words"}', "id must be"),
    (b'{"action": "note", "text": "x", "id": 7}', "id must be"),
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
    assert with_call_command(["--data-dir", "/x", "03-1234-5678"]) == \
        ["--data-dir", "/x", "call", "incoming", "03-1234-5678"]
    assert with_call_command(["search", "0120"]) == ["search", "0120"]
    assert with_call_command([]) == []


def test_a_deeply_nested_line_is_refused_with_a_message_and_brackets_in_words_are_no_nesting():
    with pytest.raises(CommandError, match="nested deeper than 32 levels"):
        Command.from_line(b"[" * 60_000 + b"]" * 5_000)
    note = Command(Action.NOTE, text="[[[[" * 100 + '"{{{{' * 50, id="n-1")
    assert Command.from_line(note.to_line().strip()) == note
