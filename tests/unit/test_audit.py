"""The audit trail: every change of a note or case recorded, hash-chained, append-only, and
tampering with the database found by verification; on SQLite and on PostgreSQL."""

import threading
from datetime import timedelta

import pytest
from databases import REFUSED, is_postgresql, tamper
from sqlalchemy import text
from sqlmodel import select

from callhelper.config import resources_dir
from callhelper.core.audit import Action, Entity, Problem
from callhelper.core.clock import ManualClock
from callhelper.core.case import CaseStatus, Level, NoteKind, WrapUp
from callhelper.core.flags import load_rules
from callhelper.store import audit, repository
from callhelper.store.engine import Store, make_engine, upgrade_schema
from callhelper.store.models import Contact, Note, SupportCase
from callhelper.store.repository import NewContact

RULES = load_rules(resources_dir() / "rules" / "demands.toml")


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    yield store
    store.close()


def a_call(store, clock, uid="c1"):
    with store.unit_of_work() as session:
        repository.start_contact(session, NewContact(uid, "鈴木", "complaint", 2, clock.now(),
                                                     "03-1234-5678", "山田 太郎"))
        repository.add_note(session, uid, f"{uid}-n1", NoteKind.QUOTE, "箱が潰れて届いた",
                            5_000, "鈴木", clock.now(), RULES)
        repository.add_note(session, uid, f"{uid}-n2", NoteKind.QUOTE, "誠意を見せろ、土下座しろ",
                            9_000, "鈴木", clock.now(), RULES)
        repository.save_wrap_up(session, uid, WrapUp("配送中の破損", Level.HIGH, Level.LOW,
                                                     "交換", "梱包材の見直し",
                                                     CaseStatus.RESOLVED), "鈴木", clock.now())


def case_of(session, contact_uid):
    contact = session.exec(select(Contact).where(Contact.uid == contact_uid)).one()
    return session.get(SupportCase, contact.case_id)


def verified(store):
    with store.engine.connect() as connection:
        return audit.verify(connection)


def drop_trigger(url, name):
    """The statement that removes one of the trail's triggers (as someone with the rights
    to could)."""
    return f"DROP TRIGGER {name} ON audit_entry" if is_postgresql(url) else \
        f"DROP TRIGGER {name}"


def test_creating_and_wrapping_up_a_call_is_recorded_and_verifies(store, clock):
    a_call(store, clock)
    result = verified(store)
    # the case, its customer and call created, two notes, the wrap-up (the case and the call's
    # end)
    assert result.ok and result.entries == 7
    with store.unit_of_work() as session:
        trail = audit.history_of(session, Entity.CASE, "c1")
    assert [entry.action for entry in trail] == ["create", "edit"]
    assert trail[0].actor == "鈴木"
    assert trail[1].before_state()["subject"] == ""
    assert trail[1].after_state()["subject"] == "配送中の破損"


def test_an_edited_note_keeps_its_original_words_as_a_revision(store, clock):
    a_call(store, clock)
    clock.advance(60)
    with store.unit_of_work() as session:
        note = repository.edit_note(session, "c1-n2", "誠意を見せてほしい", "鈴木", clock.now(),
                                    RULES)
        assert note.text == "誠意を見せてほしい" and note.edited_at is not None
        trail = audit.history_of(session, Entity.NOTE, "c1-n2")
    assert [entry.action for entry in trail] == ["create", "edit"]
    assert trail[1].before_state()["text"] == "誠意を見せろ、土下座しろ"
    assert trail[1].before_state()["flags"] == ["kneeling_apology"]
    assert trail[1].after_state()["text"] == "誠意を見せてほしい"
    assert trail[1].after_state()["flags"] == []
    assert verified(store).ok


def test_editing_re_checks_the_words_for_demands(store, clock):
    a_call(store, clock)
    with store.unit_of_work() as session:
        repository.edit_note(session, "c1-n1", "土下座しろ", "鈴木", clock.now(), RULES)
        case = case_of(session, "c1")
        assert case.flag_count == 2
        repository.edit_note(session, "c1-n1", "箱が潰れていた", "鈴木", clock.now(), RULES)
        repository.edit_note(session, "c1-n2", "交換してほしい", "鈴木", clock.now(), RULES)
        assert case_of(session, "c1").flag_count == 0


def test_a_deleted_note_is_gone_from_the_case_but_its_words_stay_in_the_trail(store, clock):
    a_call(store, clock)
    with store.unit_of_work() as session:
        repository.delete_note(session, "c1-n2", "鈴木", clock.now())
        repository.delete_note(session, "c1-n2", "鈴木", clock.now())  # again: nothing more
        assert case_of(session, "c1").flag_count == 0
        trail = audit.history_of(session, Entity.NOTE, "c1-n2")
    assert [entry.action for entry in trail] == ["create", "delete"]
    assert trail[1].before_state()["text"] == "誠意を見せろ、土下座しろ"
    assert trail[1].after == ""
    assert verified(store).ok


def test_a_deleted_note_is_restored_as_it_was_and_the_trail_records_both(store, clock):
    a_call(store, clock)
    with store.unit_of_work() as session:
        before = {n.uid: (n.text, n.offset_ms, n.flags, n.created_at)
                  for n in session.exec(select(Note)).all()}
        flagged = case_of(session, "c1").flag_count
        repository.delete_note(session, "c1-n2", "鈴木", clock.now())
    clock.advance(5)
    with store.unit_of_work() as session:
        repository.restore_note(session, "c1-n2", "鈴木", clock.now())
        repository.restore_note(session, "c1-n2", "鈴木", clock.now())  # again: nothing more
        note = session.exec(select(Note).where(Note.uid == "c1-n2")).one()
        assert (note.text, note.offset_ms, note.flags, note.created_at) == before["c1-n2"]
        assert case_of(session, "c1").flag_count == flagged > 0
        trail = audit.history_of(session, Entity.NOTE, "c1-n2")
    assert [entry.action for entry in trail] == ["create", "delete", "create"]
    assert trail[2].after_state() == trail[1].before_state()
    assert verified(store).ok


def test_the_trail_refuses_changes_and_deletions(store, clock, database_url):
    a_call(store, clock)
    with pytest.raises(REFUSED, match="append-only"):
        tamper(database_url, "UPDATE audit_entry SET actor = '佐藤' WHERE id = 2")
    with pytest.raises(REFUSED, match="append-only"):
        tamper(database_url, "DELETE FROM audit_entry WHERE id = 2")


@pytest.mark.postgresql
def test_postgresql_refuses_to_empty_the_trail(postgres_url, clock):
    """PostgreSQL only: TRUNCATE, which SQLite does not have, would skip the row triggers."""
    store = Store(postgres_url)
    a_call(store, clock)
    store.close()
    with pytest.raises(REFUSED, match="append-only"):
        tamper(postgres_url, "TRUNCATE audit_entry")


def test_a_note_changed_in_the_file_is_found(store, clock, database_url):
    a_call(store, clock)
    tamper(database_url, "UPDATE note SET text = '何も言っていない' WHERE uid = 'c1-n2'")
    finding = verified(store).finding
    assert finding.problem is Problem.RECORD_CHANGED
    assert (finding.entity, finding.uid, finding.fields) == ("note", "c1-n2", ("text",))


def test_a_note_deleted_or_added_in_the_file_is_found(store, clock, database_url):
    a_call(store, clock)
    tamper(database_url, "DELETE FROM note WHERE uid = 'c1-n1'")
    assert verified(store).finding.problem is Problem.RECORD_MISSING
    tamper(database_url, "INSERT INTO note (uid, contact_id, kind, text, offset_ms, agent, "
                         "created_at, masked_cards, flags, requests, done_by) SELECT 'c1-n1', "
                         "contact_id, kind, text, offset_ms, agent, created_at, masked_cards, "
                         "flags, requests, done_by FROM note WHERE uid = 'c1-n2'")
    finding = verified(store).finding
    assert (finding.problem, finding.uid) == (Problem.RECORD_CHANGED, "c1-n1")
    tamper(database_url, "INSERT INTO note (uid, contact_id, kind, text, offset_ms, agent, "
                         "created_at, masked_cards, flags, requests, done_by) SELECT 'x-1', "
                         "contact_id, kind, text, offset_ms, agent, created_at, masked_cards, "
                         "flags, requests, done_by FROM note WHERE uid = 'c1-n2'")
    finding = verified(store).finding
    assert finding.uid in ("c1-n1", "x-1")


def test_a_prevention_item_marked_done_is_recorded_and_checked(store, clock, database_url):
    a_call(store, clock)
    a_call(store, clock, "c2")
    with store.unit_of_work() as session:
        case_uid, other_uid = case_of(session, "c1").uid, case_of(session, "c2").uid
    entries = verified(store).entries
    with store.unit_of_work() as session:
        repository.complete_prevention(session, case_uid, "田中", clock.now())
    with store.unit_of_work() as session:  # marking it again changes nothing
        repository.complete_prevention(session, case_uid, "鈴木", clock.now())
        [entry] = audit.history_of(session, Entity.PREVENTION, case_uid)
    assert (entry.action, entry.actor) == (Action.CREATE, "田中")
    assert entry.after_state()["done_by"] == "田中"
    result = verified(store)
    assert result.ok and result.entries == entries + 1

    tamper(database_url, "UPDATE support_case SET prevention_done_by = '鈴木' "
                         f"WHERE uid = '{case_uid}'")
    finding = verified(store).finding
    assert (finding.problem, finding.entity, finding.uid, finding.fields) == (
        Problem.RECORD_CHANGED, "prevention", case_uid, ("done_by",))
    tamper(database_url, "UPDATE support_case SET prevention_done_by = '田中' "
                         f"WHERE uid = '{case_uid}'")
    assert verified(store).ok
    tamper(database_url, "UPDATE support_case SET prevention_done_at = created_at, "
                         f"prevention_done_by = '鈴木' WHERE uid = '{other_uid}'")
    finding = verified(store).finding
    assert (finding.problem, finding.entity, finding.uid) == (
        Problem.RECORD_UNTRACKED, "prevention", other_uid)


def test_a_rewritten_entry_is_the_first_broken_link(store, clock, database_url):
    a_call(store, clock)
    tamper(database_url, drop_trigger(database_url, "audit_entry_no_update"),
           "UPDATE audit_entry SET after = replace(after, '土下座しろ', '交換して') WHERE id = 5")
    finding = verified(store).finding
    # entries: the case, its customer, the call, then the two notes
    assert (finding.problem, finding.seq, finding.uid) == (Problem.ENTRY_CHANGED, 5, "c1-n2")


def test_words_removed_from_the_trail_of_a_kept_note_are_found(store, clock, database_url):
    a_call(store, clock)
    tamper(database_url, "UPDATE audit_entry SET after = '' WHERE uid = 'c1-n2'")  # allowed shape
    finding = verified(store).finding
    assert (finding.problem, finding.uid) == (Problem.WORDS_REMOVED, "c1-n2")


def test_only_the_words_of_an_entry_may_be_removed(store, clock, database_url):
    a_call(store, clock)
    with pytest.raises(REFUSED, match="append-only"):
        tamper(database_url, "UPDATE audit_entry SET after = '{}' WHERE id = 2")
    with pytest.raises(REFUSED, match="append-only"):
        tamper(database_url, "UPDATE audit_entry SET after_digest = '' WHERE id = 2")


def test_a_removed_entry_breaks_the_link_after_it(store, clock, database_url):
    a_call(store, clock)
    tamper(database_url, drop_trigger(database_url, "audit_entry_no_delete"),
           "DELETE FROM audit_entry WHERE id = 2")
    finding = verified(store).finding
    assert (finding.problem, finding.seq) == (Problem.LINK_BROKEN, 3)


def test_a_promise_kept_and_levels_set_are_edits(store, clock):
    with store.unit_of_work() as session:
        repository.start_contact(session, NewContact("c1", "鈴木", "complaint", 2, clock.now()))
        note = repository.add_note(session, "c1", "p1", NoteKind.PROMISE, "明日折り返す", 1000,
                                   "鈴木", clock.now(), RULES,
                                   due_at=clock.now() + timedelta(days=1))
        repository.set_case_levels(session, "c1", Level.HIGH, "", "鈴木", clock.now())
        repository.complete_promise(session, note.id, "佐藤", clock.now())
        kept = audit.history_of(session, Entity.NOTE, "p1")[-1]
    assert kept.actor == "佐藤" and kept.after_state()["done_by"] == "佐藤"
    assert verified(store).ok


def test_an_older_database_gets_a_baseline_when_upgraded(empty_database_url, clock):
    engine = make_engine(empty_database_url)
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
    store = Store(empty_database_url)
    result = verified(store)
    with store.unit_of_work() as session:
        trail = audit.history_of(session, Entity.NOTE, "old-1")
    store.close()
    # 0007's baseline of the case and the note, then 0015's of the case, the note (their
    # fuller states) and the call
    assert result.ok and result.entries == 5
    assert [entry.action for entry in trail] == [Action.BASELINE, Action.BASELINE]
    assert "created_at" in trail[1].after_state() and "created_at" not in trail[0].after_state()
    assert trail[0].action == Action.BASELINE and trail[0].after_state()["text"] == "昔の言葉"


def test_uids_are_matched_in_code_point_order_whatever_the_databases_collation(store, clock):
    """Verification merges the trail and the records as Python orders their uids; a server
    whose collation sorts letters otherwise ("a" before "B") must not change that."""
    with store.unit_of_work() as session:
        repository.start_contact(session, NewContact("c1", "鈴木", "complaint", 2, clock.now()))
        for uid in ("a1", "B1"):
            repository.add_note(session, "c1", uid, NoteKind.FACT, uid, 0, "鈴木", clock.now(),
                                RULES)
        repository.delete_note(session, "a1", "鈴木", clock.now())  # "B1" comes first
    assert verified(store).ok


WRITERS, NOTES = 4, 50


@pytest.mark.postgresql
def test_writers_side_by_side_extend_one_chain(postgres_url):
    """PostgreSQL only: its writers run side by side (SQLite lets one in at a time), yet each
    entry follows the one before, and none is refused or lost."""
    stores = [Store(postgres_url) for _ in range(WRITERS)]
    start = threading.Barrier(WRITERS)
    failures = []

    def write(number, store):
        clock, uid = ManualClock(), f"c{number}"
        try:
            start.wait()
            with store.unit_of_work() as session:
                repository.start_contact(session, NewContact(uid, f"agent{number}",
                                                             "complaint", 2, clock.now()))
            for index in range(NOTES):
                clock.advance(1)
                with store.unit_of_work() as session:
                    repository.add_note(session, uid, f"{uid}-{index}", NoteKind.QUOTE,
                                        f"{number}番の{index}", index * 1000, f"agent{number}",
                                        clock.now(), RULES)
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(number, store), daemon=True)
               for number, store in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "the writers are stuck"
    for store in stores:
        store.close()
    assert failures == []
    store = Store(postgres_url)
    result = verified(store)
    store.close()
    assert result.ok and result.entries == WRITERS * (2 + NOTES)  # case, call, notes
