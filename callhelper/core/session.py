"""The state of one call: timer, hold, and the checklist of its playbook.

Durations come from the injected clock's monotonic time. A step's time is the
talk time (not hold time) during which it was the current step, that is, the
first step not yet ticked. Steps may be ticked in any order and un-ticked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from callhelper.core.clock import Clock
from callhelper.core.playbook import Playbook, PlaybookStep


class CallState(Enum):
    READY = "ready"
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    ENDED = "ended"


class CallStateError(RuntimeError):
    """An action that the call's current state does not allow."""


@dataclass(frozen=True)
class StepStatus:
    """What the checklist shows for one step at one moment."""

    index: int
    step: PlaybookStep
    done: bool
    elapsed_seconds: float
    current: bool

    @property
    def target_seconds(self) -> int:
        return self.step.target_seconds

    @property
    def started(self) -> bool:
        return self.done or self.current or self.elapsed_seconds > 0

    @property
    def overdue(self) -> bool:
        return self.elapsed_seconds > self.step.target_seconds


@dataclass(frozen=True)
class StepChange:
    """A tick or un-tick, as it is recorded."""

    step_id: str
    done: bool
    offset_seconds: float
    step_elapsed_seconds: float


def new_uid() -> str:
    """A new random identifier: a version 4 UUID's 32 hex digits. ``uuid`` (and ``platform``,
    which it loads) is imported when the first one is made, not before the window shows."""
    import uuid

    return uuid.uuid4().hex


class CallSession:
    def __init__(self, playbook: Playbook, clock: Clock, uid: str | None = None) -> None:
        self.playbook = playbook
        self.uid = uid or new_uid()
        self._clock = clock
        self._state = CallState.READY
        self._done = [False] * len(playbook.steps)
        self._step_elapsed = [0.0] * len(playbook.steps)
        self._started_mono = 0.0
        self._ended_mono: float | None = None
        self._mark = 0.0
        self._talk = 0.0
        self._hold = 0.0
        self.started_at: datetime | None = None
        self.ended_at: datetime | None = None

    @classmethod
    def restore(cls, playbook: Playbook, clock: Clock, uid: str, started_at: datetime,
                ticked: dict[str, float], talk_seconds: float = 0.0, hold_seconds: float = 0.0,
                on_hold: bool = False, ended_at: datetime | None = None) -> CallSession:
        """Rebuild a call that was under way (or awaiting its wrap-up) when the app stopped.

        ``ticked`` maps each ticked step to its time when it was ticked. Talk and hold time
        are as last stored: an active call counts the time since as talk, a call on hold
        as hold, and an ended call keeps its length.
        """
        session = cls(playbook, clock, uid)
        now = clock.monotonic()
        session.started_at = started_at
        elapsed = max(0.0, (clock.now() - started_at).total_seconds())
        session._started_mono = now - elapsed
        session._mark = now
        if ended_at is not None:
            session._state = CallState.ENDED
            session.ended_at = ended_at
            session._ended_mono = session._started_mono + max(
                0.0, (ended_at - started_at).total_seconds())
            session._talk, session._hold = talk_seconds, hold_seconds
        elif on_hold:
            session._state = CallState.ON_HOLD
            session._talk = min(max(0.0, talk_seconds), elapsed)
            session._hold = elapsed - session._talk
        else:
            session._state = CallState.ACTIVE
            session._hold = min(max(0.0, hold_seconds), elapsed)
            session._talk = elapsed - session._hold
        for index, step in enumerate(playbook.steps):
            if step.id in ticked:
                session._done[index] = True
                session._step_elapsed[index] = max(0.0, ticked[step.id])
        current = session.current_index
        if current is not None:
            session._step_elapsed[current] = max(0.0, session._talk - sum(session._step_elapsed))
        return session

    @property
    def state(self) -> CallState:
        return self._state

    @property
    def in_call(self) -> bool:
        return self._state in (CallState.ACTIVE, CallState.ON_HOLD)

    def start(self) -> None:
        self._require(CallState.READY)
        now = self._clock.monotonic()
        self._started_mono = self._mark = now
        self.started_at = self._clock.now()
        self._state = CallState.ACTIVE

    def hold(self) -> None:
        self._require(CallState.ACTIVE)
        self._accrue()
        self._state = CallState.ON_HOLD

    def resume(self) -> None:
        self._require(CallState.ON_HOLD)
        self._accrue()
        self._state = CallState.ACTIVE

    def toggle_hold(self) -> None:
        self.resume() if self._state is CallState.ON_HOLD else self.hold()

    def end(self) -> None:
        if not self.in_call:
            raise CallStateError(f"cannot end a call that is {self._state.value}")
        self._accrue()
        self._ended_mono = self._clock.monotonic()
        self.ended_at = self._clock.now()
        self._state = CallState.ENDED

    def elapsed_seconds(self) -> float:
        """Time since the call started (talk and hold), frozen at the end."""
        if self._state is CallState.READY:
            return 0.0
        stop = self._ended_mono if self._ended_mono is not None else self._clock.monotonic()
        return stop - self._started_mono

    def talk_seconds(self) -> float:
        return self._talk + (self._pending() if self._state is CallState.ACTIVE else 0.0)

    def hold_seconds(self) -> float:
        return self._hold + (self._pending() if self._state is CallState.ON_HOLD else 0.0)

    @property
    def current_index(self) -> int | None:
        return next((i for i, done in enumerate(self._done) if not done), None)

    def steps(self) -> list[StepStatus]:
        current = self.current_index
        live = self._pending() if self._state is CallState.ACTIVE else 0.0
        return [
            StepStatus(index, step, self._done[index],
                       self._step_elapsed[index] + (live if index == current else 0.0),
                       index == current and self.in_call)
            for index, step in enumerate(self.playbook.steps)
        ]

    def set_done(self, index: int, done: bool) -> StepChange | None:
        """Tick or un-tick a step; returns the change, or None if nothing changed."""
        if not self.in_call:
            raise CallStateError("steps can be ticked only during a call")
        if not 0 <= index < len(self._done):
            raise IndexError(f"no step {index + 1} in this playbook")
        if self._done[index] == done:
            return None
        self._accrue()
        self._done[index] = done
        return StepChange(self.playbook.steps[index].id, done, self.elapsed_seconds(),
                          self._step_elapsed[index])

    def toggle(self, index: int) -> StepChange | None:
        if not 0 <= index < len(self._done):
            raise IndexError(f"no step {index + 1} in this playbook")
        return self.set_done(index, not self._done[index])

    def _pending(self) -> float:
        return self._clock.monotonic() - self._mark

    def _accrue(self) -> None:
        """Book the time since the last change to talk or hold and to the current step."""
        pending = self._pending()
        self._mark = self._clock.monotonic()
        if self._state is CallState.ACTIVE:
            self._talk += pending
            current = self.current_index
            if current is not None:
                self._step_elapsed[current] += pending
        elif self._state is CallState.ON_HOLD:
            self._hold += pending

    def _require(self, state: CallState) -> None:
        if self._state is not state:
            raise CallStateError(f"the call is {self._state.value}, not {state.value}")


def format_offset(seconds: float) -> str:
    """mm:ss from call start; minutes keep counting past the hour (75:03)."""
    whole = max(0, int(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"
