"""The demo seed: a finished workshop with a saved vertrekpunt, and one waiting in its lobby.

The finished workshop is what ``docs/examples/`` is made from (``scripts/examples``), so it must
stay a realistic room: about thirty people in the five usual groups plus a pooled one, consent
mixed, over a hundred cards with two real photos in the image store, two waarom rounds.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app.db import make_engine, migrate, session_scope
from app.demo import seed_demo
from app.images.storage import LocalImageStore, file_key
from app.realtime.models import Event
from app.workshops.models import (
    AgreementRound,
    Card,
    Participant,
    Trajectory,
    Vertrekpunt,
    Workshop,
)

GROUPS = {"inwoner", "ervaringsdeskundige", "ketenpartner", "uitvoering", "beleid"}


def test_demo_seeds_a_realistic_trajectory_and_can_run_twice(db_url: str, tmp_path: Path):
    migrate(db_url)
    engine = make_engine(db_url)
    images = LocalImageStore(tmp_path / "images")
    first = seed_demo(engine, images)
    second = seed_demo(engine, images)
    assert first.password and second.password is None
    assert second.trajectory_id == first.trajectory_id
    with session_scope(engine) as session:
        trajectory = session.get(Trajectory, first.trajectory_id)
        record = session.get(Vertrekpunt, trajectory.current_vertrekpunt_id).record
        assert record["waarom"]["text"].startswith("Iedere oudere")
        assert [r["converged"] for r in record["waarom"]["rounds"]] == [False, True]
        assert record["opgave"]["in_scope"] and record["opgave"]["out_of_scope"]
        assert record["opgave"]["core_themes"]
        assert {c["kind"] for c in record["chain"]} == {"beeld", "factor", "consequentie"}
        assert record["representation"]["missing"] == []
        assert record["dot_vote"][0]["dots"] >= 20
        for workshop_id in (first.finished_workshop_id, second.finished_workshop_id):
            workshop = session.get(Workshop, workshop_id)
            seqs = session.exec(
                select(Event.seq).where(Event.workshop_id == workshop_id).order_by(col(Event.seq))
            ).all()
            assert list(seqs) == list(range(1, workshop.last_seq + 1)), "complete, gap-free log"
        lobby = session.get(Workshop, first.lobby_workshop_id)
        assert lobby.agenda[lobby.phase_index] == "lobby"
        assert lobby.starts_from_id is not None, "the second workshop reframes the first result"
    assert_a_realistic_room(engine, images, first.finished_workshop_id)
    engine.dispose()


def assert_a_realistic_room(engine: Engine, images: LocalImageStore, workshop_id: int) -> None:
    """What the examples in docs/examples/ are made from: a room, not a handful of cards.
    (Called from the test above, so CI seeds the demo only twice on each database.)"""
    with session_scope(engine) as session:
        people = session.exec(
            select(Participant).where(Participant.workshop_id == workshop_id)
        ).all()
        cards = session.exec(select(Card).where(Card.workshop_id == workshop_id)).all()
        rounds = session.exec(
            select(AgreementRound).where(AgreementRound.workshop_id == workshop_id)
        ).all()

    assert 25 <= len(people) <= 35
    groups = Counter(p.stakeholder_group for p in people)
    assert GROUPS.issubset(g for g, n in groups.items() if n >= 3), groups
    assert any(0 < n < 3 for n in groups.values()), "one group small enough to be pooled"
    # Consent mixed: anonymous, named without and with consent; drijfveer for either audience.
    named = [p for p in people if p.display_name]
    assert len(named) < len(people), "some joined anonymously"
    assert {p.name_in_verslag for p in named} == {True, False}
    assert {p.drijfveer_use for p in people} == {"facilitator", "record"}
    assert {p.contribution_use for p in people} == {"facilitator", "record"}

    assert len(cards) >= 100
    assert {c.kind for c in cards} == {"beeld", "factor", "consequentie"}
    assert {c.world for c in cards if c.kind == "consequentie"} == {"leefwereld", "systeemwereld"}
    assert any(c.hidden for c in cards), "a card the facilitator hid stays out of the record"
    photos = [c for c in cards if c.image_key]
    assert len(photos) == 2
    for photo in photos:
        display = images.get(file_key(photo.image_key, "display"))
        assert display is not None and len(display) > 50_000, "a photo, not a flat colour"
        assert b"GPS" not in display and b"PhoneMaker" not in display, "metadata stripped"

    waarom = sorted((r for r in rounds if r.kind == "waarom"), key=lambda r: r.number)
    assert len(waarom) == 2
    assert len(waarom[0].proposal_ids) == 2 and len(waarom[1].proposal_ids) == 1
