"""The live floor's latency: from an agent's raised hand to the supervisors' board, with many
agents publishing their calls meanwhile (team mode, docs/team-mode.md section 9).

    python benchmarks/live_floor.py --database-url postgresql://OWNER@HOST/DATABASE
        [--agents 50] [--hands 20] [--publish-every 2.0] [--out FILE]

The database must be a team database at this version's schema (``callhelper team setup``);
the owner's login is used for every simulated agent (it adds hands and calls under any
name). Each simulated agent is a thread with a file of its own, as an agent's PC has, and
its shipper (store/sync.py); it publishes its call's row every ``--publish-every`` seconds,
as the call window does at each step, flag or hold. One board (store/live.py's LiveLink,
LISTEN/NOTIFY) reads the board again at each notification, as the board window does.

What is measured, for each hand: from the moment the agent's "key press" applies the
``raise_hand`` operation to its own file (outbox included), through the shipper's delivery to
the server, the server's NOTIFY and the board's read of the two live tables, until the
board's snapshot holds the hand. The window's own hops (the write queue's worker, the Qt
signal to the shipper's thread, the board's repaint) are not in it: they take a frame or two.

Target: p95 at most 1 s with 50 agents. The figures go to stdout and to ``--out`` as JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from callhelper.config import resources_dir  # noqa: E402
from callhelper.core.flags import load_rules  # noqa: E402
from callhelper.store import live, operations  # noqa: E402
from callhelper.store.engine import Store  # noqa: E402
from callhelper.store.operations import Operation  # noqa: E402
from callhelper.store.sync import Shipper  # noqa: E402

RULES = load_rules(resources_dir() / "rules" / "demands.toml")


def now() -> datetime:
    return datetime.now(timezone.utc)


class Board(live.LinkHandler):
    """Reads the board at each notification; notes when each awaited hand first shows."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}
        self.reads = 0
        self.ready = threading.Event()

    def connected(self, connection) -> None:
        self._read(connection)
        self.ready.set()

    def notified(self, connection, changes) -> None:
        self._read(connection)

    def _read(self, connection) -> None:
        board = live.board_snapshot(connection)
        self.reads += 1
        at = time.monotonic()
        for call in board.calls:
            if call.hand is not None:
                self.seen.setdefault(call.hand.uid, at)


class Agent:
    """One simulated agent: a file of its own, a call under way, a shipper."""

    def __init__(self, folder: Path, server: str, number: int) -> None:
        self.name = f"bench_agent_{number}"
        self.local = f"sqlite:///{folder / f'agent{number}.db'}"
        self.store = Store(self.local)
        self.shipper = Shipper(self.local, server, RULES)
        self.call = uuid.uuid4().hex
        self.started = now()
        self.lock = threading.Lock()

    def apply(self, operation: Operation) -> None:
        with self.lock:
            with self.store.unit_of_work() as session:
                operations.perform(session, operation, RULES, ship=True)
            self.shipper.ship()

    def publish(self, step: int) -> None:
        self.apply(Operation.of("publish_call", live_state=live.LiveState(
            contact_uid=self.call, agent=self.name, caller=f"お客様 {self.name}",
            state=live.ACTIVE, started_at=self.started, step=f"手順 {step}",
            step_due_at=now() + timedelta(seconds=60), suspected=step % 3), at=now()))

    def raise_hand(self) -> str:
        uid = uuid.uuid4().hex
        self.apply(Operation.of("raise_hand", hand_uid=uid, contact_uid=self.call,
                                agent=self.name, reason="harassment", at=now()))
        return uid

    def lower_hand(self, uid: str) -> None:
        self.apply(Operation.of("lower_hand", hand_uid=uid, at=now()))

    def close(self) -> None:
        self.shipper.close()
        self.store.close()


def run(url: str, agents: int, hands: int, publish_every: float) -> dict:
    board = Board()
    link = live.LiveLink(url, live.BOARD_APPLICATION, board)
    threading.Thread(target=link.run, daemon=True).start()
    if not board.ready.wait(30):
        raise SystemExit("the board could not connect to the server")
    stop = threading.Event()
    with tempfile.TemporaryDirectory(prefix="callhelper-live-bench-") as folder:
        crowd = [Agent(Path(folder), url, number) for number in range(agents)]
        for agent in crowd:
            agent.publish(0)

        def keep_publishing(agent: Agent) -> None:
            step = 1
            time.sleep(random.uniform(0, publish_every))
            while not stop.wait(publish_every):
                agent.publish(step)
                step += 1

        threads = [threading.Thread(target=keep_publishing, args=(agent,), daemon=True)
                   for agent in crowd]
        for thread in threads:
            thread.start()
        latencies = []
        try:
            for _ in range(hands):
                agent = random.choice(crowd)
                pressed = time.monotonic()
                uid = agent.raise_hand()
                deadline = pressed + 30
                while uid not in board.seen and time.monotonic() < deadline:
                    time.sleep(0.002)
                if uid not in board.seen:
                    raise SystemExit(f"a hand did not reach the board within 30 s ({uid})")
                latencies.append((board.seen[uid] - pressed) * 1000)
                agent.lower_hand(uid)
                time.sleep(random.uniform(0.1, 0.5))
        finally:
            stop.set()
            for thread in threads:
                thread.join(publish_every + 5)
            for agent in crowd:
                agent.close()
            link.stop()
    ordered = sorted(latencies)
    return {
        "agents": agents, "hands": hands, "publish_every_s": publish_every,
        "board_reads": board.reads,
        "hand_to_board_ms": {
            "median": round(statistics.median(ordered), 1),
            "p95": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 1),
            "max": round(ordered[-1], 1),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--hands", type=int, default=20)
    parser.add_argument("--publish-every", type=float, default=2.0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    results = run(args.database_url, args.agents, args.hands, args.publish_every)
    figures = results["hand_to_board_ms"]
    print(f"hand → board with {args.agents} agents: median {figures['median']} ms, "
          f"p95 {figures['p95']} ms, max {figures['max']} ms (target p95 ≤ 1000 ms)")
    if args.out is not None:
        args.out.write_text(json.dumps({"live_floor": results, "measured_at": now().isoformat()},
                                       indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
