"""The chain behind a result, who was heard, consent, reframing seeds and the save guard.

Everything runs through the real command executor on a real database (``Runner``), so the event
log and the tables are what a live room would leave behind.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.db import session_scope
from app.privacy import OTHER_GROUPS
from app.realtime.commands import CommandError
from app.workshops.chain import tree
from app.workshops.heard import consented, heard, table_check
from app.workshops.history import NotAllowed, changes, make_current
from app.workshops.models import Proposal, Trajectory, Vertrekpunt, Workshop
from app.workshops.presets import PRESETS, Plan
from app.workshops.routes import create_workshop_row
from app.workshops.runner import Runner
from tests.workshops.scripted import facilitator_and_trajectory, run_to_vertrekpunt


def _room(engine, trajectory_id: int, facilitator_id: int, **plan) -> Runner:
    workshop, _ = create_workshop_row(
        engine, trajectory_id=trajectory_id, title="Sessie", plan=Plan.from_request(None, **plan)
    )
    return Runner(engine, workshop, facilitator_id)


def _workshop(engine, room: Runner) -> Workshop:
    with session_scope(engine) as session:
        found = session.get(Workshop, room.workshop_id)
        assert found is not None
        return found


def test_the_chain_runs_from_the_opgave_back_to_the_beelden(engine):
    facilitator, trajectory = facilitator_and_trajectory(engine, ["inwoner"])
    room = _room(engine, trajectory, facilitator)
    people = [room.join(f"P{i}", "inwoner") for i in range(4)]
    post = room.do
    room.phase("beelden")
    bench = post(people[0], type="card.post", kind="beeld", text="Een leeg bankje")["card_id"]
    room.phase("factoren")
    closed = post(people[1], type="card.post", kind="factor", text="Buurthuis dicht")["card_id"]
    bus = post(people[2], type="card.post", kind="factor", text="Geen bus meer")["card_id"]
    hidden = post(people[2], type="card.post", kind="factor", text="Scheldwoord")["card_id"]
    room.phase("consequenties")
    alone = post(
        people[3],
        type="card.post",
        kind="consequentie",
        text="Dagen zonder gesprek",
        world="leefwereld",
        factor_ids=[closed],
    )["card_id"]
    costs = post(
        people[3],
        type="card.post",
        kind="consequentie",
        text="Meer vraag naar thuiszorg",
        world="systeemwereld",
        factor_ids=[bus],
    )["card_id"]
    room.phase("clusteren")
    f = room.facilitator
    post(f, type="card.hide", card_id=hidden, hidden=True)
    meeting = post(f, type="cluster.create", title="Ontmoeten", card_ids=[bench, closed, alone])[
        "cluster_id"
    ]
    post(f, type="cluster.assign", card_id=hidden, cluster_id=meeting)
    post(f, type="cluster.tag", cluster_id=meeting, tags=["hefboom"])
    room.phase("prioriteren")
    post(f, type="vote.open")
    post(people[0], type="vote.cast", target_type="cluster", target_id=meeting)
    post(people[1], type="vote.cast", target_type="cluster", target_id=meeting)
    post(f, type="vote.close")
    room.phase("waarom")
    with pytest.raises(CommandError, match="hidden"):
        post(people[0], type="proposal.create", kind="waarom", text="X", cited_card_ids=[hidden])
    with pytest.raises(CommandError, match="not here"):
        post(people[0], type="proposal.create", kind="waarom", text="X", cited_cluster_ids=[999])
    first = post(
        people[0],
        type="proposal.create",
        kind="waarom",
        text="Niemand hoeft alleen te zijn",
        cited_cluster_ids=[meeting],
        cited_card_ids=[costs],
    )["proposal_id"]
    # An amendment that cites nothing keeps what the original cited.
    waarom = post(
        people[0], type="proposal.amend", proposal_id=first, text="Iedereen heeft iemand"
    )["proposal_id"]
    round_id = post(f, type="round.open", kind="waarom")["round_id"]
    for person in people:
        post(person, type="rating.give", round_id=round_id, proposal_id=waarom, score=5)
    post(f, type="round.close", round_id=round_id)
    post(f, type="proposal.adopt", proposal_id=waarom)
    room.phase("opgave")
    opgave = post(
        f, type="proposal.create", kind="opgave", text="Ontmoeting in de wijk", in_scope=["x"]
    )["proposal_id"]
    post(f, type="proposal.adopt", proposal_id=opgave, reason="Tijd is op")

    with session_scope(engine) as session:
        amended = session.get(Proposal, waarom)
        assert amended.cited_cluster_ids == [meeting] and amended.cited_card_ids == [costs]
        root = tree(session, room.workshop_id, amended, session.get(Proposal, opgave))
    assert root is not None
    assert (root.kind, root.text) == ("opgave", "Ontmoeting in de wijk")
    (why,) = root.children
    assert (why.kind, why.text) == ("waarom", "Iedereen heeft iemand")
    cluster, loose = why.children
    assert (cluster.kind, cluster.text, cluster.tags, cluster.dots) == (
        "cluster",
        "Ontmoeten",
        ["hefboom"],
        2,
    )
    # Beelden first, then factoren, then consequenties; the hidden card is not in the record.
    assert [(c.kind, c.text) for c in cluster.children] == [
        ("beeld", "Een leeg bankje"),
        ("factor", "Buurthuis dicht"),
        ("consequentie", "Dagen zonder gesprek"),
    ]
    assert cluster.children[2].world == "leefwereld"
    assert [c.text for c in cluster.children[2].children] == ["Buurthuis dicht"]
    assert (loose.kind, loose.world, [c.text for c in loose.children]) == (
        "consequentie",
        "systeemwereld",
        ["Geen bus meer"],
    )

    room.phase("afronding")
    saved = post(f, type="vertrekpunt.save")
    assert saved["current"] is True
    with session_scope(engine) as session:
        record = session.get(Vertrekpunt, saved["vertrekpunt_id"]).record
    assert record["version"] == 2
    assert record["tree"]["children"][0]["children"][0]["text"] == "Ontmoeten"
    assert "Scheldwoord" not in str(record)
    assert {c["text"] for c in record["chain"]} == {
        "Een leeg bankje",
        "Buurthuis dicht",
        "Dagen zonder gesprek",
        "Meer vraag naar thuiszorg",
        "Geen bus meer",
    }


def test_who_was_heard_matches_a_count_by_hand(engine):
    """12 people: inwoner 5, beleid 4, zorg 2, bestuur 1; k = 3, so zorg and bestuur are pooled."""
    facilitator, trajectory = facilitator_and_trajectory(engine, ["inwoner", "beleid"])
    room = _room(engine, trajectory, facilitator)
    groups = ["inwoner"] * 5 + ["beleid"] * 4 + ["zorg"] * 2 + ["bestuur"]
    people = [room.join(None, g) for g in groups]
    inwoners, beleid, others = people[:5], people[5:9], people[9:]
    f, post = room.facilitator, room.do
    room.phase("factoren")
    cards = []
    for i in range(10):  # beleid posts 10 cards, inwoners 2, the others 3
        cards.append(post(beleid[i % 4], type="card.post", kind="factor", text=f"b{i}")["card_id"])
    for i in range(2):
        cards.append(post(inwoners[i], type="card.post", kind="factor", text=f"i{i}")["card_id"])
    for person in others:
        cards.append(post(person, type="card.post", kind="factor", text="o")["card_id"])
    room.phase("prioriteren")
    post(f, type="vote.open")
    for person in inwoners:  # every inwoner gives 2 dots, one beleid person 1
        post(person, type="vote.cast", target_type="card", target_id=cards[0])
        post(person, type="vote.cast", target_type="card", target_id=cards[1])
    post(beleid[0], type="vote.cast", target_type="card", target_id=cards[0])
    post(f, type="vote.close")
    room.phase("waarom")
    proposal = post(beleid[0], type="proposal.create", kind="waarom", text="W")["proposal_id"]
    post(others[0], type="proposal.create", kind="waarom", text="W2")
    round_id = post(f, type="round.open", kind="waarom")["round_id"]
    for person in inwoners[:3]:
        post(
            person,
            type="rating.give",
            round_id=round_id,
            proposal_id=proposal,
            score=1,
            reason="Dit gaat niet over ons",
        )
    post(
        others[2],
        type="rating.give",
        round_id=round_id,
        proposal_id=proposal,
        score=1,
        reason="Nee",
    )

    with session_scope(engine) as session:
        figures = heard(session, room.workshop_id, 3)
    by_group = {g.group: g for g in figures.groups}
    assert set(by_group) == {"inwoner", "beleid", OTHER_GROUPS}
    # Shares by hand, in whole percent of the total: 12 people, 15 cards, 2 proposals,
    # 11 dots, 4 objections, 17 things said.
    assert by_group["inwoner"].model_dump() == {
        "group": "inwoner",
        "people": 5,
        "cards": 2,
        "proposals": 0,
        "dots": 10,
        "objections": 3,
        "said": 2,
        "shares": {
            "people": 42,
            "cards": 13,
            "proposals": 0,
            "dots": 91,
            "objections": 75,
            "said": 12,
        },
        "under_heard": True,
    }
    assert by_group["beleid"].model_dump() == {
        "group": "beleid",
        "people": 4,
        "cards": 10,
        "proposals": 1,
        "dots": 1,
        "objections": 0,
        "said": 11,
        "shares": {
            "people": 33,
            "cards": 67,
            "proposals": 50,
            "dots": 9,
            "objections": 0,
            "said": 65,
        },
        "under_heard": False,
    }
    assert by_group[OTHER_GROUPS].model_dump() == {
        "group": OTHER_GROUPS,
        "people": 3,
        "cards": 3,
        "proposals": 1,
        "dots": 0,
        "objections": 1,
        "said": 4,
        "shares": {
            "people": 25,
            "cards": 20,
            "proposals": 50,
            "dots": 0,
            "objections": 25,
            "said": 24,
        },
        "under_heard": False,
    }
    assert figures.total.model_dump() == {
        "group": "",
        "people": 12,
        "cards": 15,
        "proposals": 2,
        "dots": 11,
        "objections": 4,
        "said": 17,
        "shares": dict.fromkeys(
            ("people", "cards", "proposals", "dots", "objections", "said"), 100
        ),
        "under_heard": False,
    }
    # inwoner: 2 of 17 said (12%) against 5 of 12 people (42%): under half its share.
    assert figures.under_heard == ["inwoner"]
    assert figures.pooled_group == OTHER_GROUPS

    with session_scope(engine) as session:
        check = table_check(session, session.get(Trajectory, trajectory), 3)
    assert check.never_present == [] and check.workshops[0].under_heard == ["inwoner"]


def test_a_small_room_shows_no_group_at_all(engine):
    facilitator, trajectory = facilitator_and_trajectory(engine, [])
    room = _room(engine, trajectory, facilitator)
    room.join(None, "inwoner")
    room.join(None, "beleid")
    with session_scope(engine) as session:
        figures = heard(session, room.workshop_id, 3)
    assert figures.groups == [] and figures.total.people == 2


def test_only_what_people_agreed_to_goes_into_the_record(engine):
    facilitator, trajectory = facilitator_and_trajectory(engine, [])
    room = _room(engine, trajectory, facilitator)
    for i in range(3):
        room.join(
            None,
            "inwoner",
            drijfveer=f"Open {i}",
            drijfveer_use="record",
            contribution="ondersteunen",
            contribution_use="record",
        )
    room.join(None, "inwoner", drijfveer="Geheim", contribution="aan_tafel")
    room.join(
        None, "beleid", drijfveer="Ook open", drijfveer_use="record", contribution_use="record"
    )
    with session_scope(engine) as session:
        shared = consented(session, room.workshop_id, 3)
    assert shared["drijfveren"] == ["Ook open", "Open 0", "Open 1", "Open 2"]
    assert "Geheim" not in str(shared)
    # Four people agreed to share their wish: inwoner 3 keeps its name, beleid (1) is pooled with
    # the smallest named group until the pool reaches k, so nothing identifies the one from beleid.
    assert shared["contributions"] == {OTHER_GROUPS: {"meeformuleren": 1, "ondersteunen": 3}}


def test_reframing_rates_the_current_framing_first(engine):
    facilitator, trajectory = facilitator_and_trajectory(engine, ["inwoner"])
    _, first = run_to_vertrekpunt(
        engine,
        facilitator_id=facilitator,
        trajectory_id=trajectory,
        people=[("A", "inwoner")],
        waarom="Niemand alleen.",
        opgave="Minder eenzaamheid.",
        in_scope=["ontmoeting"],
        core_themes=["ontmoeten"],
    )
    workshop, _ = create_workshop_row(
        engine,
        trajectory_id=trajectory,
        title="Herijking",
        plan=Plan.from_request(PRESETS["herijking"]),
    )
    assert workshop.starts_from_id == first and workshop.ssd_step == 3
    assert workshop.phase_minutes == [5, 10, 5, 15, 15, 10]
    room = Runner(engine, workshop, facilitator)
    room.join("B", "inwoner")
    room.phase("waarom")
    room.phase("clusteren")
    room.phase("waarom")  # entering again adds nothing
    room.phase("opgave")
    with session_scope(engine) as session:
        seeded = session.exec(
            select(Proposal).where(Proposal.workshop_id == workshop.id).order_by(Proposal.id)
        ).all()
    assert [(p.kind, p.text, p.seeded_from_id, p.author_id) for p in seeded] == [
        ("waarom", "Niemand alleen.", first, None),
        ("opgave", "Minder eenzaamheid.", first, None),
    ]
    assert seeded[1].in_scope == ["ontmoeting"] and seeded[1].core_themes == ["ontmoeten"]


def test_an_older_workshop_never_silently_replaces_a_newer_vertrekpunt(engine):
    facilitator, trajectory = facilitator_and_trajectory(engine, ["inwoner"])
    older = _room(engine, trajectory, facilitator)
    newer_id, newer = run_to_vertrekpunt(
        engine,
        facilitator_id=facilitator,
        trajectory_id=trajectory,
        people=[("A", "inwoner")],
        waarom="Nieuw waarom.",
        opgave="Nieuwe opgave.",
        in_scope=[],
        core_themes=[],
    )
    assert newer_id > older.workshop_id
    # The older workshop finishes late: its result is saved but does not become current.
    person = older.join("B", "inwoner")
    for kind in ("waarom", "opgave"):
        older.phase(kind)
        pid = older.do(person, type="proposal.create", kind=kind, text=f"Oud {kind}")["proposal_id"]
        older.do(older.facilitator, type="proposal.adopt", proposal_id=pid, reason="Oud")
    older.phase("afronding")
    saved = older.do(older.facilitator, type="vertrekpunt.save")
    assert saved["current"] is False
    with pytest.raises(CommandError, match="already saved"):
        older.do(older.facilitator, type="vertrekpunt.save")
    with session_scope(engine) as session:
        t = session.get(Trajectory, trajectory)
        assert t.current_vertrekpunt_id == newer
        old = {"trajectory_id": trajectory, "vertrekpunt_id": saved["vertrekpunt_id"]}
        with pytest.raises(NotAllowed, match="why"):
            make_current(session, **old, reason="  ", made_by=facilitator)
        make_current(session, **old, reason="De herijking is teruggedraaid", made_by=facilitator)
    with session_scope(engine) as session:
        assert session.get(Trajectory, trajectory).current_vertrekpunt_id == saved["vertrekpunt_id"]
        history = [(c.vertrekpunt_id, c.reason) for c in changes(session, trajectory)]
    assert history == [
        (saved["vertrekpunt_id"], "De herijking is teruggedraaid"),
        (newer, "saved"),
    ]


def test_agendas_repeat_steps_and_keep_their_minutes(engine):
    facilitator, trajectory = facilitator_and_trajectory(engine, [])
    room = _room(engine, trajectory, facilitator)
    f = room.facilitator
    room.phase("factoren")
    agenda = ["lobby", "factoren", "waarom", "factoren", "afronding"]
    room.do(f, type="workshop.configure", agenda=agenda, phase_minutes=[5, 10, 15, 10, 5])
    workshop = _workshop(engine, room)
    assert workshop.agenda == agenda and workshop.phase_minutes == [5, 10, 15, 10, 5]
    assert workshop.phase_index == 1
    room.do(f, type="phase.set", index=3)
    room.do(f, type="workshop.configure", agenda=["factoren", "lobby", "factoren"])
    workshop = _workshop(engine, room)
    assert workshop.phase_index == 2, "the room stays at the nearest occurrence of its step"
    assert workshop.phase_minutes == [15, 10, 15], "a new agenda without minutes: typical ones"
    with pytest.raises(CommandError, match="each step"):
        room.do(f, type="workshop.configure", phase_minutes=[5])
