"""The call session: timer, hold, and checklist timing, on a clock the test moves."""

import pytest

from callhelper.core.playbook import Localized, Playbook, PlaybookStep
from callhelper.core.session import CallSession, CallState, CallStateError, format_offset


def make_playbook(*targets: int) -> Playbook:
    steps = tuple(PlaybookStep(f"s{i}", Localized({"en": f"Step {i}"}), target)
                  for i, target in enumerate(targets, start=1))
    return Playbook("test", 1, Localized({"en": "Test"}), steps)


@pytest.fixture
def call(clock):
    session = CallSession(make_playbook(30, 180, 120), clock)
    session.start()
    return session


def elapsed(session):
    return [round(status.elapsed_seconds, 3) for status in session.steps()]


def test_timer_counts_from_start_and_freezes_at_end(call, clock):
    clock.advance(75.4)
    assert call.elapsed_seconds() == pytest.approx(75.4)
    call.end()
    clock.advance(100)
    assert call.elapsed_seconds() == pytest.approx(75.4)
    assert call.state is CallState.ENDED
    assert call.ended_at > call.started_at


def test_first_unticked_step_is_current_and_accrues_time(call, clock):
    clock.advance(20)
    assert [s.current for s in call.steps()] == [True, False, False]
    assert elapsed(call) == [20, 0, 0]
    call.toggle(0)
    clock.advance(50)
    assert [s.current for s in call.steps()] == [False, True, False]
    assert elapsed(call) == [20, 50, 0]


def test_step_past_its_target_is_overdue(call, clock):
    clock.advance(30)
    assert not call.steps()[0].overdue
    clock.advance(1)
    assert call.steps()[0].overdue
    assert not call.steps()[1].overdue


def test_steps_tick_in_any_order_and_untick(call, clock):
    change = call.toggle(1)
    assert change.step_id == "s2" and change.done
    clock.advance(10)
    assert call.current_index == 0
    call.toggle(0)
    assert call.current_index == 2
    clock.advance(5)
    untick = call.set_done(1, False)
    assert not untick.done and untick.offset_seconds == pytest.approx(15)
    assert call.current_index == 1
    clock.advance(7)
    assert elapsed(call) == [10, 7, 5]
    assert call.set_done(1, False) is None


def test_hold_time_is_not_talk_time_nor_step_time(call, clock):
    clock.advance(10)
    call.hold()
    assert call.state is CallState.ON_HOLD
    clock.advance(60)
    assert call.hold_seconds() == pytest.approx(60)
    assert call.talk_seconds() == pytest.approx(10)
    assert elapsed(call) == [10, 0, 0]
    call.resume()
    clock.advance(5)
    assert call.talk_seconds() == pytest.approx(15)
    assert elapsed(call) == [15, 0, 0]
    assert call.elapsed_seconds() == pytest.approx(75)


def test_actions_the_state_does_not_allow_are_refused(clock):
    session = CallSession(make_playbook(30), clock)
    with pytest.raises(CallStateError):
        session.hold()
    with pytest.raises(CallStateError):
        session.toggle(0)
    session.start()
    with pytest.raises(CallStateError):
        session.resume()
    with pytest.raises(IndexError):
        session.toggle(5)
    session.end()
    with pytest.raises(CallStateError):
        session.end()


def test_restore_continues_the_timer_and_keeps_ticks(clock):
    playbook = make_playbook(30, 180, 120)
    first = CallSession(playbook, clock)
    first.start()
    clock.advance(25)
    first.toggle(0)
    clock.advance(40)
    again = CallSession.restore(playbook, clock, first.uid, first.started_at, {"s1": 25.0})
    assert again.in_call and again.elapsed_seconds() == pytest.approx(65)
    assert [s.done for s in again.steps()] == [True, False, False]
    assert elapsed(again) == [25, 40, 0]
    clock.advance(5)
    assert elapsed(again) == [25, 45, 0]


def test_a_call_restored_on_hold_stays_on_hold(call, clock):
    clock.advance(10)
    call.hold()
    talk, hold = call.talk_seconds(), call.hold_seconds()
    clock.advance(100)
    again = CallSession.restore(call.playbook, clock, call.uid, call.started_at, {}, talk, hold,
                                on_hold=True)
    assert again.state is CallState.ON_HOLD
    assert (again.talk_seconds(), again.hold_seconds()) == (pytest.approx(10), pytest.approx(100))
    assert elapsed(again) == [10, 0, 0]
    clock.advance(20)
    again.resume()
    clock.advance(5)
    assert (again.talk_seconds(), again.hold_seconds()) == (pytest.approx(15), pytest.approx(120))


def test_a_call_restored_after_it_ended_keeps_its_length(call, clock):
    clock.advance(50)
    call.hold()
    clock.advance(10)
    call.end()
    clock.advance(3600)
    again = CallSession.restore(call.playbook, clock, call.uid, call.started_at, {},
                                call.talk_seconds(), call.hold_seconds(), ended_at=call.ended_at)
    assert again.state is CallState.ENDED
    assert again.elapsed_seconds() == pytest.approx(60)
    assert (again.talk_seconds(), again.hold_seconds()) == (pytest.approx(50), pytest.approx(10))


@pytest.mark.parametrize("seconds, text", [(0, "00:00"), (59.9, "00:59"), (61, "01:01"),
                                           (4503, "75:03")])
def test_format_offset(seconds, text):
    assert format_offset(seconds) == text
