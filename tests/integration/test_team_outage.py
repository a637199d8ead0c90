"""Team mode with real processes: three agents' apps write to one PostgreSQL server at once,
each under a login of its own (docs/team-mode.md's roles), while a supervisor's review is open
on the same server; the server is stopped for a minute mid-shift and started again; every note
an app acknowledged arrives exactly once, in the order it was taken — even from an app killed
during the outage — and the supervisor's review finds every agent's call.

Each app is the real ``callhelper`` on its own data folder, pointed at the server; notes
reach it through its instance socket, as from ``callhelper call note``, and are
acknowledged once they are on the agent's own disk.
"""

import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from databases import raw_rows
from team_server import make_team
from processes import environment, wait_for

from callhelper.locations import DATABASE_FILE
from callhelper.store import review, roles
from callhelper.store.engine import make_engine
from callhelper.store.history import CaseFilter
from callhelper.urls import login_of
from callhelper.channel import address

pytestmark = pytest.mark.postgresql

AGENTS = 3
#: Notes each agent takes before the outage, during it and after it.
NOTES_PER_PHASE = 8
#: How long the server stays down.
OUTAGE_S = 60


class Agent:
    """One agent's app, on a data folder of its own, and the notes it acknowledged."""

    def __init__(self, folder: Path, url: str, number: int) -> None:
        self.folder, self.url, self.number = folder, url, number
        self.phone = f"03-1234-{number:04d}"
        self.process: subprocess.Popen | None = None
        self.acknowledged: list[tuple[str, str]] = []  # (note uid, text), in order
        self.lock = threading.Lock()

    def env(self):
        return environment(self.folder, CALLHELPER_DATABASE_URL=self.url)

    def launch(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "callhelper"], env=self.env(),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        text=True)

    def cli(self, *args):
        return subprocess.run([sys.executable, "-m", "callhelper", *args], env=self.env(),
                              capture_output=True, text=True, timeout=60)

    def status(self):
        result = self.cli("call", "status", "--json")
        return json.loads(result.stdout) if result.returncode == 0 else None

    def socket_path(self) -> str:
        local = f"sqlite:///{(self.folder.resolve() / 'data' / DATABASE_FILE).as_posix()}"
        return address(local)

    def take_notes(self, phase: str, count: int) -> None:
        """Send notes one after another, each once the one before is acknowledged."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(30)
            connection.connect(self.socket_path())
            replies = connection.makefile("rb")
            for index in range(count):
                text = f"{self.number}番 {phase} {index} 返金してほしい"
                connection.sendall(json.dumps({"action": "note", "text": text}).encode()
                                   + b"\n")
                answer = json.loads(replies.readline())
                assert "saved" in answer, answer
                with self.lock:
                    self.acknowledged.append((answer["saved"], answer["text"]))
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def all_at_once(agents, phase, count=NOTES_PER_PHASE):
    errors = []

    def run(agent):
        try:
            agent.take_notes(phase, count)
        except Exception as error:  # reported below, with the agent's number
            errors.append((agent.number, error))

    threads = [threading.Thread(target=run, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


def sync_of(agent):
    return (agent.status() or {}).get("sync") or {}


def three_agent_logins(cluster, owner_url):
    """The team of tests/team_server.py with a third agent: each agent's URL, and the
    supervisor's."""
    team = make_team(cluster, owner_url)
    third = f"{team.agents[0]}_3"
    engine = make_engine(owner_url)
    try:
        with engine.begin() as connection:
            roles.add_member(connection, third, roles.AGENT, "third agent's password")
    finally:
        engine.dispose()
    team.logins[third] = "third agent's password"
    return [team.url(name) for name in (*team.agents, third)], team.url(team.supervisor)


def test_three_agents_lose_and_duplicate_nothing_when_the_server_stops(
        postgres_cluster, postgres_url, tmp_path):
    agent_urls, supervisor_url = three_agent_logins(postgres_cluster, postgres_url)
    agents = [Agent(tmp_path / f"agent{number}", url, number)
              for number, url in enumerate(agent_urls, start=1)]
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "callhelper", "review"],
        env=environment(tmp_path / "supervisor", CALLHELPER_DATABASE_URL=supervisor_url),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for agent in agents:
            agent.launch()
        for agent in agents:
            assert wait_for(lambda: (agent.status() or {}).get("ready"), 60), \
                f"agent {agent.number} did not start: {agent.process.poll()}"
            assert agent.cli("call", "start", "--number", agent.phone).returncode == 0
            assert wait_for(lambda: agent.status()["call"] == "active")
        all_at_once(agents, "before")
        assert wait_for(lambda: all(sync_of(agent).get("synced") for agent in agents), 60)

        stopped = postgres_cluster.pg_ctl("-m", "fast", "-w", "stop")
        assert stopped.returncode == 0, stopped.stderr
        try:
            outage = time.monotonic()
            all_at_once(agents, "during")
            assert wait_for(lambda: all(sync_of(agent).get("unreachable")
                                        for agent in agents), 30)
            assert all(sync_of(agent)["waiting"] > 0 for agent in agents)
            killed = agents[-1]  # killed with its notes not yet on the server
            killed.process.kill()
            killed.process.wait(timeout=30)
            killed.launch()
            assert wait_for(lambda: (killed.status() or {}).get("call") == "active", 60), \
                "the killed agent's call was not resumed"
            all_at_once([killed], "after-kill", 3)
            time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - outage)))
        finally:
            postgres_cluster.start_again()

        all_at_once(agents, "after")
        assert wait_for(lambda: all(sync_of(agent).get("synced") for agent in agents), 90), \
            [sync_of(agent) for agent in agents]
        assert supervisor.poll() is None, "the supervisor's review ended during the outage"
        supervisor.terminate()
        assert supervisor.wait(timeout=30) == 0, supervisor.stderr.read()
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
        for agent in agents:
            agent.stop()
        logs = {agent.number: (agent.folder / "logs" / "callhelper.log").read_text(
            encoding="utf-8", errors="replace") if (agent.folder / "logs" / "callhelper.log")
            .exists() else "" for agent in agents}

    stored = raw_rows(postgres_url, "SELECT n.uid, n.text, c.uid FROM note n JOIN contact c "
                                    "ON c.id = n.contact_id ORDER BY n.id")
    uids = [uid for uid, _text, _contact in stored]
    assert len(uids) == len(set(uids)), "a note arrived twice"
    assert raw_rows(postgres_url, "SELECT count(*) FROM contact") == [(AGENTS,)]
    texts = {uid: text for uid, text, _contact in stored}
    local_total = 0
    for agent in agents:
        local = raw_rows(f"sqlite:///{agent.folder / 'data' / DATABASE_FILE}",
                         "SELECT n.uid FROM note n ORDER BY n.id")
        local_total += len(local)
        assert raw_rows(f"sqlite:///{agent.folder / 'data' / DATABASE_FILE}",
                        "SELECT count(*) FROM outbox") == [(0,)]
        on_server = [uid for uid, _text, contact in stored
                     if uid in {row[0] for row in local}]
        assert on_server == [row[0] for row in local], \
            f"agent {agent.number}: its notes are not on the server in the order taken"
        missing = [uid for uid, _text in agent.acknowledged if uid not in texts]
        assert not missing, f"agent {agent.number}: {len(missing)} acknowledged notes lost"
        assert all(texts[uid] == text for uid, text in agent.acknowledged)
        order = [uid for uid, _text in agent.acknowledged]
        assert [uid for uid in on_server if uid in set(order)] == order
    assert len(stored) == local_total, "the server holds notes no agent took, or lacks some"
    assert len(stored) >= AGENTS * NOTES_PER_PHASE * 3 + 3
    assert all("the server refused" not in log for log in logs.values())

    verified = subprocess.run([sys.executable, "-m", "callhelper", "--database-url",
                               supervisor_url, "verify"], env=environment(tmp_path),
                              capture_output=True, text=True, timeout=120)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "ok" in verified.stdout

    # what the supervisor's review shows: every agent's call, under the agent's own login
    shown = review.ReviewSet.open([], server=supervisor_url)
    try:
        assert not shown.problems, shown.problems
        cases = review.list_cases(shown, CaseFilter())
        assert review.agents(shown) == sorted(login_of(url) for url in agent_urls)
        assert len(cases) == AGENTS
        assert all(result.verification.ok for result in review.verify_all(shown))
    finally:
        shown.close()
