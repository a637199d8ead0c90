"""The call's logic without a window: a real store on a fresh database, no widgets."""

import sqlite3
from datetime import timedelta

import pytest

from callhelper.core.case import CaseStatus, Level, NoteKind, WrapUp
from callhelper.core.commands import Action, Command
from callhelper.core.flag_review import FlagDecision, FlagState
from callhelper.core.session import CallState
from callhelper.store.startup import StartupOpener
from callhelper.app.bootstrap import demand_rules, playbook_catalog
from callhelper.ui.call_controller import CallController
from callhelper.app.store_client import StoreClient


@pytest.fixture
def store(paths, clock):
    store = StoreClient(paths.capture_url,
                        opener=StartupOpener(paths.capture_url, paths.backup_dir, clock.now))
    yield store
    store.close()


@pytest.fixture
def new_controller(qtbot, paths, settings, clock, store):
    made = []

    def new():
        controller = CallController(paths, settings, store, playbook_catalog(paths),
                                    demand_rules(), clock, "en")
        made.append(controller)
        return controller

    yield new
    for controller in made:
        controller.close()
        controller.writes.close()


@pytest.fixture
def controller(qtbot, new_controller):
    controller = new_controller()
    with qtbot.waitSignal(controller.ready, timeout=10_000):
        controller.open()
    return controller


@pytest.fixture
def db(paths):
    """Read what is on disk, through a connection of its own."""
    connections = []

    def query(sql, *args):
        connections.append(sqlite3.connect(paths.database_file))
        return connections[-1].execute(sql, args).fetchall()

    yield query
    for connection in connections:
        connection.close()


def say(qtbot, controller, text, kind=NoteKind.QUOTE, due=None):
    with qtbot.waitSignal(controller.note_added, timeout=5000) as added:
        assert controller.add_note(text, kind, due)
    return added.args[0]


def saved(qtbot, controller):
    """Wait until every write of ``controller`` is on disk."""
    qtbot.waitUntil(lambda: controller.writes.waiting == 0, timeout=5000)


def settled(qtbot, controller):
    """Wait until the database work ``controller`` asked for has been done and answered."""
    qtbot.waitUntil(lambda: controller.idle, timeout=5000)


def test_the_notes_of_a_call_are_the_ones_on_disk_in_order(qtbot, controller, db):
    controller.start_call("03-1234-5678", "山田")
    first = say(qtbot, controller, "先週買ったばかりなのに電源が入らない")
    second = say(qtbot, controller, "交換品を本日発送", NoteKind.FACT)
    assert [row.text for row in controller.notes.rows()] == [
        "先週買ったばかりなのに電源が入らない", "交換品を本日発送"]
    assert [row.uid for row in controller.notes.rows()] == [first.uid, second.uid]
    assert db("SELECT kind, text FROM note ORDER BY id") == [
        ("quote", "先週買ったばかりなのに電源が入らない"), ("fact", "交換品を本日発送")]


def test_the_controller_is_idle_once_its_writes_and_lookups_are_answered(qtbot, controller,
                                                                          db):
    settled(qtbot, controller)  # the work of opening the database
    controller.set_next_number("03-1234-5678")
    assert not controller.idle, "the caller's history is about to be looked up"
    controller.start_call()
    assert not controller.idle, "the call's start is being written"
    settled(qtbot, controller)
    assert db("SELECT phone FROM customer") == [("03-1234-5678",)]
    assert controller.history_loaded
    assert controller.writes.waiting == 0


def test_no_note_is_taken_between_calls(controller):
    assert not controller.add_note("誰も聞いていない", NoteKind.QUOTE)
    assert controller.notes.rows() == []


def test_a_flagged_statement_raises_an_escalation_reason_until_dismissed(qtbot, controller):
    controller.start_call()
    say(qtbot, controller, "壊れているので返金してほしい")
    assert controller.escalation_reasons() == []
    row = say(qtbot, controller, "土下座しろ")
    assert controller.escalation_reasons() == ["flagged"]
    for category in row.detected:
        with qtbot.waitSignal(controller.escalation_changed):
            controller.take_decision(row.uid, FlagDecision(category, FlagState.DISMISSED,
                                                           "鈴木"))
    assert controller.escalation_reasons() == []


def test_a_deleted_flagged_note_no_longer_raises_escalation(qtbot, controller):
    controller.start_call()
    row = say(qtbot, controller, "土下座しろ")
    with qtbot.waitSignal(controller.note_removed, timeout=5000):
        controller.delete_note(row)
    assert controller.notes.rows() == []
    assert controller.escalation_reasons() == []


def test_the_handoff_summary_names_the_caller_the_reasons_and_the_words(qtbot, controller,
                                                                        clock, db):
    controller.start_call("03-1234-5678", "山田 太郎")
    clock.advance(35)
    say(qtbot, controller, "先週買ったばかりなのに電源が入らない")
    clock.advance(60)
    say(qtbot, controller, "土下座しろ")
    controller.set_levels("high", "")
    with qtbot.waitSignal(controller.handed_over) as handed:
        controller.hand_over()
    summary = handed.args[0]
    assert summary.startswith("【Handoff (second response)】")
    assert "Customer: 山田 太郎 (03-1234-5678)" in summary
    assert "Why now: suspected harassment" in summary
    assert "Urgency / impact: High / not assessed yet" in summary
    assert "  00:35 「先週買ったばかりなのに電源が入らない」" in summary
    assert "  01:35 Demanding a kneeling apology 「土下座しろ」" in summary
    saved(qtbot, controller)
    assert db("SELECT summary FROM escalation") == [(summary,)]


def test_a_phone_command_starts_a_call_for_the_caller_it_names(qtbot, controller, db):
    with qtbot.waitSignal(controller.front_requested):
        controller.handle_command(Command(Action.START, "03-1234-5678", "山田 太郎"))
    assert controller.session.state is CallState.ACTIVE
    assert (controller.caller.phone, controller.caller.name) == ("03-1234-5678", "山田 太郎")
    assert controller.status()["call"] == "active"
    saved(qtbot, controller)
    assert db("SELECT phone, caller_name, direction FROM contact") == [
        ("03-1234-5678", "山田 太郎", "incoming")]


def test_a_command_before_the_database_is_open_waits_for_it(qtbot, new_controller):
    controller = new_controller()
    controller.handle_command(Command(Action.START, "03-1234-5678"))
    assert controller.session is None
    with qtbot.waitSignal(controller.ready, timeout=10_000):
        controller.open()
    assert controller.session is not None and controller.caller.phone == "03-1234-5678"


def test_a_promise_is_reminded_once_when_it_falls_due(qtbot, controller, clock):
    controller.start_call("03-1234-5678")
    say(qtbot, controller, "折り返し連絡", NoteKind.PROMISE, clock.now() + timedelta(minutes=30))
    reminded = []
    controller.promises_due.connect(reminded.append)
    controller.check_promises()
    settled(qtbot, controller)
    assert reminded == []
    clock.advance(31 * 60)
    with qtbot.waitSignal(controller.promises_due, timeout=5000):
        controller.check_promises()
    assert [promise.text for promise in reminded[0]] == ["折り返し連絡"]
    controller.check_promises()
    settled(qtbot, controller)
    assert len(reminded) == 1, "each promise is reminded once"


def wrap_up(qtbot, controller, subject, urgency=None):
    controller.end_call()
    with qtbot.waitSignal(controller.call_closed, timeout=5000):
        assert controller.save_wrap_up(WrapUp(subject, urgency, None, "", "", CaseStatus.OPEN))


def ring(qtbot, controller, phone):
    """The number typed before the call, and its history looked up."""
    with qtbot.waitSignal(controller.history_shown, timeout=5000):
        controller.set_next_number(phone)


def test_a_caller_calling_back_continues_the_open_case_unless_the_agent_starts_a_new_one(
        qtbot, controller, db):
    controller.start_call("03-1234-5678")
    wrap_up(qtbot, controller, "ノートPC: 異音がする", Level.HIGH)
    ring(qtbot, controller, "03-1234-5678")
    assert [case.subject for case in controller.open_cases()] == ["ノートPC: 異音がする"]
    assert controller.case.subject == "ノートPC: 異音がする", "the open case by default"
    controller.start_call()
    assert controller.urgency == "high", "the levels start from the case's"
    wrap_up(qtbot, controller, "ノートPC: 異音がする")
    ring(qtbot, controller, "03-1234-5678")
    controller.choose_case(None)
    controller.start_call()
    wrap_up(qtbot, controller, "請求の誤り")
    saved(qtbot, controller)
    cases = [case for (case,) in db("SELECT case_id FROM contact ORDER BY id")]
    assert cases[0] == cases[1] != cases[2]
    assert db("SELECT subject FROM support_case ORDER BY id") == [
        ("ノートPC: 異音がする",), ("請求の誤り",)]


def test_a_call_answered_before_the_history_came_moves_to_the_open_case(qtbot, controller, db):
    controller.start_call("03-1234-5678")
    wrap_up(qtbot, controller, "ノートPC: 異音がする")
    with qtbot.waitSignal(controller.case_changed, timeout=5000,
                          check_params_cb=lambda: controller.case is not None):
        controller.handle_command(Command(Action.START, "03-1234-5678"))
    say(qtbot, controller, "まだ音がする")
    saved(qtbot, controller)
    assert db("SELECT count(DISTINCT case_id) FROM contact") == [(1,)]
    assert db("SELECT count(*) FROM support_case") == [(1,)], "no empty case left behind"


def test_a_call_ringing_during_the_wrap_up_waits_with_its_history(qtbot, controller):
    controller.start_call("03-1234-5678")
    wrap_up(qtbot, controller, "ノートPC: 異音がする")
    controller.start_call("090-1111-2222")
    controller.end_call()
    messages = []
    controller.message.connect(lambda text, _problem: messages.append(text))
    controller.handle_command(Command(Action.INCOMING, "03-1234-5678"))
    assert controller.session.state is CallState.ENDED, "the wrap-up is not disturbed"
    assert "Another call is ringing: 03-1234-5678" in messages[-1]
    with qtbot.waitSignal(controller.call_closed, timeout=5000):
        controller.save_wrap_up(WrapUp("配送の遅れ", None, None, "", "", CaseStatus.OPEN))
    assert controller.next_caller.phone == "03-1234-5678"
    qtbot.waitUntil(lambda: controller.history_loaded and controller.history is not None)
    assert controller.status()["past_contacts"] == 1
    assert controller.case.subject == "ノートPC: 異音がする"
