"""The demo data's flags: its agents confirm most suspicions, dismiss some and flag by hand a
shouted statement the detector missed, as the floor would; the evidence reports and the
audit trail follow. SQLite only: the demo writes SQLite files."""

from collections import Counter
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from callhelper.config import resources_dir
from callhelper.core.flag_review import FlagState
from callhelper.core.flags import load_rules
from callhelper.store import audit
from callhelper.store.demo import fill_demo
from callhelper.store.engine import Store
from callhelper.store.evidence import case_evidence

RULES = load_rules(resources_dir() / "rules" / "demands.toml")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    fill_demo(store, 200, 5, RULES, datetime(2026, 11, 1, tzinfo=timezone.utc))
    yield store
    store.close()


def rows(store, sql):
    with store.engine.connect() as connection:
        return connection.execute(text(sql)).all()


def test_the_demo_agents_confirm_most_flags_dismiss_some_and_add_some_by_hand(demo):
    detected = sum(len(flags) - len(flags.replace(",", "")) + 1 for (flags,) in rows(
        demo, "SELECT flags FROM note WHERE flags != '[]'"))
    states = Counter(dict(rows(demo, "SELECT state, count(*) FROM flag_review GROUP BY state")))
    assert states[FlagState.CONFIRMED] > detected / 2
    assert 0 < states[FlagState.DISMISSED] < states[FlagState.CONFIRMED]
    assert states[FlagState.MANUAL] > 0
    assert rows(demo, "SELECT count(*) FROM flag_review r JOIN note n ON n.uid = r.note_uid "
                      "WHERE r.state = 'manual' AND n.flags != '[]'") == [(0,)]
    assert rows(demo, "SELECT count(*) FROM flag_review WHERE uid NOT LIKE 'demo-review-%'"
                ) == [(0,)]


def test_the_evidence_of_a_demo_case_lists_its_confirmed_statements(demo):
    by_case: dict[int, set[str]] = {}
    for case_id, note_uid in rows(
            demo, "SELECT k.case_id, n.uid FROM flag_review r JOIN note n ON n.uid = r.note_uid "
                  "JOIN contact k ON k.id = n.contact_id "
                  "WHERE r.state IN ('confirmed', 'manual')"):
        by_case.setdefault(case_id, set()).add(note_uid)
    dismissed = {case_id for (case_id,) in rows(
        demo, "SELECT k.case_id FROM flag_review r JOIN note n ON n.uid = r.note_uid "
              "JOIN contact k ON k.id = n.contact_id WHERE r.state = 'dismissed'")}
    assert by_case and dismissed
    with demo.unit_of_work() as session:
        for case_id, note_uids in by_case.items():
            evidence = case_evidence(session, case_id)
            texts = {note_text for (note_text,) in rows(
                demo, "SELECT text FROM note WHERE uid IN "
                      f"({', '.join(repr(uid) for uid in note_uids)})")}
            assert {s.note.text for s in evidence.statements} == texts, case_id
        for case_id in dismissed:
            assert case_evidence(session, case_id).dismissed, case_id


def test_a_demo_database_verifies_with_an_entry_for_each_decision(demo):
    with demo.engine.connect() as connection:
        result = audit.verify(connection)
    (records,), = rows(demo, "SELECT (SELECT count(*) FROM note) + "
                             "(SELECT count(*) FROM support_case) + "
                             "(SELECT count(*) FROM flag_review) + "
                             "(SELECT count(*) FROM contact) + "
                             "(SELECT count(*) FROM customer)")
    assert result.ok and result.entries == records
    (decisions,), = rows(demo, "SELECT count(*) FROM flag_review")
    assert decisions > 0
    assert rows(demo, "SELECT count(*) FROM audit_entry WHERE entity = 'flag'") == [(decisions,)]
