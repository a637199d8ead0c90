"""Upgrading an agent's file from any earlier schema keeps every row.

For each revision from the first to the one before the head (read from the Alembic script
directory, so a new revision is covered without touching this file), a database is built
at that revision and filled, with plain SQL, with a representative day of calls: rows in
every table that exists at that revision, written as the app of that time wrote them. It
is then opened as the app opens it (``Store(url)``, which upgrades it to the head), and
checked: no row lost or changed, the search finds the notes' words, the caller's history
finds their calls, the open call can be resumed, and ``callhelper verify`` passes (the
audit trail's baseline is made by migration 0007).
"""

import json
import sqlite3
from datetime import datetime, timezone

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from callhelper.cli import main
from callhelper.config import resources_dir
from callhelper.core.audit import Entity
from callhelper.core.case import NoteKind
from callhelper.core.flag_review import FlagState
from callhelper.core.flags import load_rules
from callhelper.core.phones import phone_key
from callhelper.store import audit, flag_reviews, grams, history, repository
from callhelper.store.audit import baseline, verify
from callhelper.store.engine import (MIGRATIONS_DIR, Store, head_revision, make_engine,
                                     schema_revision, upgrade_schema)
from callhelper.store.models import Note
from truncation import anchored, trail_end

RULES = load_rules(resources_dir() / "rules" / "demands.toml")
AGENT = "鈴木"


def revisions_in_order() -> list[str]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return [script.revision for script in
            reversed(list(ScriptDirectory.from_config(config).walk_revisions()))]


REVISIONS = revisions_in_order()
BEFORE_HEAD = REVISIONS[:-1]


def moment(day: int, hour: int, minute: int = 0) -> str:
    """A time as the app stores it in SQLite (UTC, no zone)."""
    return datetime(2026, 11, day, hour, minute, 5, 250000).strftime("%Y-%m-%d %H:%M:%S.%f")


CUSTOMERS = [
    {"id": 1, "name": "山田 太郎", "company": "山田商店", "phone": "03-1234-5678",
     "note": "夕方以降は不在", "created_at": moment(2, 9), "preferred_channel": "email",
     "unavailable": "平日 9-12時"},
    {"id": 2, "name": "佐藤 花子", "company": "", "phone": "090-1111-2222", "note": "",
     "created_at": moment(3, 14), "preferred_channel": "", "unavailable": ""},
]
CASES = [
    {"id": 1, "uid": "case-closed", "customer_id": 1, "subject": "購入直後の電源不良",
     "status": "resolved", "urgency": "high", "impact": "medium", "fix": "新品と交換",
     "prevention": "出荷前検査を追加", "created_at": moment(2, 9), "updated_at": moment(2, 10),
     "flag_count": 1},
    {"id": 2, "uid": "case-callback", "customer_id": 2, "subject": "配送の遅れ",
     "status": "waiting_callback", "urgency": "medium", "impact": "low", "fix": "",
     "prevention": "", "created_at": moment(3, 14), "updated_at": moment(3, 14, 30),
     "flag_count": 0},
    {"id": 3, "uid": "case-open", "customer_id": 1, "subject": "", "status": "open", "urgency": "",
     "impact": "", "fix": "", "prevention": "", "created_at": moment(4, 11),
     "updated_at": moment(4, 11), "flag_count": 0},
]
CONTACTS = [
    {"id": 1, "uid": "case-closed", "case_id": 1, "customer_id": 1, "agent": AGENT,
     "phone": "03-1234-5678", "caller_name": "山田 太郎", "playbook_id": "complaint",
     "playbook_version": 2, "state": "closed", "started_at": moment(2, 9),
     "ended_at": moment(2, 9, 25), "talk_seconds": 1430.5, "hold_seconds": 70.0, "on_hold": 0},
    {"id": 2, "uid": "case-callback", "case_id": 2, "customer_id": 2, "agent": "佐藤",
     "phone": "090-1111-2222", "caller_name": "佐藤 花子", "playbook_id": "complaint",
     "playbook_version": 2, "state": "closed", "started_at": moment(3, 14),
     "ended_at": moment(3, 14, 12), "talk_seconds": 700.0, "hold_seconds": 0.0, "on_hold": 0},
    {"id": 3, "uid": "case-open", "case_id": 3, "customer_id": 1, "agent": AGENT,
     "phone": "０３（１２３４）５６７８", "caller_name": "", "playbook_id": "complaint",
     "playbook_version": 2, "state": "active", "started_at": moment(4, 11), "ended_at": None,
     "talk_seconds": 95.0, "hold_seconds": 0.0, "on_hold": 1},
]
NOTES = [
    {"id": 1, "uid": "note-1", "contact_id": 1, "kind": "quote",
     "text": "先週買ったばかりなのに電源が入らない", "offset_ms": 35_000, "agent": AGENT,
     "created_at": moment(2, 9, 1), "masked_cards": 0, "flags": [], "requests": []},
    {"id": 2, "uid": "note-2", "contact_id": 1, "kind": "quote",
     "text": "土下座しろ、カード **** **** **** 1111 で払ったんだ", "offset_ms": 90_000,
     "agent": AGENT, "created_at": moment(2, 9, 2), "masked_cards": 1,
     "flags": ["kneeling_apology"], "requests": []},
    {"id": 3, "uid": "note-3", "contact_id": 1, "kind": "request", "text": "返金してほしい",
     "offset_ms": 120_000, "agent": AGENT, "created_at": moment(2, 9, 3), "masked_cards": 0,
     "flags": [], "requests": ["refund"]},
    {"id": 4, "uid": "note-4", "contact_id": 2, "kind": "promise",
     "text": "明日の午前中に折り返し電話", "offset_ms": 400_000, "agent": "佐藤",
     "created_at": moment(3, 14, 7), "masked_cards": 0, "flags": [], "requests": [],
     "due_at": moment(4, 2), "done_at": None, "done_by": ""},
    {"id": 5, "uid": "note-5", "contact_id": 2, "kind": "promise", "text": "交換品の発送を連絡",
     "offset_ms": 500_000, "agent": "佐藤", "created_at": moment(3, 14, 9), "masked_cards": 0,
     "flags": [], "requests": [], "due_at": moment(3, 18), "done_at": moment(3, 17),
     "done_by": "佐藤"},
    {"id": 6, "uid": "note-6", "contact_id": 3, "kind": "fact", "text": "11/15購入・店頭受取 😡",
     "offset_ms": 20_000, "agent": AGENT, "created_at": moment(4, 11, 1), "masked_cards": 0,
     "flags": [], "requests": []},
]
STEP_EVENTS = [
    {"id": 1, "contact_id": 1, "step_id": "apologize", "done": 1, "offset_ms": 20_000,
     "step_elapsed_ms": 20_000, "agent": AGENT, "created_at": moment(2, 9, 1)},
    {"id": 2, "contact_id": 1, "step_id": "listen", "done": 1, "offset_ms": 300_000,
     "step_elapsed_ms": 280_000, "agent": AGENT, "created_at": moment(2, 9, 5)},
    {"id": 3, "contact_id": 3, "step_id": "apologize", "done": 1, "offset_ms": 15_000,
     "step_elapsed_ms": 15_000, "agent": AGENT, "created_at": moment(4, 11, 1)},
]
HANDLERS = [
    {"id": 1, "contact_id": 1, "name": AGENT, "role": "agent", "joined_at": moment(2, 9)},
    {"id": 2, "contact_id": 1, "name": "高橋", "role": "senior", "joined_at": moment(2, 9, 20)},
    {"id": 3, "contact_id": 2, "name": "佐藤", "role": "agent", "joined_at": moment(3, 14)},
    {"id": 4, "contact_id": 3, "name": AGENT, "role": "agent", "joined_at": moment(4, 11)},
]
ESCALATIONS = [
    {"id": 1, "contact_id": 1, "reasons": ["flagged"], "summary": "土下座の要求あり、交代",
     "agent": AGENT, "offset_ms": 1_100_000, "created_at": moment(2, 9, 19)},
]
CUSTOMER_PHONES = [
    {"id": 1, "customer_id": 1, "phone": "03-1234-5678", "phone_key": phone_key("03-1234-5678")},
    {"id": 2, "customer_id": 2, "phone": "090-1111-2222",
     "phone_key": phone_key("090-1111-2222")},
    {"id": 3, "customer_id": 1, "phone": "06-9876-5432", "phone_key": phone_key("06-9876-5432")},
]


def with_phone_keys(rows):
    return [{**row, "phone_key": phone_key(row["phone"])} for row in rows]


#: Each table's rows, in the order they can be inserted; a table is filled only at the
#: revisions that have it, each row with the columns the table has there.
BUILDERS = {
    "customer": lambda: with_phone_keys(CUSTOMERS),
    "support_case": lambda: CASES,
    "contact": lambda: with_phone_keys(CONTACTS),
    "note": lambda: [{"due_at": None, "done_at": None, "done_by": "", "edited_at": None, **row}
                     for row in NOTES],
    "step_event": lambda: STEP_EVENTS,
    "contact_handler": lambda: HANDLERS,
    "escalation": lambda: ESCALATIONS,
    "customer_phone": lambda: CUSTOMER_PHONES,
    # Team mode (0009): the operations applied, and one still waiting for the server.
    "received_operation": lambda: [{"uid": "op-1", "received_at": moment(5, 10)},
                                   {"uid": "op-2", "received_at": moment(5, 10, 1)}],
    # Flag reviews (0012): the kneeling apology of note-2 confirmed by its agent.
    "flag_review": lambda: [{"id": 1, "uid": "review-1", "note_uid": "note-2",
                             "category": "kneeling_apology", "state": "confirmed",
                             "actor": AGENT, "at": moment(2, 9, 4)}],
    "outbox": lambda: [{"id": 1, "uid": "op-2", "operation": json.dumps(
        {"op": "set_hold", "id": "op-2", "contact_uid": "case-callback", "on_hold": False,
         "talk_seconds": 60.0, "hold_seconds": 0.0}), "created_at": moment(5, 10, 1),
        "refused_at": None, "problem": ""}],
    # The live floor (0016): a hand raised on the call-back and answered, and that call as
    # the board shows it.
    "raised_hand": lambda: [{"id": 1, "uid": "hand-1", "contact_uid": "case-callback",
                             "agent": "佐藤", "reason": "harassment",
                             "raised_at": moment(5, 10, 2), "arrived_at": moment(5, 10, 2),
                             "lowered_at": None, "answered_at": moment(5, 10, 3),
                             "answered_by": "田中", "answer": "coming"}],
    "live_call": lambda: [{"id": 1, "contact_uid": "case-callback", "agent": "佐藤",
                           "caller": "03-1234-5678", "state": "active",
                           "started_at": moment(5, 10), "step": "listen",
                           "step_due_at": moment(5, 10, 5), "limit_at": moment(5, 10, 30),
                           "suspected": 1, "confirmed": 0, "escalations": 0,
                           "updated_at": moment(5, 10, 2)}],
}
#: Tables that hold no data of their own: the search index (kept by triggers and rebuilt by
#: its migration), the marker of a bulk write under way (empty between writes), and the
#: audit trail (started from the rows by ``baseline``, as migration 0007 does).
NO_ROWS = {"alembic_version", "fts_suspended", "audit_entry"}


def data_tables(connection) -> list[str]:
    """The tables of the schema that hold rows, without the search index's own tables."""
    virtual = [name for (name,) in connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'")]
    return [name for name in inspect(connection).get_table_names()
            if name not in NO_ROWS and not any(name == v or name.startswith(f"{v}_")
                                               for v in virtual)]


def stored(value):
    return json.dumps(value) if isinstance(value, list) else value


def fill(connection) -> dict[str, list[dict]]:
    """Rows in every table there is, as they were inserted (the columns the table has)."""
    tables = data_tables(connection)
    unknown = set(tables) - set(BUILDERS)
    assert not unknown, f"add a data builder for the new tables {sorted(unknown)}"
    built = {}
    for table in BUILDERS:
        if table not in tables:
            continue
        columns = {column["name"]: column for column in inspect(connection).get_columns(table)}
        required = {name for name, column in columns.items()
                    if not column["nullable"] and column["default"] is None
                    and not column.get("primary_key")}
        rows = [{name: stored(value) for name, value in row.items() if name in columns}
                for row in BUILDERS[table]()]
        missing = required - set(rows[0])
        assert not missing, f"the builder for {table} lacks the new columns {sorted(missing)}"
        names = list(rows[0])
        assert all(list(row) == names for row in rows), f"the rows for {table} differ in columns"
        connection.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
            [tuple(row[name] for name in names) for row in rows])
        built[table] = rows
    if "audit_entry" in inspect(connection).get_table_names():
        baseline(connection, datetime(2026, 11, 5, tzinfo=timezone.utc))
    if grams.NOTE_BIGRAMS in inspect(connection).get_table_names():
        grams.fill(connection)  # as the app's writers would have (and migration 0008 does)
    return built


def build(path, revision) -> dict[str, list[dict]]:
    engine = make_engine(f"sqlite:///{path}")
    upgrade_schema(engine, revision)
    assert schema_revision(engine) == revision
    with engine.begin() as connection:
        built = fill(connection)
    engine.dispose()
    return built


def rows_now(path, table, columns):
    connection = sqlite3.connect(path)
    try:
        return [dict(zip(columns, row)) for row in connection.execute(
            f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid")]
    finally:
        connection.close()


def test_the_revisions_run_from_the_first_to_the_head():
    assert REVISIONS[0] == "0001"
    assert REVISIONS[-1] == head_revision()
    assert len(set(REVISIONS)) == len(REVISIONS)


def test_the_data_builder_fills_every_table_of_the_head_schema(tmp_path):
    """The builder keeps up with the schema: at the head, too, every table gets rows, and
    the file verifies."""
    path = tmp_path / "callhelper.db"
    built = build(path, head_revision())
    assert set(built) == set(BUILDERS)
    store = Store(f"sqlite:///{path}")
    with store.engine.connect() as connection:
        assert verify(connection).ok
    store.close()


@pytest.mark.parametrize("revision", BEFORE_HEAD)
def test_a_file_at_an_earlier_revision_is_upgraded_without_losing_a_row(tmp_path, revision):
    path = tmp_path / "callhelper.db"
    built = build(path, revision)
    assert {"customer", "support_case", "contact", "note", "step_event"} <= set(built)

    store = Store(f"sqlite:///{path}")  # as the app opens it: upgraded to the head
    try:
        assert schema_revision(store.engine) == head_revision()
        assert anchored(path) == trail_end(path), "the baseline's end is anchored"
        for table, rows in built.items():
            assert rows_now(path, table, list(rows[0])) == rows, f"{table} after the upgrade"

        with store.unit_of_work() as session:
            for word, note_id in (("電源が入らない", 1), ("返金", 3), ("折り返し", 4),
                                  ("😡", 6)):
                hits = history.search(session, word)
                assert ("note", note_id) in [(hit.kind, hit.id) for hit in hits], word
            assert [hit.id for hit in history.search(session, "出荷前検査")
                    if hit.kind == "case"] == [1]
            calls = history.contacts_of_number(session, "+81 3-1234-5678")
            assert sorted(call.contact_id for call in calls) == [1, 3]
            flags = flag_reviews.flags_of(session, [session.get(Note, 2)])["note-2"]
            assert [(flag.category, flag.state) for flag in flags] == (
                [] if revision < "0002" else  # before flags were stored
                [("kneeling_apology", FlagState.CONFIRMED)] if revision >= "0012" else
                [("kneeling_apology", FlagState.SUSPECTED)]), "flags from before are suspected"
            unfinished = repository.unfinished_contact(session, AGENT)
            assert unfinished is not None and unfinished.contact.uid == "case-open"
            assert [note.text for note in unfinished.notes] == [NOTES[5]["text"]]

        with store.engine.connect() as connection:
            result = verify(connection)
            assert result.ok, result.finding
            assert result.entries >= len(CASES) + len(NOTES)

        with store.unit_of_work() as session:  # and the agent carries on with the open call
            repository.add_note(session, "case-open", "note-new", NoteKind.QUOTE,
                                "もう二度と買わない", 180_000, AGENT,
                                datetime(2026, 11, 4, 11, 4, tzinfo=timezone.utc), RULES)
        with store.unit_of_work() as session:
            assert [hit.id for hit in history.search(session, "二度と買わない")] == [7]
        with store.engine.connect() as connection:
            assert verify(connection).ok
    finally:
        store.close()
    assert main(["verify", str(path)]) == 0


@pytest.mark.parametrize("revision", [r for r in BEFORE_HEAD if r < "0010"])
def test_calls_recorded_before_directions_count_as_incoming(tmp_path, revision):
    """The app had no outgoing calls before 0010: every call was the customer calling, and
    still counts as a call again from them. The prevention item of a case resolved then is
    still open: resolving a case never marked it done."""
    path = tmp_path / "callhelper.db"
    build(path, revision)
    store = Store(f"sqlite:///{path}")
    try:
        with store.unit_of_work() as session:
            found = history.caller_history(session, "03-1234-5678")
            assert [call.direction for call in found.contacts] == ["incoming", "incoming"]
            assert found.contacts_since(datetime(2026, 11, 1, tzinfo=timezone.utc)) == 2
    finally:
        store.close()
    assert rows_now(path, "contact", ["id", "direction"]) == [
        {"id": 1, "direction": "incoming"}, {"id": 2, "direction": "incoming"},
        {"id": 3, "direction": "incoming"}]
    assert rows_now(path, "support_case", ["id", "prevention_done_at"])[0] == {
        "id": 1, "prevention_done_at": None}


@pytest.mark.parametrize("revision", [r for r in BEFORE_HEAD if "0011" <= r < "0013"])
def test_prevention_items_marked_done_before_they_were_audited_verify(tmp_path, revision):
    """Before 0013 marking a prevention item done wrote no audit entry: the upgrade records
    each such item as it is, so that verify finds the file in order and then checks it."""
    path = tmp_path / "callhelper.db"
    build(path, revision)
    with sqlite3.connect(path) as connection:  # as the app of that revision marked it
        connection.execute("UPDATE support_case SET prevention_done_at = '2026-11-03 "
                           "09:00:00.000000', prevention_done_by = '田中' WHERE id = 1")
    connection.close()
    store = Store(f"sqlite:///{path}")
    try:
        with store.engine.connect() as connection:
            result = verify(connection)
            assert result.ok, result.finding
        with store.unit_of_work() as session:
            uid = session.execute(text("SELECT uid FROM support_case WHERE id = 1")).scalar()
            [entry] = audit.history_of(session, Entity.PREVENTION, uid)
        assert entry.action == "baseline" and entry.after_state() == {
            "done_at": "2026-11-03T09:00:00.000000+00:00", "done_by": "田中"}
    finally:
        store.close()
    assert main(["verify", str(path)]) == 0


def test_an_upgraded_file_opens_again_unchanged(tmp_path):
    """Opening an upgraded file again runs no migration and changes nothing."""
    path = tmp_path / "callhelper.db"
    build(path, REVISIONS[0])
    Store(f"sqlite:///{path}").close()
    before = path.read_bytes()
    store = Store(f"sqlite:///{path}")
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM note")).scalar() == len(NOTES)
    store.close()
    assert path.read_bytes() == before
