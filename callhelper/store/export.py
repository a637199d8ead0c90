"""The rows of the CSV export, streamed from the database in time order."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timezone

from sqlalchemy import text
from sqlmodel import Session

NOTE_HEADER = ("case", "customer", "phone", "contact_start", "offset", "kind", "text", "flags",
               "requests", "handler")
CASE_HEADER = ("case", "customer", "phone", "opened", "last_contact", "subject", "status",
               "urgency", "impact", "fix", "prevention", "handlers", "contacts", "notes", "flags")


@dataclass(frozen=True)
class ExportFilter:
    since: datetime | None = None
    until: datetime | None = None
    agent: str = ""


def _stored(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


@lru_cache(maxsize=4096)
def _local(value: str | datetime) -> str:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


@lru_cache(maxsize=256)
def _words(categories_json: str) -> str:
    return " ".join(json.loads(categories_json))


def _offset(milliseconds: int) -> str:
    seconds = milliseconds // 1000
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


def note_rows(session: Session, filters: ExportFilter) -> Iterator[tuple]:
    """One row per note, in the order the notes were taken."""
    where, params = _conditions(filters, "k.started_at", "n.agent")
    result = session.connection().execution_options(stream_results=True, yield_per=2000).execute(
        text("SELECT k.case_id, k.caller_name, k.phone, k.started_at, n.offset_ms, n.kind, "
             "n.text, n.flags, n.requests, n.agent FROM note n "
             f"JOIN contact k ON k.id = n.contact_id {where} ORDER BY k.started_at, n.id"),
        params)
    for case_id, name, phone, started, offset, kind, words, flags, requests, agent in result:
        yield (case_id, name, phone, _local(started), _offset(offset), kind, words,
               _words(flags), _words(requests), agent)


def case_rows(session: Session, filters: ExportFilter) -> Iterator[tuple]:
    """One row per case, oldest first."""
    where, params = _conditions(filters, "c.created_at",
                                "(SELECT min(x.agent) FROM contact x WHERE x.case_id = c.id "
                                "AND x.agent = :agent)")
    result = session.connection().execution_options(stream_results=True, yield_per=2000).execute(
        text("SELECT c.id, coalesce(cu.name, ''), coalesce(cu.phone, ''), c.created_at, "
             "c.updated_at, c.subject, c.status, c.urgency, c.impact, c.fix, c.prevention, "
             "(SELECT group_concat(DISTINCT agent) FROM contact k WHERE k.case_id = c.id), "
             "(SELECT count(*) FROM contact k WHERE k.case_id = c.id), "
             "(SELECT count(*) FROM note n JOIN contact k ON k.id = n.contact_id "
             "WHERE k.case_id = c.id), c.flag_count FROM support_case c "
             f"LEFT JOIN customer cu ON cu.id = c.customer_id {where} ORDER BY c.created_at, c.id"),
        params)
    for row in result:
        yield (row[0], row[1], row[2], _local(row[3]), _local(row[4]), *row[5:11],
               row[11] or "", row[12], row[13], row[14])
