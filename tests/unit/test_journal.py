"""The writes kept at the last close, replayed at the next start (store/journal.py)."""

from dataclasses import asdict

import pytest

from callhelper.config import resources_dir
from callhelper.core.case import NoteKind
from callhelper.core.flags import load_rules
from callhelper.store import journal, repository
from callhelper.store.engine import Store
from callhelper.store.operations import Operation
from callhelper.store.repository import NewContact

RULES = load_rules(resources_dir() / "rules" / "demands.toml")


@pytest.fixture
def store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'data' / 'callhelper.db'}")
    yield store
    store.close()


@pytest.fixture
def journals(tmp_path):
    """The data folder's journal and the spare one in the settings folder."""
    return [tmp_path / "data" / journal.JOURNAL_FILE, tmp_path / "config" / journal.JOURNAL_FILE]


def start_contact(clock, uid="c1"):
    return Operation.of("start_contact", **asdict(NewContact(
        uid=uid, agent="鈴木", playbook_id="complaint", playbook_version=1,
        started_at=clock.now(), phone="03-1234-5678", caller_name="山田 太郎"))).record()


def add_note(clock, note_uid, text, contact_uid="c1"):
    return Operation.of("add_note", contact_uid=contact_uid, note_uid=note_uid,
                        kind=NoteKind.QUOTE, text=text, offset_ms=0, agent="鈴木",
                        created_at=clock.now()).record()


def replay_at_start(store, journals):
    with store.unit_of_work() as session:
        return journal.replay_kept(session, journals, RULES)


def notes_of_the_call(store):
    with store.unit_of_work() as session:
        contact = repository.unfinished_contact(session, "鈴木").contact
        return [note.text for note in repository.contact_notes(session, contact.id)]


def test_kept_writes_are_replayed_once_in_order(store, journals, clock):
    data, spare = journals
    journal.append(data, [
        start_contact(clock),
        add_note(clock, "n1", "電源が入らない"),
        Operation.of("edit_note", note_uid="n1", text="先週買ったのに電源が入らない",
                     actor="鈴木", at=clock.now()).record(),
    ])
    journal.append(spare, [add_note(clock, "n2", "交換してほしい")])  # what data could not take
    assert replay_at_start(store, journals) == 4
    assert notes_of_the_call(store) == ["先週買ったのに電源が入らない", "交換してほしい"]
    assert not data.exists() and not spare.exists()
    assert replay_at_start(store, journals) == 0, "the next start replays nothing again"
    journal.append(data, [add_note(clock, "n2", "交換してほしい")])  # kept after all went in
    replay_at_start(store, journals)
    assert notes_of_the_call(store) == ["先週買ったのに電源が入らない", "交換してほしい"]


def test_a_refused_write_stays_kept_with_its_reason(store, journals, clock):
    data, _spare = journals
    refused = add_note(clock, "n2", "宛先のない言葉", contact_uid="nobody")
    journal.append(data, [start_contact(clock), refused, add_note(clock, "n3", "返金して")])
    assert replay_at_start(store, journals) == 2
    assert notes_of_the_call(store) == ["返金して"]
    assert not data.exists()
    (kept,) = journal.load(data.with_name(journal.FAILED_FILE))
    reason = kept.pop(journal.REFUSED)
    assert kept == refused
    assert reason.startswith("NotFound")
    assert replay_at_start(store, journals) == 0, "a refused write is not tried again"
