"""Reading the due time of a promise as the agent says it, against a fixed clock."""

from datetime import datetime, timedelta, timezone

import pytest

from callhelper.core.due import DueProblem, DueTimeError, parse_due

JST = timezone(timedelta(hours=9))
NOW = datetime(2026, 1, 5, 13, 37, 20, tzinfo=JST)  # a Monday afternoon


def at(month, day, hour, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=JST)


@pytest.mark.parametrize("said, meant", [
    ("30分後", at(1, 5, 14, 7)),
    ("３０分後", at(1, 5, 14, 7)),
    ("in 30 min", at(1, 5, 14, 7)),
    ("1時間半後", at(1, 5, 15, 7)),
    ("in 2 hours", at(1, 5, 15, 37)),
    ("13:39", at(1, 5, 13, 39)),
    ("15時", at(1, 5, 15)),
    ("15時までに", at(1, 5, 15)),
    ("15時半", at(1, 5, 15, 30)),
    ("15:30", at(1, 5, 15, 30)),
    ("午後3時", at(1, 5, 15)),
    ("3pm", at(1, 5, 15)),
    ("今日中", at(1, 5, 18)),
    ("today", at(1, 5, 18)),
    ("明日10時", at(1, 6, 10)),
    ("明日 10:15", at(1, 6, 10, 15)),
    ("tomorrow 10", at(1, 6, 10)),
    ("tomorrow 2pm", at(1, 6, 14)),
    ("明日午前", at(1, 6, 12)),
    ("明日午前中", at(1, 6, 12)),
    ("明日", at(1, 6, 18)),
    ("明後日15時", at(1, 7, 15)),
    ("3日後", at(1, 8, 18)),
    ("12/5 14時", at(12, 5, 14)),
    ("1/9(金) 9:30", at(1, 9, 9, 30)),
    ("1月9日15時", at(1, 9, 15)),
    ("2026-01-09 15:30", at(1, 9, 15, 30)),
    ("1/9", at(1, 9, 18)),
    ("1/2 10時", at(1, 2, 10, year=2027)),  # no year, the day gone: next year's
])
def test_what_agents_say_is_read_as_meant(said, meant):
    assert parse_due(said, NOW) == meant


@pytest.mark.parametrize("said, meant", [
    ("13:30", at(1, 5, 13, 30)),  # a few minutes ago: not moved to a later hour
    ("10時", at(1, 5, 10)),
    ("午前中", at(1, 5, 12)),
    ("2026/1/2 10時", at(1, 2, 10)),  # a year given is kept
])
def test_a_time_already_past_is_refused_and_named(said, meant):
    with pytest.raises(DueTimeError) as refused:
        parse_due(said, NOW)
    assert refused.value.problem is DueProblem.PAST
    assert refused.value.when == meant


@pytest.mark.parametrize("said, problem", [
    ("", DueProblem.EMPTY),
    ("  ", DueProblem.EMPTY),
    ("そのうち", DueProblem.UNREADABLE),
    ("15", DueProblem.UNREADABLE),  # fifteen minutes, or three in the afternoon?
    ("25時", DueProblem.NO_SUCH_TIME),
    ("15:75", DueProblem.NO_SUCH_TIME),
    ("2/30 10時", DueProblem.NO_SUCH_TIME),
    ("13pm", DueProblem.NO_SUCH_TIME),
])
def test_what_names_no_time_is_refused(said, problem):
    with pytest.raises(DueTimeError) as refused:
        parse_due(said, NOW)
    assert refused.value.problem is problem
