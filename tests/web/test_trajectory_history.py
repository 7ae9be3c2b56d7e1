"""The trajectory page's history of starting points: each entry named by its workshop and that
workshop's date in the page's language, in the order of the workshops, a late-saved one marked
and compared with the workshop before it. Real server, real database."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from app.db import make_engine, session_scope
from app.workshops.history import make_current
from app.workshops.models import Workshop
from tests.support.server import Facilitator, Server
from tests.web.test_trajectory_record import words
from tests.workshops.scripted import make_workshop, run_workshop


def _run(
    engine: Engine, workshop: Workshop, facilitator: int, waarom: str, scope: list[str]
) -> int:
    return run_workshop(
        engine,
        workshop,
        facilitator_id=facilitator,
        people=[("Annie", "inwoner")],
        waarom=waarom,
        opgave="Minder eenzaamheid.",
        in_scope=scope,
        core_themes=[],
    )


def test_the_history_names_each_workshop_and_its_date(server: Server, facilitator: Facilitator):
    trajectory = facilitator.post(
        "/api/trajectories", {"theme": "Eenzaamheid", "expected_groups": ["inwoner"]}
    )
    me = facilitator.get("/api/me")["id"]
    engine = make_engine(server.database_url)
    try:
        start = make_workshop(
            engine,
            trajectory_id=trajectory["id"],
            title="Startbijeenkomst",
            starts_at=datetime(2026, 11, 3, 18, 30, tzinfo=UTC),
        )
        v1 = _run(engine, start, me, "Niemand alleen.", ["ontmoeting"])
        deeper = make_workshop(
            engine,
            trajectory_id=trajectory["id"],
            title="Verdieping",
            starts_at=datetime(2026, 11, 24, 18, 30, tzinfo=UTC),
        )
        again = make_workshop(
            engine,
            trajectory_id=trajectory["id"],
            title="Herijking voorjaar",
            reframe=True,
            starts_at=datetime(2027, 3, 9, 18, 30, tzinfo=UTC),
        )
        _run(engine, again, me, "Iedereen iemand.", ["ontmoeting", "vervoer"])
        with session_scope(engine) as session:
            make_current(
                session,
                trajectory_id=trajectory["id"],
                vertrekpunt_id=v1,
                reason="De herijking is ingetrokken.",
                made_by=me,
            )
        _run(engine, deeper, me, "Samen minder alleen.", ["ontmoeting", "bankjes"])
    finally:
        engine.dispose()

    page = facilitator.http.get(f"/trajectories/{trajectory['id']}").text
    text = words(page)
    history = text.split("Geschiedenis van vertrekpunten", 1)[1]
    headings = [
        "Vertrekpunt van “Herijking voorjaar”, 9 maart 2027",
        "Vertrekpunt van “Verdieping”, 24 november 2026",
        "Vertrekpunt van “Startbijeenkomst”, 3 november 2026 (huidig)",
    ]
    found = [history.find(heading) for heading in headings]
    assert -1 not in found and found == sorted(found), "in the order of the workshops"
    assert "Vertrekpunt van 7 december" not in text
    late = history.split(headings[1], 1)[1].split(headings[2], 1)[0]
    assert "na het vertrekpunt van een nieuwere sessie: het werd niet vanzelf het huidige" in late
    assert "Wat er veranderde sinds “Startbijeenkomst”, de sessie ervoor" in late
    assert "Nu binnen de opgave: bankjes" in late
    assert "vervoer" not in late, "compared with the workshop before it, not the last saved"
    assert (
        "Het vertrekpunt van “Startbijeenkomst”, 3 november 2026, is weer huidig gemaakt. Reden:"
        in text
    )

    english = words(facilitator.http.get(f"/trajectories/{trajectory['id']}?lang=en").text)
    assert "Starting point of “Verdieping”, November 24, 2026" in english
    assert "What changed since “Startbijeenkomst”, the workshop before it" in english
