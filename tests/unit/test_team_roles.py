"""Team mode's permissions, enforced by a real PostgreSQL server (store/roles.py): agents
change only their own notes, never the audit trail; supervisors read everything."""

from datetime import datetime, timezone

import pytest
from sqlalchemy import exc, text

from callhelper.config import resources_dir
from callhelper.core.case import NoteKind
from callhelper.core.flags import load_rules
from callhelper.store import flag_reviews, repository
from callhelper.store.audit import verify
from callhelper.store.engine import Store, make_engine
from callhelper.store.repository import NewContact
from callhelper.store.roles import (AGENT, SUPERVISOR, SetupError, add_member, members,
                                    set_up)
from databases import raw_rows
from team_server import team  # noqa: F401 (a fixture)

pytestmark = pytest.mark.postgresql

RULES = load_rules(resources_dir() / "rules" / "demands.toml")
NOW = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)


def call_with_notes(store: Store, agent: str, uid: str) -> None:
    """A call of ``agent``'s with a customer's words and a promise."""
    with store.unit_of_work() as session:
        repository.start_contact(session, NewContact(uid, agent, "complaint", 2, NOW,
                                                     "03-1234-5678", "山田 太郎"))
        repository.add_note(session, uid, f"{uid}-words", NoteKind.QUOTE, "返金してほしい",
                            1000, agent, NOW, RULES)
        repository.add_note(session, uid, f"{uid}-promise", NoteKind.PROMISE,
                            "明日までに折り返します", 2000, agent, NOW, RULES)


def refused(store: Store, change) -> str:
    """The server's message when it refuses ``change`` (nothing of it is kept)."""
    with pytest.raises(exc.DBAPIError) as caught:
        with store.unit_of_work() as session:
            change(session)
    assert caught.value.orig.sqlstate == "42501", caught.value
    return caught.value.orig.diag.message_primary


@pytest.fixture
def stores(team):  # noqa: F811
    opened = {name: Store(team.url(name)) for name in team.logins}
    yield opened
    for store in opened.values():
        store.close()


def test_an_agent_changes_and_deletes_their_own_notes_only(team, stores):  # noqa: F811
    suzuki, sato = (stores[name] for name in team.agents)
    call_with_notes(suzuki, team.agents[0], "call-1")

    message = refused(sato, lambda s: repository.edit_note(s, "call-1-words", "書き換え",
                                                           team.agents[1], NOW, RULES))
    assert message == (f"note call-1-words was written by {team.agents[0]}: only its author "
                       "may change or delete it")
    refused(sato, lambda s: repository.delete_note(s, "call-1-words", team.agents[1], NOW))
    assert raw_rows(team.owner_url, "SELECT text FROM note WHERE uid = 'call-1-words'") == [
        ("返金してほしい",)]

    with suzuki.unit_of_work() as session:
        repository.edit_note(session, "call-1-words", "全額返金してほしい", team.agents[0], NOW,
                             RULES)
    with suzuki.unit_of_work() as session:
        repository.delete_note(session, "call-1-promise", team.agents[0], NOW)
    assert raw_rows(team.owner_url, "SELECT uid, text FROM note ORDER BY uid") == [
        ("call-1-words", "全額返金してほしい")]
    with make_engine(team.owner_url).connect() as connection:
        assert verify(connection).ok


def test_another_agent_may_mark_a_promise_kept_but_not_reword_it(team, stores):  # noqa: F811
    suzuki, sato = (stores[name] for name in team.agents)
    call_with_notes(suzuki, team.agents[0], "call-2")
    promise = raw_rows(team.owner_url, "SELECT id FROM note WHERE uid = 'call-2-promise'")[0][0]

    def reword(session):
        session.execute(text("UPDATE note SET text = 'x', done_by = :me WHERE id = :id"),
                        {"me": team.agents[1], "id": promise})

    refused(sato, reword)
    with sato.unit_of_work() as session:
        repository.complete_promise(session, promise, team.agents[1], NOW)
    assert raw_rows(team.owner_url, f"SELECT text, done_by FROM note WHERE id = {promise}") == [
        ("明日までに折り返します", team.agents[1])]


def test_agents_write_under_their_own_name_only(team, stores):  # noqa: F811
    suzuki, sato = (stores[name] for name in team.agents)
    call_with_notes(suzuki, team.agents[0], "call-3")
    message = refused(sato, lambda s: repository.add_note(
        s, "call-3", "forged", NoteKind.QUOTE, "言っていない言葉", 3000, team.agents[0], NOW, RULES))
    assert 'row-level security policy for table "note"' in message
    refused(sato, lambda s: repository.start_contact(s, NewContact(
        "forged-call", team.agents[0], "complaint", 2, NOW)))

    def rename(session):
        session.execute(text("UPDATE note SET agent = :other WHERE uid = 'call-3-words'"),
                        {"other": team.agents[1]})

    assert "its author cannot be changed" in refused(suzuki, rename)


def test_agents_decide_on_flags_under_their_own_name_only(team, stores):  # noqa: F811
    suzuki, sato = (stores[name] for name in team.agents)
    call_with_notes(suzuki, team.agents[0], "call-6")
    with sato.unit_of_work() as session:  # another agent's note: anyone on the call decides
        flag_reviews.review_flag(session, RULES, "sato-decides", "call-6-words", "insult",
                                 "manual", team.agents[1], NOW)

    def forge(session):  # a decision in 鈴木's name, behind the app's back
        session.execute(text(
            "INSERT INTO flag_review (uid, note_uid, category, state, actor, at) "
            "VALUES ('forged', 'call-6-words', 'threat', 'manual', :other, :at)"),
            {"other": team.agents[0], "at": NOW})

    assert 'row-level security policy for table "flag_review"' in refused(sato, forge)
    assert "permission denied" in refused(sato, lambda s: s.execute(text(
        "UPDATE flag_review SET state = 'dismissed'")))
    assert "permission denied" in refused(sato, lambda s: s.execute(text(
        "DELETE FROM flag_review")))
    assert "permission denied" in refused(stores[team.supervisor], lambda s: s.execute(text(
        "INSERT INTO flag_review (uid, note_uid, category, state, actor, at) "
        f"VALUES ('boss', 'call-6-words', 'threat', 'manual', '{team.supervisor}', now())")))
    with stores[team.supervisor].unit_of_work() as session:
        decided = flag_reviews.decisions_of(session, ["call-6-words"])
    assert [(d.category, d.state, d.by) for d in decided["call-6-words"]] == [
        ("insult", "manual", team.agents[1])]
    with make_engine(team.url(team.supervisor)).connect() as connection:
        assert verify(connection).ok


def test_agents_cannot_tamper_with_the_audit_trail(team, stores):  # noqa: F811
    suzuki = stores[team.agents[0]]
    call_with_notes(suzuki, team.agents[0], "call-4")
    for statement in ("UPDATE audit_entry SET actor = 'someone'",
                      "UPDATE audit_entry SET before = '', after = ''",
                      "DELETE FROM audit_entry", "TRUNCATE audit_entry"):
        message = refused(suzuki, lambda s, sql=statement: s.execute(text(sql)))
        assert "permission denied for table audit_entry" in message
    message = refused(suzuki, lambda s: s.execute(text(
        "INSERT INTO audit_entry (at, actor, action, entity, uid, prev_hash, hash) "
        "VALUES ('2026-01-01T00:00:00+00:00', 'someone', 'create', 'note', 'x', 'a', 'b')")))
    assert 'row-level security policy for table "audit_entry"' in message
    with make_engine(team.url(team.supervisor)).connect() as connection:
        result = verify(connection)
    assert result.ok and result.entries >= 3


def test_a_supervisor_reads_everything_and_changes_nothing(team, stores):  # noqa: F811
    for number, agent in enumerate(team.agents):
        call_with_notes(stores[agent], agent, f"call-5-{number}")
    supervisor = stores[team.supervisor]
    with supervisor.unit_of_work() as session:
        agents = session.execute(text("SELECT DISTINCT agent FROM note ORDER BY agent")).all()
        trail = session.execute(text("SELECT count(*) FROM audit_entry")).scalar()
    assert [row[0] for row in agents] == sorted(team.agents)
    assert trail == 9  # two cases, their customer, the two calls and four notes
    message = refused(supervisor, lambda s: repository.start_contact(s, NewContact(
        "boss-call", team.supervisor, "complaint", 2, NOW)))
    assert "permission denied" in message
    refused(supervisor, lambda s: s.execute(text("UPDATE note SET text = 'x'")))
    refused(supervisor, lambda s: s.execute(text("DELETE FROM note")))


def test_setup_is_idempotent_and_covers_tables_added_later(team):  # noqa: F811
    engine = make_engine(team.owner_url)

    def privileges():
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT table_name, grantee, privilege_type FROM information_schema"
                ".role_table_grants WHERE grantee IN (:agent, :supervisor) "
                "ORDER BY 1, 2, 3"), {"agent": AGENT, "supervisor": SUPERVISOR}).all()

    before = privileges()
    with engine.begin() as connection:
        report = set_up(connection)
    assert report.groups_made == []
    assert privileges() == before
    assert ("note", AGENT, "DELETE") in before and ("audit_entry", AGENT, "INSERT") in before
    assert ("audit_entry", AGENT, "UPDATE") not in before
    assert ("alembic_version", AGENT, "INSERT") not in before
    assert {(table, privilege) for table, grantee, privilege in before
            if grantee == SUPERVISOR} == {(table, "SELECT") for table in report.tables} | {
        ("audit_entry", "INSERT")}, "supervisors add only the board's openings to the trail"

    # A table a later migration adds (say the operations received from agents' shippers):
    # agents add and read rows at once, before setup runs again.
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE later_table (uid VARCHAR PRIMARY KEY)"))
    agent = make_engine(team.url(team.agents[0]))
    with agent.begin() as connection:
        connection.execute(text("INSERT INTO later_table VALUES ('op-1')"))
        assert connection.execute(text("SELECT uid FROM later_table")).scalar() == "op-1"
    with pytest.raises(exc.ProgrammingError, match="permission denied"):
        with agent.begin() as connection:
            connection.execute(text("DELETE FROM later_table"))
    agent.dispose()
    engine.dispose()


def test_setup_and_new_logins_need_the_databases_owner(team):  # noqa: F811
    agent = make_engine(team.url(team.agents[0]))
    with pytest.raises(SetupError, match="connect as the database's owner"):
        with agent.begin() as connection:
            set_up(connection)
    agent.dispose()


def test_logins_get_a_scram_verifier_and_adding_one_again_changes_nothing(
        team, postgres_cluster):  # noqa: F811
    engine = make_engine(team.owner_url)
    with engine.begin() as connection:
        again = add_member(connection, team.agents[0], AGENT, None)
        both = add_member(connection, team.supervisor, AGENT, None)
        found = dict(members(connection))
    engine.dispose()
    assert not again.created and not again.password_set
    assert not both.created and found[team.supervisor] == [AGENT, SUPERVISOR]
    with postgres_cluster.admin() as connection:
        stored = connection.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s",
                                    (team.agents[0],)).fetchone()[0]
    assert stored.startswith("SCRAM-SHA-256$") and team.logins[team.agents[0]] not in stored
    with Store(team.url(team.agents[0])).engine.connect() as connection:
        assert connection.execute(text("SELECT session_user")).scalar() == team.agents[0]
