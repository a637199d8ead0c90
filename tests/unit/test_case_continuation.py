"""A caller calling back about an open case: the call continues that case (or starts a new
one when the agent says so), on a SQLite file and on a real PostgreSQL server."""

import pytest

from callhelper.config import resources_dir
from callhelper.core.case import CaseStatus, Level, NoteKind, WrapUp
from callhelper.core.flags import load_rules
from callhelper.store import history, operations
from callhelper.store.engine import Store
from callhelper.store.operations import Operation

RULES = load_rules(resources_dir() / "rules" / "demands.toml")
PHONE = "03-1234-5678"


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    yield store
    store.close()


def perform(store, operation):
    """Apply an operation as the team's server would: read back from its record first."""
    with store.unit_of_work() as session:
        return operations.perform(session, Operation.from_json(operation.to_json()), RULES)


def call(store, clock, uid, case_uid="", subject="", words=()):
    perform(store, Operation.of("start_contact", uid=uid, agent="鈴木", playbook_id="complaint",
                                playbook_version=2, started_at=clock.now(), phone=PHONE,
                                caller_name="山田", case_uid=case_uid))
    for number, text in enumerate(words):
        perform(store, Operation.of("add_note", contact_uid=uid, note_uid=f"{uid}-{number}",
                                    kind=NoteKind.QUOTE, text=text, offset_ms=number,
                                    agent="鈴木", created_at=clock.now()))
    if subject:
        perform(store, Operation.of("save_wrap_up", contact_uid=uid, actor="鈴木",
                                    at=clock.now(), wrap_up=WrapUp(
                                        subject, None, None, "", "", CaseStatus.OPEN)))
    clock.advance(3600)


def open_cases(store):
    with store.unit_of_work() as session:
        return history.caller_history(session, PHONE).open_cases


def cases_of_calls(store):
    with store.unit_of_work() as session:
        return [(contact.uid, contact.case_id) for contact in
                sorted(history.caller_history(session, PHONE).contacts,
                       key=lambda c: c.started_at)]


def test_a_second_call_continues_the_open_case_and_a_new_case_is_a_new_one(store, clock):
    call(store, clock, "first", subject="ノートPC: 異音がする")
    (case,) = open_cases(store)
    assert case.subject == "ノートPC: 異音がする"
    call(store, clock, "second", case_uid=case.uid)
    call(store, clock, "third", subject="請求の誤り")
    calls = dict(cases_of_calls(store))
    assert calls["first"] == calls["second"] == case.case_id
    assert calls["third"] != case.case_id
    assert [c.subject for c in open_cases(store)] == ["請求の誤り", "ノートPC: 異音がする"], \
        "the case called about most recently first"


def test_a_call_moved_onto_an_open_case_takes_its_flags_along_and_leaves_no_empty_case(
        store, clock):
    call(store, clock, "first", subject="ノートPC: 異音がする")
    (case,) = open_cases(store)
    call(store, clock, "second", words=["土下座しろ"])
    perform(store, Operation.of("move_contact", contact_uid="second", case_uid=case.uid,
                                actor="鈴木", at=clock.now()))
    assert flag_counts(store) == {case.case_id: 1}, \
        "the call's own case is gone, its flag counted on the case it joined"
    perform(store, Operation.of("move_contact", contact_uid="second", case_uid="",
                                actor="鈴木", at=clock.now()))
    calls = dict(cases_of_calls(store))
    assert calls["second"] != calls["first"]
    assert flag_counts(store) == {calls["first"]: 0, calls["second"]: 1}


def flag_counts(store):
    with store.unit_of_work() as session:
        return {row.case_id: row.flag_count
                for row in history.list_cases(session, history.CaseFilter())}


def test_a_wrap_up_never_assessed_stays_not_assessed(store, clock):
    call(store, clock, "first", subject="配送の遅れ")
    assert levels(store) == ("", "")
    perform(store, Operation.of("save_wrap_up", contact_uid="first", actor="鈴木",
                                at=clock.now(), wrap_up=WrapUp(
                                    "配送の遅れ", Level.HIGH, None, "", "", CaseStatus.OPEN)))
    assert levels(store) == ("high", "")


def levels(store):
    (case,) = open_cases(store)
    return case.urgency, case.impact
