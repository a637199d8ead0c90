"""The writes kept at the last close are taken aside for the replay at the next start
(``claim_kept`` in app/write_queue.py), so that the writes of the new session — journalled as
they are typed while the database opens — are kept apart from them (docs/architecture.md,
"Window first")."""

import os
import shutil
import subprocess
from contextlib import contextmanager
from dataclasses import asdict

import pytest

from callhelper.app import write_queue
from callhelper.app.write_queue import JOURNAL_FILE, REPLAYING_FILE, claim_kept
from callhelper.config import resources_dir
from callhelper.core.case import NoteKind
from callhelper.core.flags import load_rules
from callhelper.store import journal, repository
from callhelper.store.engine import Store
from callhelper.store.operations import Operation
from callhelper.store.repository import NewContact

RULES = load_rules(resources_dir() / "rules" / "demands.toml")


def start_contact(clock):
    return Operation.of("start_contact", **asdict(NewContact(
        uid="c1", agent="鈴木", playbook_id="complaint", playbook_version=1,
        started_at=clock.now(), phone="03-1234-5678", caller_name="山田 太郎"))).record()


def add_note(clock, note_uid, text):
    return Operation.of("add_note", contact_uid="c1", note_uid=note_uid, kind=NoteKind.QUOTE,
                        text=text, offset_ms=0, agent="鈴木", created_at=clock.now()).record()


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


def test_the_window_names_the_journal_as_the_store_does():
    """The window journals its writes before the store's modules are loaded, under a name of
    its own; the replay looks for the store's."""
    assert write_queue.JOURNAL_FILE == journal.JOURNAL_FILE


def test_the_kept_journal_is_moved_aside_for_the_replay(data, clock):
    kept = data / JOURNAL_FILE
    journal.append(kept, [start_contact(clock), add_note(clock, "n1", "電源が入らない")])
    before = kept.read_bytes()
    replaying = claim_kept(kept)
    assert replaying == data / REPLAYING_FILE
    assert replaying.read_bytes() == before
    assert not kept.exists(), "the new session journals into a fresh file"


def test_without_a_kept_journal_there_is_nothing_to_replay(data):
    replaying = claim_kept(data / JOURNAL_FILE)
    assert replaying == data / REPLAYING_FILE and not replaying.exists()
    assert os.listdir(data) == []


def test_a_journal_is_appended_to_a_replay_that_did_not_finish(data, clock):
    """A start killed before its replay ended left the replaying file; the session after it
    kept writes of its own: both are replayed, the older first, each line whole."""
    replaying = data / REPLAYING_FILE
    journal.append(replaying, [start_contact(clock)])
    kept = data / JOURNAL_FILE
    journal.append(kept, [add_note(clock, "n1", "電源が入らない")])
    kept.write_bytes(kept.read_bytes().rstrip(b"\n"))  # a last line without its newline
    assert claim_kept(kept) == replaying
    assert not kept.exists()
    assert [record["op"] for record in journal.load(replaying)] == ["start_contact", "add_note"]
    assert replaying.read_bytes().endswith(b"\n")


@contextmanager
def unwritable(folder):
    """``folder`` refuses new names and removals. The tests run as root, which permissions
    do not stop, so the folder gets the immutable attribute there (``chattr +i``)."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(
                ["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("a folder root cannot write needs chattr +i and a file system with "
                        "the immutable attribute")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o500)
        try:
            yield
        finally:
            folder.chmod(0o700)


def test_in_a_folder_that_cannot_be_written_the_journal_is_replayed_where_it_is(data, clock):
    kept = data / JOURNAL_FILE
    journal.append(kept, [start_contact(clock)])
    before = kept.read_bytes()
    with unwritable(data):
        assert claim_kept(kept) == kept
    assert kept.read_bytes() == before
    assert not (data / REPLAYING_FILE).exists()


def test_the_kept_writes_are_saved_and_the_new_sessions_stay_journalled(data, clock):
    """What the last session kept is saved at the opening; what this session typed while
    the database opened is kept in the fresh journal until the write queue sends it."""
    kept = data / JOURNAL_FILE
    journal.append(kept, [start_contact(clock), add_note(clock, "n1", "電源が入らない")])
    replaying = claim_kept(kept)
    journal.append(kept, [add_note(clock, "n2", "交換してほしい")])  # typed meanwhile
    store = Store(f"sqlite:///{data / 'callhelper.db'}")
    try:
        with store.unit_of_work() as session:
            assert journal.replay_kept(session, [replaying], RULES) == 2
        with store.unit_of_work() as session:
            contact = repository.unfinished_contact(session, "鈴木").contact
            notes = [note.text for note in repository.contact_notes(session, contact.id)]
    finally:
        store.close()
    assert notes == ["電源が入らない"]
    assert [record["note_uid"] for record in journal.load(kept)] == ["n2"]
    assert not replaying.exists()
