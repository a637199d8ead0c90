"""Two agents' calls for the review tests: in a database file each, or together in one
database (a team's server, or a file with the same data to compare it with)."""

import pytest

from callhelper.config import resources_dir
from callhelper.core.case import CaseStatus, Level, NoteKind, WrapUp
from callhelper.core.flags import load_rules
from callhelper.core.session import StepChange
from callhelper.store import repository
from callhelper.store.engine import Store
from callhelper.store.repository import NewContact

RULES = load_rules(resources_dir() / "rules" / "demands.toml")


def agent_file(path, clock, agent, calls):
    """An agent's database with ``calls``: (subject, words, prevention, status, escalated)."""
    agent_data(f"sqlite:///{path}", clock, agent, calls)


def agent_data(url, clock, agent, calls):
    """``calls`` of ``agent`` added to the database at ``url`` (a file or a team's server)."""
    store = Store(url)
    for number, (subject, words, prevention, status, escalated) in enumerate(calls):
        uid = f"{agent}-{number}"
        with store.unit_of_work() as session:
            repository.start_contact(session, NewContact(uid, agent, "complaint", 2, clock.now(),
                                                         f"03-1234-00{number:02d}"))
            repository.add_note(session, uid, f"{uid}-n", NoteKind.QUOTE, words, 5_000, agent,
                                clock.now(), RULES)
            repository.record_step_change(session, uid, StepChange("limited-apology", True, 40, 40),
                                          agent, clock.now())
            if escalated:
                repository.record_escalation(session, uid, ["flags"], "…", agent, 60_000,
                                             clock.now())
            repository.save_wrap_up(session, uid, WrapUp(subject, Level.LOW, Level.LOW, "",
                                                         prevention, status), agent, clock.now())
        clock.advance(86400)
    store.close()


@pytest.fixture
def two_agents(tmp_path, clock):
    folder = tmp_path / "logs"
    folder.mkdir()
    agent_file(folder / "suzuki.db", clock, *SUZUKI)
    agent_file(folder / "sato.db", clock, *SATO)
    return folder


SUZUKI = ("鈴木", [("配送の遅延", "まだ届かない", "", CaseStatus.RESOLVED, False),
                  ("配送の遅延", "土下座しろ", "出荷確認の徹底", CaseStatus.OPEN, True)])
SATO = ("佐藤", [("請求の誤り", "二重に請求されている", "請求処理の二重チェック", CaseStatus.OPEN,
                 False)])


def team_data(url, clock):
    """Both agents' calls in one database, as on a team's server; then 佐藤 corrects a note
    and 鈴木 deletes one, so the timelines have earlier words and a deleted note."""
    for agent, calls in (SUZUKI, SATO):
        agent_data(url, clock, agent, calls)
    store = Store(url)
    with store.unit_of_work() as session:
        repository.edit_note(session, "佐藤-0-n", "請求が二重になっている", "佐藤", clock.now(),
                             RULES)
    with store.unit_of_work() as session:
        repository.delete_note(session, "鈴木-0-n", "鈴木", clock.now())
    store.close()
