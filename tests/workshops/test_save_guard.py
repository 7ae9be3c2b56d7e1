"""The save guard: a late-saved older workshop never becomes current by itself, a choice with a
reason is never silently undone, the history is in the order of the workshops, and a herijking
made before any vertrekpunt picks up the first one. In-process, through the real executor."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app.db import session_scope
from app.workshops.history import make_current
from app.workshops.models import CurrentChange, Proposal, Trajectory, Vertrekpunt, Workshop
from app.workshops.routes import history
from tests.workshops.scripted import (
    facilitator_and_trajectory,
    make_workshop,
    run_to_vertrekpunt,
    run_workshop,
)

PEOPLE = [("Annie", "inwoner")]


def run(
    engine: Engine, workshop: Workshop, facilitator: int, waarom: str, in_scope: list[str]
) -> int:
    return run_workshop(
        engine,
        workshop,
        facilitator_id=facilitator,
        people=PEOPLE,
        waarom=waarom,
        opgave="Minder eenzaamheid.",
        in_scope=in_scope,
        core_themes=[],
    )


def current_of(engine: Engine, trajectory: int) -> int | None:
    with session_scope(engine) as session:
        found = session.get(Trajectory, trajectory)
        assert found is not None
        return found.current_vertrekpunt_id


def choose(
    engine: Engine, trajectory: int, vertrekpunt: int, facilitator: int, reason: str
) -> None:
    with session_scope(engine) as session:
        make_current(
            session,
            trajectory_id=trajectory,
            vertrekpunt_id=vertrekpunt,
            reason=reason,
            made_by=facilitator,
        )


def entries(engine: Engine, trajectory: int) -> list[dict[str, Any]]:
    with session_scope(engine) as session:
        saved = session.exec(
            select(Vertrekpunt)
            .where(Vertrekpunt.trajectory_id == trajectory)
            .order_by(col(Vertrekpunt.id).desc())
        ).all()
        return history(saved)


def test_w1_w6_w1_then_w5_leaves_the_reasoned_choice_standing(engine: Engine):
    """The sequence of issue 24: W1 current, W6 (herijking) current, W1 current again with a
    reason, then W5 (made before W6) saved. W5 is saved and listed, and W1 stays current."""
    facilitator, trajectory = facilitator_and_trajectory(engine, ["inwoner"])
    w1 = make_workshop(engine, trajectory_id=trajectory, title="W1")
    v1 = run(engine, w1, facilitator, "Niemand alleen.", ["ontmoeting"])
    w5 = make_workshop(engine, trajectory_id=trajectory, title="W5")
    w6 = make_workshop(engine, trajectory_id=trajectory, title="W6", reframe=True)
    v6 = run(engine, w6, facilitator, "Iedereen iemand.", ["ontmoeting", "vervoer"])
    assert current_of(engine, trajectory) == v6
    choose(engine, trajectory, v1, facilitator, "De herijking is ingetrokken.")
    assert current_of(engine, trajectory) == v1

    v5 = run(engine, w5, facilitator, "Samen minder alleen.", ["ontmoeting"])

    assert current_of(engine, trajectory) == v1, "the reasoned choice is not silently undone"
    with session_scope(engine) as session:
        kept = session.exec(
            select(CurrentChange.vertrekpunt_id, CurrentChange.reason)
            .where(CurrentChange.trajectory_id == trajectory)
            .order_by(col(CurrentChange.id))
        ).all()
        assert session.get(Vertrekpunt, v5) is not None, "saved all the same"
    assert [tuple(row) for row in kept] == [
        (v1, "saved"),
        (v6, "saved"),
        (v1, "De herijking is ingetrokken."),
    ]
    listed = entries(engine, trajectory)
    assert [e["id"] for e in listed] == [v6, v5, v1], "in the order the workshops were made"
    assert [e["saved_late"] for e in listed] == [False, True, False]
    # The facilitator can still make it current, with a reason.
    choose(engine, trajectory, v5, facilitator, "W5 is toch de betere basis.")
    assert current_of(engine, trajectory) == v5


def test_a_workshop_made_before_a_reasoned_choice_does_not_undo_it(engine: Engine):
    """Newer than every saved workshop is not enough: made before the choice with a reason, its
    result waits for an explicit choice too. One made after the choice continues as usual."""
    facilitator, trajectory = facilitator_and_trajectory(engine, ["inwoner"])
    v1 = run(engine, make_workshop(engine, trajectory_id=trajectory), facilitator, "Een.", [])
    v2 = run(engine, make_workshop(engine, trajectory_id=trajectory), facilitator, "Twee.", [])
    planned_before = make_workshop(engine, trajectory_id=trajectory, title="Al gepland")
    choose(engine, trajectory, v1, facilitator, "Twee was te snel.")
    planned_after = make_workshop(engine, trajectory_id=trajectory, title="Na het besluit")

    v3 = run(engine, planned_before, facilitator, "Drie.", [])
    assert current_of(engine, trajectory) == v1
    v4 = run(engine, planned_after, facilitator, "Vier.", [])
    assert current_of(engine, trajectory) == v4
    assert {v2, v3} <= {e["id"] for e in entries(engine, trajectory)}


def test_a_late_saved_workshop_is_compared_with_its_predecessor_in_time(engine: Engine):
    facilitator, trajectory = facilitator_and_trajectory(engine, ["inwoner"])
    v1 = run(
        engine, make_workshop(engine, trajectory_id=trajectory), facilitator, "Een.", ["ontmoeting"]
    )
    w5 = make_workshop(engine, trajectory_id=trajectory)
    v6 = run(
        engine,
        make_workshop(engine, trajectory_id=trajectory),
        facilitator,
        "Zes.",
        ["ontmoeting", "vervoer"],
    )
    v5 = run(engine, w5, facilitator, "Vijf.", ["ontmoeting", "bankjes"])
    assert current_of(engine, trajectory) == v6
    by_id = {e["id"]: e for e in entries(engine, trajectory)}
    late = by_id[v5]
    assert late["compared_with_id"] == v1 and late["previous_id"] == v6
    assert late["changes"]["in_scope"]["added"] == ["bankjes"]
    assert late["changes"]["in_scope"]["removed"] == [], "not compared with W6, saved before it"
    assert by_id[v6]["compared_with_id"] == v5
    assert by_id[v6]["changes"]["in_scope"]["added"] == ["vervoer"]
    assert by_id[v1]["changes"] is None


def test_a_herijking_made_before_any_vertrekpunt_picks_up_the_first(engine: Engine):
    facilitator, trajectory = facilitator_and_trajectory(engine, ["inwoner"])
    waiting = make_workshop(engine, trajectory_id=trajectory, title="Herijking", reframe=True)
    plain = make_workshop(engine, trajectory_id=trajectory, title="Gewone sessie")
    assert waiting.starts_from_id is None and waiting.reframe and not plain.reframe

    _, v1 = run_to_vertrekpunt(
        engine,
        facilitator_id=facilitator,
        trajectory_id=trajectory,
        people=PEOPLE,
        waarom="Niemand alleen.",
        opgave="Minder eenzaamheid.",
        in_scope=["ontmoeting"],
        core_themes=[],
    )
    with session_scope(engine) as session:
        assert session.get(Workshop, waiting.id).starts_from_id == v1  # type: ignore[union-attr]
        assert session.get(Workshop, plain.id).starts_from_id is None  # type: ignore[union-attr]

    # Run, the herijking starts from it: its waarom begins with the vertrekpunt's, and its record
    # names it as its starting point.
    v2 = run(engine, waiting, facilitator, "Iedereen iemand.", ["ontmoeting", "vervoer"])
    with session_scope(engine) as session:
        seeded = session.exec(
            select(Proposal.text).where(
                Proposal.workshop_id == waiting.id, Proposal.seeded_from_id == v1
            )
        ).all()
        record = session.get(Vertrekpunt, v2).record  # type: ignore[union-attr]
    assert "Niemand alleen." in seeded
    assert record["starts_from_id"] == v1


def test_a_herijking_that_has_begun_keeps_going_without_one(engine: Engine):
    """A herijking past its proposals without a starting point is not handed one afterwards."""
    facilitator, trajectory = facilitator_and_trajectory(engine, ["inwoner"])
    begun = make_workshop(engine, trajectory_id=trajectory, reframe=True)
    with session_scope(engine) as session:
        session.add(Proposal(workshop_id=begun.id or 0, kind="waarom", text="Al bezig."))
    run(engine, make_workshop(engine, trajectory_id=trajectory), facilitator, "Een.", [])
    with session_scope(engine) as session:
        assert session.get(Workshop, begun.id).starts_from_id is None  # type: ignore[union-attr]
