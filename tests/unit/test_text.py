"""What a note may hold: stored exactly as typed, with the one documented substitution
(a lone surrogate becomes U+FFFD) and card numbers masked; `analyze` never fails."""

import io
import json
import sqlite3
import uuid
from contextlib import redirect_stdout
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text as sql

from callhelper.cli import main
from callhelper.config import resources_dir
from callhelper.core.case import NoteKind
from callhelper.core.flags import analyze, load_rules
from callhelper.core.pii import mask_card_numbers
from callhelper.core.text import REPLACEMENT, storable_text
from callhelper.store import repository
from callhelper.store.audit import verify
from callhelper.store.engine import Store
from callhelper.store.repository import NewContact

RULES = load_rules(resources_dir() / "rules" / "demands.toml")
RULES.prepare()  # the model is read once, as when the app opens its database
NOW = datetime(2026, 11, 23, 10, 15, tzinfo=timezone.utc)

#: Any character Python can hold, lone surrogates included.
ANY_CHARACTER = st.characters(exclude_categories=())
#: Pieces of what agents type and paste, to mix with random characters.
PIECES = st.sampled_from([
    "返金しろ", "誠意を見せろ", "土下座しろ", "上司を出せ", "4111 1111 1111 1111", "03-1234-5678",
    "😡", "🙇‍♂️", "👍🏽", "שלום", "مرحبا", "\u202e", "\u200b", "\x00", "\t", "\n", "\r", "\x1b[31m",
    "\ud800", "\udfff", "\ud83d\ude00", "ｶﾀｶﾅ", "  ", "\ufffd", "\u3099", "ﾞ", "Ⅻ", "²",
])
TEXTS = st.one_of(st.text(ANY_CHARACTER, max_size=80),
                  st.lists(st.one_of(PIECES, st.text(ANY_CHARACTER, max_size=5)),
                           max_size=12).map("".join))


def is_utf8(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def lone_surrogates(text):
    """How many surrogates in ``text`` are not the high-then-low halves of one character."""
    lone, position = 0, 0
    while position < len(text):
        if "\ud800" <= text[position] <= "\udbff" and position + 1 < len(text) \
                and "\udc00" <= text[position + 1] <= "\udfff":
            position += 2
            continue
        lone += "\ud800" <= text[position] <= "\udfff"
        position += 1
    return lone


@pytest.mark.parametrize("typed, stored, replaced", [
    ("言葉\ud800です", "言葉\ufffdです", 1),
    ("\udcff\udcfe", "\ufffd\ufffd", 2),
    ("\ud83d\ude00", "😀", 0),  # the two halves of one character are that character
    ("\ude00\ud83d", "\ufffd\ufffd", 2),  # the wrong way round they are not
    ("既に\ufffdがある\ud800", "既に\ufffdがある\ufffd", 1),
    ("NUL\x00 tab\t 😡 שלום", "NUL\x00 tab\t 😡 שלום", 0),
])
def test_only_lone_surrogates_are_replaced(typed, stored, replaced):
    assert storable_text(typed) == (stored, replaced)


@given(TEXTS)
def test_storable_text_can_always_be_stored_and_changes_nothing_else(typed):
    stored, replaced = storable_text(typed)
    assert is_utf8(stored)
    assert replaced == lone_surrogates(typed)
    assert stored.count(REPLACEMENT) == typed.count(REPLACEMENT) + replaced
    if is_utf8(typed):
        assert stored == typed


@given(TEXTS)
def test_analyze_never_fails_and_its_spans_are_inside_the_stored_text(typed):
    analysis = analyze(typed, RULES)
    assert is_utf8(analysis.text)
    assert analysis.text == mask_card_numbers(storable_text(typed)[0])[0]
    for match in analysis.flags + analysis.requests:
        assert 0 <= match.start < match.end <= len(analysis.text)
    json.dumps(analysis.as_dict(), ensure_ascii=False).encode("utf-8")


@settings(max_examples=60)
@given(TEXTS)
def test_the_analyze_command_prints_any_text_it_is_given(typed):
    for json_output in (False, True):
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # strict, as a real terminal
        with redirect_stdout(out):
            code = main(["analyze", *(["--json"] if json_output else []), "--", typed])
        out.flush()
        assert code == 0
        printed = out.buffer.getvalue().decode("utf-8")
        if json_output:
            assert json.loads(printed)["text"] == analyze(typed, RULES).text


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('text') / 'callhelper.db'}")
    with store.unit_of_work() as session:
        repository.start_contact(session, NewContact("call", "鈴木", "complaint", 1, NOW,
                                                     "03-1234-5678", "山田"))
    yield store
    store.close()


def read_back(store, uid):
    """The note's words as the file holds them, read with the driver alone."""
    connection = sqlite3.connect(store.url[len("sqlite:///"):])
    try:
        return connection.execute("SELECT text FROM note WHERE uid = ?", (uid,)).fetchone()[0]
    finally:
        connection.close()


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=TEXTS, kind=st.sampled_from(list(NoteKind)), data=st.data())
def test_a_note_reads_back_as_typed_but_for_replaced_surrogates_and_masked_cards(
        store, typed, kind, data):
    expected = mask_card_numbers(storable_text(typed)[0])[0]
    uid = uuid.uuid4().hex
    with store.unit_of_work() as session:
        note = repository.add_note(session, "call", uid, kind, typed, 1000, "鈴木", NOW, RULES)
    assert note.text == expected
    assert read_back(store, uid) == expected
    corrected = data.draw(TEXTS.filter(lambda words: words.strip()))
    with store.unit_of_work() as session:
        repository.edit_note(session, uid, corrected, "鈴木", NOW, RULES)
    assert read_back(store, uid) == mask_card_numbers(storable_text(corrected)[0])[0]


def test_the_audit_trail_holds_every_note_stored_above_exactly(store):
    """The trail's copies of the words match the notes: those of the round trips above when
    they ran first in this process, and these in any case."""
    for typed, corrected in (("カード 4111 1111 1111 1111 \ud800です", "言い直し\u3000 "),
                             ("「責任者を出せ」\n二行目", "「責任者を出せ」")):
        uid = uuid.uuid4().hex
        with store.unit_of_work() as session:
            repository.add_note(session, "call", uid, NoteKind.QUOTE, typed, 1000, "鈴木", NOW,
                                RULES)
        with store.unit_of_work() as session:
            repository.edit_note(session, uid, corrected, "鈴木", NOW, RULES)
    with store.engine.connect() as connection:
        assert connection.execute(sql("SELECT count(*) FROM note")).scalar() > 0
        assert verify(connection).ok
