"""The browser's reducer (state.js) and the reference reducer (state.py) agree on every event."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from app.accounts.models import Facilitator
from app.clock import utcnow
from app.db import make_engine, migrate, session_scope
from app.realtime.audience import event_for
from app.realtime.commands import Actor
from app.realtime.models import Event
from app.realtime.protocol import event_types
from app.realtime.state import apply_event, build_snapshot
from app.types import Role
from app.workshops.models import Trajectory, Workshop
from app.workshops.runner import Runner
from app.workshops.sharing import TrajectoryShare
from tests.support.databases import unavailable
from tests.workshops.scripted import facilitator_and_trajectory, run_to_vertrekpunt

HARNESS = Path(__file__).with_name("reducer.mjs")


def node() -> str:
    found = shutil.which("node")
    if found is None:
        unavailable("node is needed to run the browser reducer")
    assert found is not None
    return found


def js_apply(state: dict, events: list[dict]) -> dict:
    result = subprocess.run(
        [node(), str(HARNESS)],
        input=json.dumps({"state": state, "events": events}),
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
        env={**os.environ},
    )
    return json.loads(result.stdout)


def every_event_type(engine, facilitator_id: int, trajectory_id: int) -> int:
    """A workshop that makes every event type at least once; returns its id."""
    workshop_id, _ = run_to_vertrekpunt(
        engine,
        facilitator_id=facilitator_id,
        trajectory_id=trajectory_id,
        people=[("Annie", "inwoner"), ("Bram", "beleid")],
        waarom="W",
        opgave="O",
        in_scope=["a"],
        core_themes=["b"],
    )
    with session_scope(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        pids = list(
            session.exec(
                select(Event.data).where(
                    Event.workshop_id == workshop_id, Event.type == "participant.joined"
                )
            )
        )
    people = [Actor(Role.PARTICIPANT, participant_id=d["participant"]["id"]) for d in pids]
    room = Runner(engine, workshop, facilitator_id)
    room.people = people
    annie, bram = people
    room.do(
        room.facilitator,
        type="workshop.configure",
        title="Andere titel",
        settings={"participants_cluster": True},
    )
    room.phase("factoren")
    room.do(room.facilitator, type="timer.start", seconds=60)
    room.do(room.facilitator, type="timer.stop")
    one = room.do(annie, type="card.post", kind="factor", text="een")["card_id"]
    two = room.do(bram, type="card.post", kind="factor", text="twee")["card_id"]
    room.do(annie, type="card.edit", card_id=one, text="één")
    room.do(room.facilitator, type="card.spotlight", card_id=one)
    room.do(room.facilitator, type="card.merge", card_id=two, into_id=one)
    three = room.do(annie, type="card.post", kind="factor", text="drie")["card_id"]
    room.do(annie, type="card.withdraw", card_id=three)
    four = room.do(bram, type="card.post", kind="factor", text="vier")["card_id"]
    room.do(room.facilitator, type="card.unmerge", card_id=two)
    room.do(room.facilitator, type="card.merge", card_id=two, into_id=one)
    room.phase("clusteren")
    room.do(room.facilitator, type="screen.view", page=1, focus=None)
    cluster = room.do(room.facilitator, type="cluster.create", title="C", card_ids=[one])[
        "cluster_id"
    ]
    room.do(room.facilitator, type="cluster.rename", cluster_id=cluster, title="C2")
    spare = room.do(room.facilitator, type="cluster.create", title="leeg")["cluster_id"]
    room.do(room.facilitator, type="cluster.delete", cluster_id=spare)
    idea = room.do(
        annie, type="suggestion.make", card_id=four, target={"kind": "cluster", "id": cluster}
    )
    room.do(
        room.facilitator, type="suggestion.decide", suggestion_id=idea["suggestion_id"], accept=True
    )
    room.do(room.facilitator, type="cluster.move", card_ids=[four], cluster_id=None)
    other = Actor(Role.FACILITATOR, facilitator_id=co_facilitator(engine, trajectory_id))
    room.do(other, type="console.take_over")
    room.do(room.facilitator, type="console.take_over")
    room.phase("prioriteren")
    room.do(room.facilitator, type="vote.open")
    room.do(annie, type="vote.cast", target_type="cluster", target_id=cluster)
    room.do(annie, type="vote.retract", target_type="cluster", target_id=cluster)
    room.do(bram, type="vote.cast", target_type="card", target_id=one)
    room.do(room.facilitator, type="vote.close")
    room.do(room.facilitator, type="vote.open")
    room.do(bram, type="vote.cast", target_type="card", target_id=one)
    agenda = room.agenda
    room.do(room.facilitator, type="phase.set", index=agenda.index("waarom"), open_items="cancel")
    first = room.do(annie, type="proposal.create", kind="waarom", text="x")["proposal_id"]
    second = room.do(bram, type="proposal.create", kind="waarom", text="y")["proposal_id"]
    merged = room.do(
        room.facilitator, type="proposal.merge", proposal_ids=[first, second], text="x+y"
    )["proposal_id"]
    spare_p = room.do(annie, type="proposal.create", kind="waarom", text="z")["proposal_id"]
    room.do(annie, type="proposal.withdraw", proposal_id=spare_p)
    round_id = room.do(room.facilitator, type="round.open", kind="waarom", reveal="live")[
        "round_id"
    ]
    room.do(annie, type="rating.give", round_id=round_id, proposal_id=merged, score=4)
    room.do(room.facilitator, type="round.close", round_id=round_id)
    won = redraft_and_rank(room, merged, annie, bram)
    again = room.do(room.facilitator, type="round.open", kind="waarom", reveal="live")["round_id"]
    room.do(annie, type="rating.give", round_id=again, proposal_id=won, score=4)
    room.do(room.facilitator, type="phase.set", index=agenda.index("opgave"), open_items="cancel")
    # An after-window on the last round (annie rated in it; bram did not): hidden, then closed.
    until = (utcnow() + timedelta(days=1)).isoformat()
    window = room.do(room.facilitator, type="window.open", until=until)["round_id"]
    room.do(bram, type="rating.give", round_id=window, proposal_id=won, score=2)
    room.do(room.facilitator, type="window.close")
    room.do(room.facilitator, type="checkout.open")
    room.do(annie, type="checkout.answer", score=3)
    room.do(annie, type="checkout.answer", score=4)
    room.do(room.facilitator, type="checkout.close")
    room.do(bram, type="participant.leave")
    room.do(room.facilitator, type="workshop.configure", settings={"admit": True})
    late = room.join("Chris", "inwoner")
    room.do(room.facilitator, type="participant.admit", participant_ids=[late.participant_id])
    room.do(room.facilitator, type="participant.remove_many", participant_ids=[late.participant_id])
    return workshop_id


def redraft_and_rank(room: Runner, proposal: int, annie: Actor, bram: Actor) -> int:
    """A redraft ranked and closed, then one cancelled: every redraft event; the winner's id."""
    redraft = room.do(
        room.facilitator, type="redraft.open", proposal_id=proposal, phones_write=True
    )
    rid = redraft["redraft_id"]
    one = room.do(annie, type="variant.create", redraft_id=rid, text="x1")["variant_id"]
    two = room.do(room.facilitator, type="variant.create", redraft_id=rid, text="x2")["variant_id"]
    spare = room.do(room.facilitator, type="variant.create", redraft_id=rid, text="x3")
    room.do(room.facilitator, type="variant.withdraw", variant_id=spare["variant_id"])
    room.do(room.facilitator, type="ranking.open", redraft_id=rid)
    room.do(annie, type="ranking.give", redraft_id=rid, order=[one, two])
    room.do(bram, type="ranking.give", redraft_id=rid, order=[two, one])
    room.do(annie, type="ranking.give", redraft_id=rid, order=[two, one])
    won = room.do(room.facilitator, type="redraft.close", redraft_id=rid)["proposal_id"]
    measured = room.do(room.facilitator, type="round.open", kind="waarom")["round_id"]
    room.do(annie, type="rating.give", round_id=measured, proposal_id=won, score=4)
    room.do(room.facilitator, type="round.close", round_id=measured)
    dropped = room.do(room.facilitator, type="redraft.open", proposal_id=won)["redraft_id"]
    room.do(room.facilitator, type="redraft.cancel", redraft_id=dropped)
    assert isinstance(won, int)
    return won


def co_facilitator(engine, trajectory_id: int) -> int:
    """A second facilitator account the trajectory is shared with."""
    with session_scope(engine) as session:
        owner = session.get(Trajectory, trajectory_id).owner_id
        other = Facilitator(email=f"co{trajectory_id}@x.nl", name="Co", password_hash="x")
        session.add(other)
        session.flush()
        session.add(
            TrajectoryShare(trajectory_id=trajectory_id, account_id=other.id, added_by=owner)
        )
        return other.id


@pytest.mark.parametrize("viewer", ["facilitator", "participant"])
def test_state_js_agrees_with_state_py(db_url: str, viewer: str):
    migrate(db_url)
    engine = make_engine(db_url)
    facilitator_id, trajectory_id = facilitator_and_trajectory(engine, ["inwoner"])
    workshop_id = every_event_type(engine, facilitator_id, trajectory_id)
    with session_scope(engine) as session:
        events = session.exec(
            select(Event).where(Event.workshop_id == workshop_id).order_by(col(Event.seq))
        ).all()
        assert {e.type for e in events} == set(event_types()), "the script covers every event"
        joined = next(e for e in events if e.type == "participant.joined")
        actor = (
            Actor(Role.FACILITATOR, facilitator_id=facilitator_id)
            if viewer == "facilitator"
            else Actor(Role.PARTICIPANT, participant_id=joined.data["participant"]["id"])
        )
        fresh = build_snapshot(session, session.get(Workshop, workshop_id), actor).model_dump(
            mode="json"
        )
    # The empty room as it was before the first event: every collection empty, the first phase.
    empty = copy.deepcopy(fresh)
    for key in (
        "participants",
        "cards",
        "clusters",
        "votes",
        "proposals",
        "rounds",
        "my_dots",
        "my_ratings",
        "redrafts",
        "my_rankings",
    ):
        empty[key] = {}
    empty["vertrekpunt_id"] = None
    visible = [seen for e in events if (seen := event_for(e, actor)) is not None]
    python_state = copy.deepcopy(empty)
    for event in visible:
        apply_event(python_state, event)
    browser_state = js_apply(copy.deepcopy(empty), visible)
    assert browser_state == python_state
    for key in (
        "participants",
        "cards",
        "clusters",
        "votes",
        "proposals",
        "rounds",
        "my_dots",
        "my_ratings",
        "redrafts",
        "my_rankings",
    ):
        assert browser_state[key] == fresh[key], key
    engine.dispose()
