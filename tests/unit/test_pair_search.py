"""Searching for two characters (返金, 解約): the results are those of a plain LIKE over the
rows, whatever was typed, edited, deleted or purged — on a SQLite file, where an index of
character pairs answers (store/grams.py), and on a real PostgreSQL server."""

import random
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from callhelper.config import resources_dir
from callhelper.core.bigrams import bigram_query, bigram_words
from callhelper.core.case import CaseStatus, Level, NoteKind, WrapUp
from callhelper.core.clock import ManualClock
from callhelper.core.flags import load_rules
from callhelper.store import history, repository
from callhelper.store.dialect import contains_operator
from callhelper.store.engine import Store, make_engine, upgrade_schema
from callhelper.store.history import _like
from callhelper.store.repository import NewContact
from callhelper.store.retention import purge

RULES = load_rules(resources_dir() / "rules" / "demands.toml")
#: Few characters, so that pairs repeat: kana and kanji, ASCII letters of both cases,
#: full-width letters, LIKE's own wildcards, punctuation, spaces and an emoji.
ALPHABET = list("返金解約異音しての、。") + list("aAbB") + list("ＡａＢ") + list("%_-\\'\"") \
    + [" ", "\u3000", "😡"]
START = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    yield store
    store.close()


def words(rng: random.Random) -> str:
    length = rng.choice([1, 2, 2, 3, 5, 8, 13])  # many exactly two characters long
    return "".join(rng.choice(ALPHABET) for _ in range(length))


def like_ids(store: Store, query: str, limit: int) -> tuple[list[int], list[int]]:
    """The newest notes and cases holding ``query``, found by scanning every row."""
    with store.unit_of_work() as session:
        like = f"{contains_operator(session)} :q ESCAPE '\\'"
        params = {"q": _like(query), "n": limit}
        notes = session.execute(text(
            f"SELECT id FROM note WHERE text {like} ORDER BY id DESC LIMIT :n"), params)
        cases = session.execute(text(
            f"SELECT id FROM support_case WHERE subject {like} OR fix {like} "
            f"OR prevention {like} ORDER BY id DESC LIMIT :n"), params)
        return notes.scalars().all(), cases.scalars().all()


def found(store: Store, query: str, limit: int) -> tuple[list[int], list[int]]:
    with store.unit_of_work() as session:
        hits = history.search(session, query, limit)
    notes = sorted({hit.id for hit in hits if hit.kind == "note"}, reverse=True)
    cases = sorted({hit.id for hit in hits if hit.kind == "case"}, reverse=True)
    return notes, cases


def test_two_characters_find_what_a_scan_finds_through_edits_deletions_and_purges(store):
    rng = random.Random(20261124)
    clock = ManualClock(START)
    notes: list[str] = []
    for call in range(12):
        uid = f"call-{call}"
        with store.unit_of_work() as session:
            repository.start_contact(session, NewContact(uid, "鈴木", "complaint", 2,
                                                         clock.now()))
            for number in range(rng.randint(3, 8)):
                clock.advance(60)
                note_uid = f"{uid}-{number}"
                repository.add_note(session, uid, note_uid, rng.choice(list(NoteKind)),
                                    words(rng), number * 1000, "鈴木", clock.now(), RULES)
                notes.append(note_uid)
            repository.save_wrap_up(session, uid, WrapUp(
                words(rng), Level.LOW, Level.LOW, words(rng), words(rng),
                CaseStatus.RESOLVED), "鈴木", clock.now())
    # a day later: some notes corrected, some removed, some cases written again
    clock.advance(86_400)
    with store.unit_of_work() as session:
        for note_uid in rng.sample(notes, 25):
            repository.edit_note(session, note_uid, words(rng) + "x", "鈴木", clock.now(), RULES)
        for note_uid in rng.sample(notes, 10):
            repository.delete_note(session, note_uid, "鈴木", clock.now())
        for call in rng.sample(range(12), 4):
            repository.save_wrap_up(session, f"call-{call}", WrapUp(
                words(rng), Level.LOW, Level.LOW, "", words(rng), CaseStatus.RESOLVED),
                "鈴木", clock.now())
    # the oldest calls untouched since then go with a purge
    purged = purge(store, START + timedelta(hours=1), "purge", clock.now())
    assert purged.cases >= 1

    pairs = {a + b for a in ALPHABET for b in ALPHABET if (a + b).strip() == a + b}
    queries = sorted(rng.sample(sorted(pairs), 120)) + ["返金", "Ab", "ａＡ", "%_", "\\'"]
    answered = 0
    for query in queries:
        expected = like_ids(store, query, 500)
        assert found(store, query, 500) == expected, query
        answered += bool(expected[0] or expected[1])
        # a few asked for: the newest notes and cases (newer rows have later times here)
        notes, cases = found(store, query, 3)
        assert notes == like_ids(store, query, 3)[0][:len(notes)], query
        assert cases == like_ids(store, query, 3)[1][:len(cases)], query
        assert bool(notes or cases) == bool(expected[0] or expected[1]), query
    assert answered > 50  # most queries found something: the comparison was not empty


def test_the_newest_notes_holding_the_pair_come_first(store, clock):
    with store.unit_of_work() as session:
        repository.start_contact(session, NewContact("c1", "鈴木", "complaint", 2, clock.now()))
        for number in range(30):
            clock.advance(10)
            words = "返金して" if number % 3 else "返品して"
            repository.add_note(session, "c1", f"n{number}", NoteKind.QUOTE, words, number,
                                "鈴木", clock.now(), RULES)
    with store.unit_of_work() as session:
        hits = history.search(session, "返金", 5)
    assert [hit.id for hit in hits] == like_ids(store, "返金", 5)[0]
    assert [hit.spans for hit in hits] == [((0, 2),)] * 5
    assert len(like_ids(store, "返金", 100)[0]) == 20


def test_letters_of_other_case_and_width(store, clock):
    """ASCII letters match either case, as they always have; on SQLite, full-width letters
    match only themselves (LIKE's rule), on PostgreSQL (ILIKE) either case."""
    with store.unit_of_work() as session:
        repository.start_contact(session, NewContact("c1", "鈴木", "complaint", 2, clock.now()))
        for number, words in enumerate(["OK です", "ok", "ＯＫ", "ｏｋ"]):
            repository.add_note(session, "c1", f"n{number}", NoteKind.FACT, words, number,
                                "鈴木", clock.now(), RULES)
    assert found(store, "Ok", 50)[0] == like_ids(store, "Ok", 50)[0]
    assert len(found(store, "Ok", 50)[0]) == 2
    assert found(store, "ＯＫ", 50)[0] == like_ids(store, "ＯＫ", 50)[0]


def test_the_pairs_of_a_text():
    assert bigram_words("返金します") == "返金 金し しま ます"
    assert bigram_words("返金 返金\u3000金") == "返金"
    assert bigram_words("返") == "" and bigram_words("") == ""
    assert bigram_query("返金") == '"返金"'
    assert bigram_query("返") is None and bigram_query("返金し") is None
    # punctuation is kept inside the word, not split off by the index's tokenizer
    assert bigram_query("A-") != bigram_query("A.") and len(bigram_words("A-B").split()) == 2


def test_an_older_file_has_its_notes_and_cases_indexed_when_upgraded(tmp_path):
    path = tmp_path / "callhelper.db"
    upgrade_schema(make_engine(f"sqlite:///{path}"), "0007")
    raw = sqlite3.connect(path)
    raw.executescript("""
        INSERT INTO support_case (id, uid, subject, status, urgency, impact, fix, prevention,
            flag_count, created_at, updated_at)
            VALUES (1, 'k1', '解約の相談', 'open', '', '', '', '', 0,
                    '2026-01-01 00:00:00', '2026-01-01 00:00:00');
        INSERT INTO contact (id, uid, case_id, agent, phone, phone_key, caller_name,
            playbook_id, playbook_version, state, started_at, talk_seconds, hold_seconds,
            on_hold) VALUES (1, 'k1', 1, '鈴木', '', '', '', 'complaint', 1, 'closed',
            '2026-01-01 00:00:00', 0, 0, 0);
        INSERT INTO note (id, uid, contact_id, kind, text, offset_ms, agent, created_at,
            masked_cards, flags, requests, done_by)
            VALUES (1, 'n1', 1, 'quote', '返金してほしい', 0, '鈴木', '2026-01-01 00:00:01',
                    0, '[]', '[]', ''),
                   (2, 'n2', 1, 'fact', '異音', 0, '鈴木', '2026-01-01 00:00:02',
                    0, '[]', '[]', '');
    """)
    raw.commit()
    raw.close()
    store = Store(f"sqlite:///{path}")  # upgraded to the head as the app opens it
    try:
        assert found(store, "返金", 50) == ([1], [])
        assert found(store, "異音", 50) == ([2], [])
        assert found(store, "解約", 50) == ([], [1])
        assert found(store, "ほし", 50) == ([1], [])
    finally:
        store.close()


def indexed_pairs(path) -> dict[str, set[int]]:
    """The pair index of notes as it stands: each pair written by the notes' words, with
    the ids the index holds it for."""
    connection = sqlite3.connect(path)
    try:
        pairs = {pair for (words,) in connection.execute("SELECT text FROM note")
                 for pair in bigram_words(words).split()} | set(TYPED_PAIRS)
        return {pair: {row for (row,) in connection.execute(
            "SELECT rowid FROM note_bigram WHERE note_bigram MATCH ?", (f'"{pair}"',))}
            for pair in pairs}
    finally:
        connection.close()


TYPED_PAIRS = ("返金", "解約", "異音", "して")


def test_every_writer_leaves_the_pair_index_holding_exactly_the_notes_words(tmp_path, clock):
    """Adding, editing, deleting and purging notes: the index holds each note for the pairs
    of its words now, and for none of its old words (a search checks its hits again, so a
    stale entry would only show here)."""
    path = tmp_path / "callhelper.db"
    store = Store(f"sqlite:///{path}")
    try:
        uids = []
        for number, words in enumerate(("返金してほしい", "解約したい", "異音がする", "返金と解約")):
            contact = f"call-{number}"
            with store.unit_of_work() as session:
                repository.start_contact(session, NewContact(
                    contact, "鈴木", "complaint", 1, START + timedelta(days=number),
                    phone="03-1234-5678"))
                repository.add_note(session, contact, f"note-{number}", NoteKind.QUOTE, words,
                                    1000, "鈴木", START + timedelta(days=number), RULES)
            uids.append(f"note-{number}")
        with store.unit_of_work() as session:
            repository.edit_note(session, uids[0], "異音がして困る", "鈴木", START, RULES)
            repository.delete_note(session, uids[1], "鈴木", START)
        purge(store, START + timedelta(days=3) - timedelta(hours=1), "鈴木", START)
    finally:
        store.close()
    connection = sqlite3.connect(path)
    notes = dict(connection.execute("SELECT id, text FROM note").fetchall())
    connection.close()
    expected = {pair: {note_id for note_id, words in notes.items()
                       if pair in bigram_words(words).split()}
                for pair in indexed_pairs(path)}
    assert indexed_pairs(path) == expected
