"""Decisions on demand flags: the rules of their states, refusals, and team mode (the
decision shipped to the server once, its audit trail intact)."""

from dataclasses import asdict

import pytest
from databases import raw_rows

from callhelper.config import resources_dir
from callhelper.core.case import NoteKind
from callhelper.core.flag_review import FlagDecision, FlagState, note_flags, states_text
from callhelper.core.flags import load_rules
from callhelper.store.audit import verify
from callhelper.store.engine import Store
from callhelper.store.flag_reviews import NotAFlagCategory
from callhelper.store.operations import Operation, perform
from callhelper.store.repository import NewContact, NotFound
from callhelper.store.sync import Shipper

RULES = load_rules(resources_dir() / "rules" / "demands.toml")


def test_the_latest_decision_counts_and_a_flag_added_by_hand_follows_the_detectors():
    flags = note_flags(["threat", "insult"], [
        FlagDecision("insult", FlagState.CONFIRMED, "鈴木"),
        FlagDecision("violence", FlagState.MANUAL, "鈴木"),
        FlagDecision("insult", FlagState.DISMISSED, "佐藤")])
    assert states_text(flags) == "threat:suspected;insult:dismissed;violence:manual"
    assert [flag.by for flag in flags] == ["", "佐藤", "鈴木"]
    assert [flag.category for flag in flags if flag.evidence] == ["violence"]


@pytest.fixture
def local(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'agent' / 'callhelper.db'}")
    yield store
    store.close()


@pytest.fixture
def server(database_url):
    """The team's database: a SQLite file, or a PostgreSQL database on a real server."""
    store = Store(database_url)
    yield store
    store.close()


def a_call(clock):
    new = NewContact(uid="c1", agent="鈴木", playbook_id="complaint", playbook_version=1,
                     started_at=clock.now())
    return [Operation.of("start_contact", **asdict(new)),
            Operation.of("add_note", contact_uid="c1", note_uid="n1", kind=NoteKind.QUOTE,
                         text="SNSに晒すぞ", offset_ms=1000, agent="鈴木",
                         created_at=clock.now())]


def review(clock, category="threat", state=FlagState.CONFIRMED, note_uid="n1"):
    return Operation.of("review_flag", review_uid=f"r-{category}", note_uid=note_uid,
                        category=category, state=state, actor="鈴木", at=clock.now())


def test_a_decision_reaches_the_server_once_with_its_audit_entry(local, server, clock):
    decision = review(clock)
    assert Operation.from_json(decision.to_json()) == decision
    for operation in [*a_call(clock), decision, decision]:  # sent twice: applied once
        with local.unit_of_work() as session:
            perform(session, operation, RULES, ship=True)
    shipper = Shipper(local.url, server.url, RULES)
    try:
        assert shipper.ship().synced
        assert shipper.ship().synced  # nothing more to send
    finally:
        shipper.close()
    for store in (local, server):
        assert raw_rows(store.url, "SELECT note_uid, category, state, actor FROM flag_review"
                        ) == [("n1", "threat", "confirmed", "鈴木")]
        assert raw_rows(store.url, "SELECT count(*) FROM audit_entry WHERE entity = 'flag'"
                        ) == [(1,)]
        with store.engine.connect() as connection:
            assert verify(connection).ok


def test_a_decision_on_no_note_or_no_flag_category_is_refused(local, clock):
    for operation in a_call(clock):
        with local.unit_of_work() as session:
            perform(session, operation, RULES)
    for wrong, error in ((review(clock, note_uid="elsewhere"), NotFound),
                         (review(clock, category="refund"), NotAFlagCategory),
                         (review(clock, state=FlagState.SUSPECTED), ValueError)):
        with pytest.raises(error), local.unit_of_work() as session:
            perform(session, wrong, RULES)
    assert raw_rows(local.url, "SELECT count(*) FROM flag_review") == [(0,)]


def test_a_decision_changed_in_the_file_breaks_the_trail(local, clock):
    for operation in [*a_call(clock), review(clock)]:
        with local.unit_of_work() as session:
            perform(session, operation, RULES)
    with local.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE flag_review SET state = 'dismissed'")
    with local.engine.connect() as connection:
        result = verify(connection)
    assert (result.finding.entity, result.finding.fields) == ("flag", ("state",))
