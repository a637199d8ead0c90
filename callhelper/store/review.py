"""The supervisor's review: several agents' database files, or a team's server, opened
read-only and merged.

Nothing is written to a reviewed file, not even a checkpoint: a file whose write-ahead log
is empty is opened as immutable (SQLite takes no locks and creates nothing); one with a
log (its app is running, or it crashed) is opened read-only, so the log's pages are read
through SQLite's shared index and the database file itself is left as it was. The schema
is not upgraded either: a file from another version of the app is refused with a message.

A team's server (docs/team-mode.md) is one more source, labelled by its host and database.
Its connections run every transaction read-only, as one snapshot (dialect.read_only_sessions),
and a server whose schema is at another revision is refused with a message too.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from callhelper.core.audit import Entity, Entry
from callhelper.core.flag_review import CategoryReview, FlagState
from callhelper.store import audit, history
from callhelper.store.dialect import (json_text, local_date, local_zone_parameters,
                                      read_only_sessions, whole_days_since)
from callhelper.store.engine import head_revision, known_revisions, make_engine
from callhelper.store.history import CaseFilter, CaseRow, CaseTimeline

DATABASE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
#: Age buckets of open prevention items, in days: [0, 7), [7, 30), [30, 90), [90, ∞).
AGE_BUCKETS = (7, 30, 90)
TOP_SUBJECTS = 5


class ReviewError(ValueError):
    """A file that cannot be reviewed, with the reason in plain words."""


def find_databases(paths: list[Path]) -> list[Path]:
    """The database files named, and those inside the folders named (one level down too),
    each once, in a stable order."""
    found: dict[Path, None] = {}
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for candidate in sorted(path.glob("*")) + sorted(path.glob("*/*")):
                if candidate.is_file() and candidate.suffix.lower() in DATABASE_SUFFIXES:
                    found.setdefault(candidate.resolve(), None)
        else:
            found.setdefault(path.resolve(), None)
    return list(found)


def read_only_engine(path: Path) -> Engine:
    """An engine that can only read ``path`` (see the module's note)."""
    path = Path(path).resolve()
    if not path.is_file():
        raise ReviewError(f"{path}: no such file")
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() and wal.stat().st_size > 0 else "immutable=1"
    url = f"sqlite:///file:{quote(str(path))}?{mode}&uri=true"
    return create_engine(url, connect_args={"check_same_thread": False})


@dataclass
class Source:
    """One reviewed file or server (``path`` None); ``label`` tells it apart in the merged
    view."""

    path: Path | None
    label: str
    engine: Engine

    @contextlib.contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            yield connection
            connection.rollback()


def _revision(engine: Engine) -> str | None:
    """The schema revision a reviewed database is at; raises if it has none (not a
    CallHelper database) or cannot be read."""
    with engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def open_source(path: Path) -> Source:
    engine = read_only_engine(path)
    try:
        revision = _revision(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise ReviewError(f"{path}: not a CallHelper database "
                          f"({str(exc.orig if hasattr(exc, 'orig') else exc)})") from exc
    if revision != head_revision():
        engine.dispose()
        raise ReviewError(f"{path}: written by another version of CallHelper (schema "
                          f"{revision}, this version reads {head_revision()}); open it once "
                          f"in that agent's CallHelper to bring it up to date")
    return Source(Path(path), Path(path).stem, engine)


def server_label(url: str) -> str:
    """How a server is named in the review: ``host/database`` (with the port if it is not
    the usual one); never its login or password."""
    from callhelper.urls import DEFAULT_PORT, server_of

    _user, host, port, database = server_of(url)
    return f"{host}/{database}" if port == DEFAULT_PORT else f"{host}:{port}/{database}"


def open_server(url: str) -> Source:
    """A team's server (docs/team-mode.md), read-only; its password comes from the keyring
    (make_engine). Refused, with the reason, if it cannot be reached or its schema is at
    another revision than this version reads."""
    from callhelper.store.sync import with_connect_timeout

    label = server_label(url)
    engine = make_engine(with_connect_timeout(url))  # a server out of reach: said soon
    read_only_sessions(engine)
    try:
        revision = _revision(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise ReviewError(f"{label}: the server's database cannot be read "
                          f"({reason[0] if reason else type(exc).__name__})") from exc
    if revision != head_revision():
        engine.dispose()
        if revision in known_revisions():
            advice = ("its administrator brings it up to date with `callhelper team setup` "
                      "(docs/team-mode.md)")
        else:
            advice = "this PC needs the version of CallHelper the server was upgraded for"
        raise ReviewError(f"{label}: the server's database is at schema {revision}, this "
                          f"version of CallHelper reads {head_revision()}; {advice}")
    return Source(None, label, engine)


@dataclass
class ReviewSet:
    """The open files (and server). Works as a store for the GUI's worker: ``unit_of_work``
    yields it."""

    sources: list[Source]
    problems: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, paths: list[Path], server: str | None = None) -> "ReviewSet":
        """Open the server (a database URL), if one is given, and every file it can; the
        others are listed in ``problems``."""
        sources, problems = [], []
        if server is not None:
            try:
                sources.append(open_server(server))
            except ReviewError as exc:
                problems.append(str(exc))
        for path in find_databases(paths):
            try:
                sources.append(open_source(path))
            except ReviewError as exc:
                problems.append(str(exc))
        labels = Counter(source.label for source in sources)
        for source in sources:
            # the same name in several folders
            if labels[source.label] > 1 and source.path is not None:
                source.label = f"{source.path.parent.name}/{source.label}"
        return cls(sources, problems)

    @contextlib.contextmanager
    def unit_of_work(self) -> Iterator["ReviewSet"]:
        yield self

    def source(self, label: str) -> Source:
        return next(source for source in self.sources if source.label == label)

    def close(self) -> None:
        for source in self.sources:
            source.engine.dispose()


# ------------------------------------------------------------------------- cases

@dataclass(frozen=True)
class ReviewCase:
    source: str
    row: CaseRow


def agents(review: ReviewSet) -> list[str]:
    names: set[str] = set()
    for source in review.sources:
        with source.connect() as connection:
            names.update(row[0] for row in connection.execute(
                text("SELECT DISTINCT agent FROM contact")))
    return sorted(names)


def list_cases(review: ReviewSet, filters: CaseFilter, limit: int = 1000) -> list[ReviewCase]:
    """The matching cases of every file, the most recently active first."""
    cases = []
    for source in review.sources:
        with _session(source) as session:
            cases += [ReviewCase(source.label, row)
                      for row in history.list_cases(session, filters, limit)]
    cases.sort(key=lambda case: case.row.updated_at, reverse=True)
    return cases[:limit]


@dataclass(frozen=True)
class PreventionItem:
    """A case's prevention item, as the review marks it done: the file it is in (None: the
    server), the case's uid and the item's words."""

    path: Path | None
    case_uid: str
    text: str


def open_prevention_item(review: ReviewSet, label: str, case_id: int) -> PreventionItem | None:
    """The case's prevention item if it is open (None if it has none or it is done)."""
    source = review.source(label)
    with source.connect() as connection:
        found = connection.execute(text(
            f"SELECT c.uid, c.prevention FROM support_case c WHERE c.id = :id "
            f"AND {history.OPEN_PREVENTION}"), {"id": case_id}).first()
    return PreventionItem(source.path, found[0], found[1]) if found else None


@dataclass(frozen=True)
class ReviewTimeline:
    source: str
    timeline: CaseTimeline
    #: Edits and deletions of the case's notes, by note uid, oldest first.
    revisions: dict[str, list[Entry]]
    #: Notes deleted from the case: their last state, from the trail.
    deleted: list[Entry]


def case_timeline(review: ReviewSet, label: str, case_id: int) -> ReviewTimeline | None:
    source = review.source(label)
    with _session(source) as session:
        timeline = history.case_timeline(session, case_id)
        if timeline is None:
            return None
        uids = [entry.uid for contact in timeline.contacts for entry in contact.entries
                if entry.uid]
        revisions = audit.revised_notes(session, uids)
        contact_uids = {contact.contact.uid for contact in timeline.contacts}
        deleted = [entry for entry in _deleted_notes(session.connection())
                   if (entry.before_state() or {}).get("contact") in contact_uids]
    return ReviewTimeline(label, timeline, revisions, deleted)


def _deleted_notes(connection: Connection) -> list[Entry]:
    return [Entry(*row) for row in connection.execute(text(
        f"{audit.SELECT_ENTRIES} WHERE entity = :entity AND action = 'delete' ORDER BY id"),
        {"entity": Entity.NOTE.value})]


@contextlib.contextmanager
def _session(source: Source):
    from sqlmodel import Session

    with Session(source.engine, expire_on_commit=False) as session:
        yield session  # closing it ends the read; what was loaded stays readable


# ------------------------------------------------------------------------ summary

@dataclass
class Summary:
    """What the charts show, for the cases the filters select, over every file."""

    calls_per_day: dict[date, int] = field(default_factory=dict)
    #: How many ticks of each checklist step took how many whole seconds, by step id.
    step_seconds: dict[str, Counter[int]] = field(default_factory=dict)
    contacts: int = 0
    escalated_contacts: int = 0
    #: Escalated and all contacts per week (the Monday it starts).
    escalations_per_week: dict[date, tuple[int, int]] = field(default_factory=dict)
    flags_per_category: dict[str, int] = field(default_factory=dict)
    #: Open prevention items per age bucket (index into AGE_BUCKETS, last = oldest).
    prevention_by_age: list[int] = field(default_factory=lambda: [0] * (len(AGE_BUCKETS) + 1))
    #: The most frequent subjects, and how many cases each had per week.
    top_subjects: list[str] = field(default_factory=list)
    subjects_per_week: dict[date, dict[str, int]] = field(default_factory=dict)
    #: Per flag category, what the agents made of the detector's flags, most flags first.
    flag_reviews: list[CategoryReview] = field(default_factory=list)

    def step_median(self, step_id: str) -> float | None:
        """The median time of a step's ticks, in seconds."""
        histogram = self.step_seconds.get(step_id)
        if not histogram:
            return None
        total = sum(histogram.values())
        values = sorted(histogram)
        middle = [(total - 1) // 2, total // 2]
        found, seen = [], 0
        for value in values:
            seen += histogram[value]
            while middle and middle[0] < seen:
                found.append(value)
                middle.pop(0)
        return sum(found) / len(found)

    @property
    def escalation_rate(self) -> float:
        return self.escalated_contacts / self.contacts if self.contacts else 0.0


def summary(review: ReviewSet, filters: CaseFilter, now: datetime) -> Summary:
    """The charts' figures. Each source is counted in SQL and only the counts come back, so
    a file with a million notes takes a few seconds; days and weeks are the reviewer's local
    dates (on a server too: dialect.local_date)."""
    result = Summary()
    calls: Counter[date] = Counter()
    flags: Counter[str] = Counter()
    decided: dict[str, Counter[str]] = defaultdict(Counter)
    weeks: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    subjects: dict[date, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    steps: dict[str, Counter[int]] = defaultdict(Counter)
    for source in review.sources:
        with source.connect() as connection:
            where, params = history.case_conditions(filters)
            params["now"] = now.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
            params.update(local_zone_parameters(connection))
            # without filters, every row counts: no need to ask which case each belongs to
            of_cases = f"AND k.case_id IN (SELECT c.id FROM support_case c {where})" \
                if where else ""
            and_ = "AND" if where else "WHERE"
            for day, count, escalated in connection.execute(text(
                    f"SELECT {local_date('k.started_at', connection)}, count(*), "
                    "sum(CASE WHEN EXISTS (SELECT 1 FROM escalation e "
                    "WHERE e.contact_id = k.id) THEN 1 ELSE 0 END) FROM contact k "
                    f"WHERE 1 = 1 {of_cases} GROUP BY 1"), params):
                day = _date(day)
                calls[day] += count
                week = weeks[day - timedelta(days=day.weekday())]
                week[0] += escalated
                week[1] += count
            for step_id, seconds, count in connection.execute(text(
                    "SELECT s.step_id, s.step_elapsed_ms / 1000, count(*) FROM step_event s "
                    "JOIN contact k ON k.id = s.contact_id "
                    f"WHERE s.done {of_cases} GROUP BY 1, 2"), params):
                steps[step_id][int(seconds)] += count
            flag_list = json_text("n.flags", connection)
            for listed, count in connection.execute(text(
                    f"SELECT {flag_list}, count(*) FROM note n "
                    "JOIN contact k ON k.id = n.contact_id "
                    f"WHERE {flag_list} != '[]' {of_cases} GROUP BY 1"), params):
                for category in json.loads(listed):
                    flags[category] += count
            for category, state, count in connection.execute(text(
                    f"{LATEST_DECISIONS} {of_cases} GROUP BY 1, 2"), params):
                decided[category][state] += count
            for day, subject, count in connection.execute(text(
                    f"SELECT {local_date('c.created_at', connection)}, c.subject, count(*) "
                    f"FROM support_case c {where} {and_} c.subject != '' GROUP BY 1, 2"),
                    params):
                day = _date(day)
                subjects[day - timedelta(days=day.weekday())][subject] += count
                totals[subject] += count
            for age, count in connection.execute(text(
                    f"SELECT {whole_days_since('c.created_at', 'now', connection)}, count(*) "
                    f"FROM support_case c {where} {and_} {history.OPEN_PREVENTION} "
                    "GROUP BY 1"), params):
                result.prevention_by_age[sum(age >= limit for limit in AGE_BUCKETS)] += count
    result.calls_per_day = dict(sorted(calls.items()))
    result.step_seconds = dict(steps)
    result.escalations_per_week = {week: (pair[0], pair[1]) for week, pair in
                                   sorted(weeks.items())}
    result.contacts = sum(pair[1] for pair in weeks.values())
    result.escalated_contacts = sum(pair[0] for pair in weeks.values())
    result.flags_per_category = dict(flags.most_common())
    result.flag_reviews = flag_reviews(flags, decided)
    result.top_subjects = [subject for subject, _ in totals.most_common(TOP_SUBJECTS)]
    result.subjects_per_week = {
        week: {subject: counts[subject] for subject in result.top_subjects}
        for week, counts in sorted(subjects.items())}
    return result


#: Each note's latest decision per category (core/flag_review.py), with the note's call as
#: ``k`` for the case filter.
LATEST_DECISIONS = (
    "SELECT r.category, r.state, count(*) FROM flag_review r "
    "JOIN note n ON n.uid = r.note_uid JOIN contact k ON k.id = n.contact_id "
    "WHERE r.id = (SELECT max(l.id) FROM flag_review l "
    "WHERE l.note_uid = r.note_uid AND l.category = r.category)")


def flag_reviews(detected: Counter[str],
                 decided: dict[str, Counter[str]]) -> list[CategoryReview]:
    """Per category: the detector's flags nobody reviewed, those confirmed and dismissed,
    and the flags added by hand; the categories with the most flags first."""
    reviews = []
    for category in dict.fromkeys([*detected, *decided]):
        states = decided.get(category, Counter())
        confirmed, dismissed = states[FlagState.CONFIRMED], states[FlagState.DISMISSED]
        reviews.append(CategoryReview(
            category, max(0, detected[category] - confirmed - dismissed), confirmed,
            dismissed, states[FlagState.MANUAL]))
    return sorted(reviews, key=lambda review: -(review.unreviewed + review.confirmed +
                                                review.dismissed + review.manual))


def _date(value: date | str) -> date:
    """A date as SQLite (text) or PostgreSQL (a date) returns it."""
    return value if isinstance(value, date) else date.fromisoformat(value)


# ------------------------------------------------------------------------ integrity

@dataclass(frozen=True)
class Integrity:
    label: str
    verification: audit.Verification


def verify_all(review: ReviewSet,
               stop: Callable[[], bool] | None = None) -> list[Integrity] | None:
    """Every file's audit trail; None if ``stop`` ended the work early."""
    results = []
    for source in review.sources:
        with source.connect() as connection:
            try:
                results.append(Integrity(source.label, audit.verify(connection, stop)))
            except audit.Stopped:
                return None
    return results
