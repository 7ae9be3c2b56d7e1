"""The record of a redraft, from a room of ten in three shown groups (two small groups pooled):
figures computed by hand; and a redraft ranked by fewer than k people keeps its pairwise counts
to itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from app.db import session_scope
from app.exports.document import document
from app.exports.summary import build_summary
from app.privacy import OTHER_GROUPS
from app.workshops.models import Vertrekpunt
from app.workshops.runner import Runner
from tests.workshops.scripted import new_room

GROUPS = ["inwoner"] * 4 + ["beleid"] * 3 + ["ketenpartner"] * 2 + ["ervaringsdeskundige"]


def rate(room: Runner, kind: str, proposal: int, scores: list[int]) -> None:
    round_id = room.do(room.facilitator, type="round.open", kind=kind)["round_id"]
    for person, score in zip(room.people, scores, strict=True):
        reason = f"Bezwaar {person.participant_id}" if score == 1 else ""
        room.do(
            person,
            type="rating.give",
            round_id=round_id,
            proposal_id=proposal,
            score=score,
            reason=reason,
        )
    room.do(room.facilitator, type="round.close", round_id=round_id)


def redraft(room: Runner, proposal: int, orders: list[list[int]], texts: list[str]) -> int:
    """Open, write ``texts`` (each answering objection 0 if any), rank by ``orders`` (indexes
    into the variants), close; the winning proposal's id."""
    opened = room.do(room.facilitator, type="redraft.open", proposal_id=proposal)["redraft_id"]
    ids = [
        room.do(room.facilitator, type="variant.create", redraft_id=opened, text=t, answers=[0])[
            "variant_id"
        ]
        for t in texts
    ]
    room.do(room.facilitator, type="ranking.open", redraft_id=opened)
    for person, order in zip(room.people, orders, strict=False):
        room.do(person, type="ranking.give", redraft_id=opened, order=[ids[i] for i in order])
    won = room.do(room.facilitator, type="redraft.close", redraft_id=opened)["proposal_id"]
    assert isinstance(won, int)
    return won


def test_the_record_keeps_the_redraft_and_the_agreement_it_gained_per_shown_group(
    engine: Engine,
):
    room = new_room(engine, ["inwoner", "beleid", "ketenpartner", "ervaringsdeskundige"])
    for n, group in enumerate(GROUPS):
        room.join(f"Persoon{n}", group)
    room.phase("waarom")
    first = room.people[0]
    proposal = room.do(first, type="proposal.create", kind="waarom", text="Minder eenzaamheid")[
        "proposal_id"
    ]
    assert isinstance(proposal, int)
    # inwoner 5 4 2 1 → 2/4; beleid 5 5 4 → 3/3; the pool (ketenpartner 2, ervaring 1) 2 1 3 → 0/3.
    rate(room, "waarom", proposal, [5, 4, 2, 1, 5, 5, 4, 2, 1, 3])
    # Six rank the second variant first, four the first: a Condorcet winner, 6 to 4.
    won = redraft(room, proposal, [[1, 0]] * 6 + [[0, 1]] * 4, ["Ontmoeten", "Samen eten"])
    # inwoner 5 5 4 3 → 3/4; beleid 5 4 4 → 3/3; the pool 4 4 5 → 3/3; overall 9/10.
    rate(room, "waarom", won, [5, 5, 4, 3, 5, 4, 4, 4, 4, 5])
    room.do(room.facilitator, type="proposal.adopt", proposal_id=won)
    room.phase("opgave")
    opgave = room.do(first, type="proposal.create", kind="opgave", text="Een buurt die omkijkt")[
        "proposal_id"
    ]
    assert isinstance(opgave, int)
    rate(room, "opgave", opgave, [5] * 10)
    room.do(room.facilitator, type="proposal.adopt", proposal_id=opgave)
    room.phase("afronding")
    saved = room.do(room.facilitator, type="vertrekpunt.save")["vertrekpunt_id"]
    with session_scope(engine) as session:
        vertrekpunt = session.get(Vertrekpunt, saved)
        assert vertrekpunt is not None
        record: dict[str, Any] = vertrekpunt.record
    assert record["waarom"]["rounds_to_convergence"] == 2
    assert record["opgave"]["rounds_to_convergence"] == 1
    (kept,) = record["redrafts"]
    assert kept["objections"] == sorted(
        [f"Bezwaar {room.people[3].participant_id}", f"Bezwaar {room.people[8].participant_id}"]
    )
    assert [v["text"] for v in kept["variants"]] == ["Ontmoeten", "Samen eten"]
    assert [v["won"] for v in kept["variants"]] == [False, True]
    assert kept["variants"][1]["answers"] == [kept["objections"][0]]
    assert kept["result"]["pairwise"] == [[0, 4], [6, 0]] and kept["result"]["rankers"] == 10
    assert (kept["round_number"], kept["next_round_number"]) == (1, 2)
    assert (kept["agree_before"], kept["agree_after"], kept["gained"]) == (0.5, 0.9, 0.4)
    assert kept["converged_after"] is True
    assert kept["by_group"] == [
        {"group": "inwoner", "before": 0.5, "after": 0.75, "gained": 0.25},
        {"group": "beleid", "before": 1.0, "after": 1.0, "gained": 0.0},
        {"group": OTHER_GROUPS, "before": 0.0, "after": 1.0, "gained": 1.0},
    ]
    # The export carries the same, and its document says it in words.
    summary = build_summary(engine, workshop_id=room.workshop_id)
    assert summary is not None and summary.waarom is not None
    assert summary.waarom.rounds_to_convergence == 2
    assert [r.model_dump(mode="json") for r in summary.redrafts] == record["redrafts"]
    text = str(document(summary, language="nl").blocks)
    assert "Herformuleringen" in text and "Samen eten ✓" in text
    assert "ketenpartner" not in str(record["redrafts"]) + text.split("Herformuleringen")[1]


def test_fewer_than_k_rankers_get_the_winner_but_no_pairwise_counts(engine: Engine):
    room = new_room(engine)
    for n in range(2):
        room.join(f"Persoon{n}", "inwoner")
    room.phase("waarom")
    proposal = room.do(room.people[0], type="proposal.create", kind="waarom", text="Iets")[
        "proposal_id"
    ]
    assert isinstance(proposal, int)
    rate(room, "waarom", proposal, [1, 4])
    won = redraft(room, proposal, [[0, 1], [1, 0]], ["Eerste", "Tweede"])
    summary = build_summary(engine, workshop_id=room.workshop_id)
    assert summary is not None
    (kept,) = summary.redrafts
    # One each: a tie, broken by first places (one each) and then by the order written.
    assert kept.result.pairwise is None and kept.result.ties_broken
    assert kept.result.winner_id == kept.variants[0].id and kept.winner_proposal_id == won
    assert kept.agree_after is None and kept.by_group == []
