"""Does a command's cost grow with the event log or the number of rooms? It must not.

Measures the median time of ``execute(card.post)`` (validate, lock, apply, log, receipt, commit)
in a workshop with an empty log in an empty database (baseline), against a workshop whose own log
holds LONG_LOG events, in a database with ROOMS other busy rooms. Both in one run, same machine.

    .venv/bin/python -m bench.command_cost [--database-url URL] [--samples N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from app.accounts.models import Facilitator
from app.clock import utcnow
from app.db import make_engine, migrate, session_scope
from app.handlers import install_handlers
from app.realtime.commands import Actor, execute
from app.realtime.models import Event
from app.realtime.protocol import CardPost, PhaseSet
from app.types import CardKind, Role
from app.workshops.models import Trajectory, Workshop

LONG_LOG = 50_000
ROOMS = 300
EVENTS_PER_ROOM = 100


def _workshop(engine: Engine, trajectory_id: int, code: str, last_seq: int = 0) -> int:
    with session_scope(engine) as session:
        workshop = Workshop(
            trajectory_id=trajectory_id,
            title=code,
            join_code=code,
            screen_token_hash=code,
            last_seq=last_seq,
        )
        session.add(workshop)
        session.flush()
        assert workshop.id is not None
        return workshop.id


def _fill(engine: Engine, workshop_id: int, count: int) -> None:
    """Bulk-insert ``count`` log rows: the log's length is what matters, not its content."""
    rows = [
        {
            "workshop_id": workshop_id,
            "seq": seq,
            "type": "timer.changed",
            "audience": None,
            "data": {"type": "timer.changed", "ends_at": None},
            "created_at": utcnow(),
        }
        for seq in range(1, count + 1)
    ]
    with engine.begin() as connection:
        for start in range(0, len(rows), 5000):
            connection.execute(insert(Event), rows[start : start + 5000])


def _setup(url: str, *, busy: bool) -> tuple[Engine, int]:
    migrate(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        facilitator = Facilitator(email="b@bench.example", name="b", password_hash="x")
        session.add(facilitator)
        session.flush()
        trajectory = Trajectory(owner_id=facilitator.id or 0, theme="bench")
        session.add(trajectory)
        session.flush()
        trajectory_id = trajectory.id or 0
    if busy:
        for room in range(ROOMS):
            other = _workshop(engine, trajectory_id, f"R{room:05d}", EVENTS_PER_ROOM)
            _fill(engine, other, EVENTS_PER_ROOM)
        target = _workshop(engine, trajectory_id, "TARGET", LONG_LOG)
        _fill(engine, target, LONG_LOG)
    else:
        target = _workshop(engine, trajectory_id, "TARGET")
    facilitator_actor = Actor(Role.FACILITATOR, facilitator_id=1)
    execute(
        engine,
        workshop_id=target,
        actor=facilitator_actor,
        command=PhaseSet(type="phase.set", cid="to-factoren", index=2),
    )
    return engine, target


def _measure(engine: Engine, workshop_id: int, samples: int, tag: str) -> list[float]:
    actor = Actor(Role.FACILITATOR, facilitator_id=1)
    timings = []
    for i in range(samples):
        command = CardPost(type="card.post", cid=f"{tag}-{i}", kind=CardKind.FACTOR, text=f"f{i}")
        started = time.perf_counter()
        execute(engine, workshop_id=workshop_id, actor=actor, command=command)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    install_handlers()  # commands are executed here without the web app
    with tempfile.TemporaryDirectory() as tmp:
        urls = {
            "baseline": f"sqlite:///{Path(tmp) / 'empty.db'}",
            "busy": f"sqlite:///{Path(tmp) / 'busy.db'}",
        }
        results = {}
        for name, url in urls.items():
            engine, workshop_id = _setup(url, busy=name == "busy")
            _measure(engine, workshop_id, 20, f"warm-{name}")
            results[name] = _measure(engine, workshop_id, args.samples, name)
        base = statistics.median(results["baseline"])
        busy = statistics.median(results["busy"])
        print(f"card.post on SQLite, {args.samples} samples each")
        print(f"  baseline (empty log, 1 room):                    median {base:.2f} ms")
        print(f"  busy ({LONG_LOG} events in its log, {ROOMS} other rooms): median {busy:.2f} ms")
        print(f"  ratio busy/baseline: {busy / base:.2f}")


if __name__ == "__main__":
    main()
