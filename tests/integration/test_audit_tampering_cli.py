"""Hand edits of the fields an evidence report prints, made in the real file with a SQLite
tool behind the app's back, each found and named by the real ``callhelper verify`` (exit
code 3); the app's own writes — demo data, a call with everything a call can hold, a purge —
never reported."""

import sqlite3
from contextlib import closing
from datetime import datetime, timezone

import pytest

from callhelper.core.case import CaseStatus, Level, NoteKind, WrapUp
from callhelper.core.session import StepChange
from callhelper.store import repository
from callhelper.store.engine import Store
from callhelper.store.repository import CustomerProfile, NewContact
from processes import run_cli
from truncation import RULES

NOW = datetime(2026, 11, 20, 5, 0, tzinfo=timezone.utc)
CALL = "court-call"


def a_full_call(database):
    """A call as the app writes it: customer, notes (one with a card), a step ticked, hold,
    an escalation to a senior who takes over, the end, the profile and the wrap-up."""
    store = Store(f"sqlite:///{database}")
    try:
        with store.unit_of_work() as session:
            repository.start_contact(session, NewContact(CALL, "鈴木", "complaint", 2, NOW,
                                                         "03-1234-5678", caller_name="山田"))
        with store.unit_of_work() as session:
            repository.add_note(session, CALL, f"{CALL}-1", NoteKind.QUOTE,
                                "カード 4111 1111 1111 1111 で払った", 1000, "鈴木", NOW, RULES)
            repository.add_note(session, CALL, f"{CALL}-2", NoteKind.QUOTE, "土下座しろ", 2000,
                                "鈴木", NOW, RULES)
        with store.unit_of_work() as session:
            repository.edit_note(session, f"{CALL}-2", "土下座しろ、今すぐ", "鈴木", NOW, RULES)
            repository.record_step_change(session, CALL, StepChange("greet", True, 3.0, 3.0),
                                          "鈴木", NOW)
            repository.set_hold(session, CALL, True, 30.0, 0.0)
            repository.record_escalation(session, CALL, ["flags"], "土下座を要求", "鈴木",
                                         4000, NOW)
            repository.add_handler(session, CALL, "佐藤", "senior", NOW)
            repository.end_contact(session, CALL, NOW, 120.0, 15.0)
            repository.update_customer(session, CALL, CustomerProfile(name="山田 太郎"), NOW)
            repository.save_wrap_up(session, CALL, WrapUp("配送中の破損", Level.HIGH,
                                                          Level.LOW, "交換", "梱包",
                                                          CaseStatus.RESOLVED), "鈴木", NOW)
    finally:
        store.close()


@pytest.fixture
def database(app_dirs):
    made = run_cli("demo", "--cases", "20", "--seed", "5")
    assert made.returncode == 0, made.stderr
    database = app_dirs["data"] / "callhelper.db"
    a_full_call(database)
    return database


def tamper(database, *statements):
    with closing(sqlite3.connect(database)) as connection, connection:
        for statement in statements:
            assert connection.execute(statement).rowcount != 0, statement


CONTACT = f"(SELECT id FROM contact WHERE uid = '{CALL}')"
EDITS = {
    "note created_at": (f"UPDATE note SET created_at = '2026-11-19 05:00:00.000000' "
                        f"WHERE uid = '{CALL}-1'", f"note {CALL}-1", "created_at"),
    "note edited_at": (f"UPDATE note SET edited_at = NULL WHERE uid = '{CALL}-2'",
                       f"note {CALL}-2", "edited_at"),
    "note masked_cards": (f"UPDATE note SET masked_cards = 0 WHERE uid = '{CALL}-1'",
                          f"note {CALL}-1", "masked_cards"),
    "call started_at": (f"UPDATE contact SET started_at = '2026-11-20 04:00:00.000000' "
                        f"WHERE uid = '{CALL}'", f"contact {CALL}", "started_at"),
    "call agent": (f"UPDATE contact SET agent = '田中' WHERE uid = '{CALL}'",
                   f"contact {CALL}", "agent"),
    "call phone": (f"UPDATE contact SET phone = '03-9999-9999' WHERE uid = '{CALL}'",
                   f"contact {CALL}", "phone"),
    "call caller_name": (f"UPDATE contact SET caller_name = '別人' WHERE uid = '{CALL}'",
                         f"contact {CALL}", "caller_name"),
    "call talk time": (f"UPDATE contact SET talk_seconds = 5 WHERE uid = '{CALL}'",
                       f"contact {CALL}", "talk_seconds"),
    "call hold time": (f"UPDATE contact SET hold_seconds = 0 WHERE uid = '{CALL}'",
                       f"contact {CALL}", "hold_seconds"),
    "call end time": (f"UPDATE contact SET ended_at = NULL WHERE uid = '{CALL}'",
                      f"contact {CALL}", "ended_at"),
    "customer name": ("UPDATE customer SET name = '別人' WHERE id = (SELECT customer_id FROM "
                      f"contact WHERE uid = '{CALL}')", "customer ", "name"),
    "escalation summary": (f"UPDATE escalation SET summary = '' WHERE contact_id = {CONTACT}",
                           f"contact {CALL}", "escalations"),
    "handler": (f"UPDATE contact_handler SET name = '田中' WHERE role = 'senior' "
                f"AND contact_id = {CONTACT}", f"contact {CALL}", "handlers"),
    "handler removed": (f"DELETE FROM contact_handler WHERE role = 'senior' "
                        f"AND contact_id = {CONTACT}", f"contact {CALL}", "handlers"),
    "step time": (f"UPDATE step_event SET created_at = '2026-11-20 06:00:00.000000' "
                  f"WHERE contact_id = {CONTACT}", f"contact {CALL}", "steps"),
    "case opened": (f"UPDATE support_case SET created_at = '2026-01-01 00:00:00.000000' "
                    f"WHERE uid = '{CALL}'", f"case {CALL}", "created_at"),
    "case customer": (f"UPDATE support_case SET customer_id = NULL WHERE uid = '{CALL}'",
                      f"case {CALL}", "customer"),
}


def test_the_apps_own_writes_verify(database):
    verified = run_cli("verify")
    assert verified.returncode == 0, verified.stdout
    purged = run_cli("purge", "--older-than", "30", "--yes")
    assert purged.returncode == 0, purged.stderr
    verified = run_cli("verify")
    assert verified.returncode == 0, verified.stdout


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_a_hand_edit_of_an_evidence_field_is_named_by_verify(database, edit):
    statement, record, field = EDITS[edit]
    tamper(database, statement)
    verified = run_cli("verify")
    assert verified.returncode == 3, verified.stdout
    line = verified.stdout.strip()
    assert "BROKEN" in line and record in line and "changed outside CallHelper" in line, line
    assert f"({field}" in line or f", {field}" in line, line


def test_emptying_every_table_is_reported(database):
    with closing(sqlite3.connect(database)) as connection, connection:
        connection.execute("DROP TRIGGER audit_entry_no_delete")
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%fts%' AND name != 'alembic_version' "
            "AND sql NOT LIKE 'CREATE VIRTUAL%'")]
        for table in tables:
            if not table.startswith(("note_bigram", "case_bigram")):  # search indexes
                connection.execute(f"DELETE FROM {table}")
    verified = run_cli("verify")
    assert verified.returncode == 3, verified.stdout
    assert "the audit trail is shorter than when it was last written" in verified.stdout


def test_a_file_from_before_verifies_says_since_when_and_is_covered_from_then(app_dirs):
    from sqlalchemy import text

    from callhelper.store.engine import make_engine, upgrade_schema

    database = app_dirs["data"] / "old.db"
    database.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f"sqlite:///{database}")
    upgrade_schema(engine, "0006")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO support_case (id, uid, subject, status, urgency, impact, fix, "
            "prevention, flag_count, created_at, updated_at) VALUES (1, 'old', '古い件', "
            "'open', '', '', '', '', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO contact (id, uid, case_id, agent, phone, phone_key, caller_name, "
            "playbook_id, playbook_version, state, started_at, talk_seconds, hold_seconds, "
            "on_hold) VALUES (1, 'old', 1, '鈴木', '', '', '', 'complaint', 1, 'closed', "
            "'2026-01-01 00:00:00', 0, 0, FALSE)"))
        connection.execute(text(
            "INSERT INTO note (uid, contact_id, kind, text, offset_ms, agent, created_at, "
            "masked_cards, flags, requests, done_by) VALUES ('old-1', 1, 'quote', '昔の言葉', "
            "0, '鈴木', '2026-01-01 00:00:00', 0, '[]', '[]', '')"))
    engine.dispose()
    Store(f"sqlite:///{database}").close()  # the app opens it: upgraded to the fuller trail
    verified = run_cli("verify", str(database))
    assert verified.returncode == 0, verified.stdout
    assert "checked as recorded since the file was upgraded at 20" in verified.stdout
    tamper(database, "UPDATE note SET created_at = '2025-01-01 00:00:00' WHERE uid = 'old-1'")
    verified = run_cli("verify", str(database))
    assert verified.returncode == 3, verified.stdout
    assert "note old-1 differs from its last recorded state (created_at)" in verified.stdout
