"""The harassment evidence of a case, read from a SQLite file or a real PostgreSQL server and
written as CSV."""

import csv

import pytest

from callhelper.config import resources_dir
from callhelper.core.case import CaseStatus, Level, NoteKind, WrapUp
from callhelper.core.evidence import EVIDENCE_HEADER, write_evidence_csv
from callhelper.core.flag_review import FlagState
from callhelper.core.flags import load_rules
from callhelper.store import flag_reviews, repository
from callhelper.store.engine import Store
from callhelper.store.evidence import case_evidence
from callhelper.store.repository import NewContact
from evidence_checks import japan_time

RULES = load_rules(resources_dir() / "rules" / "demands.toml")
THREAT = "ふざけるな、SNSに晒すぞ"
KNEELING = "土下座して謝れ"


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    yield store
    store.close()


def call(store, clock, uid, notes, phone="03-1234-5678", name="山田 太郎", agent="鈴木"):
    """A call with notes taken at their offsets (seconds) from its start; the agent
    confirms every flag."""
    start = clock.now()
    with store.unit_of_work() as session:
        contact = repository.start_contact(session, NewContact(uid, agent, "complaint", 2, start,
                                                               phone, name))
        for number, (seconds, kind, text) in enumerate(notes):
            clock.advance(start.timestamp() + seconds - clock.now().timestamp())
            note = repository.add_note(session, uid, f"{uid}-{number}", kind, text,
                                       seconds * 1000, agent, clock.now(), RULES)
            for category in note.flags:
                flag_reviews.review_flag(session, RULES, f"{note.uid}-{category}", note.uid,
                                         category, FlagState.CONFIRMED, agent, clock.now())
        case_id = contact.case_id
    clock.advance(3600)
    return case_id


@pytest.fixture
def complaint(store, clock):
    """A case with two flagged statements among ordinary notes, a senior who took over, and
    other callers' cases beside it."""
    case_id = call(store, clock, "a", [
        (12, NoteKind.QUOTE, "先週買ったばかりなのに電源が入らない"),
        (40, NoteKind.AGENT_NOTE, "お詫びし、状況を確認"),
        (189, NoteKind.QUOTE, THREAT),
        (200, NoteKind.FACT, "購入日 11/13"),
        (420, NoteKind.QUOTE, KNEELING),
    ])
    with store.unit_of_work() as session:
        repository.add_handler(session, "a", "田中主任", "senior", clock.now())
        repository.save_wrap_up(session, "a", WrapUp("電源が入らない", Level.HIGH, Level.LOW,
                                                     "交換", "検品の強化", CaseStatus.OPEN),
                                "鈴木", clock.now())
    call(store, clock, "b", [(5, NoteKind.QUOTE, "ばかやろう")], phone="090-1111-2222",
         name="佐藤")
    return case_id


def test_the_flagged_statements_come_with_the_notes_around_them(store, complaint):
    with store.unit_of_work() as session:
        evidence = case_evidence(session, complaint)
    assert (evidence.subject, evidence.customer_name, evidence.customer_phone) == (
        "電源が入らない", "山田 太郎", "03-1234-5678")
    statements = evidence.statements
    assert [s.note.text for s in statements] == [THREAT, KNEELING], \
        "only this case's flagged statements, in the order they were made"
    first, last = statements
    assert [(flag.category, flag.state, flag.by) for flag in first.note.flags] == [
        ("threat", FlagState.CONFIRMED, "鈴木"), ("intimidation", FlagState.CONFIRMED, "鈴木")]
    assert (first.before.text, first.after.text) == ("お詫びし、状況を確認", "購入日 11/13")
    assert (last.before.text, last.after) == ("購入日 11/13", None)
    assert first.note.offset_ms == 189_000 and first.note.agent == "鈴木"
    assert (first.note.recorded_at - first.contact.started_at).total_seconds() == 189
    assert first.contact.handlers == (("鈴木", "agent"), ("田中主任", "senior"))
    assert evidence.categories == ("threat", "intimidation", "kneeling_apology")


def test_a_case_without_flags_has_no_statements_and_an_unknown_case_no_evidence(store, clock):
    case_id = call(store, clock, "calm", [(3, NoteKind.QUOTE, "返金してほしい")])
    with store.unit_of_work() as session:
        assert case_evidence(session, case_id).statements == ()
        assert case_evidence(session, 999) is None


def test_an_edited_statement_says_so_and_keeps_the_agents_decision(store, clock, complaint):
    with store.unit_of_work() as session:
        repository.edit_note(session, "a-4", "土下座しろ", "鈴木", clock.now(), RULES)
        repository.edit_note(session, "a-2", "SNSを見た", "鈴木", clock.now(), RULES)
    with store.unit_of_work() as session:
        evidence = case_evidence(session, complaint)
    assert [s.note.text for s in evidence.statements] == ["SNSを見た", "土下座しろ"], \
        "a confirmation is the agent's judgment of the statement, not of its spelling"
    assert evidence.statements[1].note.edited_at == clock.now()


def test_the_csv_has_the_exact_words_local_times_and_labels(store, complaint, tmp_path):
    with store.unit_of_work() as session:
        evidence = case_evidence(session, complaint)
    out = tmp_path / "evidence.csv"
    with japan_time():
        assert write_evidence_csv(out, evidence, RULES, "ja") == 2
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with out.open(encoding="utf-8-sig", newline="") as stream:
        header, *rows = list(csv.reader(stream))
    assert tuple(header) == EVIDENCE_HEADER
    first = dict(zip(header, rows[0]))
    assert first["no"] == "1" and first["case"] == str(complaint)
    assert first["text"] == THREAT
    assert first["contact_start"] == "2026-01-05 18:00:00 +09:00"
    assert first["recorded_at"] == "2026-01-05 18:03:09 +09:00"
    assert first["offset"] == "03:09"
    assert first["categories"] == "threat intimidation"
    assert first["category_labels"] == (f"{RULES.label('threat', 'ja')} / "
                                        f"{RULES.label('intimidation', 'ja')}")
    assert first["handlers"] == "鈴木, 田中主任 (senior)"
    assert (first["before_offset"], first["before_kind"], first["before_text"]) == (
        "00:40", "agent_note", "お詫びし、状況を確認")
    assert (first["after_offset"], first["after_text"]) == ("03:20", "購入日 11/13")
    last = dict(zip(header, rows[1]))
    assert (last["text"], last["after_text"], last["edited_at"]) == (KNEELING, "", "")
