"""The store on SQLite and on PostgreSQL: schema from the migrations, exact round trips, and
SQLite's durability pragmas."""

from datetime import timedelta

import pytest
from databases import raw_rows
from sqlalchemy import inspect, text

from callhelper.config import resources_dir
from callhelper.core.case import CaseStatus, Level, NoteKind, WrapUp
from callhelper.core.flags import load_rules
from callhelper.core.session import StepChange
from callhelper.store import repository
from callhelper.store.engine import Store, head_revision, make_engine, schema_revision, \
    upgrade_schema
from callhelper.store.repository import NewContact, NotFound

RULES = load_rules(resources_dir() / "rules" / "demands.toml")


@pytest.fixture
def db_file(tmp_path):
    return tmp_path / "data" / "callhelper.db"


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    yield store
    store.close()


@pytest.fixture
def sqlite_store(db_file):
    store = Store(f"sqlite:///{db_file}")
    yield store
    store.close()


def new_contact(clock, uid="c1", phone="03-1234-5678", name="山田 太郎"):
    return NewContact(uid=uid, agent="鈴木", playbook_id="complaint", playbook_version=1,
                      started_at=clock.now(), phone=phone, caller_name=name)


def test_an_empty_database_gets_the_whole_schema(empty_database_url):
    store = Store(empty_database_url)
    assert schema_revision(store.engine) == head_revision()
    tables = set(inspect(store.engine).get_table_names())
    store.close()
    assert {"customer", "support_case", "contact", "note", "step_event", "audit_entry"} <= tables


def test_the_file_is_made_when_missing(sqlite_store, db_file):
    """SQLite only: the database is a file the app makes."""
    assert db_file.exists()


def test_connections_use_wal_full_sync_foreign_keys_and_busy_timeout(sqlite_store):
    """SQLite only: the pragmas that make a returned commit durable."""
    with sqlite_store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
        assert connection.execute(text("PRAGMA secure_delete")).scalar() == 1


@pytest.mark.postgresql
def test_postgresql_sessions_work_in_utc_whatever_the_servers_time_zone(postgres_url):
    """PostgreSQL only: times written in SQL as SQLite holds them (UTC, no zone) must mean
    UTC on a server set to Japan's time."""
    store = Store(postgres_url)
    with store.engine.connect() as connection:
        assert connection.execute(text("SHOW TimeZone")).scalar() == "UTC"
        assert connection.execute(text(
            "SELECT CAST('2026-01-05 09:00:00' AS timestamptz) = "
            "CAST('2026-01-05 18:00:00+09' AS timestamptz)")).scalar()
    store.close()


def test_an_empty_database_is_upgraded_when_opened(empty_database_url):
    engine = make_engine(empty_database_url)
    upgrade_schema(engine, "base")
    assert schema_revision(engine) is None
    engine.dispose()
    store = Store(empty_database_url)
    assert schema_revision(store.engine) == head_revision()
    store.close()


def test_a_database_of_the_first_revision_keeps_its_data_when_upgraded(empty_database_url):
    engine = make_engine(empty_database_url)
    upgrade_schema(engine, "0001")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO support_case (id, uid, subject, status, urgency, impact, fix, prevention,"
            " created_at, updated_at) VALUES (1, 'k', '件名', 'open', '', '', '', '',"
            " '2026-01-05 09:00:00', '2026-01-05 09:00:00')"))
        connection.execute(text(
            "INSERT INTO contact (id, uid, case_id, agent, phone, caller_name, playbook_id,"
            " playbook_version, state, started_at, talk_seconds, hold_seconds, on_hold)"
            " VALUES (1, 'k', 1, '佐藤', '', '', 'complaint', 1, 'closed',"
            " '2026-01-05 09:00:00', 0, 0, FALSE)"))
        connection.execute(text(
            "INSERT INTO note (uid, contact_id, kind, text, offset_ms, agent, created_at,"
            " masked_cards) VALUES ('n', 1, 'quote', '古い発言😀', 5000, '佐藤',"
            " '2026-01-05 09:00:05', 0)"))
    engine.dispose()
    store = Store(empty_database_url)
    with store.engine.connect() as connection:
        assert connection.execute(text(
            "SELECT text, CAST(flags AS TEXT), CAST(requests AS TEXT) FROM note")).one() == (
            "古い発言😀", "[]", "[]")
        assert connection.execute(text("SELECT subject, flag_count FROM support_case")).one() \
            == ("件名", 0)
        assert connection.execute(text("SELECT name, role FROM contact_handler")).one() == (
            "佐藤", "agent")
    store.close()


@pytest.mark.parametrize("words", [
    "先週買ったばかりなのに電源が入らない",
    "絵文字も😡🙏そのまま\n二行目\r\n三行目\tタブ",
    "  前後の空白も  ",
    "ｶﾀｶﾅ 全角ＡＢＣ \"quotes\" 'single' <tag> & ; -- DROP TABLE note;",
])
def test_a_note_round_trips_exactly(store, clock, database_url, words):
    with store.unit_of_work() as session:
        repository.start_contact(session, new_contact(clock))
        repository.add_note(session, "c1", "n1", NoteKind.QUOTE, words, 35_000, "鈴木",
                            clock.now(), RULES)
    stored = raw_rows(database_url, "SELECT text, kind, offset_ms, agent FROM note")
    assert stored == [(words, "quote", 35_000, "鈴木")]


def test_card_numbers_are_masked_before_they_are_written(store, clock, database_url):
    with store.unit_of_work() as session:
        repository.start_contact(session, new_contact(clock))
        note = repository.add_note(session, "c1", "n1", NoteKind.QUOTE,
                                   "カードは 4111 1111 1111 1111 です", 0, "鈴木", clock.now(), RULES)
    assert note.masked_cards == 1
    assert raw_rows(database_url, "SELECT text FROM note") == [("カードは **** **** **** 1111 です",)]


def test_no_trace_of_a_card_number_is_left_in_the_files(sqlite_store, clock, db_file):
    """SQLite only: the database's files can be read byte by byte."""
    with sqlite_store.unit_of_work() as session:
        repository.start_contact(session, new_contact(clock))
        repository.add_note(session, "c1", "n1", NoteKind.QUOTE,
                            "カードは 4111 1111 1111 1111 です", 0, "鈴木", clock.now(), RULES)
    assert b"4111 1111 1111 1111" not in b"".join(
        path.read_bytes() for path in db_file.parent.iterdir() if path.is_file())


def test_a_retried_note_is_stored_once(store, clock):
    for _ in range(2):
        with store.unit_of_work() as session:
            repository.start_contact(session, new_contact(clock))
            repository.add_note(session, "c1", "n1", NoteKind.FACT, "一度だけ", 1000, "鈴木",
                                clock.now(), RULES)
    with store.unit_of_work() as session:
        contact = repository.unfinished_contact(session, "鈴木").contact
        assert [n.text for n in repository.contact_notes(session, contact.id)] == ["一度だけ"]


def test_a_note_for_an_unknown_contact_is_refused(store, clock):
    with pytest.raises(NotFound), store.unit_of_work() as session:
        repository.add_note(session, "nope", "n1", NoteKind.QUOTE, "x", 0, "鈴木", clock.now(), RULES)


def test_the_caller_becomes_a_customer_found_again_by_number(store, clock):
    with store.unit_of_work() as session:
        first = repository.start_contact(session, new_contact(clock, "c1"))
        second = repository.start_contact(session, new_contact(clock, "c2", name=""))
        assert first.customer_id is not None
        assert second.customer_id == first.customer_id
        assert second.case_id != first.case_id
        anonymous = repository.start_contact(session, new_contact(clock, "c3", "", ""))
        assert anonymous.customer_id is None


def test_unfinished_contact_carries_notes_and_the_latest_ticks(store, clock):
    with store.unit_of_work() as session:
        repository.start_contact(session, new_contact(clock))
        repository.add_note(session, "c1", "n2", NoteKind.QUOTE, "second", 2000, "鈴木", clock.now(), RULES)
        repository.add_note(session, "c1", "n1", NoteKind.QUOTE, "first", 1000, "鈴木", clock.now(), RULES)
        for step, done, elapsed in [("a", True, 20.0), ("b", True, 30.0), ("b", False, 31.0)]:
            repository.record_step_change(session, "c1", StepChange(step, done, 40.0, elapsed),
                                          "鈴木", clock.now())
        repository.set_hold(session, "c1", True, 30.0, 12.5)
    with store.unit_of_work() as session:
        unfinished = repository.unfinished_contact(session, "鈴木")
        assert repository.unfinished_contact(session, "someone else") is None
    assert [n.text for n in unfinished.notes] == ["first", "second"]
    assert unfinished.ticked == {"a": 20.0}
    assert unfinished.contact.hold_seconds == 12.5
    assert unfinished.contact.started_at == clock.now()


def test_wrap_up_closes_the_contact_and_fills_the_case(store, clock, database_url):
    with store.unit_of_work() as session:
        repository.start_contact(session, new_contact(clock))
        clock.advance(300)
        repository.end_contact(session, "c1", clock.now(), 280.0, 20.0)
        assert repository.unfinished_contact(session, "鈴木").contact.state == "wrap_up"
        repository.save_wrap_up(session, "c1", WrapUp(
            "電源が入らない", Level.HIGH, Level.MEDIUM, "交換品を発送", "出荷前検査に通電確認を追加",
            CaseStatus.WAITING_CALLBACK), "鈴木", clock.now())
    with store.unit_of_work() as session:
        assert repository.unfinished_contact(session, "鈴木") is None
    rows = raw_rows(database_url, "SELECT c.state, c.talk_seconds, c.hold_seconds, s.subject, "
                                  "s.urgency, s.impact, s.fix, s.prevention, s.status "
                                  "FROM contact c JOIN support_case s ON s.id = c.case_id")
    assert rows == [("closed", 280.0, 20.0, "電源が入らない", "high", "medium", "交換品を発送",
                     "出荷前検査に通電確認を追加", "waiting_callback")]


def test_the_customers_words_carry_their_flags_and_requests(store, clock, database_url):
    with store.unit_of_work() as session:
        repository.start_contact(session, new_contact(clock))
        repository.add_note(session, "c1", "n1", NoteKind.QUOTE, "返金しろ、土下座しろ", 0, "鈴木",
                            clock.now(), RULES)
        repository.add_note(session, "c1", "n2", NoteKind.QUOTE, "SNSに晒すぞ", 0, "鈴木",
                            clock.now(), RULES)
        fact = repository.add_note(session, "c1", "n3", NoteKind.FACT, "交換品を発送済み", 0,
                                   "鈴木", clock.now(), RULES)
    assert fact.requests == [] and fact.flags == []
    assert raw_rows(database_url, "SELECT CAST(flags AS TEXT), CAST(requests AS TEXT) "
                                  "FROM note ORDER BY id") == [
        ('["kneeling_apology"]', '["refund"]'), ('["threat"]', '[]'), ("[]", "[]")]
    assert raw_rows(database_url, "SELECT flag_count FROM support_case") == [(2,)]


def test_escalations_and_seniors_are_recorded(store, clock):
    with store.unit_of_work() as session:
        repository.start_contact(session, new_contact(clock))
        repository.set_case_levels(session, "c1", Level.HIGH, Level.LOW, "鈴木", clock.now())
        repository.record_escalation(session, "c1", ["flag"], "summary", "鈴木", 60_000,
                                     clock.now())
        repository.add_handler(session, "c1", "田中主任", "senior", clock.now())
        handlers = repository.contact_handlers(session, "c1")
        case = session.get(repository.SupportCase, 1)
    assert [(h.name, h.role) for h in handlers] == [("鈴木", "agent"), ("田中主任", "senior")]
    assert (case.urgency, case.impact) == ("high", "low")



def test_the_profile_is_saved_and_an_unknown_caller_becomes_a_customer(store, clock):
    profile = repository.CustomerProfile("田中 一郎", "株式会社タナカ", "電話(メールは見ない)",
                                         "水曜午後は不在", " 早口だと聞き取りにくい ")
    with store.unit_of_work() as session:
        repository.start_contact(session, new_contact(clock, "c1", "", ""))
        customer = repository.update_customer(session, "c1", profile, clock.now())
        contact = repository.unfinished_contact(session, "鈴木").contact
        assert contact.customer_id == customer.id
        assert contact.caller_name == "田中 一郎"
        assert customer.note == "早口だと聞き取りにくい"
        repository.start_contact(session, new_contact(clock, "c2"))
        again = repository.update_customer(session, "c2", repository.CustomerProfile(
            name="山田 太郎", preferred_channel="メール"), clock.now())
        assert again.id != customer.id and again.phone_key == "+81312345678"
        assert again.preferred_channel == "メール"


def test_a_journal_replays_what_it_can_and_sets_aside_the_rest(store, clock, tmp_path):
    from dataclasses import asdict

    from callhelper.store import journal
    from callhelper.store.operations import Operation

    path = tmp_path / journal.JOURNAL_FILE
    good = new_contact(clock, "j1")
    journal.append(path, [
        Operation.of("start_contact", **asdict(good)).record(),
        Operation.of("add_note", contact_uid="j1", note_uid="n1", kind=NoteKind.QUOTE,
                     text="カード 4111 1111 1111 1111", offset_ms=0, agent="鈴木",
                     created_at=clock.now()).record(),
        Operation.of("add_note", contact_uid="nobody", note_uid="n2", kind=NoteKind.QUOTE,
                     text="宛先のない言葉", offset_ms=0, agent="鈴木",
                     created_at=clock.now()).record(),
    ])
    assert "4111 1111" not in path.read_text(encoding="utf-8")
    records = journal.load(path)
    with store.unit_of_work() as session:
        applied, failed = journal.replay(session, records, RULES)
    journal.set_aside(path, failed)
    assert applied == 2 and [r["note_uid"] for r in failed] == ["n2"]
    assert not path.exists()
    assert journal.load(tmp_path / journal.FAILED_FILE) == failed
    with store.unit_of_work() as session:
        again = journal.replay(session, records[:2], RULES)
        assert again == (2, [])
        contact = repository.unfinished_contact(session, "鈴木").contact
        assert [n.text for n in repository.contact_notes(session, contact.id)] == [
            "カード **** **** **** 1111"]
