"""The rows of the export (CSV or .xlsx), streamed from the database: notes in the order
they were taken, cases oldest first.

Cells are typed: case numbers, counts and a note's offset from the call's start (seconds)
are numbers, times are naive local datetimes, the rest text. Ids (note kinds, flag and request
categories, flag states, statuses, levels) and the column names are shown as ``Labels`` say:
the words of the window's language, or the ids themselves for scripts.

Rows come straight from the DB-API cursor a batch at a time, and each batch is shaped by one
list comprehension: SQLAlchemy's result processing, a call per value and a generator step per
row were most of the export's time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from itertools import chain
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from callhelper.core.flag_review import decided_states_text
from callhelper.core.phones import normalize_phone
from callhelper.store.compiled import Compiled
from callhelper.store.dialect import distinct_list, joined_in_order

NOTE_HEADER = ("case", "customer", "phone", "contact_start", "offset_seconds", "kind", "text",
               "flags", "requests", "handler", "flag_states", "subject", "due")
CASE_HEADER = ("case", "customer", "phone", "opened", "last_contact", "subject", "status",
               "urgency", "impact", "fix", "prevention", "handlers", "contacts", "notes", "flags")
FETCH_ROWS = 2000

NOTES_FROM = "FROM note n JOIN contact k ON k.id = n.contact_id"
NOTES_DETAILS = ("JOIN support_case c ON c.id = k.case_id "
                 "LEFT JOIN customer cu ON cu.id = coalesce(k.customer_id, c.customer_id)")
CASES_FROM = "FROM support_case c LEFT JOIN customer cu ON cu.id = c.customer_id"


@dataclass(frozen=True)
class Labels:
    """What the export shows for the ids it stores; an id without a label is shown as it is,
    so ``Labels()`` gives the ids (for scripts). ``separator`` goes between the categories of
    one cell: a space between ids, a slash between labels (which may hold spaces)."""

    columns: Mapping[str, str] = field(default_factory=dict)
    kinds: Mapping[str, str] = field(default_factory=dict)
    categories: Mapping[str, str] = field(default_factory=dict)
    states: Mapping[str, str] = field(default_factory=dict)
    statuses: Mapping[str, str] = field(default_factory=dict)
    levels: Mapping[str, str] = field(default_factory=dict)
    separator: str = " "

    def header(self, columns: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(self.columns.get(column, column) for column in columns)

    def categories_text(self, categories: list[str]) -> str:
        return self.separator.join(self.categories.get(category, category)
                                   for category in categories)

    def states_text(self, detected: list[str], decided: str) -> str:
        """Each flag with its state: ``threat:confirmed;insult:dismissed`` with ids, the same
        in words with labels (``…: confirmed / …: dismissed``)."""
        text = decided_states_text(detected, decided)
        if not self.states:
            return text
        pairs = (pair.split(":", 1) for pair in text.split(";") if pair)
        return self.separator.join(f"{self.categories.get(category, category)}: "
                                   f"{self.states.get(state, state)}"
                                   for category, state in pairs)


IDS = Labels()


@dataclass(frozen=True)
class ExportFilter:
    since: datetime | None = None
    until: datetime | None = None
    agent: str = ""

    @classmethod
    def for_days(cls, first: date | None, last: date | None, agent: str = "") -> ExportFilter:
        """From the start of ``first`` to the end of ``last``, local days, both included."""
        def start(day: date) -> datetime:
            return datetime.combine(day, time()).astimezone()

        return cls(start(first) if first else None,
                   start(last + timedelta(days=1)) if last else None, agent)


def _stored(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


class _Memo(dict):
    """``memo[key]`` is ``compute(key)``, computed once: nearly every row repeats a value (the
    notes of one call share its start and number, a handful of kinds and flag lists recur),
    and a subscript costs less than a call. Cleared when full, so memory stays flat."""

    def __init__(self, compute: Callable[[Any], Any], limit: int = 4096) -> None:
        super().__init__()
        self._compute = compute
        self._limit = limit

    def __missing__(self, key: Any) -> Any:
        if len(self) >= self._limit:
            self.clear()
        value = self[key] = self._compute(key)
        return value


def _local(value: str | datetime | None) -> datetime | None:
    """A stored UTC time as a naive local time to the second (``str`` of it is
    ``YYYY-MM-DD HH:MM:SS``)."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().replace(tzinfo=None, microsecond=0)


class _LocalTimes:
    """``_local``, faster for times stored as text (SQLite's): the local zone's offset is
    found once per hour of UTC (the text's first 13 characters) and added. An hour in which
    the offset changes (a clock change at half past, say) is converted time by time."""

    _HOUR = timedelta(hours=1) - timedelta(microseconds=1)

    def __init__(self, limit: int = 4096) -> None:
        self._offsets: dict[str, timedelta | None] = {}
        self._limit = limit

    def __call__(self, value: str | datetime | None) -> datetime | None:
        if not isinstance(value, str) or len(value) < 19:
            return _local(value)
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is not None:  # not as the app stores times: converted as it is
            return _local(moment)
        hour = value[:13]
        offset = self._offsets.get(hour, False)
        if offset is False:
            offset = self._offset(hour)
        if offset is None:
            return _local(moment)
        return (moment + offset).replace(microsecond=0)

    def _offset(self, hour: str) -> timedelta | None:
        if len(self._offsets) >= self._limit:
            self._offsets.clear()
        try:
            start = datetime.fromisoformat(hour + ":00").replace(tzinfo=timezone.utc)
            first = start.astimezone().utcoffset()
            last = (start + self._HOUR).astimezone().utcoffset()
        except (ValueError, OverflowError):  # the hour's ends out of range: time by time
            offset = None
        else:
            offset = first if first == last else None
        self._offsets[hour] = offset
        return offset


#: How many numbers an export keeps formatted. Formatting one takes about 35 µs, every note
#: of a call repeats its number and callers call again: a year of 100k cases holds some 32k
#: numbers, all kept here (about 3 MB, for the export only); with 4,096 kept, nearly three
#: times as many were formatted, a third of the export's time.
PHONES_KEPT = 1 << 15


def _phone(typed: str) -> str:
    """A number as the window shows it (03-1234-5678), or as typed if it is none."""
    return normalize_phone(typed).display if typed else ""


def _conditions(filters: ExportFilter, time_column: str, agent_column: str) -> tuple[str, dict]:
    conditions, params = [], {}
    if filters.since:
        conditions.append(f"{time_column} >= :since")
        params["since"] = _stored(filters.since)
    if filters.until:
        conditions.append(f"{time_column} < :until")
        params["until"] = _stored(filters.until)
    if filters.agent:
        conditions.append(f"{agent_column} = :agent")
        params["agent"] = filters.agent
    return (f"WHERE {' AND '.join(conditions)}" if conditions else ""), params


def _note_conditions(filters: ExportFilter) -> tuple[str, dict]:
    return _conditions(filters, "k.started_at", "n.agent")


def _case_conditions(filters: ExportFilter) -> tuple[str, dict]:
    return _conditions(filters, "c.created_at",
                       "(SELECT min(x.agent) FROM contact x WHERE x.case_id = c.id "
                       "AND x.agent = :agent)")


def _batches(session: Session, sql: str, params: dict) -> Iterator[list[tuple]]:
    """The rows of ``sql`` as plain tuples, a batch at a time, in the session's transaction."""
    return Compiled(sql).batches(session.connection(), params, FETCH_ROWS)


def _rows(session: Session, sql: str, params: dict,
          shape: Callable[[list[tuple]], list[tuple]]) -> Iterator[tuple]:
    return chain.from_iterable(map(shape, _batches(session, sql, params)))


def _count(session: Session, from_clause: str, where: str, params: dict) -> int:
    return session.connection().execute(
        text(f"SELECT count(*) {from_clause} {where}"), params).scalar_one()


def _note_shaper(labels: Labels) -> Callable[[list[tuple]], list[tuple]]:
    local, phone = _Memo(_LocalTimes()), _Memo(_phone, PHONES_KEPT)
    kinds = _Memo(lambda kind: labels.kinds.get(kind, kind))
    categories = _Memo(lambda found: labels.categories_text(json.loads(found)))
    states = _Memo(lambda flags_and_decided: labels.states_text(
        json.loads(flags_and_decided[0]), flags_and_decided[1] or ""))

    def shape(batch: list[tuple]) -> list[tuple]:
        return [(case_id, name, phone[number], local[started], offset_ms // 1000, kinds[kind],
                 words, categories[flags], categories[requests], agent,
                 states[flags, decided], subject, local[due])
                for (case_id, name, number, started, offset_ms, kind, words, flags, requests,
                     agent, decided, subject, due) in batch]

    return shape


def _decisions_text(session: Session) -> str:
    """A note's flag decisions, oldest first, as ``category:state;…`` (NULL for none)."""
    return joined_in_order("r.category || ':' || r.state", ";",
                           "flag_review r WHERE r.note_uid = n.uid", "r.id", session)


def _case_shaper(labels: Labels) -> Callable[[list[tuple]], list[tuple]]:
    local, phone = _Memo(_LocalTimes()), _Memo(_phone, PHONES_KEPT)
    statuses = _Memo(lambda status: labels.statuses.get(status, status))
    levels = _Memo(lambda level: labels.levels.get(level, level))

    def shape(batch: list[tuple]) -> list[tuple]:
        return [(case_id, name, phone[number], local[opened], local[updated], subject,
                 statuses[status], levels[urgency], levels[impact], fix, prevention,
                 handlers or "", contacts, notes, flags)
                for (case_id, name, number, opened, updated, subject, status, urgency, impact,
                     fix, prevention, handlers, contacts, notes, flags) in batch]

    return shape


def note_rows(session: Session, filters: ExportFilter, labels: Labels = IDS) -> Iterator[tuple]:
    """One row per note, in the order the notes were taken; the customer's name is the one
    the agent typed, else the customer record's, and so is the number."""
    where, params = _note_conditions(filters)
    return _rows(session,
                 "SELECT k.case_id, coalesce(nullif(k.caller_name, ''), cu.name, ''), "
                 "coalesce(nullif(k.phone, ''), cu.phone, ''), k.started_at, n.offset_ms, "
                 # as JSON text on both databases (PostgreSQL's driver would decode it)
                 "n.kind, n.text, CAST(n.flags AS TEXT), CAST(n.requests AS TEXT), n.agent, "
                 f"{_decisions_text(session)}, c.subject, n.due_at "
                 f"{NOTES_FROM} {NOTES_DETAILS} {where} "
                 # the id is the order of writing: no sort of the whole join by call start
                 "ORDER BY n.id", params, _note_shaper(labels))


def case_rows(session: Session, filters: ExportFilter, labels: Labels = IDS) -> Iterator[tuple]:
    """One row per case, oldest first."""
    where, params = _case_conditions(filters)
    return _rows(session,
                 "SELECT c.id, coalesce(cu.name, ''), coalesce(cu.phone, ''), c.created_at, "
                 "c.updated_at, c.subject, c.status, c.urgency, c.impact, c.fix, c.prevention, "
                 f"(SELECT {distinct_list('agent', session)} FROM contact k "
                 "WHERE k.case_id = c.id), "
                 "(SELECT count(*) FROM contact k WHERE k.case_id = c.id), "
                 "(SELECT count(*) FROM note n JOIN contact k ON k.id = n.contact_id "
                 "WHERE k.case_id = c.id), c.flag_count "
                 f"{CASES_FROM} {where} ORDER BY c.created_at, c.id", params,
                 _case_shaper(labels))


def count_notes(session: Session, filters: ExportFilter) -> int:
    """How many rows ``note_rows`` gives for ``filters``, without reading them."""
    where, params = _note_conditions(filters)
    # Every note has its call (a foreign key): without a time filter the call is not needed.
    counted = NOTES_FROM if filters.since or filters.until else "FROM note n"
    return _count(session, counted, where, params)


def count_cases(session: Session, filters: ExportFilter) -> int:
    """How many rows ``case_rows`` gives for ``filters``, without reading them."""
    where, params = _case_conditions(filters)
    return _count(session, CASES_FROM, where, params)
