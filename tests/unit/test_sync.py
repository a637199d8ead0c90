"""Operations and the team mode's shipper: the agent's outbox delivered to a server (a
SQLite file, or a real PostgreSQL server) exactly once and in order, whatever is cut short."""

from dataclasses import asdict, replace
from datetime import timedelta

import pytest
from databases import raw_rows
from processes import free_port
from team_server import team  # noqa: F401 (a fixture)

from callhelper.config import resources_dir
from callhelper.core.case import CaseStatus, Level, NoteKind, WrapUp
from callhelper.core.flags import load_rules
from callhelper.core.session import StepChange
from callhelper.store import journal
from callhelper.store.audit import verify
from callhelper.store.engine import Store
from callhelper.store.operations import (Operation, UnknownOperation, outbox, perform,
                                         received_operation)
from callhelper.store.repository import CustomerProfile, NewContact
from callhelper.store.sync import Shipper, retry_delay, with_connect_timeout

RULES = load_rules(resources_dir() / "rules" / "demands.toml")


@pytest.fixture
def local(tmp_path):
    """The agent's own file."""
    store = Store(f"sqlite:///{tmp_path / 'agent' / 'callhelper.db'}")
    yield store
    store.close()


@pytest.fixture
def server(database_url):
    """The team's database: a SQLite file, or a PostgreSQL database on a real server."""
    store = Store(database_url)
    yield store
    store.close()


@pytest.fixture
def shipper(local, server):
    shipper = Shipper(local.url, server.url, RULES)
    yield shipper
    shipper.close()


def call(clock, uid="c1", notes=("一つ目", "二つ目", "三つ目")):
    """The operations of a call as the window makes them."""
    new = NewContact(uid=uid, agent="鈴木", playbook_id="complaint", playbook_version=1,
                     started_at=clock.now(), phone="03-1234-5678", caller_name="山田 太郎")
    operations = [Operation.of("start_contact", **asdict(new))]
    for number, text in enumerate(notes):
        operations.append(Operation.of(
            "add_note", contact_uid=uid, note_uid=f"{uid}-n{number}", kind=NoteKind.QUOTE,
            text=text, offset_ms=1000 * number, agent="鈴木",
            created_at=clock.now() + timedelta(seconds=number)))
    return operations


def write_locally(local, operations):
    """As the window writes in team mode: applied to the file, kept in its outbox."""
    for operation in operations:
        with local.unit_of_work() as session:
            perform(session, operation, RULES, ship=True)


def server_notes(server):
    return raw_rows(server.url, "SELECT n.uid, n.text FROM note n JOIN contact c "
                                "ON c.id = n.contact_id ORDER BY n.id")


def assert_trail_intact(store):
    with store.engine.connect() as connection:
        assert verify(connection).ok


def test_the_server_learns_which_calls_were_outgoing(local, server, shipper, clock):
    """A callback shipped to the team's server stays outgoing there, so no agent's window
    counts it as the customer calling again; a record from before calls had a direction
    (a journal or an outbox of the previous version) is an incoming call."""
    callback = [Operation.of("start_contact", **asdict(replace(
        NewContact(uid="c2", agent="鈴木", playbook_id="complaint", playbook_version=1,
                   started_at=clock.now(), phone="03-1234-5678"), direction="outgoing")))]
    old = call(clock, notes=())[0].record()
    del old["direction"]
    write_locally(local, [Operation.from_record(old), *callback])
    assert shipper.ship().waiting == 0
    assert raw_rows(server.url, "SELECT uid, direction FROM contact ORDER BY id") == [
        ("c1", "incoming"), ("c2", "outgoing")]


def test_every_operation_survives_its_record(clock):
    at = clock.now()
    operations = [
        *call(clock),
        Operation.of("add_note", contact_uid="c1", note_uid="p", kind=NoteKind.PROMISE,
                     text="折り返します", offset_ms=5, agent="鈴木", created_at=at,
                     due_at=at + timedelta(hours=1)),
        Operation.of("edit_note", note_uid="p", text="明日折り返します", actor="鈴木", at=at),
        Operation.of("delete_note", note_uid="c1-n0", actor="鈴木", at=at),
        Operation.of("complete_promise", note_uid="p", by="鈴木", at=at),
        Operation.of("update_customer", contact_uid="c1", at=at, profile=CustomerProfile(
            name="山田 太郎", company="山田商店", other_numbers="090-1111-2222")),
        Operation.of("set_hold", contact_uid="c1", on_hold=True, talk_seconds=12.5,
                     hold_seconds=0),
        Operation.of("record_step_change", contact_uid="c1", agent="鈴木", at=at,
                     change=StepChange("greet", True, 3.25, 3.25)),
        Operation.of("set_case_levels", contact_uid="c1", urgency=Level.HIGH, impact="",
                     actor="鈴木", at=at),
        Operation.of("record_escalation", contact_uid="c1", reasons=["flagged", "high"],
                     summary="要約", agent="鈴木", offset_ms=60_000, at=at),
        Operation.of("add_handler", contact_uid="c1", name="佐藤", role="senior", at=at),
        Operation.of("end_contact", contact_uid="c1", ended_at=at, talk_seconds=70.0,
                     hold_seconds=5.0),
        Operation.of("save_wrap_up", contact_uid="c1", actor="鈴木", at=at, wrap_up=WrapUp(
            "返金", Level.HIGH, Level.LOW, "返金した", "梱包を見直す", CaseStatus.RESOLVED)),
    ]
    for operation in operations:
        again = Operation.from_json(operation.to_json())
        assert again == operation, operation.name
    wrap_up = Operation.from_json(operations[-1].to_json()).args["wrap_up"]
    assert wrap_up.status is CaseStatus.RESOLVED and wrap_up.urgency is Level.HIGH
    assert Operation.from_json(operations[0].to_json()).args["started_at"].tzinfo is not None


def test_records_never_hold_a_card_number(clock):
    operation = Operation.of("add_note", contact_uid="c1", note_uid="n", kind=NoteKind.QUOTE,
                             text="カード 4111 1111 1111 1111", offset_ms=0, agent="鈴木",
                             created_at=clock.now())
    assert "4111 1111" not in operation.to_json()
    assert Operation.from_json(operation.to_json()).args["text"] == "カード **** **** **** 1111"


def test_unknown_or_broken_records_are_refused():
    for record in ({"op": "format_disk"}, {"op": "add_note", "id": "x", "offset_ms": "soon"},
                   {"op": "set_hold", "id": "x", "contact_uid": "c1", "surprise": 1}):
        with pytest.raises(UnknownOperation):
            Operation.from_record(record)
    with pytest.raises(TypeError):
        Operation.of("add_note", contact_uid="c1")  # a mistake in the program


def test_a_journal_of_the_previous_version_is_still_replayed(local, clock):
    """Records without an id (as journalled before operations had one) are applied once."""
    records = [{"op": "start_contact", "uid": "old", "agent": "鈴木",
                "playbook_id": "complaint", "playbook_version": 1,
                "started_at": clock.now().isoformat(), "phone": "", "caller_name": "",
                "phone_region": "JP"},
               {"op": "add_note", "contact_uid": "old", "note_uid": "old-n", "kind": "quote",
                "text": "前の版の言葉", "offset_ms": 0, "agent": "鈴木",
                "created_at": clock.now().isoformat(), "due_at": None}]
    for _ in range(2):
        with local.unit_of_work() as session:
            assert journal.replay(session, records, RULES) == (2, [])
    assert raw_rows(local.url, "SELECT text FROM note") == [("前の版の言葉",)]
    assert raw_rows(local.url, "SELECT count(*) FROM received_operation") == [(2,)]


def test_an_operation_is_applied_once(server, clock):
    step = Operation.of("record_step_change", contact_uid="c1", agent="鈴木", at=clock.now(),
                        change=StepChange("greet", True, 1.0, 1.0))
    for operation in [*call(clock, notes=()), step, step]:
        with server.unit_of_work() as session:
            perform(session, operation, RULES)
    assert raw_rows(server.url, "SELECT count(*) FROM step_event") == [(1,)]


def test_the_outbox_arrives_in_order_and_leaves_the_file(local, server, shipper, clock):
    write_locally(local, call(clock, "c1") + call(clock, "c2", ["四つ目", "五つ目"]))
    assert shipper.counts() == (7, 0)
    state = shipper.ship()
    assert state.synced and (state.waiting, state.refused) == (0, 0)
    assert server_notes(server) == [("c1-n0", "一つ目"), ("c1-n1", "二つ目"), ("c1-n2", "三つ目"),
                                    ("c2-n0", "四つ目"), ("c2-n1", "五つ目")]
    assert raw_rows(local.url, "SELECT count(*) FROM outbox") == [(0,)]
    assert raw_rows(local.url, "SELECT count(*) FROM note") == [(5,)]
    assert_trail_intact(server)


def test_killed_between_the_servers_commit_and_the_removal_it_arrives_once(
        local, server, clock):
    write_locally(local, call(clock))
    first = Shipper(local.url, server.url, RULES)
    rows = first.pending()
    first.deliver(rows[0])
    first.deliver(rows[1])  # committed on the server; the app dies before forgetting them
    first.close()
    again = Shipper(local.url, server.url, RULES)
    try:
        assert again.counts() == (4, 0)
        assert again.ship().synced
    finally:
        again.close()
    assert server_notes(server) == [("c1-n0", "一つ目"), ("c1-n1", "二つ目"), ("c1-n2", "三つ目")]
    assert raw_rows(server.url, "SELECT count(*) FROM contact") == [(1,)]
    assert raw_rows(server.url, "SELECT count(*) FROM received_operation") == [(4,)]
    assert_trail_intact(server)


def test_a_refused_operation_is_kept_and_the_others_go_on(local, server, shipper, clock):
    """The server does not know the contact of an edited note (it refuses the edit for
    good); the edit stays in the outbox, marked, and the calls after it arrive."""
    orphan = Operation.of("edit_note", note_uid="elsewhere", text="直した", actor="鈴木",
                          at=clock.now())
    with local.engine.begin() as connection:  # as if it had been applied on this file
        connection.execute(outbox.insert().values(uid=orphan.uid, operation=orphan.to_json(),
                                                  created_at=clock.now().replace(tzinfo=None)))
    write_locally(local, call(clock))
    state = shipper.ship()
    assert (state.waiting, state.refused, state.unreachable) == (0, 1, False)
    assert len(server_notes(server)) == 3
    [(uid, name, problem)] = shipper.refused()
    assert (uid, name) == (orphan.uid, "edit_note") and "elsewhere" in problem
    assert shipper.ship().refused == 1, "a refused row is not sent again and again"
    assert shipper.retry_refused() == 1
    assert shipper.counts() == (1, 0)


def test_an_unreachable_server_keeps_everything_waiting(local, clock):
    write_locally(local, call(clock))
    shipper = Shipper(local.url, f"postgresql+psycopg://agent:secret@127.0.0.1:{free_port()}/"
                                 "callhelper", RULES)
    try:
        state = shipper.ship()
    finally:
        shipper.close()
    assert state.unreachable and not state.synced and not state.login_refused
    assert (state.waiting, state.refused) == (4, 0)
    assert state.problem


def test_retries_back_off_to_half_a_minute():
    assert [retry_delay(n) for n in (1, 2, 3, 6, 50)] == [1, 2, 4, 30, 30]


def test_a_connect_timeout_is_added_unless_given():
    assert "connect_timeout=10" in with_connect_timeout("postgresql+psycopg://a:b@h/db")
    given = "postgresql+psycopg://a:b@h/db?connect_timeout=3"
    assert with_connect_timeout(given) == given


def test_a_journal_replayed_in_team_mode_goes_to_the_outbox_once(local, clock):
    records = [operation.record() for operation in call(clock, notes=["閉じる直前の言葉"])]
    for _ in range(2):  # the second start finds them applied: nothing more to send
        with local.unit_of_work() as session:
            assert journal.replay(session, records, RULES, ship=True) == (2, [])
    assert raw_rows(local.url, "SELECT uid FROM outbox ORDER BY id") == \
        [(record["id"],) for record in records]


@pytest.mark.postgresql
def test_agents_ship_as_their_own_logins_and_the_server_refuses_rewriting_anothers_note(
        team, tmp_path, clock):
    """Two agents' files shipped to a team's server under its roles (docs/team-mode.md):
    each agent's calls arrive under their login; an edit of the other agent's note is
    refused by the server for good, kept on that agent's PC, and the calls after it still
    go."""
    first, second = team.agents
    files = {}
    for name in team.agents:
        files[name] = Store(f"sqlite:///{tmp_path / name / 'callhelper.db'}")
    try:
        def agent_call(name, uid, words):
            new = NewContact(uid=uid, agent=name, playbook_id="complaint", playbook_version=1,
                             started_at=clock.now(), phone="03-1234-5678")
            operations = [Operation.of("start_contact", **asdict(new)), Operation.of(
                "add_note", contact_uid=uid, note_uid=f"{uid}-n", kind=NoteKind.QUOTE,
                text=words, offset_ms=1000, agent=name, created_at=clock.now())]
            write_locally(files[name], operations)

        agent_call(first, "first-call", "最初の言葉")
        one = Shipper(files[first].url, team.url(first), RULES)
        assert one.ship().synced
        one.close()

        # an edit of the first agent's note in the second agent's outbox, as if it had been
        # made there: the server must refuse it, as its author is the first agent
        agent_call(second, "second-call", "二人目の言葉")
        edit = Operation.of("edit_note", note_uid="first-call-n", text="書き換えた",
                            actor=second, at=clock.now())
        with files[second].engine.begin() as connection:
            connection.execute(outbox.insert().values(
                uid=edit.uid, operation=edit.to_json(),
                created_at=clock.now().replace(tzinfo=None)))
        agent_call(second, "third-call", "三人目の言葉")
        two = Shipper(files[second].url, team.url(second), RULES)
        state = two.ship()
        assert (state.waiting, state.refused, state.unreachable) == (0, 1, False)
        [(_uid, name, problem)] = two.refused()
        assert name == "edit_note" and "only its author" in problem
        two.close()
    finally:
        for store in files.values():
            store.close()
    assert raw_rows(team.owner_url, "SELECT n.uid, n.text, n.agent FROM note n ORDER BY n.id") \
        == [("first-call-n", "最初の言葉", first), ("second-call-n", "二人目の言葉", second),
            ("third-call-n", "三人目の言葉", second)]


def test_operations_applied_a_month_ago_are_forgotten_a_batch_at_a_time(database_url, clock):
    """The record of applied operations would gain a row with every write for ever; those
    older than REMEMBER_APPLIED go, the recent ones stay and still keep a repeat out."""
    from callhelper.store.operations import REMEMBER_APPLIED, forget_applied

    store = Store(database_url)
    try:
        old, recent = call(clock, "old"), call(clock, "recent")
        write_locally(store, old + recent)
        long_ago = (clock.now() - REMEMBER_APPLIED - timedelta(days=1)).replace(tzinfo=None)
        with store.engine.begin() as connection:
            connection.execute(received_operation.update().where(
                received_operation.c.uid.in_([operation.uid for operation in old])).values(
                received_at=long_ago))
        before = clock.now() - REMEMBER_APPLIED
        with store.unit_of_work() as session:
            assert forget_applied(session, before, limit=3) == 3
        with store.unit_of_work() as session:
            assert forget_applied(session, before, limit=3) == 1
            assert forget_applied(session, before, limit=3) == 0
        remaining = {row[0] for row in raw_rows(store.url, "SELECT uid FROM received_operation")}
        assert remaining == {operation.uid for operation in recent}
        write_locally(store, recent)  # a repeat of a remembered operation changes nothing
        assert len(server_notes(store)) == 6
    finally:
        store.close()
