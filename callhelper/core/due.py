"""When a promise falls due, as the agent says it: 「30分後」「15時」「15:30」「明日10時」
「今日中」「明日午前」「12/5 14時」, or "in 30 min", "15:30", "tomorrow 10", "12/5 2pm".

Everything is read in the local time of ``now``. Two choices are the project's own, as
agents promise by the business day:

- a day without a time (「今日中」「明日」「12/5」, "today") means by the end of the
  business day, END_OF_DAY (18:00); 「午後」"afternoon" means the same;
- 「午前」「午前中」"morning" mean by noon, MORNING_END (12:00).

A time that has passed is refused, never moved: 「10時」 at 11:00 means 10:00 today, which
is over, and the agent says 「明日10時」 instead. Only a date without a year is read as the
next such date (「1/10」 said in December is next January's), as a promise is never made
for a day already gone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

END_OF_DAY = time(18, 0)
MORNING_END = time(12, 0)


class DueProblem(StrEnum):
    EMPTY = "empty"
    UNREADABLE = "unreadable"
    NO_SUCH_TIME = "no_such_time"  # 25時, 2/30
    PAST = "past"


class DueTimeError(ValueError):
    """A due time that cannot be taken: ``problem`` says why, ``when`` is the time meant
    when it was understood (a past one)."""

    def __init__(self, problem: DueProblem, when: datetime | None = None) -> None:
        super().__init__(problem.value if when is None else f"{problem.value}: {when}")
        self.problem = problem
        self.when = when


@dataclass(frozen=True)
class _Day:
    day: date
    year_given: bool = True


_TODAY = r"今日|本日|きょう|today"
_TOMORROW = r"明日|あした|あす|tomorrow"
_DAY_AFTER = r"明後日|あさって"
_DAY = re.compile(
    rf"^(?:(?P<today>{_TODAY})|(?P<after>{_DAY_AFTER})|(?P<tomorrow>{_TOMORROW})"
    r"|(?:(?P<year>\d{4})[/-])?(?P<month>\d{1,2})[/-](?P<mday>\d{1,2})"
    r"|(?:(?P<jyear>\d{4})年)?(?P<jmonth>\d{1,2})月(?P<jday>\d{1,2})日)"
    r"(?:\s*中)?(?:\s*\([^)]*\))?")
_RELATIVE = re.compile(
    r"^(?:in\s*)?(?P<count>\d+)\s*(?:(?P<minutes>分|m|mins?|minutes?)"
    r"|(?P<hours>時間|h|hrs?|hours?)(?P<half>半)?|(?P<days>日|days?))\s*(?:後|以内|later)?$")
_TIME = re.compile(
    r"^(?P<pre>午前|午後|am|pm)?\s*(?P<hour>\d{1,2})"
    r"(?:\s*:\s*(?P<minute>\d{2})|\s*時\s*(?:(?P<jminute>\d{1,2})\s*分|(?P<half>半))?|(?=\s*(?:am|pm)|$))"
    r"\s*(?P<post>am|pm)?$")
_END_OF_DAY_WORDS = {"", "中", "まで", "eod", "end of day", "午後", "afternoon"}
_MORNING_WORDS = {"午前", "午前中", "morning", "am"}
_SUFFIX = re.compile(r"\s*(?:までに|まで|頃|ごろ|by)\s*$")


def parse_due(text: str, now: datetime) -> datetime:
    """The moment ``text`` names, in the time zone of ``now`` (aware); raises
    DueTimeError when it names none, or one not after ``now``."""
    said = _SUFFIX.sub("", " ".join(unicodedata.normalize("NFKC", text).lower().split()))
    said = re.sub(r"^by\s+", "", said)
    if not said:
        raise DueTimeError(DueProblem.EMPTY)
    relative = _RELATIVE.match(said)
    if relative:
        return _checked(_after(relative, now), now)
    day_match = _DAY.match(said)
    rest = said[day_match.end():].strip() if day_match else said
    day = _day(day_match, now) if day_match else None
    if day_match and day is None:
        raise DueTimeError(DueProblem.NO_SUCH_TIME)
    at = _time_of_day(rest, day is not None)
    moment = datetime.combine(day.day if day else now.date(), at, now.tzinfo)
    if day is not None and not day.year_given and moment.date() < now.date():
        moment = _next_year(moment)
    return _checked(moment, now)


def _checked(moment: datetime, now: datetime) -> datetime:
    if moment <= now:
        raise DueTimeError(DueProblem.PAST, moment)
    return moment


def _after(match: re.Match, now: datetime) -> datetime:
    count = int(match["count"])
    if match["minutes"]:
        return (now + timedelta(minutes=count)).replace(second=0, microsecond=0)
    if match["hours"]:
        later = now + timedelta(hours=count, minutes=30 if match["half"] else 0)
        return later.replace(second=0, microsecond=0)
    return datetime.combine(now.date() + timedelta(days=count), END_OF_DAY, now.tzinfo)


def _day(match: re.Match, now: datetime) -> _Day | None:
    """The day a phrase starts with (None: a date that does not exist)."""
    today = now.date()
    if match["today"]:
        return _Day(today)
    if match["tomorrow"]:
        return _Day(today + timedelta(days=1))
    if match["after"]:
        return _Day(today + timedelta(days=2))
    year = match["year"] or match["jyear"]
    month, mday = match["month"] or match["jmonth"], match["mday"] or match["jday"]
    try:
        return _Day(date(int(year) if year else today.year, int(month), int(mday)),
                    year is not None)
    except ValueError:
        return None


def _time_of_day(rest: str, day_given: bool) -> time:
    if rest in _END_OF_DAY_WORDS and (day_given or rest):
        return END_OF_DAY
    if rest in _MORNING_WORDS:
        return MORNING_END
    match = _TIME.match(rest)
    bare = match is not None and not (match["minute"] or "時" in rest or match["pre"]
                                      or match["post"])
    if match is None or (bare and not day_given):  # "15" alone: minutes or hours?
        raise DueTimeError(DueProblem.UNREADABLE)
    hour = int(match["hour"])
    minute = int(match["minute"] or match["jminute"] or (30 if match["half"] else 0))
    meridiem = match["pre"] or match["post"]
    if meridiem:
        if not 1 <= hour <= 12:
            raise DueTimeError(DueProblem.NO_SUCH_TIME)
        hour = hour % 12 + (12 if meridiem in ("午後", "pm") else 0)
    if hour > 23 or minute > 59:
        raise DueTimeError(DueProblem.NO_SUCH_TIME)
    return time(hour, minute)


def _next_year(moment: datetime) -> datetime:
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:  # 2/29
        raise DueTimeError(DueProblem.NO_SUCH_TIME) from None
