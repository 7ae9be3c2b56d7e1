"""``atelier seed-demo``: a realistic trajectory so a newcomer sees the app in use.

Gemeente Waterland-Oost works on loneliness among older residents. The demo holds one finished
workshop (cards, clusters, a closed dot vote, agreement rounds, an adopted waarom and opgave and a
saved vertrekpunt) and one workshop waiting in its lobby, to join live. Everything goes through the
real command executor, so the event log is complete. Seeding again adds a new pair of workshops to
the same demo trajectory; it never touches anything else.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select

from app.accounts.models import Facilitator
from app.accounts.service import create_facilitator
from app.db import make_engine, migrate, session_scope
from app.settings import Settings
from app.workshops.models import Trajectory
from app.workshops.presets import PRESETS, Plan
from app.workshops.routes import create_workshop_row
from app.workshops.runner import Runner

DEMO_EMAIL = "demo@atelier.example"
THEME = "Eenzaamheid onder oudere inwoners van Waterland-Oost"
EXPECTED = ["inwoner", "ervaringsdeskundige", "ketenpartner", "uitvoering", "beleid", "bestuur"]
PEOPLE = [
    ("Gerda", "inwoner", "", "Ik woon sinds mijn man overleed alleen", "aan_tafel"),
    ("Henk", "inwoner", "Seniorenraad", "Ik zie het om me heen in de flat", "meeformuleren"),
    ("Samira", "ervaringsdeskundige", "", "Mijn moeder vereenzaamde in stilte", "aan_tafel"),
    (
        "Joost",
        "ketenpartner",
        "Stichting Welzijn Waterland",
        "Wij lopen tegen de grenzen aan",
        "aan_tafel",
    ),
    (
        "Marieke",
        "ketenpartner",
        "Huisartsenpraktijk De Linde",
        "Eenzaamheid komt op het spreekuur",
        "ondersteunen",
    ),
    (
        "Ruben",
        "uitvoering",
        "Wijkteam Oost",
        "Keukentafelgesprekken raken dit elke week",
        "meeformuleren",
    ),
    (
        "Anouk",
        "beleid",
        "Gemeente Waterland-Oost",
        "Het programma moet landen in de wijk",
        "ondersteunen",
    ),
]


@dataclass(frozen=True)
class DemoResult:
    trajectory_id: int
    finished_workshop_id: int
    lobby_workshop_id: int
    join_code: str
    screen_token: str
    password: str | None


def _facilitator(engine: Engine) -> tuple[int, str | None]:
    with session_scope(engine) as session:
        found = session.exec(select(Facilitator.id).where(Facilitator.email == DEMO_EMAIL)).first()
    if found is not None:
        return found, None
    password = secrets.token_urlsafe(12)
    created = create_facilitator(
        engine, email=DEMO_EMAIL, name="Demo facilitator", password=password
    )
    assert created.id is not None
    return created.id, password


def _trajectory(engine: Engine, facilitator_id: int) -> int:
    with session_scope(engine) as session:
        found = session.exec(
            select(Trajectory.id).where(
                Trajectory.owner_id == facilitator_id, Trajectory.theme == THEME
            )
        ).first()
        if found is not None:
            return found
        trajectory = Trajectory(
            owner_id=facilitator_id,
            theme=THEME,
            expected_groups=EXPECTED,
            description="Programma ‘Niemand alleen’: samen met inwoners en partners de opgave formuleren.",
        )
        session.add(trajectory)
        session.flush()
        assert trajectory.id is not None
        return trajectory.id


def _finished_workshop(engine: Engine, trajectory_id: int, facilitator_id: int) -> int:
    workshop, _ = create_workshop_row(
        engine,
        trajectory_id=trajectory_id,
        title="Startbijeenkomst ‘Niemand alleen’",
        plan=Plan.from_request(PRESETS["startbijeenkomst"]),
        theme_question="Wat maakt dat oudere inwoners van Waterland-Oost zich eenzaam voelen, en waar begint verandering?",
    )
    room = Runner(engine, workshop, facilitator_id)
    for index, (name, group, organisation, drijfveer, contribution) in enumerate(PEOPLE):
        # Most agree that their drijfveer may be in the record without a name; not everyone.
        use = "facilitator" if index in (0, 4) else "record"
        room.join(
            name,
            group,
            organisation=organisation,
            drijfveer=drijfveer,
            contribution=contribution,
            drijfveer_use=use,
            contribution_use="record",
            # Some agree that their name may stand with their cards in the report (default no).
            name_in_verslag=index % 3 == 1,
        )

    def card(who: int, kind: str, text: str, **extra: Any) -> int:
        card_id = room.do(room.people[who], type="card.post", kind=kind, text=text, **extra)[
            "card_id"
        ]
        assert card_id is not None
        return card_id

    room.phase("beelden")
    bankje = card(0, "beeld", "Een leeg bankje bij de bushalte waar vroeger altijd iemand zat")
    card(2, "beeld", "De kalender van mijn moeder: weken zonder één afspraak")
    card(5, "beeld", "Een deurbel met een briefje ‘werkt niet’")
    room.phase("factoren")
    buurthuis = card(3, "factor", "Het buurthuis in Oost is sinds 2023 dicht")
    vervoer = card(1, "factor", "Geen busverbinding op zondag en ’s avonds")
    schaamte = card(2, "factor", "Schaamte: niemand zegt graag dat hij eenzaam is")
    kinderen = card(4, "factor", "Kinderen wonen ver weg en hebben het druk")
    dubbel = card(0, "factor", "Er is geen plek meer om elkaar te ontmoeten")
    room.do(room.facilitator, type="card.merge", card_id=dubbel, into_id=buurthuis)
    room.phase("consequenties")
    stil = card(
        0,
        "consequentie",
        "Dagen voorbijgaan zonder één gesprek",
        world="leefwereld",
        factor_ids=[buurthuis, kinderen],
    )
    laat = card(
        4,
        "consequentie",
        "Eenzaamheid wordt pas laat gezien, vaak bij de huisarts",
        world="systeemwereld",
        factor_ids=[schaamte],
    )
    zorg = card(
        5,
        "consequentie",
        "Meer vraag naar thuiszorg en huisbezoeken",
        world="systeemwereld",
        factor_ids=[vervoer, kinderen],
    )
    room.phase("clusteren")
    ontmoeten = room.do(
        room.facilitator,
        type="cluster.create",
        title="Plekken om elkaar te ontmoeten",
        card_ids=[buurthuis, stil, bankje],
    )["cluster_id"]
    signaleren = room.do(
        room.facilitator,
        type="cluster.create",
        title="Op tijd signaleren",
        card_ids=[schaamte, laat],
    )["cluster_id"]
    bereik = room.do(
        room.facilitator, type="cluster.create", title="Bereikbaarheid", card_ids=[vervoer, zorg]
    )["cluster_id"]
    room.do(room.facilitator, type="cluster.tag", cluster_id=ontmoeten, tags=["hefboom"])
    room.do(room.facilitator, type="cluster.tag", cluster_id=signaleren, tags=["angel"])
    room.do(room.facilitator, type="card.tag", card_id=kinderen, tags=["kiem"])
    room.phase("prioriteren")
    room.do(room.facilitator, type="vote.open", budget=3)
    plan = [ontmoeten, ontmoeten, signaleren, ontmoeten, bereik, signaleren, ontmoeten]
    for index, actor in enumerate(room.people):
        for target in (plan[index], plan[(index + 1) % len(plan)], ontmoeten):
            room.do(actor, type="vote.cast", target_type="cluster", target_id=target)
    room.do(room.facilitator, type="vote.close")

    room.phase("waarom")
    first = room.do(
        room.people[6],
        type="proposal.create",
        kind="waarom",
        text="Eenzaamheid onder ouderen verminderen.",
        cited_card_ids=[stil],
    )["proposal_id"]
    round_one = room.do(room.facilitator, type="round.open", kind="waarom")["round_id"]
    for actor, score in zip(room.people, [3, 2, 4, 1, 3, 4, 5], strict=True):
        reason = (
            "Dit is de opgave van het ministerie, niet van ons: het zegt niets over ontmoeten."
            if score == 1
            else ""
        )
        room.do(
            actor,
            type="rating.give",
            round_id=round_one,
            proposal_id=first,
            score=score,
            reason=reason,
        )
    room.do(room.facilitator, type="round.close", round_id=round_one)
    second = room.do(
        room.facilitator,
        type="proposal.amend",
        proposal_id=first,
        text="Iedere oudere in Waterland-Oost heeft iemand om mee te praten en een plek om naartoe te gaan.",
        cited_cluster_ids=[ontmoeten],
        cited_card_ids=[kinderen],
    )["proposal_id"]
    round_two = room.do(room.facilitator, type="round.open", kind="waarom")["round_id"]
    for actor, score in zip(room.people, [5, 5, 4, 4, 5, 4, 3], strict=True):
        room.do(actor, type="rating.give", round_id=round_two, proposal_id=second, score=score)
    room.do(room.facilitator, type="round.close", round_id=round_two)
    room.do(room.facilitator, type="proposal.adopt", proposal_id=second)

    room.phase("opgave")
    opgave = room.do(
        room.people[3],
        type="proposal.create",
        kind="opgave",
        text="Samen met inwoners zorgen dat ouderen in Oost elkaar weer dichtbij huis ontmoeten, en eenzaamheid eerder wordt opgemerkt.",
        in_scope=[
            "ontmoetingsplekken in de wijk",
            "vervoer naar activiteiten",
            "signalering door huisarts en wijkteam",
        ],
        out_of_scope=["indicaties en zorgbudgetten", "woningbouw"],
        core_themes=["ontmoeten", "op tijd signaleren"],
        cited_cluster_ids=[signaleren, bereik],
    )["proposal_id"]
    round_three = room.do(room.facilitator, type="round.open", kind="opgave")["round_id"]
    for actor, score in zip(room.people, [5, 4, 5, 4, 4, 5, 4], strict=True):
        room.do(actor, type="rating.give", round_id=round_three, proposal_id=opgave, score=score)
    room.do(room.facilitator, type="round.close", round_id=round_three)
    room.do(room.facilitator, type="proposal.adopt", proposal_id=opgave)
    room.phase("afronding")
    room.do(room.facilitator, type="vertrekpunt.save")
    return room.workshop_id


def seed_demo(engine: Engine) -> DemoResult:
    """Create (or extend) the demo trajectory. Blocking; cost independent of other rooms."""
    facilitator_id, password = _facilitator(engine)
    trajectory_id = _trajectory(engine, facilitator_id)
    finished = _finished_workshop(engine, trajectory_id, facilitator_id)
    lobby, screen_token = create_workshop_row(
        engine,
        trajectory_id=trajectory_id,
        title="Tweede bijeenkomst: herijken",
        plan=Plan.from_request(PRESETS["herijking"]),
        theme_question="Klopt ons vertrekpunt nog, en wie missen we aan tafel?",
    )
    assert lobby.id is not None
    return DemoResult(trajectory_id, finished, lobby.id, lobby.join_code, screen_token, password)


def seed_demo_command(settings: Settings) -> int:
    from app.workshops.joincode import display

    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        result = seed_demo(engine)
    finally:
        engine.dispose()
    url = settings.public_url
    print(f"Demo trajectory: {url}/trajectories/{result.trajectory_id}")
    print(f"Finished workshop (console): {url}/console/{result.finished_workshop_id}")
    print(
        f"Join the live workshop: {url}/join/{result.join_code}  (code {display(result.join_code)})"
    )
    print(f"Its projector: {url}/screen/{result.lobby_workshop_id}#token={result.screen_token}")
    if result.password:
        print(f"Log in as {DEMO_EMAIL} with password {result.password} (shown once).")
    else:
        print(f"Log in as {DEMO_EMAIL} (password as printed when the demo was first seeded).")
    return 0
