"""The supervisor's review: agents' files opened read-only, merged, summarised; the files
are left byte for byte as they were."""

import hashlib
import sqlite3
from datetime import timedelta

import pytest

from review_data import RULES, two_agents  # noqa: F401  (a fixture)

from callhelper.store import repository, review
from callhelper.store.engine import Store, make_engine, upgrade_schema
from callhelper.store.history import CaseFilter
from callhelper.store.review import ReviewError, ReviewSet


def fingerprint(folder):
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.iterdir())}


def test_two_files_are_merged_and_labelled(two_agents):
    reviewed = ReviewSet.open([two_agents])
    cases = review.list_cases(reviewed, CaseFilter())
    assert sorted((case.source, case.row.subject) for case in cases) == [
        ("sato", "請求の誤り"), ("suzuki", "配送の遅延"), ("suzuki", "配送の遅延")]
    assert review.agents(reviewed) == sorted(["佐藤", "鈴木"])
    flagged = review.list_cases(reviewed, CaseFilter(flagged=True))
    assert [(case.source, case.row.handlers) for case in flagged] == [("suzuki", "鈴木")]
    prevention = review.list_cases(reviewed, CaseFilter(open_prevention=True))
    assert sorted(case.source for case in prevention) == ["sato", "suzuki"]
    by_agent = review.list_cases(reviewed, CaseFilter(handler="佐藤"))
    assert [case.source for case in by_agent] == ["sato"]
    reviewed.close()


def test_review_leaves_both_files_byte_identical(two_agents, clock):
    before = fingerprint(two_agents)
    reviewed = ReviewSet.open([two_agents])
    review.list_cases(reviewed, CaseFilter())
    review.summary(reviewed, CaseFilter(), clock.now())
    review.verify_all(reviewed)
    case = review.list_cases(reviewed, CaseFilter())[0]
    review.case_timeline(reviewed, case.source, case.row.case_id)
    reviewed.close()
    assert fingerprint(two_agents) == before  # no file changed, none added


def test_a_file_whose_app_is_running_is_read_with_its_unsaved_log(two_agents, clock):
    """The agent's app holds the file open with writes still in its write-ahead log."""
    live = sqlite3.connect(two_agents / "sato.db")
    live.execute("PRAGMA wal_autocheckpoint = 0")
    live.execute("UPDATE support_case SET subject = '請求の誤り(確認中)'")
    live.commit()
    database = hashlib.sha256((two_agents / "sato.db").read_bytes()).hexdigest()
    reviewed = ReviewSet.open([two_agents / "sato.db"])
    cases = review.list_cases(reviewed, CaseFilter())
    reviewed.close()
    after = hashlib.sha256((two_agents / "sato.db").read_bytes()).hexdigest()
    live.close()
    assert [case.row.subject for case in cases] == ["請求の誤り(確認中)"]
    assert after == database  # the review did not checkpoint the log into the file


def test_the_summary_counts_over_every_file(two_agents, clock):
    reviewed = ReviewSet.open([two_agents])
    summary = review.summary(reviewed, CaseFilter(), clock.now())
    reviewed.close()
    assert sum(summary.calls_per_day.values()) == 3
    assert summary.contacts == 3 and summary.escalated_contacts == 1
    assert summary.step_median("limited-apology") == 40
    assert summary.flags_per_category == {"kneeling_apology": 1}
    assert summary.top_subjects[0] == "配送の遅延"
    assert sum(week.get("配送の遅延", 0) for week in summary.subjects_per_week.values()) == 2
    assert sum(summary.prevention_by_age) == 2


def test_open_prevention_items_are_bucketed_by_age(two_agents, clock):
    reviewed = ReviewSet.open([two_agents])
    later = review.summary(reviewed, CaseFilter(), clock.now() + timedelta(days=100))
    reviewed.close()
    assert later.prevention_by_age == [0, 0, 0, 2]


def test_the_timeline_shows_a_notes_earlier_words(two_agents, clock):
    store = Store(f"sqlite:///{two_agents / 'sato.db'}")
    with store.unit_of_work() as session:
        repository.edit_note(session, "佐藤-0-n", "請求が二重になっている", "佐藤", clock.now(),
                             RULES)
    store.close()
    reviewed = ReviewSet.open([two_agents])
    case = review.list_cases(reviewed, CaseFilter(handler="佐藤"))[0]
    found = review.case_timeline(reviewed, "sato", case.row.case_id)
    reviewed.close()
    revision = found.revisions["佐藤-0-n"][0]
    assert revision.before_state()["text"] == "二重に請求されている"
    assert revision.actor == "佐藤"


def test_files_that_cannot_be_reviewed_are_named_with_the_reason(tmp_path, two_agents):
    (tmp_path / "notes.db").write_text("not a database")
    old = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade_schema(old, "0003")
    old.dispose()
    reviewed = ReviewSet.open([two_agents, tmp_path / "notes.db", tmp_path / "old.db"])
    assert [source.label for source in reviewed.sources] == ["sato", "suzuki"]
    assert any("notes.db" in problem and "not a CallHelper database" in problem
               for problem in reviewed.problems)
    assert any("old.db" in problem and "another version" in problem
               for problem in reviewed.problems)
    reviewed.close()
    with pytest.raises(ReviewError, match="no such file"):
        review.open_source(tmp_path / "missing.db")


def test_checking_the_trails_can_be_stopped(two_agents):
    reviewed = ReviewSet.open([two_agents])
    assert review.verify_all(reviewed, stop=lambda: True) is None
    assert all(result.verification.ok for result in review.verify_all(reviewed))
    reviewed.close()
