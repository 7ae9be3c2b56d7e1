"""A trajectory's own stakeholder groups keep the capitals they were typed with, and grouping stays
case-insensitive (issue 23): one stored form per group, the first typed (app/workshops/groups.py).

Through the real server: the trajectory API, joining by code, and the stored participants read
back from the server's database.
"""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from app.db import make_engine, session_scope
from app.workshops.groups import canonical, expected_groups, group_key
from app.workshops.models import Participant, Workshop
from app.workshops.vertrekpunt import representation
from tests.realtime.helpers import join
from tests.support.server import Facilitator, Server


def test_group_names_keep_their_capitals_and_group_without_case(
    server: Server, facilitator: Facilitator
) -> None:
    trajectory = facilitator.post(
        "/api/trajectories",
        {
            "theme": "Eenzaamheid in Grou",
            "expected_groups": ["Dorpsraad Grou", "dorpsraad  grou", "Inwoner", "GGD Fryslân"],
        },
    )
    assert trajectory["expected_groups"] == ["Dorpsraad Grou", "inwoner", "GGD Fryslân"]
    workshop = facilitator.post(
        f"/api/trajectories/{trajectory['id']}/workshops", {"title": "Startbijeenkomst"}
    )
    info = facilitator.get(f"/api/join/{workshop['join_code']}")
    assert info["stakeholder_groups"][:3] == ["Dorpsraad Grou", "inwoner", "GGD Fryslân"]
    for name, group in [
        ("Anna", "Dorpsraad Grou"),
        ("Bram", "DORPSRAAD GROU "),
        ("Chantal", "ggd fryslân"),
        ("Dirk", "Buurtapp Noord"),  # a group of one's own, not expected
        ("Esra", "buurtapp noord"),
        ("Fokke", "Inwoner"),
    ]:
        join(server, workshop["join_code"], name, group)

    engine = make_engine(server.database_url)
    try:
        with session_scope(engine) as session:
            stored = session.exec(
                select(Participant.display_name, Participant.stakeholder_group).where(
                    Participant.workshop_id == workshop["id"]
                )
            ).all()
            seen = representation(
                session, session.get(Workshop, workshop["id"]), trajectory["expected_groups"], 3
            )
    finally:
        engine.dispose()
    assert dict(stored) == {
        "Anna": "Dorpsraad Grou",
        "Bram": "Dorpsraad Grou",
        "Chantal": "GGD Fryslân",
        "Dirk": "Buurtapp Noord",
        "Esra": "Buurtapp Noord",
        "Fokke": "inwoner",
    }
    assert Counter(g for _, g in stored)["Dorpsraad Grou"] == 2
    assert seen["present"]["Dorpsraad Grou"] == 2
    assert seen["missing"] == []


def test_group_keys() -> None:
    assert group_key(" Dorpsraad   GROU ") == group_key("dorpsraad grou")
    assert canonical("  buurtapp   noord", ["Buurtapp Noord"]) == "Buurtapp Noord"
    assert canonical("Ketenpartner") == "ketenpartner"  # the app's own groups keep their key
    assert expected_groups(["A-team", "a-TEAM", " ", "Beleid"]) == ["A-team", "beleid"]
