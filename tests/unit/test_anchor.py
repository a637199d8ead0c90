"""The audit trail's anchor beside a SQLite file: every commit that extends the trail moves
it to the trail's new end, and a trail whose end was cut off — which its hash chain alone
cannot show — is found against it."""

import os
import sqlite3
import stat
from contextlib import closing

import pytest

from callhelper.core.audit import Action, Entity
from callhelper.core.case import NoteKind
from callhelper.store import audit, repository
from callhelper.store.anchor import anchor_file
from callhelper.store.engine import Store
from truncation import (NOW, RULES, add_call, add_call_to_file, anchor_of, anchored,
                        cut_off_the_end, trail_end)


@pytest.fixture
def database(tmp_path):
    return tmp_path / "callhelper.db"


@pytest.fixture
def store(database):
    store = Store(f"sqlite:///{database}")
    yield store
    store.close()


def test_every_commit_that_extends_the_trail_moves_the_anchor_to_its_end(store, database):
    add_call(store, "c1", ["箱が潰れて届いた", "土下座しろ"])
    assert anchored(database) == trail_end(database)
    assert trail_end(database)[2] == 5  # the case, the customer, the call, each note
    with store.unit_of_work() as session:
        repository.edit_note(session, "c1-1", "誠意を見せてほしい", "鈴木", NOW, RULES)
    assert anchored(database) == trail_end(database)
    assert trail_end(database)[2] == 6
    if os.name == "posix":
        assert stat.S_IMODE(anchor_file(database).stat().st_mode) == 0o600
    assert [path.name for path in database.parent.iterdir()
            if path.name.startswith(".")] == []  # no temporary file left behind


def test_a_transaction_rolled_back_leaves_the_anchor_where_it_was(store, database):
    add_call(store, "c1", ["箱が潰れて届いた"])
    end = trail_end(database)
    with pytest.raises(RuntimeError), store.unit_of_work() as session:
        repository.add_note(session, "c1", "c1-9", NoteKind.QUOTE, "消える言葉", 0, "鈴木",
                            NOW, RULES)
        raise RuntimeError("the write failed after the note")
    assert anchored(database) == trail_end(database) == end
    assert audit.verify_file(database).ok


def test_entries_rolled_back_to_a_savepoint_are_never_anchored(store, database):
    """As when a kept write is replayed at start and one of them fails."""
    add_call(store, "c1", ["箱が潰れて届いた"])
    with store.unit_of_work() as session:
        with session.begin_nested():
            repository.add_note(session, "c1", "c1-8", NoteKind.QUOTE, "残る言葉", 0, "鈴木",
                                NOW, RULES)
        with pytest.raises(RuntimeError), session.begin_nested():
            repository.add_note(session, "c1", "c1-9", NoteKind.QUOTE, "消える言葉", 0,
                                "鈴木", NOW, RULES)
            raise RuntimeError("this write failed")
    assert anchored(database) == trail_end(database)
    checked = audit.verify_file(database)
    assert checked.ok and checked.anchored is not None


def test_notes_cut_off_the_end_with_their_entries_are_found(store, database):
    add_call(store, "c1", ["箱が潰れて届いた"])
    add_call(store, "c2", ["返金してほしい", "上司を出せ", "二度と買わない"])
    store.close()
    cut_off_the_end(database, 2)
    checked = audit.verify_file(database)
    assert checked.verification.ok  # the chain alone cannot tell
    assert not checked.ok
    assert checked.shortened.startswith("the audit trail is shorter than when it was last "
                                        "written: 9 entries anchored at ")
    assert checked.shortened.endswith(", 7 now — entries were removed or a write-ahead log "
                                      "was lost")


def test_a_forged_end_in_place_of_the_one_cut_off_is_found(store, database):
    """Someone who removes the last notes and writes as many entries of their own, chained
    correctly (the hashes are no secret), still cannot bring back the anchored entry."""
    add_call(store, "c1", ["箱が潰れて届いた", "土下座しろ"])
    store.close()
    cut_off_the_end(database, 1)
    with closing(sqlite3.connect(database)) as connection, connection:
        previous = connection.execute("SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1"
                                      ).fetchone()[0]
        chain = audit.Chain(previous)
        row = chain.row("2026-01-05T10:00:00.000000+00:00", "鈴木", Action.DELETE,
                        Entity.NOTE, "c1-1", None, before={"text": "別の言葉"})
        connection.execute(f"INSERT INTO audit_entry ({', '.join(audit.Chain.COLUMNS)}) "
                           f"VALUES ({', '.join('?' * len(row))})", row)
    checked = audit.verify_file(database)
    assert checked.verification.ok
    assert checked.shortened.startswith("the audit trail no longer holds entry #5 anchored "
                                        "at ")
    assert "(5 entries then, 5 now)" in checked.shortened


def test_a_file_without_an_anchor_verifies_as_before(database):
    add_call_to_file(database, "c1", ["箱が潰れて届いた"])
    anchor_file(database).unlink()
    checked = audit.verify_file(database)
    assert checked.ok and checked.anchored is None and checked.verification.entries == 4


def test_an_anchor_that_does_not_read_counts_as_none(database):
    add_call_to_file(database, "c1", ["箱が潰れて届いた"])
    anchor_file(database).write_text("", encoding="utf-8")  # a power cut before it was written
    checked = audit.verify_file(database)
    assert checked.ok and checked.anchored is None


def test_the_anchor_is_sealed_with_a_key_kept_in_the_settings_folder(database, app_dirs):
    """Whoever rewrites the anchor beside the file without this account's key is found: a
    seal that no longer matches, or none; another account's file is checked without it."""
    import json

    add_call_to_file(database, "c1", ["箱が潰れて届いた"])
    key = app_dirs["config"] / "audit.key"
    assert key.is_file() and not list(database.parent.glob("*.key"))
    if os.name == "posix":
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    written = json.loads(anchor_of(database).read_text(encoding="utf-8"))
    assert len(written["seal"]) == 64 and len(written["key"]) == 16
    assert audit.verify_file(database, own=True).ok

    moved = dict(written, written_at="2026-01-01T00:00:00+00:00")
    anchor_of(database).write_text(json.dumps(moved), encoding="utf-8")
    checked = audit.verify_file(database, own=True)
    assert checked.problems == (f"the anchor beside the file ({anchor_of(database).name}) does "
                                "not match its seal: it was rewritten outside CallHelper",)

    anchor_of(database).write_text(json.dumps(written), encoding="utf-8")
    key.write_text("ab" * 32, encoding="ascii")  # another account's key
    assert "sealed with another key" in audit.verify_file(database, own=True).problems[0]
    other = audit.verify_file(database, own=False)
    assert other.ok and other.anchors.notes == (
        f"the anchor beside the file ({anchor_of(database).name}) was sealed by another "
        "account: its seal could not be checked here",)
