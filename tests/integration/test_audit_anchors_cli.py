"""The audit trail's end anchored outside the file, with the real commands on real files:
the tampering that the chain and the anchor beside the file alone cannot show — notes cut
off the end with their entries, every table emptied, a note forged with the whole chain
recomputed and the anchor beside the file rewritten — is reported by ``callhelper verify``
(exit code 3) against the record beside the backups, an evidence report's printed end and
the seal of this account's key; a command that opens such a file says so on stderr before
it writes, keeps the anchor aside and notes it; the app's own writes are never reported."""

import json
import re
import sqlite3
from contextlib import closing

import pytest
from processes import run_cli

from callhelper.core.audit import canonical, digest, entry_hash
from evidence_checks import capture_cases, pdf_text
from truncation import add_call_to_file, anchor_of, cut_off_the_end, trail_end


@pytest.fixture
def database(app_dirs):
    made = run_cli("demo", "--cases", "20", "--seed", "5")
    assert made.returncode == 0, made.stderr
    return app_dirs["data"] / "callhelper.db"


@pytest.fixture
def flagged(database, paths, settings, clock):
    """A case with statements an agent confirmed: its evidence can be written."""
    return capture_cases(paths.database_url, clock)["flagged"]


def ok(*args):
    done = run_cli(*args)
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert "WARNING" not in done.stderr, done.stderr
    return done


def broken(*args):
    verified = run_cli("verify", *args)
    assert verified.returncode == 3, (verified.stdout, verified.stderr)
    return verified.stdout


def drop_triggers(connection):
    for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                      "AND tbl_name = 'audit_entry'").fetchall():
        connection.execute(f"DROP TRIGGER {name}")


def forge_note(database, note_uid, words):
    """Change a note's words as someone who knows how the chain is made would: the note,
    its last entry's state and digest, and every hash from that entry on recomputed, so
    that the chain verifies; returns the forged trail's end (id, hash)."""
    with closing(sqlite3.connect(database)) as connection, connection:
        drop_triggers(connection)
        start, after = connection.execute(
            "SELECT id, after FROM audit_entry WHERE entity = 'note' AND uid = ? "
            "ORDER BY id DESC LIMIT 1", (note_uid,)).fetchone()
        state = json.loads(after)
        state["text"] = words
        forged = canonical(state)
        connection.execute("UPDATE note SET text = ? WHERE uid = ?", (words, note_uid))
        connection.execute("UPDATE audit_entry SET after = ?, after_digest = ? WHERE id = ?",
                           (forged, digest(forged), start))
        previous = connection.execute("SELECT prev_hash FROM audit_entry WHERE id = ?",
                                      (start,)).fetchone()[0]
        rows = connection.execute(
            "SELECT id, at, actor, action, entity, uid, before_digest, after_digest "
            "FROM audit_entry WHERE id >= ? ORDER BY id", (start,)).fetchall()
        for entry, *fields in rows:
            link = entry_hash(previous, *fields)
            connection.execute("UPDATE audit_entry SET prev_hash = ?, hash = ? WHERE id = ?",
                               (previous, link, entry))
            previous = link
        return rows[-1][0], previous


def rewrite_anchor(database, end, seal):
    """The anchor beside the file rewritten to the forged end: its seal kept as it was, or
    dropped."""
    anchor = json.loads(anchor_of(database).read_text(encoding="utf-8"))
    anchor.update(entry=end[0], hash=end[1], entries=end[0])
    if not seal:
        anchor.pop("key", None)
        anchor.pop("seal", None)
    anchor_of(database).write_text(json.dumps(anchor), encoding="utf-8")


def empty_every_table(database):
    with closing(sqlite3.connect(database)) as connection, connection:
        drop_triggers(connection)
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%fts%' AND name != 'alembic_version' "
            "AND sql NOT LIKE 'CREATE VIRTUAL%'")]
        for table in tables:
            if not table.startswith(("note_bigram", "case_bigram")):
                connection.execute(f"DELETE FROM {table}")


def forget_key(app_dirs):
    """What someone who can also read the settings folder may do: the key is of no use to
    the check any more (a new one would not match the seals either)."""
    (app_dirs["config"] / "audit.key").unlink()


@pytest.mark.parametrize("seal", [True, False], ids=["seal kept", "seal dropped"])
def test_a_forged_note_with_the_chain_recomputed_and_the_anchor_rewritten_is_found_by_the_seal(
        database, seal):
    add_call_to_file(database, "late", ["返金してほしい", "上司を出せ"])
    end = forge_note(database, "late-1", "ありがとう")
    rewrite_anchor(database, end, seal)
    out = broken()
    name = anchor_of(database).name
    if seal:
        assert f"BROKEN: the anchor beside the file ({name}) does not match its seal: it was " \
               "rewritten outside CallHelper" in out, out
    else:
        assert f"BROKEN: the anchor beside the file ({name}) is not sealed, where CallHelper " \
               "seals it with this account's key" in out, out


def test_a_forged_note_is_found_against_the_backup_record_without_the_key(database, app_dirs):
    ok("backup")
    end = forge_note(database, trail_note(database), "ありがとう")
    rewrite_anchor(database, end, seal=False)
    forget_key(app_dirs)
    out = broken()
    assert re.search(r"BROKEN: the audit trail no longer holds entry #\d+ as it was at the "
                     r"backup callhelper-\d{8}-\d{6}\.db of ", out), out
    assert "the trail was rewritten from that entry on, or replaced" in out


def trail_note(database):
    """The uid of a note the trail recorded early on."""
    with closing(sqlite3.connect(database)) as connection:
        return connection.execute("SELECT uid FROM audit_entry WHERE entity = 'note' "
                                  "ORDER BY id LIMIT 1").fetchone()[0]


def test_notes_cut_off_the_end_and_the_anchor_removed_are_found_against_the_backup(database):
    add_call_to_file(database, "last-call", ["返金してほしい", "上司を出せ", "二度と買わない"])
    entries = trail_end(database)[2]
    ok("backup")
    cut_off_the_end(database, 2)
    anchor_of(database).unlink()
    out = broken()
    assert re.search(rf"BROKEN: the audit trail is shorter than at the backup "
                     rf"callhelper-\d{{8}}-\d{{6}}\.db of [-0-9 :]+ \(recorded in .+\): "
                     rf"{entries} entries then, {entries - 2} now", out), out


def test_every_table_emptied_and_the_anchor_removed_is_found_against_the_backup(database):
    ok("backup")
    empty_every_table(database)
    anchor_of(database).unlink()
    out = broken()
    assert "BROKEN: the audit trail is shorter than at the backup" in out
    assert ", 0 now" in out


@pytest.mark.parametrize("kind", ["pdf", "csv", "printed end"])
def test_tampering_since_an_evidence_report_is_found_against_it(database, flagged, tmp_path,
                                                                app_dirs, kind):
    """Against the end a report printed, even when everything on the PC was rewritten: the
    anchor beside the file, the backups' record and the key."""
    report = tmp_path / f"evidence.{'csv' if kind == 'csv' else 'pdf'}"
    ok("evidence", str(flagged), "--out", str(report))
    entries, end = trail_end(database)[2], trail_end(database)[1]
    against = f"{entries}:{end}" if kind == "printed end" else str(report)
    if kind == "printed end":
        assert f"{entries}:{end}" in "".join(pdf_text(report).split())
    verified = ok("verify", "--against", against)
    assert "the trail still holds its end as it was when " in verified.stdout
    forged = forge_note(database, "flagged-1", "ありがとう")
    rewrite_anchor(database, forged, seal=False)
    forget_key(app_dirs)
    out = broken("--against", against)
    assert re.search(rf"BROKEN: the audit trail no longer holds entry #{entries} as it was "
                     "when (the report evidence.(pdf|csv) was made|the end .+ given on the "
                     "command line was taken)", out), out
    empty_every_table(database)
    anchor_of(database).unlink()
    out = broken("--against", against)
    assert "BROKEN: the audit trail is shorter than when " in out
    assert f"{entries} entries then, 0 now" in out


def test_an_against_that_is_no_report_is_a_plain_error(database, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("nothing", encoding="utf-8")
    for value in (str(other), str(tmp_path / "missing.pdf")):
        verified = run_cli("verify", "--against", value)
        assert verified.returncode == 1
        assert verified.stderr.startswith(f"callhelper verify: --against {value}: "), \
            verified.stderr


def test_the_apps_own_writes_are_never_reported(database, flagged, tmp_path):
    """Demo data, a backup, a call, an evidence report, a purge, a restore of a backup and
    the next backup: every command quiet, verify sound against every anchor."""
    ok("backup")
    add_call_to_file(database, "later", ["返金してほしい"])
    report = tmp_path / "evidence.pdf"
    ok("evidence", str(flagged), "--out", str(report))
    ok("verify", "--against", str(report))
    ok("purge", "--older-than", "30", "--yes")
    ok("verify", "--against", str(report))
    first = sorted((database.parent / "backups").glob("callhelper-*.db"))[0]
    ok("restore", first.name)
    verified = ok("verify")
    assert "when the backup " in verified.stdout and " was restored at " in verified.stdout
    ok("search", "返金")
    add_call_to_file(database, "after-restore", ["また電話する"])
    ok("backup")
    ok("verify")
    records = (database.parent / "backups" / "callhelper.anchors").read_text().splitlines()
    assert [json.loads(line)["kind"] for line in records] == ["backup", "restore", "backup"]


def test_a_command_that_opens_a_shortened_file_says_so_before_writing_and_keeps_the_anchor(
        database):
    add_call_to_file(database, "last-call", ["返金してほしい", "上司を出せ", "二度と買わない"])
    before = anchor_of(database).read_bytes()
    entries = trail_end(database)[2]
    cut_off_the_end(database, 2)
    opened = run_cli("search", "返金")
    assert opened.returncode == 0, opened.stderr
    assert ("callhelper: WARNING: the audit trail is shorter than when it was last written: "
            f"{entries} entries anchored at ") in opened.stderr
    assert "noted in the log and in the audit trail" in opened.stderr
    [kept] = database.parent.glob("callhelper.db.anchor.found-*")
    assert kept.read_bytes() == before
    assert f"the anchor it no longer holds is kept in {kept}" in opened.stderr
    with closing(sqlite3.connect(database)) as connection:
        noted = connection.execute("SELECT actor, action, before FROM audit_entry "
                                   "WHERE entity = 'anchor'").fetchall()
    assert [(actor, action) for actor, action, _ in noted] == [("CallHelper", "found")]
    assert "shorter than when it was last written" in noted[0][2]
    log = (database.parent.parent / "logs" / "callhelper.log")
    assert "the audit trail is shorter than" in log.read_text(encoding="utf-8")
    again = run_cli("search", "返金")
    assert again.returncode == 0 and "WARNING" not in again.stderr, again.stderr
    out = broken()
    assert f"(kept in {kept.name} since CallHelper found the trail did not hold it at " in out
    assert f"{entries} entries then, {entries - 1} now" in out  # the finding's own entry
