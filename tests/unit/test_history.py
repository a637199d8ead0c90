"""Caller lookup, Japanese substring search and the case lists, on a SQLite file and on a
real PostgreSQL server."""

from datetime import datetime, timedelta, timezone

import pytest

from callhelper.config import resources_dir
from callhelper.core.clock import ManualClock
from callhelper.core.case import CaseStatus, Level, NoteKind, WrapUp
from callhelper.core.flags import load_rules
from callhelper.store import history, repository
from callhelper.store.demo import fill_demo
from callhelper.store.engine import Store
from callhelper.store.repository import NewContact

RULES = load_rules(resources_dir() / "rules" / "demands.toml")


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    yield store
    store.close()


@pytest.fixture
def sqlite_store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'callhelper.db'}")
    yield store
    store.close()


def call(store, clock, uid, phone, notes=(), subject="", status=CaseStatus.OPEN, agent="鈴木"):
    with store.unit_of_work() as session:
        repository.start_contact(session, NewContact(uid, agent, "complaint", 2, clock.now(),
                                                     phone, "山田"))
        for number, (kind, text) in enumerate(notes):
            repository.add_note(session, uid, f"{uid}-{number}", kind, text, number * 1000, agent,
                                clock.now(), RULES)
        if subject:
            repository.save_wrap_up(session, uid, WrapUp(subject, Level.HIGH, Level.LOW, "対処",
                                                         "再発防止", status), "鈴木", clock.now())
    clock.advance(3600)


def test_one_caller_however_the_number_is_written(store, clock):
    call(store, clock, "a", "03-1234-5678", subject="初回", status=CaseStatus.RESOLVED)
    call(store, clock, "b", "０３（１２３４）５６７８", subject="二回目", status=CaseStatus.OPEN)
    call(store, clock, "c", "+81 3 1234 5678", subject="三回目", status=CaseStatus.RESOLVED,
         agent="佐藤")
    call(store, clock, "other", "090-0000-1111", subject="別の人")
    with store.unit_of_work() as session:
        found = history.caller_history(session, "tel:+81-3-1234-5678")
        newest_first = history.contacts_of_number(session, "0312345678")
    assert found.customer is not None and found.customer.name == "山田"
    assert [c.subject for c in found.contacts] == ["二回目", "三回目", "初回"], \
        "open cases first, then newest first"
    assert [c.subject for c in newest_first] == ["三回目", "二回目", "初回"]
    assert newest_first[0].agent == "佐藤"
    assert found.contacts_since(clock.now() - timedelta(hours=3.5)) == 2


def test_an_unparsable_number_is_matched_exactly(store, clock):
    call(store, clock, "a", "#1234", subject="内線")
    call(store, clock, "b", "非通知", subject="匿名1")
    call(store, clock, "c", "非通知", subject="匿名2")
    with store.unit_of_work() as session:
        assert [c.subject for c in history.caller_history(session, " #1234 ").contacts] == ["内線"]
        assert history.caller_history(session, "#12345").contacts == []
        assert history.caller_history(session, "非通知").contacts == [], \
            "withheld callers are not one caller"
        assert history.caller_history(session, "").customer is None


def test_open_promises_come_with_the_caller(store, clock):
    call(store, clock, "a", "03-1234-5678",
         [(NoteKind.PROMISE, "明日までに折り返す"), (NoteKind.QUOTE, "早くしてほしい")])
    with store.unit_of_work() as session:
        promises = history.caller_history(session, "03-1234-5678").promises
    assert [p.text for p in promises] == ["明日までに折り返す"]


@pytest.mark.parametrize("query, expected", [
    ("電源が入らない", ["先週買ったばかりなのに電源が入らない"]),
    ("返金", ["返金してほしい", "100%返金"]),
    ("電", ["先週買ったばかりなのに電源が入らない"]),
    ("ＰＣ", []),
    ("PC", ["ノートPCが壊れた"]),
    ("pc", ["ノートPCが壊れた"]),
    ("100%", ["100%返金"]),
    ("_", []),
    ('"', ['引用符"あり']),
])
def test_substring_search_of_any_length(store, clock, query, expected):
    call(store, clock, "a", "03-1234-5678", [
        (NoteKind.QUOTE, "先週買ったばかりなのに電源が入らない"),
        (NoteKind.QUOTE, "ノートPCが壊れた"),
        (NoteKind.QUOTE, "100%返金"),
        (NoteKind.QUOTE, '引用符"あり'),
    ])
    call(store, clock, "b", "03-1234-5678", [(NoteKind.QUOTE, "返金してほしい"),
                                             (NoteKind.FACT, "電話で対応")])
    with store.unit_of_work() as session:
        hits = history.search(session, query)
    texts = [hit.text for hit in hits if hit.field == "quote"]
    assert texts == expected
    for hit in hits:
        for start, end in hit.spans:
            assert hit.text[start:end].casefold() == query.casefold()


def test_a_short_query_finds_notes_of_every_kind_newest_first(store, clock):
    call(store, clock, "a", "03-1234-5678", [(NoteKind.QUOTE, "電源が入らない")])
    call(store, clock, "b", "03-1234-5678", [(NoteKind.FACT, "電話で対応")])
    with store.unit_of_work() as session:
        assert [h.text for h in history.search(session, "電")] == ["電話で対応", "電源が入らない"]


def test_case_fields_are_searched_and_kept_in_sync(store, clock):
    call(store, clock, "a", "03-1234-5678", subject="配送の遅延", status=CaseStatus.OPEN)
    with store.unit_of_work() as session:
        assert [h.field for h in history.search(session, "配送の遅延")] == ["subject"]
        repository.save_wrap_up(session, "a", WrapUp("請求の誤り", Level.LOW, Level.LOW, "", "",
                                                     CaseStatus.RESOLVED), "鈴木", clock.now())
    with store.unit_of_work() as session:
        assert history.search(session, "配送の遅延") == []
        assert [h.text for h in history.search(session, "請求の誤り")] == ["請求の誤り"]


def test_demo_data_looks_like_a_contact_centre(sqlite_store):
    """SQLite only: the demo writer fills SQLite's search index itself."""
    store = sqlite_store
    now = datetime(2026, 11, 1, tzinfo=timezone.utc)
    fill_demo(store, 300, 5, RULES, now)
    with store.unit_of_work() as session:
        assert len(history.search(session, "電源が入らない", limit=500)) > 10
        assert history.search(session, "返金")
        flagged = [h for h in history.search(session, "土下座", limit=500)]
        assert flagged
    import sqlite3
    raw = sqlite3.connect(store.url.removeprefix("sqlite:///"))
    assert raw.execute("SELECT count(*) FROM support_case").fetchone() == (300,)
    assert raw.execute("SELECT count(DISTINCT agent) FROM contact").fetchone()[0] >= 5
    assert raw.execute("SELECT count(*) FROM note WHERE flags != '[]'").fetchone()[0] > 0
    assert raw.execute("SELECT count(*) FROM note WHERE kind = 'promise' AND done_at IS NULL"
                       ).fetchone()[0] > 0
    repeat = raw.execute("SELECT max(n) FROM (SELECT count(*) n FROM contact GROUP BY phone_key)"
                         ).fetchone()[0]
    assert repeat >= 3
    assert raw.execute("SELECT min(started_at) >= '2026-05', max(started_at) <= '2026-11-02' "
                       "FROM contact").fetchone() == (1, 1)
    assert raw.execute("SELECT count(*) FROM fts_suspended").fetchone() == (0,)
    assert raw.execute("SELECT count(*) FROM note_fts WHERE note_fts MATCH '\"電源ランプ\"'"
                       ).fetchone() == raw.execute(
        "SELECT count(*) FROM note WHERE text LIKE '%電源ランプ%'").fetchone()
    clock = ManualClock(now)
    call(store, clock, "after", "03-0000-0000", [(NoteKind.QUOTE, "デモの後の発言")],
         subject="デモの後の件名")
    with store.unit_of_work() as session:
        assert sorted(h.text for h in history.search(session, "デモの後")) == [
            "デモの後の件名", "デモの後の発言"]


def test_the_same_seed_gives_the_same_data(tmp_path):
    """SQLite only: the demo writer fills SQLite's search index itself."""
    def digest(name, seed):
        store = Store(f"sqlite:///{tmp_path / name}")
        fill_demo(store, 50, seed, RULES, datetime(2026, 11, 1, tzinfo=timezone.utc))
        with store.engine.connect() as connection:
            from sqlalchemy import text
            rows = connection.execute(text("SELECT text FROM note ORDER BY id")).all()
        store.close()
        return rows

    assert digest("a.db", 9) == digest("b.db", 9)
    assert digest("c.db", 9) != digest("d.db", 10)


def test_cases_are_listed_newest_first_and_filtered(store, clock):
    call(store, clock, "a", "03-1234-5678", [(NoteKind.QUOTE, "土下座しろ")], subject="一件目",
         status=CaseStatus.OPEN)
    call(store, clock, "b", "090-1111-2222", subject="二件目", status=CaseStatus.RESOLVED,
         agent="佐藤")
    with store.unit_of_work() as session:
        repository.record_escalation(session, "b", ["flagged"], "summary", "佐藤", 1000,
                                     clock.now())
        everything = history.list_cases(session, history.CaseFilter())
        assert [row.subject for row in everything] == ["二件目", "一件目"]
        assert everything[1].customer == "山田" and everything[1].flag_count == 1
        assert everything[0].handlers == "佐藤" and everything[0].escalated
        by = lambda **kw: [r.subject for r in history.list_cases(session,  # noqa: E731
                                                                 history.CaseFilter(**kw))]
        assert by(status="open") == ["一件目"]
        assert by(handler="佐藤") == ["二件目"]
        assert by(flagged=True) == ["一件目"]
        assert by(escalated=True) == ["二件目"]
        assert by(since=clock.now() - timedelta(minutes=90)) == ["二件目"]
        assert by(until=clock.now() - timedelta(minutes=90)) == ["一件目"]
        assert history.handlers(session) == ["佐藤", "鈴木"]


def test_a_case_timeline_orders_ticks_notes_and_escalations(store, clock):
    from callhelper.core.session import StepChange

    call(store, clock, "a", "03-1234-5678", [(NoteKind.QUOTE, "一言目"), (NoteKind.FACT, "事実")])
    with store.unit_of_work() as session:
        repository.record_step_change(session, "a", StepChange("listen", True, 0.5, 0.5), "鈴木",
                                      clock.now())
        repository.record_escalation(session, "a", ["flagged"], "s", "鈴木", 1500, clock.now())
        repository.add_handler(session, "a", "田中主任", "senior", clock.now())
        timeline = history.case_timeline(session, 1)
        assert history.case_timeline(session, 99) is None
    (contact,) = timeline.contacts
    assert [(e.offset_ms, e.kind) for e in contact.entries] == [
        (0, "quote"), (500, "tick"), (1000, "fact"), (1500, "escalation")]
    assert contact.handlers == [("鈴木", "agent"), ("田中主任", "senior")]
    assert timeline.customer.name == "山田"


def test_promises_carry_a_due_time_and_are_kept_by_someone(store, clock):
    with store.unit_of_work() as session:
        repository.start_contact(session, NewContact("a", "鈴木", "complaint", 2, clock.now(),
                                                     "03-1234-5678", "山田"))
        for number, hours in enumerate((5, 1, None)):
            repository.add_note(session, "a", f"p{number}", NoteKind.PROMISE, f"約束{number}",
                                0, "鈴木", clock.now(), RULES,
                                clock.now() + timedelta(hours=hours) if hours else None)
        repository.add_note(session, "a", "q", NoteKind.QUOTE, "期限は無視される", 0, "鈴木",
                            clock.now(), RULES, clock.now())
    with store.unit_of_work() as session:
        promises = history.open_promises(session)
        assert [p.text for p in promises] == ["約束1", "約束0", "約束2"]
        due_soon = history.open_promises(session, due_before=clock.now() + timedelta(hours=2))
        assert [p.text for p in due_soon] == ["約束1"]
        kept = repository.complete_promise(session, due_soon[0].note_id, "佐藤", clock.now())
        assert (kept.done_by, kept.done_at) == ("佐藤", clock.now())
        with pytest.raises(repository.NotFound):
            repository.complete_promise(session, 999, "佐藤", clock.now())
    with store.unit_of_work() as session:
        assert [p.text for p in history.open_promises(session)] == ["約束0", "約束2"]
        assert [p.text for p in history.caller_history(session, "03-1234-5678").promises] == [
            "約束0", "約束2"]


def test_a_customer_with_several_numbers_is_one_caller(store, clock):
    call(store, clock, "a", "03-1234-5678", subject="会社から")
    with store.unit_of_work() as session:
        repository.update_customer(session, "a", repository.CustomerProfile(
            name="山田", other_numbers="090-1111-2222、 ０８０－３３３３－４４４４ "), clock.now())
    call(store, clock, "b", "090-1111-2222", subject="携帯から")
    with store.unit_of_work() as session:
        from_mobile = history.caller_history(session, "+819011112222")
        from_office = history.caller_history(session, "0312345678")
        from_unused = history.caller_history(session, "080-3333-4444")
    assert [c.subject for c in from_mobile.contacts] == ["携帯から", "会社から"]
    assert [c.subject for c in from_office.contacts] == ["携帯から", "会社から"]
    assert [c.subject for c in from_unused.contacts] == ["携帯から", "会社から"]
    assert from_office.other_numbers == ["090-1111-2222", "０８０－３３３３－４４４４"]
    assert from_mobile.customer.id == from_office.customer.id


def test_saving_the_profile_from_a_second_number_keeps_that_number(store, clock):
    call(store, clock, "a", "03-1234-5678")
    with store.unit_of_work() as session:
        repository.update_customer(session, "a", repository.CustomerProfile(
            name="山田", other_numbers="090-1111-2222"), clock.now())
    call(store, clock, "b", "090-1111-2222")
    with store.unit_of_work() as session:
        repository.update_customer(session, "b", repository.CustomerProfile(name="山田"),
                                   clock.now())
        assert history.caller_history(session, "090-1111-2222").customer.name == "山田"


def test_find_spans_keeps_positions_when_case_folding_changes_length():
    assert history.find_spans("Straße ß", "ß") == ((4, 5), (7, 8))
