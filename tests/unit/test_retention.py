"""Retention: cases past it go with everything that belongs to them, each deletion recorded in
the audit trail, and `verify` still finds the file in order."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from callhelper.core.audit import Action, Entity
from callhelper.core.case import CaseStatus, Level, NoteKind, WrapUp
from callhelper.core.clock import ManualClock
from callhelper.core.session import StepChange
from callhelper.store import audit, flag_reviews, history, repository
from callhelper.store.engine import Store
from callhelper.store.repository import NewContact
from callhelper.store.retention import (PURGE_ACTOR, Purged, cutoff, expired, purge,
                                        purge_batch)
from damage import RULES

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
LONG_AGO = NOW - timedelta(days=400)


@pytest.fixture
def store(database_url):
    """A database file, and a database on a real PostgreSQL server (as its owner, who may
    purge: docs/team-mode.md)."""
    store = Store(database_url)
    yield store
    store.close()


def call(store, uid, at, phone, words, closed=True, promise_done_at=None):
    clock = ManualClock(at)
    with store.unit_of_work() as session:
        repository.start_contact(session, NewContact(uid, "鈴木", "complaint", 2, clock.now(),
                                                     phone, "山田"))
        repository.add_note(session, uid, f"{uid}-q", NoteKind.QUOTE, words, 5_000, "鈴木",
                            clock.now(), RULES)
        promise = repository.add_note(session, uid, f"{uid}-p", NoteKind.PROMISE,
                                      "明日までに折り返す", 9_000, "鈴木", clock.now(), RULES,
                                      due_at=clock.now() + timedelta(days=1))
        repository.record_step_change(session, uid, StepChange("limited-apology", True, 30, 30),
                                      "鈴木", clock.now())
        repository.record_escalation(session, uid, ["flags"], "引き継ぎ", "鈴木", 60_000,
                                     clock.now())
        repository.add_handler(session, uid, "佐藤", "senior", clock.now())
        if closed:
            repository.save_wrap_up(session, uid, WrapUp("配送の遅れ", Level.LOW, Level.LOW,
                                                         "再送", "", CaseStatus.RESOLVED),
                                    "鈴木", clock.now())
        if promise_done_at is not None:
            repository.complete_promise(session, promise.id, "鈴木", promise_done_at)


def count(store, table):
    with store.unit_of_work() as session:
        return session.connection().execute(text(f"SELECT count(*) FROM {table}")).scalar()


def verified(store):
    with store.engine.connect() as connection:
        return audit.verify(connection)


@pytest.fixture
def calls(store):
    call(store, "old", LONG_AGO, "03-1111-1111", "返金しろ、SNSに晒すぞ")
    call(store, "old-repeat", LONG_AGO, "03-2222-2222", "また壊れた")
    call(store, "recent-repeat", NOW - timedelta(days=3), "03-2222-2222", "三度目です")
    call(store, "open", LONG_AGO, "03-3333-3333", "まだ通話中", closed=False)
    call(store, "kept-late", LONG_AGO, "03-4444-4444", "約束は守られた",
         promise_done_at=NOW - timedelta(days=2))
    call(store, "no-caller", LONG_AGO, "", "番号なし")


def test_only_cases_without_activity_since_the_cutoff_and_no_open_call_go(store, calls):
    before = cutoff(30, NOW)
    with store.unit_of_work() as session:
        would = expired(session, before)
    assert would == Purged(cases=3, contacts=3, notes=6, customers=2)
    done = purge(store, before, PURGE_ACTOR, NOW)
    assert done == would
    with store.unit_of_work() as session:
        assert expired(session, before) == Purged()
        uids = set(session.connection().execute(text("SELECT uid FROM contact")).scalars())
        phones = set(session.connection().execute(text("SELECT phone FROM customer")).scalars())
    assert uids == {"recent-repeat", "open", "kept-late"}
    assert phones == {"03-2222-2222", "03-3333-3333", "03-4444-4444"}


def test_everything_of_a_purged_case_is_gone_and_no_longer_found(store, calls):
    with store.unit_of_work() as session:
        assert history.search(session, "晒す")
    purge(store, cutoff(30, NOW), PURGE_ACTOR, NOW)
    for table, left in (("support_case", 3), ("contact", 3), ("note", 6), ("step_event", 3),
                        ("escalation", 3), ("contact_handler", 6), ("customer_phone", 3)):
        assert count(store, table) == left, table
    with store.unit_of_work() as session:
        assert history.search(session, "晒す") == []
        assert history.contacts_of_number(session, "03-1111-1111") == []


def test_each_deleted_note_and_case_is_in_the_audit_trail_and_verify_stays_ok(store, calls):
    assert verified(store).ok
    entries_before = verified(store).entries
    purged = purge(store, cutoff(30, NOW), PURGE_ACTOR, NOW)
    result = verified(store)
    assert result.ok, result.finding
    # the notes, decisions and cases, then the calls and customers that went with them
    assert result.entries == entries_before + 6 + 3 + purged.contacts + purged.customers
    with store.unit_of_work() as session:
        trail = audit.history_of(session, Entity.NOTE, "old-q")
        [deleted] = [entry for entry in trail if entry.action == Action.DELETE]
        assert deleted.actor == PURGE_ACTOR
        assert deleted.after_state() is None
        [case] = audit.history_of(session, Entity.CASE, "old")[-1:]
        assert case.action == Action.DELETE
    # the purged words are gone from the trail too; only their digests remain
    assert all(entry.before == "" and entry.after == "" and entry.redacted
               for entry in trail)
    with store.engine.connect() as connection:
        kept = "".join(before + after for before, after in connection.execute(
            text("SELECT before, after FROM audit_entry")))
    assert "晒すぞ" not in kept and "また壊れた" not in kept
    assert "三度目です" in kept  # a kept case's trail keeps its words


def test_the_decisions_on_a_purged_notes_flags_go_with_it(store, calls):
    with store.unit_of_work() as session:
        flag_reviews.review_flag(session, RULES, "on-old", "old-q", "threat", "confirmed",
                                 "鈴木", NOW - timedelta(days=399))
        flag_reviews.review_flag(session, RULES, "on-recent", "recent-repeat-q",
                                 "repeat_contact", "manual", "鈴木", NOW - timedelta(days=2))
    purge(store, cutoff(30, NOW), PURGE_ACTOR, NOW)
    assert verified(store).ok, verified(store).finding
    with store.unit_of_work() as session:
        left = session.connection().execute(text(
            "SELECT uid, note_uid, state FROM flag_review")).all()
        assert left == [("on-recent", "recent-repeat-q", "manual")]
        assert flag_reviews.decisions_of(session, ["old-q"]) == {}
        trail = audit.history_of(session, Entity.FLAG, "on-old")
    assert [(entry.action, entry.actor) for entry in trail] == [
        (Action.CREATE, "鈴木"), (Action.DELETE, PURGE_ACTOR)]
    assert all(entry.redacted for entry in trail), "no word of the purged note stays"


def test_a_purged_cases_prevention_item_done_goes_from_the_trail_too(store):
    call(store, "done", LONG_AGO, "03-6666-6666", "また壊れた", closed=False)
    with store.unit_of_work() as session:
        case = repository.save_wrap_up(session, "done", WrapUp(
            "配送の遅れ", Level.LOW, Level.LOW, "再送", "梱包材を見直す", CaseStatus.RESOLVED),
            "鈴木", LONG_AGO)
        repository.complete_prevention(session, case.uid, "田中", LONG_AGO)
    purge(store, cutoff(30, NOW), PURGE_ACTOR, NOW)
    assert count(store, "support_case") == 0
    assert verified(store).ok, verified(store).finding
    with store.unit_of_work() as session:
        trail = audit.history_of(session, Entity.PREVENTION, case.uid)
    assert [entry.action for entry in trail] == [Action.CREATE, Action.DELETE]
    assert all(entry.redacted for entry in trail)


def test_a_large_purge_goes_a_batch_at_a_time_and_reports_its_progress(store):
    for number in range(7):
        call(store, f"c{number}", LONG_AGO, f"03-5555-{number:04d}", "古い話")
    seen = []
    with store.unit_of_work() as session:
        batch = purge_batch(session, cutoff(30, NOW), PURGE_ACTOR, NOW, size=3)
    assert batch.purged.cases == 3 and batch.after is not None
    done = purge(store, cutoff(30, NOW), PURGE_ACTOR, NOW, seen.append)
    assert done.cases == 4 and seen[-1] == done
    assert count(store, "support_case") == 0
    assert verified(store).ok


def test_nothing_to_purge_changes_nothing(store, calls):
    entries = verified(store).entries
    assert purge(store, cutoff(1000, NOW), PURGE_ACTOR, NOW) == Purged()
    assert verified(store).entries == entries
    with pytest.raises(ValueError):
        cutoff(0, NOW)


#: Words whose characters occur nowhere else in the file: any of their bytes left on disk is a
#: fragment of the purged note.
RARE_WORDS = "鰻鱧鯰鱒鰰鱚"


def test_a_purge_leaves_no_fragment_of_the_words_in_the_file(tmp_path):
    """SQLite only: the search tables' old segments and the write-ahead log held the words."""
    store = Store(f"sqlite:///{tmp_path / 'callhelper.db'}")
    for number in range(30):  # enough segments that a deletion alone merges nothing
        call(store, f"old-{number}", LONG_AGO, "03-1111-1111", f"{RARE_WORDS}の件 {number}")
    call(store, "recent", NOW - timedelta(days=3), "03-2222-2222", "三度目です")
    with store.unit_of_work() as session:
        assert history.search(session, RARE_WORDS[:3])

    purge(store, cutoff(30, NOW), PURGE_ACTOR, NOW)

    raw = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.is_file()
                   and path.name.startswith("callhelper.db"))
    left = [char for char in RARE_WORDS if char.encode("utf-8") in raw]
    assert left == [], f"fragments of the purged words stay in the file: {left}"
    assert verified(store).ok
    store.close()
