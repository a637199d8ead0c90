"""The live layer on a real team server (store/live.py): a raised hand goes through the
outbox like every write, every listener is notified of it, only a supervisor answers it and
only under their own name, and the board's snapshot puts the waiting hands first."""

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import exc
from sqlalchemy.orm.exc import StaleDataError

from callhelper.config import resources_dir
from callhelper.core.flags import load_rules
from callhelper.store import live, operations
from callhelper.store.engine import Store, make_engine
from callhelper.store.operations import Operation
from callhelper.store.sync import Shipper
from databases import raw_rows
from team_server import team  # noqa: F401 (a fixture)

RULES = load_rules(resources_dir() / "rules" / "demands.toml")


def now():
    return datetime.now(timezone.utc)


def live_state(agent, uid="call-1", **changes):
    values = dict(contact_uid=uid, agent=agent, caller="山田 太郎", state=live.ACTIVE,
                  started_at=now() - timedelta(minutes=3), step="お詫び",
                  step_due_at=now() - timedelta(seconds=5), limit_at=None, suspected=1,
                  confirmed=0, escalations=0)
    values.update(changes)
    return live.LiveState(**values)


def test_a_hand_is_kept_raised_lowered_and_published_in_the_agents_own_file(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'agent.db'}")
    at = now()
    with store.unit_of_work() as session:
        for operation in (
                Operation.of("raise_hand", hand_uid="h1", contact_uid="call-1", agent="鈴木",
                             reason="harassment", at=at),
                Operation.of("set_hand_reason", hand_uid="h1", reason="decision"),
                Operation.of("publish_call", live_state=live_state("鈴木"), at=at),
                Operation.of("lower_hand", hand_uid="h1", at=at + timedelta(seconds=30))):
            operations.perform(session, Operation.from_json(operation.to_json()), RULES,
                               ship=True)
    url = f"sqlite:///{tmp_path / 'agent.db'}"
    assert raw_rows(url, "SELECT agent, reason, lowered_at IS NOT NULL FROM raised_hand") \
        == [("鈴木", "decision", 1)]
    assert raw_rows(url, "SELECT caller, step, suspected FROM live_call") == \
        [("山田 太郎", "お詫び", 1)]
    assert raw_rows(url, "SELECT count(*) FROM outbox") == [(4,)]
    with store.unit_of_work() as session, pytest.raises(live.UnknownReason):
        live.raise_hand(session, "h2", "call-1", "鈴木", "bored", at)
    store.close()


class Recorder(live.LinkHandler):
    def __init__(self):
        self.changes, self.connections, self.losses = [], threading.Event(), []

    def connected(self, connection):
        self.connections.set()

    def notified(self, connection, changes):
        self.changes.extend(changes)

    def lost(self, problem):
        self.losses.append(problem)


def wait_for(condition, timeout=10.0):
    deadline = threading.Event()
    for _ in range(int(timeout / 0.05)):
        if condition():
            return True
        deadline.wait(0.05)
    return condition()


@pytest.mark.postgresql
def test_a_hand_shipped_to_the_server_is_notified_answered_by_a_supervisor_only(
        team, tmp_path):  # noqa: F811
    agent, other = team.agents
    boss = team.supervisor
    recorder = Recorder()
    link = live.LiveLink(team.url(boss), live.BOARD_APPLICATION, recorder)
    thread = threading.Thread(target=link.run, daemon=True)
    thread.start()
    try:
        assert recorder.connections.wait(20)
        local = f"sqlite:///{tmp_path / 'agent.db'}"
        store = Store(local)
        raised = now() - timedelta(minutes=2)  # raised while the server was away
        with store.unit_of_work() as session:
            operations.perform(session, Operation.of(
                "publish_call", live_state=live_state(agent), at=raised), RULES, ship=True)
            operations.perform(session, Operation.of(
                "raise_hand", hand_uid="h1", contact_uid="call-1", agent=agent,
                reason="harassment", at=raised), RULES, ship=True)
        store.close()
        shipper = Shipper(local, team.url(agent), RULES)
        assert shipper.ship().synced
        shipper.close()
        assert wait_for(lambda: {c["table"] for c in recorder.changes}
                        == {"raised_hand", "live_call"})
        assert live.mine(recorder.changes, agent) == ["h1"]

        engine = make_engine(team.url(boss))
        with engine.begin() as connection:
            board = live.board_snapshot(connection)
            (call,) = board.calls
            assert call.hand.uid == "h1" and call.hand.late and call.hand.reason == "harassment"
            assert call.step_overdue(now()) and call.suspected == 1
            answered = live.answer_hand(connection, "h1", live.COMING, boss)
        assert answered.answered_by == boss and answered.answer == live.COMING
        assert wait_for(lambda: len(recorder.changes) == 3)
        with engine.begin() as connection, pytest.raises(live.AnswerRefused):
            live.answer_hand(connection, "h1", "もう一度", boss)  # answered already
        engine.dispose()

        # another hand: another agent's answer changes nothing (the row rules skip it);
        # a supervisor answers under their own name only
        agent_store = Store(team.url(agent))
        with agent_store.unit_of_work() as session:
            live.raise_hand(session, "h2", "call-1", agent, "", now())
        agent_store.close()
        engine = make_engine(team.url(other))
        with engine.begin() as connection, pytest.raises(live.AnswerRefused):
            live.answer_hand(connection, "h2", "行きます", other)
        engine.dispose()
        engine = make_engine(team.url(boss))
        with pytest.raises(exc.DBAPIError) as caught, engine.begin() as connection:
            live.answer_hand(connection, "h2", "行きます", agent)
        assert caught.value.orig.sqlstate == "42501"
        with pytest.raises(exc.DBAPIError) as caught, engine.begin() as connection:
            connection.exec_driver_sql("UPDATE raised_hand SET reason = 'other'")
        assert caught.value.orig.sqlstate == "42501", "a supervisor only answers"
        engine.dispose()
        other_store = Store(team.url(other))
        with pytest.raises(StaleDataError), other_store.unit_of_work() as session:
            live.lower_hand(session, "h1", now())  # the server's row rules leave it
        other_store.close()
        assert raw_rows(team.owner_url, "SELECT uid, lowered_at, answered_by FROM raised_hand "
                        "ORDER BY uid") == [("h1", None, boss), ("h2", None, "")], \
            "another agent neither lowers nor answers a hand"
    finally:
        link.stop()
        thread.join(5)


@pytest.mark.postgresql
def test_a_supervisor_adds_to_the_trail_only_that_they_opened_a_call(team):  # noqa: F811
    from callhelper.core.audit import Action, Entity
    from callhelper.store import audit

    boss = team.supervisor
    engine = make_engine(team.url(boss))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        assert live.open_call(connection, "call-1", boss) == []
    for action, entity, actor in ((Action.EDIT, Entity.NOTE, boss),
                                  (Action.VIEW, Entity.ACCESS, team.agents[0])):
        with pytest.raises(exc.DBAPIError) as caught, engine.begin() as connection:
            audit.append(connection, actor, action, entity, "call-1", None, {"text": "x"},
                         now())
        assert caught.value.orig.sqlstate == "42501", (action, actor)
    engine.dispose()
    assert raw_rows(team.owner_url, "SELECT actor, action, entity, uid FROM audit_entry") == \
        [(boss, "view", "access", "call-1")]
