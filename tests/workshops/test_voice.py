"""Equal voice, counted by hand: a room of 24 in 5 groups, one of them below k (3).

The groups: inwoner 8, beleid 6, ketenpartner 5, uitvoering 3, bestuur 2. bestuur is below k;
a pool of 2 is still below k, so the smallest named group (uitvoering, 3) joins it: the workshop's
labels are inwoner, beleid, ketenpartner and "overige groepen" (uitvoering + bestuur, 5 people).

What each person says (cards, and one proposal for the first inwoner), in joining order:

    inwoner       7 3 1 1 0 0 0 0   = 12   (6 cards + 1 proposal for the first)
    beleid        2 2 2 2 2 2       = 12
    ketenpartner  4 0 0 0 0         =  4
    uitvoering    1 1 0             =  2
    bestuur       3 0               =  3
                                      33
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.db import session_scope
from app.exports.formats import render
from app.exports.summary import build_summary
from app.privacy import OTHER_GROUPS
from app.realtime.commands import Actor, CommandError
from app.realtime.models import Event
from app.realtime.state import build_snapshot
from app.types import Role
from app.workshops.check_out_views import CheckOutFigures
from app.workshops.models import Vertrekpunt, Workshop
from app.workshops.runner import Runner
from app.workshops.voice import (
    check_out_figures,
    evenness,
    not_yet_now,
    voice,
)
from app.workshops.voice_tables import CheckOutAnswer
from tests.workshops.scripted import new_room

K = 3
SAID = {
    "inwoner": [7, 3, 1, 1, 0, 0, 0, 0],
    "beleid": [2, 2, 2, 2, 2, 2],
    "ketenpartner": [4, 0, 0, 0, 0],
    "uitvoering": [1, 1, 0],
    "bestuur": [3, 0],
}
#: People who take part without a name (index within their group): counted, never listed.
ANONYMOUS = {("inwoner", 5), ("inwoner", 7), ("bestuur", 1)}
#: Check-out answers per group, in joining order (ketenpartner: 2 of 5 answer, bestuur 1 of 2).
SCORES = {
    "inwoner": [5, 5, 4, 4, 4, 3, 2, 1],
    "beleid": [4, 4, 4, 3, 5],
    "ketenpartner": [2, 3],
    "uitvoering": [5, 4, 4],
    "bestuur": [1],
}


def room_of_24(engine: Engine) -> tuple[Runner, dict[str, list[Actor]]]:
    room = new_room(engine, ["inwoner", "beleid"])
    people: dict[str, list[Actor]] = {}
    for group, said in SAID.items():
        for i in range(len(said)):
            name = None if (group, i) in ANONYMOUS else f"{group[:3]}{i}"
            people.setdefault(group, []).append(room.join(name, group))
    room.phase("factoren")  # the room moves on: the labels are decided from these 24
    first_inwoner = people["inwoner"][0]
    for group, said in SAID.items():
        for person, n in zip(people[group], said, strict=True):
            cards = n - 1 if person == first_inwoner else n
            for c in range(cards):
                room.do(person, type="card.post", kind="factor", text=f"{group} kaart {c}")
    room.phase("waarom")
    room.do(first_inwoner, type="proposal.create", kind="waarom", text="Omdat niemand alleen is")
    return room, people


def test_who_has_not_contributed_yet_per_group_and_by_name(engine: Engine):
    room, people = room_of_24(engine)
    with session_scope(engine) as session:
        workshop = session.get(Workshop, room.workshop_id)
        assert workshop is not None
        counts, named = not_yet_now(session, workshop, K)
    # inwoner: 4 of 8 wrote nothing; beleid all wrote; ketenpartner 4 of 5; the pool 1 + 1.
    assert counts == {"beleid": 0, "inwoner": 4, "ketenpartner": 4, OTHER_GROUPS: 2}
    # Named only: inwoner 4 and 6 (5 and 7 are anonymous), ketenpartner 1–4, uitvoering 2;
    # bestuur 1 is anonymous: counted in the pool's 2, never listed.
    expected = [
        people["inwoner"][4],
        people["inwoner"][6],
        *people["ketenpartner"][1:],
        people["uitvoering"][2],
    ]
    assert named == sorted(p.participant_id for p in expected if p.participant_id)
    assert people["bestuur"][1].participant_id not in named
    # Someone who leaves is no longer waiting to be heard.
    room.do(people["ketenpartner"][4], type="participant.leave")
    with session_scope(engine) as session:
        workshop = session.get(Workshop, room.workshop_id)
        assert workshop is not None
        counts, named = not_yet_now(session, workshop, K)
    assert counts["ketenpartner"] == 3 and people["ketenpartner"][4].participant_id not in named


def test_evenness_overall_and_per_group(engine: Engine):
    room, _ = room_of_24(engine)
    with session_scope(engine) as session:
        even = evenness(session, room.workshop_id, K)
    # Everyone: a fifth of 24, rounded up, is 5 people; they said 7+4+3+3+2 = 19 of 33 = 58%;
    # were everyone to say as much, 5 of 24 people would say 21%.
    total = even.total
    assert (total.people, total.said, total.top, total.top_said) == (24, 33, 5, 19)
    assert (total.share, total.even_share) == (58, 21)
    lines = {g.group: g for g in even.groups}
    assert sorted(lines) == ["beleid", "inwoner", "ketenpartner", OTHER_GROUPS]
    figures = {
        g: (x.people, x.said, x.top, x.top_said, x.share, x.even_share) for g, x in lines.items()
    }
    assert figures == {
        "inwoner": (8, 12, 2, 10, 83, 25),  # 7 + 3 of 12
        "beleid": (6, 12, 2, 4, 33, 33),  # all alike: the fifth says its own part
        "ketenpartner": (5, 4, 1, 4, 100, 20),  # one person said it all
        OTHER_GROUPS: (5, 5, 1, 3, 60, 20),  # uitvoering 1 1 0 and bestuur 3 0 together
    }
    assert "bestuur" not in lines and "uitvoering" not in lines


def answer_all(room: Runner, people: dict[str, list[Actor]]) -> None:
    for group, scores in SCORES.items():
        for person, score in zip(people[group], scores, strict=False):
            room.do(person, type="checkout.answer", score=score)


def test_check_out_figures_per_group_and_overall(engine: Engine):
    room, people = room_of_24(engine)
    room.phase("afronding")
    room.do(room.facilitator, type="checkout.open")
    # Someone changes their mind: first 2, then 1; only the last answer counts.
    room.do(people["inwoner"][7], type="checkout.answer", score=2)
    answer_all(room, people)
    room.do(room.facilitator, type="checkout.close")
    with session_scope(engine) as session:
        figures = voice(session, room.workshop_id, K).check_out
    assert figures is not None
    assert figures.answers == 19
    assert figures.total is not None
    # 28 + 20 + 5 + 13 + 1 = 67 over 19 answers = 3.53
    assert (figures.total.average, figures.total.counts) == (3.5, [2, 2, 3, 8, 4])
    lines = {g.group: (g.answers, g.average, g.counts) for g in figures.groups}
    # Pooled over who *answered*: ketenpartner (2) and bestuur (1) together make 3; uitvoering
    # answered with 3 and stands alone here, though it is in the pool of who spoke.
    assert lines == {
        "inwoner": (8, 3.5, [1, 1, 1, 3, 2]),
        "beleid": (5, 4.0, [0, 0, 1, 3, 1]),
        "uitvoering": (3, 4.3, [0, 0, 0, 2, 1]),
        OTHER_GROUPS: (3, 2.0, [1, 1, 1, 0, 0]),
    }
    # The record keeps the same figures beside "who was heard".
    saved = record_after_adopting(room, people)
    assert saved["voice"]["check_out"] == figures.model_dump(mode="json")
    # The opgave proposal (beleid's first, now 3) came after: 7+4+3+3+3 = 20 of 34 = 59%.
    assert saved["voice"]["evenness"]["total"]["share"] == 59
    assert "heard" in saved
    # And every export: the CSV table and the document, with the same figures and no person.
    summary = build_summary(engine, workshop_id=room.workshop_id, min_group_size=K)
    assert summary is not None and summary.voice is not None
    assert summary.voice.check_out == figures
    table = str(render(summary, "voice.csv", "nl", None)).splitlines()
    assert table[0].startswith("measure,stakeholder_group,answers,average,counts_1_to_5")
    assert "check_out,uitvoering,3,4.3,0 0 0 2 1,,,,,," in table
    assert "check_out,total,19,3.5,2 2 3 8 4,,,,,," in table
    assert "evenness,total,,,,24,34,5,20,59,21" in table
    assert not any(",bestuur," in row for row in table)  # below k: only in the pool
    markdown = str(render(summary, "md", "nl", None))
    assert "Voelden mensen zich gehoord?" in markdown and "Hoe gelijk mensen bijdroegen" in markdown
    assert "3,5" in markdown  # the average in Dutch
    book = load_workbook(io.BytesIO(render(summary, "xlsx", "nl", None)))  # type: ignore[arg-type]
    rows = [[c.value for c in row] for row in book["Check-out"].iter_rows()]
    assert rows[-1] == ["Totaal", 19, 3.5, 2, 2, 3, 8, 4]
    even = [[c.value for c in row] for row in book["Gelijke verdeling"].iter_rows()]
    assert even[-1] == ["Totaal", 24, 34, 5, 0.59, 0.21]


def record_after_adopting(room: Runner, people: dict[str, list[Actor]]) -> dict[str, Any]:
    """Adopt a waarom and an opgave without a round (with a reason) and save the vertrekpunt."""
    with session_scope(room.engine) as session:
        waarom = session.exec(select(Event).where(Event.type == "proposal.created")).all()
    proposal_id = next(
        e.data["proposal"]["id"] for e in waarom if e.workshop_id == room.workshop_id
    )
    room.phase("waarom")
    room.do(room.facilitator, type="proposal.adopt", proposal_id=proposal_id, reason="Tijd")
    room.phase("opgave")
    opgave = room.do(people["beleid"][0], type="proposal.create", kind="opgave", text="Samen eten")[
        "proposal_id"
    ]
    room.do(room.facilitator, type="proposal.adopt", proposal_id=opgave, reason="Tijd")
    room.phase("afronding")
    saved = room.do(room.facilitator, type="vertrekpunt.save")["vertrekpunt_id"]
    with session_scope(room.engine) as session:
        row = session.get(Vertrekpunt, saved)
        assert row is not None
        return dict(row.record)


def test_below_k_answers_nothing_is_shown_but_the_count():
    figures = check_out_figures([("inwoner", 5), ("beleid", 1)], K)
    assert figures == CheckOutFigures(answers=2, total=None, groups=[], min_group_size=K)
    # Three answers, each from another group: only the total, as one pooled group.
    three = check_out_figures([("inwoner", 5), ("beleid", 1), ("bestuur", 3)], K)
    assert three.total is not None and three.total.average == 3.0
    assert [g.group for g in three.groups] == [OTHER_GROUPS]


def test_refusals_change_nothing(engine: Engine):
    room, people = room_of_24(engine)
    someone = people["inwoner"][0]

    def refused(actor: Actor, code: str, **message: Any) -> None:
        with pytest.raises(CommandError) as error:
            room.do(actor, **message)
        assert error.value.code == code

    lobby = new_room(engine)
    with pytest.raises(CommandError) as error:  # nobody has been heard before the room began
        lobby.do(lobby.facilitator, type="checkout.open")
    assert error.value.code == "wrong_phase"
    refused(someone, "not_open", type="checkout.answer", score=4)  # not opened yet
    refused(room.facilitator, "not_open", type="checkout.close")
    refused(someone, "forbidden", type="checkout.open")  # a phone may not open it
    room.do(room.facilitator, type="checkout.open")
    refused(room.facilitator, "invalid", type="checkout.open")  # asked once
    refused(room.facilitator, "forbidden", type="checkout.answer", score=3)
    screen = Actor(Role.SCREEN)
    refused(screen, "forbidden", type="checkout.close")
    room.do(someone, type="checkout.answer", score=4)
    refused(someone, "forbidden", type="checkout.close")
    room.do(room.facilitator, type="checkout.close")
    refused(someone, "closed", type="checkout.answer", score=1)  # after closing
    refused(room.facilitator, "closed", type="checkout.open")  # never reopened
    refused(room.facilitator, "closed", type="checkout.close")
    with session_scope(engine) as session:
        answers = session.exec(
            select(CheckOutAnswer.score).where(CheckOutAnswer.workshop_id == room.workshop_id)
        ).all()
    assert answers == [4]


def test_an_answer_reaches_only_its_own_phone(engine: Engine):
    room, people = room_of_24(engine)
    room.do(room.facilitator, type="checkout.open")
    answer_all(room, people)
    me, other = people["beleid"][0], people["beleid"][1]
    with session_scope(engine) as session:
        workshop = session.get(Workshop, room.workshop_id)
        assert workshop is not None
        mine = build_snapshot(session, workshop, me, k=K)
        theirs = build_snapshot(session, workshop, other, k=K)
        staff = [
            build_snapshot(session, workshop, viewer, k=K)
            for viewer in (room.facilitator, Actor(Role.SCREEN))
        ]
        given = session.exec(
            select(Event).where(
                Event.workshop_id == room.workshop_id, Event.type == "my_checkout.given"
            )
        ).all()
    assert mine.my_check_out == 4 and theirs.my_check_out == 4  # both gave 4, each their own
    assert all(s.my_check_out is None for s in staff)
    assert all(s.check_out is not None and s.check_out.figures is None for s in staff)
    # Every answer's event is private to its own participant: never for the room.
    assert len(given) == 19
    assert all(e.audience is not None and e.audience > 0 for e in given)
    assert not any(
        e.type.startswith("checkout.") and "score" in e.data
        for e in session_events(engine, room.workshop_id)
    )


def session_events(engine: Engine, workshop_id: int) -> list[Event]:
    with session_scope(engine) as session:
        return list(session.exec(select(Event).where(Event.workshop_id == workshop_id)))
