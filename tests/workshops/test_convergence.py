"""Convergence per group (app/workshops/convergence.py): the figures for a room of 24 in five
groups, one of them below k, worked out by hand; the rule "every group must carry it" off and
on; and what the record and the verslag say about it, through the real command executor.
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy.engine import Engine

from app.db import session_scope
from app.exports.formats import render
from app.exports.summary import build_summary
from app.privacy import OTHER_GROUPS, merge_small_groups
from app.realtime.commands import CommandError
from app.workshops.convergence import Rated, measure, rule_of
from app.workshops.models import Vertrekpunt, WorkshopSettings
from tests.workshops.scripted import new_room

K = 3
OFF = WorkshopSettings()
ON = WorkshopSettings(carried_by_every_group=True)  # each group at least 60%, no objection

#: A room of 24 in five groups. bestuur (2) is below k: with it alone the pool would be below k
#: too, so the smallest named group, beleid (4), joins it: "overige groepen" of 6.
SIZES = {"inwoner": 7, "ervaringsdeskundige": 6, "ketenpartner": 5, "beleid": 4, "bestuur": 2}
LABELS = merge_small_groups(SIZES, K)


def ratings(scores: dict[str, list[int]]) -> list[Rated]:
    """One rating per score, the group's people in order; a 1 with its reason."""
    return [
        (score, "Dit gaat voorbij aan wie er woont" if score == 1 else "", group)
        for group, group_scores in scores.items()
        for score in group_scores
    ]


#: Carried by the room and by every group: 20 of 24 rate 4 or 5.
CARRIED = {
    "inwoner": [5, 5, 5, 4, 4, 4, 3],  # 6/7
    "ervaringsdeskundige": [5, 4, 4, 4, 3, 2],  # 4/6
    "ketenpartner": [5, 5, 4, 4, 4],  # 5/5
    "beleid": [5, 4, 4, 4],  # 4/4 ┐ overige groepen
    "bestuur": [4, 3],  # 1/2       ┘ 5/6
}

#: Carried by the room (20 of 24) but not by the ervaringsdeskundigen (2 of 6).
ROOM_ONLY = {
    "inwoner": [5, 5, 5, 5, 5, 4, 4],  # 7/7
    "ervaringsdeskundige": [4, 4, 3, 3, 3, 2],  # 2/6
    "ketenpartner": [4, 4, 4, 4, 4],  # 5/5
    "beleid": [4, 4, 4, 4],  # 4/4 ┐ overige groepen
    "bestuur": [5, 4],  # 2/2       ┘ 6/6
}


def test_the_labels_of_the_room_pool_the_small_group_with_the_smallest_named_one():
    assert LABELS == {
        "inwoner": "inwoner",
        "ervaringsdeskundige": "ervaringsdeskundige",
        "ketenpartner": "ketenpartner",
        "beleid": OTHER_GROUPS,
        "bestuur": OTHER_GROUPS,
    }
    assert sum(SIZES.values()) == 24


def test_figures_of_a_proposal_every_group_carries():
    measured = measure(ratings(CARRIED), eligible=24, settings=ON, labels=LABELS, k=K)
    assert measured.raters == 24 and measured.participation == 1.0
    assert measured.counts == [0, 1, 3, 13, 7]  # 5s: 3+1+2+1; 4s: 3+3+3+3+1
    assert measured.agree_share == round(20 / 24, 4) == 0.8333
    groups = {g.group: (g.raters, g.agree_share, g.objections) for g in measured.by_group}
    assert groups == {
        "inwoner": (7, round(6 / 7, 4), 0),
        "ervaringsdeskundige": (6, round(4 / 6, 4), 0),
        OTHER_GROUPS: (6, round(5 / 6, 4), 0),
        "ketenpartner": (5, 1.0, 0),
    }
    # Most raters first, then by name: the order says nothing about who rated when.
    assert [g.group for g in measured.by_group] == [
        "inwoner",
        "ervaringsdeskundige",
        OTHER_GROUPS,
        "ketenpartner",
    ]
    assert measured.lowest_group_share == round(4 / 6, 4) == 0.6667
    assert measured.not_carried == [] and measured.converged


def test_a_proposal_the_room_carries_but_one_group_does_not():
    rated = ratings(ROOM_ONLY)
    off = measure(rated, eligible=24, settings=OFF, labels=LABELS, k=K)
    on = measure(rated, eligible=24, settings=ON, labels=LABELS, k=K)
    for measured in (off, on):
        assert measured.agree_share == 0.8333 and measured.objections == 0
        assert measured.lowest_group_share == round(2 / 6, 4) == 0.3333
    assert off.converged and off.not_carried == [], "the rule is off: the room decides"
    assert not on.converged and on.not_carried == ["ervaringsdeskundige"]
    # At a lower bar for each group (a third) the ervaringsdeskundigen carry it too.
    third = ON.model_copy(update={"group_agree_share": 1 / 3})
    assert measure(rated, eligible=24, settings=third, labels=LABELS, k=K).converged


def test_one_objection_the_room_allows_is_still_one_group_not_carrying():
    scores = {**CARRIED, "ketenpartner": [5, 5, 4, 4, 1]}
    allowing = WorkshopSettings(allow_objections=1, agree_share=0.7)
    rated = ratings(scores)
    off = measure(rated, eligible=24, settings=allowing, labels=LABELS, k=K)
    assert off.agree_share == round(19 / 24, 4) and off.objections == 1 and off.converged
    on = measure(
        rated,
        eligible=24,
        settings=allowing.model_copy(update={"carried_by_every_group": True}),
        labels=LABELS,
        k=K,
    )
    assert not on.converged and on.not_carried == ["ketenpartner"]


def test_the_group_below_k_is_named_only_as_the_pool():
    """bestuur's two object: the pool does not carry it, and only the pool is named."""
    scores = {**CARRIED, "bestuur": [1, 1]}
    measured = measure(ratings(scores), eligible=24, settings=ON, labels=LABELS, k=K)
    assert measured.not_carried == [OTHER_GROUPS]
    pooled = next(g for g in measured.by_group if g.group == OTHER_GROUPS)
    assert (pooled.raters, pooled.agree_share, pooled.objections) == (6, round(4 / 6, 4), 2)
    assert "bestuur" not in measured.model_dump_json() and "beleid" not in measured.not_carried


def test_a_group_nobody_of_which_rated_does_not_carry_it_yet():
    scores = {group: s for group, s in CARRIED.items() if group != "ketenpartner"}
    measured = measure(ratings(scores), eligible=24, settings=ON, labels=LABELS, k=K)
    assert measured.raters == 19 and measured.participation == round(19 / 24, 4)
    assert "ketenpartner" not in {g.group for g in measured.by_group}
    assert measured.not_carried == ["ketenpartner"] and not measured.converged


def test_below_k_raters_nothing_per_group_and_nobody_is_shown_to_carry_it():
    """Two rated: no figure per group, and the rule lists every shown group (a list that
    depends on the number of raters alone, not on their scores)."""
    rated = ratings({"inwoner": [5, 5]})
    measured = measure(rated, eligible=24, settings=ON, labels=LABELS, k=K)
    assert measured.by_group == [] and measured.lowest_group_share is None
    assert measured.not_carried == sorted(
        ["inwoner", "ervaringsdeskundige", "ketenpartner", OTHER_GROUPS]
    )
    low = measure(ratings({"inwoner": [1, 2]}), eligible=24, settings=ON, labels=LABELS, k=K)
    assert low.not_carried == measured.not_carried


def test_a_room_too_small_for_groups_is_one_group():
    """Two people in all: nothing is shown per group, so the room as a whole must reach each
    group's bar, without objection."""
    labels = merge_small_groups({"inwoner": 1, "beleid": 1}, K)
    assert set(labels.values()) == {None}
    settings = ON.model_copy(update={"agree_share": 0.5, "group_agree_share": 1.0})
    half = measure(
        ratings({"inwoner": [5], "beleid": [3]}), eligible=2, settings=settings, labels=labels, k=K
    )
    assert half.agree_share == 0.5 and half.not_carried == [] and not half.converged
    assert measure(
        ratings({"inwoner": [5], "beleid": [4]}), eligible=2, settings=settings, labels=labels, k=K
    ).converged


def test_the_group_bar_is_a_setting_in_range():
    with pytest.raises(ValueError):
        WorkshopSettings(group_agree_share=0)
    with pytest.raises(ValueError):
        WorkshopSettings(group_agree_share=1.2)
    assert (OFF.carried_by_every_group, OFF.group_agree_share) == (False, 0.6)


# ------------------------------------------------------------ the rule in the room and record


def test_adopting_and_the_record_follow_the_rule(engine: Engine):
    room = new_room(engine)
    people = {group: [room.join(None, group) for _ in range(n)] for group, n in SIZES.items()}
    room.phase("waarom")
    settings = room.do(room.facilitator, type="workshop.configure", settings=ON.model_dump())
    assert settings == {}
    proposal = room.do(
        room.facilitator, type="proposal.create", kind="waarom", text="Iedereen doet mee"
    )["proposal_id"]
    round_id = room.do(room.facilitator, type="round.open", kind="waarom")["round_id"]
    for group, scores in ROOM_ONLY.items():
        for actor, score in zip(people[group], scores, strict=True):
            room.do(actor, type="rating.give", round_id=round_id, proposal_id=proposal, score=score)
    room.do(room.facilitator, type="round.close", round_id=round_id)
    # The room carried it, the ervaringsdeskundigen did not: adopting needs a reason.
    with pytest.raises(CommandError) as refused:
        room.do(room.facilitator, type="proposal.adopt", proposal_id=proposal, reason="")
    assert refused.value.code == "reason_required"
    room.do(
        room.facilitator,
        type="proposal.adopt",
        proposal_id=proposal,
        reason="We spreken de ervaringsdeskundigen apart",
    )
    summary = build_summary(engine, workshop_id=room.workshop_id, min_group_size=K)
    assert summary is not None and summary.waarom is not None
    assert summary.waarom.rule == rule_of(ON) and summary.waarom.deciding_round == 1
    assert not summary.waarom.converged
    (held,) = summary.rounds
    assert held.figures[str(proposal)].not_carried == ["ervaringsdeskundige"]
    text = str(render(summary, "md", "nl", None))
    assert "Regel: minstens 75% geeft een 4 of 5, hoogstens 0 bezwaren" in text
    assert "Ook: elke groep minstens 60% voor, geen bezwaar." in text
    assert "Ronde 1 besliste: 83% gaf een 4 of 5, 24 van de 24 gaven een score." in text
    assert "Laagste instemming in een groep: 33%." in text
    assert "Niet gedragen door: Ervaringsdeskundige." in text
    decided = text[text.index("Ronde 1 besliste") :]
    decided = decided[: decided.index("\n#")]
    assert "| Overige groepen | 100% | 6 | 0 |" in decided
    assert "bestuur" not in decided.lower() and "beleid" not in decided.lower()
    # The stored record keeps the rule and the deciding round the same way.
    room.phase("opgave")
    opgave = room.do(room.facilitator, type="proposal.create", kind="opgave", text="Een plek")
    room.do(
        room.facilitator, type="proposal.adopt", proposal_id=opgave["proposal_id"], reason="Tijd"
    )
    room.phase("afronding")
    saved = room.do(room.facilitator, type="vertrekpunt.save")
    with session_scope(engine) as session:
        record = session.get(Vertrekpunt, saved["vertrekpunt_id"])
        assert record is not None
        waarom = record.record["waarom"]
    assert waarom["rule"] == rule_of(ON).model_dump() and waarom["deciding_round"] == 1
    (kept,) = waarom["rounds"]
    assert kept["not_carried"] == ["ervaringsdeskundige"] and kept["lowest_group_share"] == 0.3333
    assert Counter(g["group"] for g in kept["by_group"]) == Counter(
        ["inwoner", "ervaringsdeskundige", "ketenpartner", OTHER_GROUPS]
    )
    assert record.record["opgave"]["deciding_round"] is None


def test_with_the_rule_off_the_same_ratings_converge(engine: Engine):
    room = new_room(engine)
    people = {group: [room.join(None, group) for _ in range(n)] for group, n in SIZES.items()}
    room.phase("waarom")
    proposal = room.do(
        room.facilitator, type="proposal.create", kind="waarom", text="Iedereen doet mee"
    )["proposal_id"]
    round_id = room.do(room.facilitator, type="round.open", kind="waarom")["round_id"]
    for group, scores in ROOM_ONLY.items():
        for actor, score in zip(people[group], scores, strict=True):
            room.do(actor, type="rating.give", round_id=round_id, proposal_id=proposal, score=score)
    room.do(room.facilitator, type="round.close", round_id=round_id)
    room.do(room.facilitator, type="proposal.adopt", proposal_id=proposal, reason="")
    summary = build_summary(engine, workshop_id=room.workshop_id, min_group_size=K)
    assert summary is not None and summary.waarom is not None and summary.waarom.converged
    text = str(render(summary, "md", "nl", None))
    assert "Regel: minstens 75% geeft een 4 of 5" in text and "Ook: elke groep" not in text
