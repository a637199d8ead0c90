"""The supervisor's review of a team's PostgreSQL server: the same calls give the same
review as in a file, dates are the reviewer's, the server is only read, and a server at
another schema revision is refused."""

import os
import time
from datetime import datetime, timedelta, timezone

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from databases import raw_rows, tamper
from review_data import team_data, two_agents  # noqa: F401  (a fixture)

from callhelper.core.clock import ManualClock
from callhelper.store import review
from callhelper.store.dialect import (fixed_offset_zone, local_date, local_zone_name,
                                      local_zone_parameters)
from callhelper.store.engine import make_engine, upgrade_schema
from callhelper.store.history import CaseFilter
from callhelper.store.models import Note
from callhelper.store.review import ReviewError, ReviewSet

pytestmark = pytest.mark.postgresql

#: The first call is at 03:30 UTC: still the day before in New York (UTC-5 in January).
FIRST_CALL = datetime(2026, 1, 5, 3, 30, tzinfo=timezone.utc)


@pytest.fixture
def reviewer_in_new_york():
    """The reviewer's PC in a zone far from the server's (Tokyo) and from UTC, with summer
    time; SQLite's 'localtime' follows the process's zone once tzset() has read it."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def review_of(url: str) -> ReviewSet:
    if url.startswith("sqlite:///"):
        return ReviewSet.open([url.removeprefix("sqlite:///")])
    return ReviewSet.open([], server=url)


def everything(reviewed: ReviewSet, now: datetime):
    """What the review shows, without the source's label."""
    cases = review.list_cases(reviewed, CaseFilter())
    label = reviewed.sources[0].label
    timelines = []
    for case in cases:
        found = review.case_timeline(reviewed, label, case.row.case_id)
        timelines.append((
            found.timeline.case.uid, found.timeline.case.subject,
            [(contact.contact.uid, contact.handlers, contact.entries)
             for contact in found.timeline.contacts],
            found.revisions, found.deleted))
    filtered = {name: [case.row for case in review.list_cases(reviewed, filters)]
                for name, filters in (("flagged", CaseFilter(flagged=True)),
                                      ("escalated", CaseFilter(escalated=True)),
                                      ("prevention", CaseFilter(open_prevention=True)),
                                      ("佐藤", CaseFilter(handler="佐藤")),
                                      ("open", CaseFilter(status="open")),
                                      ("since", CaseFilter(since=FIRST_CALL + timedelta(days=1))))}
    return {
        "cases": [case.row for case in cases],
        "filtered": filtered,
        "agents": review.agents(reviewed),
        "timelines": timelines,
        "summary": review.summary(reviewed, CaseFilter(), now),
        "summary escalated": review.summary(reviewed, CaseFilter(escalated=True), now),
        "summary since": review.summary(
            reviewed, CaseFilter(since=FIRST_CALL + timedelta(hours=20), handler="鈴木"), now),
        "trail": [(result.verification.ok, result.verification.entries)
                  for result in review.verify_all(reviewed)],
    }


def test_the_same_calls_give_the_same_review_in_a_file_and_on_a_server(
        postgres_url, tmp_path, reviewer_in_new_york):
    file_url = f"sqlite:///{tmp_path / 'same.db'}"
    for url in (file_url, postgres_url):
        team_data(url, ManualClock(FIRST_CALL))
    now = FIRST_CALL + timedelta(days=40)
    in_file, on_server = review_of(file_url), review_of(postgres_url)
    try:
        expected, found = everything(in_file, now), everything(on_server, now)
    finally:
        in_file.close()
        on_server.close()
    for key in expected:
        assert found[key] == expected[key], key

    assert [case.subject for case in found["cases"]] == ["請求の誤り", "配送の遅延", "配送の遅延"]
    assert found["agents"] == sorted(["佐藤", "鈴木"])
    assert [row.handlers for row in found["filtered"]["佐藤"]] == ["佐藤"]
    summary = found["summary"]
    # local dates: 03:30 UTC on 5, 6 and 7 January is the evening before in New York
    assert summary.calls_per_day == {datetime(2026, 1, day).date(): 1 for day in (4, 5, 6)}
    assert summary.contacts == 3 and summary.escalated_contacts == 1
    assert summary.step_median("limited-apology") == 40
    assert summary.flags_per_category == {"kneeling_apology": 1}
    assert summary.top_subjects == ["配送の遅延", "請求の誤り"]
    assert summary.prevention_by_age == [0, 0, 2, 0]  # 39 and 38 days old
    timelines = {uid: rest for uid, *rest in found["timelines"]}
    [revised] = timelines["佐藤-0"][2]["佐藤-0-n"]
    assert revised.before_state()["text"] == "二重に請求されている"
    [deleted] = timelines["鈴木-0"][3]
    assert deleted.actor == "鈴木" and deleted.before_state()["text"] == "まだ届かない"
    assert found["trail"] == [(True, expected["trail"][0][1])]


def test_the_server_is_labelled_by_host_and_database_and_only_read(postgres_url, clock):
    team_data(postgres_url, clock)
    tables = [row[0] for row in raw_rows(
        postgres_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                      "ORDER BY tablename")]
    content = " UNION ALL ".join(
        f"SELECT '{table}', count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), "
        f"'')) FROM {table} t" for table in tables)
    before = raw_rows(postgres_url, content)

    reviewed = ReviewSet.open([], server=postgres_url)
    [source] = reviewed.sources
    database = postgres_url.rsplit("/", 1)[1]
    assert source.label.endswith(f"/{database}") and source.label.startswith("127.0.0.1:")
    everything(reviewed, clock.now())
    # the login owns the database, yet the review's connections cannot write
    with pytest.raises(DBAPIError) as refused, source.engine.connect() as connection:
        connection.execute(text("UPDATE note SET text = 'x'"))
    assert isinstance(refused.value.orig, psycopg.errors.ReadOnlySqlTransaction)
    with pytest.raises(DBAPIError) as refused, Session(source.engine) as session:
        note = session.exec(select(Note)).first()
        note.text = "書き換え"
        session.commit()
    assert isinstance(refused.value.orig, psycopg.errors.ReadOnlySqlTransaction)
    reviewed.close()
    assert raw_rows(postgres_url, content) == before


def test_a_server_at_another_schema_revision_is_refused_with_the_reason(
        empty_postgres_url, postgres_url):
    old = make_engine(empty_postgres_url)
    upgrade_schema(old, "0003")
    old.dispose()
    reviewed = ReviewSet.open([], server=empty_postgres_url)
    assert reviewed.sources == []
    [problem] = reviewed.problems
    assert "the server's database is at schema 0003" in problem
    assert "callhelper team setup" in problem

    tamper(postgres_url, "UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(ReviewError, match="needs the version of CallHelper the server was "
                                          "upgraded for"):
        review.open_server(postgres_url)


def test_a_server_out_of_reach_is_named_and_the_files_still_reviewed(postgres_url,
                                                                     two_agents):
    parsed = make_url(postgres_url)
    url = parsed.set(port=1).render_as_string(hide_password=False)
    reviewed = ReviewSet.open([two_agents], server=url)
    assert [source.label for source in reviewed.sources] == ["sato", "suzuki"]
    [problem] = reviewed.problems
    assert problem.startswith(f"127.0.0.1:1/{parsed.database}: the server's database cannot "
                              "be read (")
    assert parsed.password not in problem
    reviewed.close()


@pytest.mark.parametrize("offset, expected", [
    (timedelta(hours=9), "2026-01-05"), (timedelta(hours=-5, minutes=-30), "2026-01-04"),
    (timedelta(0), "2026-01-04"), (timedelta(hours=5, minutes=45), "2026-01-05")])
def test_a_fixed_offset_gives_the_date_there_on_the_server(postgres_url, offset, expected):
    """18:30 UTC on 4 January, seen from each offset."""
    engine = make_engine(postgres_url)
    with engine.connect() as connection:
        found = connection.execute(text(
            f"SELECT {local_date('CAST(:at AS timestamptz)', connection)}"),
            {"at": "2026-01-04 18:30:00", "local_zone": fixed_offset_zone(offset)}).scalar()
    engine.dispose()
    assert found.isoformat() == expected


def test_the_reviewers_zone_is_passed_by_name_when_it_has_one(postgres_url, monkeypatch):
    engine = make_engine(postgres_url)
    for configured, name in (("Asia/Tokyo", "Asia/Tokyo"), (":Europe/Paris", "Europe/Paris"),
                             ("/usr/share/zoneinfo/America/New_York", "America/New_York"),
                             ("JST-9", None)):
        monkeypatch.setenv("TZ", configured)
        time.tzset()
        assert local_zone_name() == name
        with engine.connect() as connection:
            zone = local_zone_parameters(connection)["local_zone"]
        assert zone == (name or "<+0900>-09:00")
    monkeypatch.undo()
    time.tzset()
    engine.dispose()
