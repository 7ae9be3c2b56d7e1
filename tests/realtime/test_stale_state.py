"""A stale state plus the events since equals a fresh snapshot — at every point, for every viewer.

The workshop of ``every_event_type`` makes each event type at least once; snapshots are taken
after every event, and each is brought up to date with the reference reducer.
"""

from __future__ import annotations

import copy

import pytest
from sqlmodel import col, select

from app.db import make_engine, migrate, session_scope
from app.realtime.audience import event_for
from app.realtime.commands import FACILITATORS_ONLY, Actor
from app.realtime.models import Event
from app.realtime.protocol import event_types
from app.realtime.state import apply_event, build_snapshot
from app.types import Role
from app.workshops.models import Workshop
from tests.web.test_reducer_parity import every_event_type
from tests.workshops.scripted import facilitator_and_trajectory


@pytest.fixture
def recorded(db_url: str, monkeypatch: pytest.MonkeyPatch):
    """Run the workshop while recording a snapshot for each viewer after every command."""
    migrate(db_url)
    engine = make_engine(db_url)
    facilitator_id, trajectory_id = facilitator_and_trajectory(engine, ["inwoner", "beleid"])
    snapshots: list[tuple[int, dict]] = []

    import app.workshops.runner as runner

    original = runner.execute

    def execute_and_snapshot(*args, **kwargs):
        outcome = original(*args, **kwargs)
        with session_scope(engine) as session:
            workshop = session.get(Workshop, kwargs["workshop_id"])
            for viewer in viewers(session, workshop.id):
                state = build_snapshot(session, workshop, viewer).model_dump(mode="json")
                snapshots.append((workshop.last_seq, {"viewer": viewer, "state": state}))
        return outcome

    monkeypatch.setattr(runner, "execute", execute_and_snapshot)
    workshop_id = every_event_type(engine, facilitator_id, trajectory_id)
    yield engine, workshop_id, snapshots
    engine.dispose()


def viewers(session, workshop_id: int) -> list[Actor]:
    joined = session.exec(
        select(Event.data).where(
            Event.workshop_id == workshop_id, Event.type == "participant.joined"
        )
    ).all()
    return [
        Actor(Role.FACILITATOR, facilitator_id=1),
        Actor(Role.SCREEN),
        *[Actor(Role.PARTICIPANT, participant_id=d["participant"]["id"]) for d in joined],
    ]


def test_stale_state_plus_events_equals_fresh_snapshot(recorded):
    engine, workshop_id, snapshots = recorded
    with session_scope(engine) as session:
        events = session.exec(
            select(Event).where(Event.workshop_id == workshop_id).order_by(col(Event.seq))
        ).all()
        assert [e.seq for e in events] == list(range(1, len(events) + 1)), "gap-free seq"
        assert {e.type for e in events} == set(event_types())
        workshop = session.get(Workshop, workshop_id)
        finals = {}
        for viewer in viewers(session, workshop_id):
            finals[viewer] = build_snapshot(session, workshop, viewer).model_dump(mode="json")
    checked = 0
    for seq, taken in snapshots:
        viewer = taken["viewer"]
        if viewer not in finals:
            continue
        state = copy.deepcopy(taken["state"])
        for vote in state["votes"].values():
            assert vote["is_open"] is (vote["results"] is None), "tallies hidden until closed"
        for event in events:
            seen = event_for(event, viewer) if event.seq > seq else None
            if seen is not None:
                apply_event(state, seen)
        assert state == finals[viewer], f"stale at seq {seq} for {viewer} drifted"
        checked += 1
    assert checked > 100


def test_private_events_reach_only_their_participant(recorded):
    engine, workshop_id, _ = recorded
    with session_scope(engine) as session:
        private = session.exec(
            select(Event).where(Event.workshop_id == workshop_id, col(Event.audience).is_not(None))
        ).all()
        staff = [e for e in private if e.audience == FACILITATORS_ONLY]
        private = [e for e in private if e.audience != FACILITATORS_ONLY]
        assert {e.type for e in private} == {
            "my_dots.changed",
            "my_rating.given",
            "my_ranking.given",
            "my_checkout.given",
        }
        assert {e.type for e in staff} == {
            "suggestion.made",
            "suggestion.decided",
            "console.driver",
        }
        workshop = session.get(Workshop, workshop_id)
        for viewer in viewers(session, workshop_id):
            state = build_snapshot(session, workshop, viewer)
            for event in staff:
                assert (event_for(event, viewer) is None) == (viewer.role is not Role.FACILITATOR)
            if viewer.role is not Role.PARTICIPANT:
                assert state.my_dots == {} and state.my_ratings == {}
                assert state.my_check_out is None
            else:
                mine = {e.audience for e in private} & {viewer.participant_id}
                assert bool(state.my_ratings) == bool(mine)
                answered = {e.audience for e in private if e.type == "my_checkout.given"}
                assert (state.my_check_out is not None) == (viewer.participant_id in answered)
            if viewer.role is not Role.FACILITATOR:
                assert state.suggestions == {} and state.driver_id is None
