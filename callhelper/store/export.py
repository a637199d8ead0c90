"""The rows of the CSV export, streamed from the database: notes in the order they were
taken, cases oldest first.

Rows come straight from the DB-API cursor a batch at a time, and each batch is shaped by one
list comprehension: SQLAlchemy's result processing, a call per value and a generator step per
row were most of the export's time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from itertools import chain
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from callhelper.core.flag_review import decided_states_text
from callhelper.store.compiled import Compiled
from callhelper.store.dialect import distinct_list, joined_in_order

NOTE_HEADER = ("case", "customer", "phone", "contact_start", "offset", "kind", "text", "flags",
               "requests", "handler", "flag_states")
CASE_HEADER = ("case", "customer", "phone", "opened", "last_contact", "subject", "status",
               "urgency", "impact", "fix", "prevention", "handlers", "contacts", "notes", "flags")
FETCH_ROWS = 2000

NOTES_FROM = "FROM note n JOIN contact k ON k.id = n.contact_id"
CASES_FROM = "FROM support_case c LEFT JOIN customer cu ON cu.id = c.customer_id"


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
    notes of one call share its start, a handful of flag lists recur, offsets are a few
    thousand seconds at most), and a subscript costs less than a call. Cleared when full,
    so memory stays flat."""

    def __init__(self, compute: Callable[[Any], str], limit: int = 4096) -> None:
        super().__init__()
        self._compute = compute
        self._limit = limit

    def __missing__(self, key: Any) -> str:
        if len(self) >= self._limit:
            self.clear()
        value = self[key] = self._compute(key)
        return value


def _local(value: str | datetime) -> str:
    """A stored UTC time as local ``YYYY-MM-DD HH:MM:SS``."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().isoformat(" ", "seconds")[:19]


def _words(categories_json: str) -> str:
    return " ".join(json.loads(categories_json))


def _minutes_seconds(seconds: int) -> str:
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


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


def _flag_states(flags_and_decisions: tuple[str, str | None]) -> str:
    flags, decided = flags_and_decisions
    return decided_states_text(json.loads(flags), decided or "")


def _note_shaper() -> Callable[[list[tuple]], list[tuple]]:
    local, labels, offset = _Memo(_local), _Memo(_words), _Memo(_minutes_seconds)
    states = _Memo(_flag_states)

    def shape(batch: list[tuple]) -> list[tuple]:
        return [(case_id, name, phone, local[started], offset[offset_ms // 1000], kind, words,
                 labels[flags], labels[requests], agent, states[flags, decided])
                for (case_id, name, phone, started, offset_ms, kind, words, flags, requests,
                     agent, decided) in batch]

    return shape


def _decisions_text(session: Session) -> str:
    """A note's flag decisions, oldest first, as ``category:state;…`` (NULL for none)."""
    return joined_in_order("r.category || ':' || r.state", ";",
                           "flag_review r WHERE r.note_uid = n.uid", "r.id", session)


def _case_shaper() -> Callable[[list[tuple]], list[tuple]]:
    local = _Memo(_local)

    def shape(batch: list[tuple]) -> list[tuple]:
        return [(row[0], row[1], row[2], local[row[3]], local[row[4]], *row[5:11],
                 row[11] or "", row[12], row[13], row[14]) for row in batch]

    return shape


def note_rows(session: Session, filters: ExportFilter) -> Iterator[tuple]:
    """One row per note, in the order the notes were taken."""
    where, params = _note_conditions(filters)
    return _rows(session,
                 "SELECT k.case_id, k.caller_name, k.phone, k.started_at, n.offset_ms, n.kind, "
                 # as JSON text on both databases (PostgreSQL's driver would decode it)
                 f"n.text, CAST(n.flags AS TEXT), CAST(n.requests AS TEXT), n.agent, "
                 f"{_decisions_text(session)} {NOTES_FROM} {where} "
                 # the id is the order of writing: no sort of the whole join by call start
                 "ORDER BY n.id", params, _note_shaper())


def case_rows(session: Session, filters: ExportFilter) -> Iterator[tuple]:
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
                 f"{CASES_FROM} {where} ORDER BY c.created_at, c.id", params, _case_shaper())


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
