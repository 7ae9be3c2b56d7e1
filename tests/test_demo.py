"""The demo seed: a finished workshop with a saved vertrekpunt, and one waiting in its lobby."""

from __future__ import annotations

from sqlmodel import col, select

from app.db import make_engine, migrate, session_scope
from app.demo import seed_demo
from app.realtime.models import Event
from app.workshops.models import Trajectory, Vertrekpunt, Workshop


def test_demo_seeds_a_realistic_trajectory_and_can_run_twice(db_url: str):
    migrate(db_url)
    engine = make_engine(db_url)
    first = seed_demo(engine)
    second = seed_demo(engine)
    assert first.password and second.password is None
    assert second.trajectory_id == first.trajectory_id
    with session_scope(engine) as session:
        trajectory = session.get(Trajectory, first.trajectory_id)
        record = session.get(Vertrekpunt, trajectory.current_vertrekpunt_id).record
        assert record["waarom"]["text"].startswith("Iedere oudere")
        assert [r["converged"] for r in record["waarom"]["rounds"]] == [False, True]
        assert record["opgave"]["in_scope"] and record["opgave"]["out_of_scope"]
        assert {c["kind"] for c in record["chain"]} == {"beeld", "factor", "consequentie"}
        assert record["representation"]["missing"] == ["bestuur"]
        assert record["dot_vote"][0]["dots"] >= 7
        for workshop_id in (first.finished_workshop_id, second.finished_workshop_id):
            workshop = session.get(Workshop, workshop_id)
            seqs = session.exec(
                select(Event.seq).where(Event.workshop_id == workshop_id).order_by(col(Event.seq))
            ).all()
            assert list(seqs) == list(range(1, workshop.last_seq + 1)), "complete, gap-free log"
        lobby = session.get(Workshop, first.lobby_workshop_id)
        assert lobby.agenda[lobby.phase_index] == "lobby"
        assert lobby.starts_from_id is not None, "the second workshop reframes the first result"
    engine.dispose()
