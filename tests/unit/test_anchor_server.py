"""Team mode: the agent's own file sends its audit trail's end to the team's server, which
keeps it in its own trail (where agents can add but never change or remove); the file cut
short or rewritten since is found against it, and the server's trail still verifies."""

from dataclasses import asdict

import pytest
from databases import raw_rows
from team_server import team  # noqa: F401 (a fixture)

from callhelper.cli.safety import end_on_server
from callhelper.core.case import NoteKind
from callhelper.store import audit
from callhelper.store.anchor import read_key, shipped_uid
from callhelper.store.engine import Store
from callhelper.store.operations import Operation, perform
from callhelper.store.repository import NewContact
from callhelper.store.sync import Shipper
from truncation import RULES, anchor_of, cut_off_the_end, trail_end


def write_call(local, agent, clock, uid, words):
    new = NewContact(uid=uid, agent=agent, playbook_id="complaint", playbook_version=1,
                     started_at=clock.now(), phone="03-1234-5678")
    operations = [Operation.of("start_contact", **asdict(new))] + [
        Operation.of("add_note", contact_uid=uid, note_uid=f"{uid}-{number}",
                     kind=NoteKind.QUOTE, text=text, offset_ms=1000 * number, agent=agent,
                     created_at=clock.now()) for number, text in enumerate(words)]
    for operation in operations:
        with local.unit_of_work() as session:
            perform(session, operation, RULES, ship=True)


@pytest.mark.postgresql
def test_the_server_keeps_the_files_trail_end_and_finds_it_cut_short(team, tmp_path, clock):
    agent = team.agents[0]
    database = tmp_path / "agent" / "callhelper.db"
    local = Store(f"sqlite:///{database}")
    shipper = Shipper(local.url, team.url(agent), RULES)
    try:
        write_call(local, agent, clock, "c1", ["返金してほしい", "上司を出せ", "二度と買わない"])
        assert shipper.ship().synced
        assert not shipper.ship_end()  # nothing moved: nothing sent again
    finally:
        shipper.close()
        local.close()
    end = trail_end(database)
    uid = shipped_uid(read_key(), database)
    assert raw_rows(team.owner_url, "SELECT actor, action, uid FROM audit_entry "
                                    "WHERE entity = 'anchor'") == [(agent, "shipped", uid)]
    sent, note = end_on_server(team.url(agent), database)
    assert note is None and (sent.entry, sent.hash) == end[:2]

    server = Store(team.url(team.supervisor))
    try:
        with server.engine.connect() as connection:
            assert audit.verify(connection).ok
    finally:
        server.close()

    assert audit.verify_file(database, given=(sent,)).ok
    cut_off_the_end(database, 2)
    anchor_of(database).unlink()  # whoever cut it knew of the anchor beside the file
    checked = audit.verify_file(database, given=(sent,))
    assert checked.verification.ok and not checked.ok
    assert checked.problems == (
        f"the audit trail is shorter than when it was last sent to the team's server "
        f"({sent.when}): {end[2]} entries then, {end[2] - 2} now — entries were removed from "
        "its end, or it was emptied or replaced",)


def test_a_server_that_cannot_be_asked_is_a_note(tmp_path):
    database = tmp_path / "callhelper.db"
    sent, note = end_on_server("postgresql+psycopg://nobody:x@127.0.0.1:9/none", database)
    assert sent is None and note.startswith("the team's server could not be asked")


@pytest.mark.postgresql
def test_the_servers_trail_is_checked_against_a_reports_end(team, clock):
    """A report made from the server carries the server trail's end; verify --against it
    passes while the server holds it, and names a trail that no longer does."""
    from datetime import datetime, timezone

    from callhelper.cli.safety import verify_server
    from callhelper.store.anchor import Anchor, trail_end as end_of

    server = Store(team.url(team.agents[0]))
    try:
        write_call(server, team.agents[0], clock, "s1", ["返金してほしい"])
        with server.engine.connect() as connection:
            entry, end = end_of(connection)
    finally:
        server.close()
    now = datetime.now(timezone.utc)
    held = Anchor(entry, end, entry, now, "when the report r.pdf was made")
    result, problems = verify_server(team.url(team.supervisor), (held,))
    assert result.ok and problems == ()
    other = Anchor(entry, "f" * 64, entry, now, "when the report r.pdf was made")
    result, problems = verify_server(team.url(team.supervisor), (other,))
    assert problems == (f"the audit trail no longer holds entry #{entry} as it was when the "
                        f"report r.pdf was made ({entry} entries then, {entry} now) — the trail "
                        "was rewritten from that entry on, or replaced",)
