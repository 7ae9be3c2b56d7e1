"""Reframing, deleting a workshop whole, and retention of participant details."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlmodel import select

from app.clock import utcnow
from app.db import session_scope
from app.images.storage import LocalImageStore
from app.models import Event, Participant, Trajectory, Vertrekpunt
from app.realtime.commands import Actor
from app.realtime.state import build_snapshot
from app.types import Role
from app.workshops.lifecycle import delete_workshop, scrub_expired
from app.workshops.models import Workshop
from app.workshops.reframing import difference
from app.workshops.routes import history
from tests.workshops.scripted import facilitator_and_trajectory, run_to_vertrekpunt

FIRST = [("Annie", "inwoner"), ("Bram", "beleid")]
SECOND = [("Chantal", "ketenpartner"), ("Dirk", "inwoner"), ("Esra", "ervaringsdeskundige")]


def test_reframing_makes_a_new_vertrekpunt_and_keeps_the_old_in_history(engine):
    facilitator, trajectory = facilitator_and_trajectory(
        engine, ["inwoner", "beleid", "ketenpartner", "ervaringsdeskundige"]
    )
    _, first = run_to_vertrekpunt(
        engine,
        facilitator_id=facilitator,
        trajectory_id=trajectory,
        people=FIRST,
        waarom="Niemand alleen.",
        opgave="Minder eenzaamheid.",
        in_scope=["ontmoeting"],
        core_themes=["ontmoeten"],
    )
    second_workshop, second = run_to_vertrekpunt(
        engine,
        facilitator_id=facilitator,
        trajectory_id=trajectory,
        people=SECOND,
        reframe=True,
        waarom="Iedere oudere heeft iemand om mee te praten.",
        opgave="Ontmoeting in drie wijken.",
        in_scope=["ontmoeting", "vervoer"],
        core_themes=["ontmoeten", "bereikbaarheid"],
    )
    with session_scope(engine) as session:
        saved = {v.id: v for v in session.exec(select(Vertrekpunt))}
        assert session.get(Trajectory, trajectory).current_vertrekpunt_id == second
        assert session.get(Workshop, second_workshop).starts_from_id == first
        assert saved[second].previous_id == first
        assert saved[second].record["starts_from_id"] == first
        entries = history(sorted(saved.values(), key=lambda v: -(v.id or 0)))
    assert [e["id"] for e in entries] == [second, first]
    changes = entries[0]["changes"]
    assert changes["waarom"]["changed"] and changes["opgave"]["changed"]
    assert changes["in_scope"]["added"] == ["vervoer"] and changes["in_scope"]["kept"] == [
        "ontmoeting"
    ]
    assert changes["core_themes"]["added"] == ["bereikbaarheid"]
    assert changes["groups_present"]["added"] == ["ervaringsdeskundige", "ketenpartner"]
    assert changes["groups_present"]["removed"] == ["beleid"]
    assert sorted(changes["groups_missing"]["removed"]) == ["ervaringsdeskundige", "ketenpartner"]
    assert changes["groups_missing"]["added"] == ["beleid"]
    assert entries[1]["changes"] is None
    same = difference(saved[first].record, saved[first].record)
    assert not same.waarom.changed and not same.in_scope.added


def test_deleting_a_workshop_leaves_no_row_and_no_file(engine, tmp_path: Path):
    facilitator, trajectory = facilitator_and_trajectory(engine, ["inwoner", "beleid"])
    keep, kept_point = run_to_vertrekpunt(
        engine,
        facilitator_id=facilitator,
        trajectory_id=trajectory,
        people=FIRST,
        waarom="W1",
        opgave="O1",
        in_scope=[],
        core_themes=[],
    )
    gone, _ = run_to_vertrekpunt(
        engine,
        facilitator_id=facilitator,
        trajectory_id=trajectory,
        people=SECOND,
        reframe=True,
        waarom="W2",
        opgave="O2",
        in_scope=[],
        core_themes=[],
    )
    images = LocalImageStore(tmp_path / "images")
    images.put(f"{gone}/{'a' * 32}-display.jpg", b"jpeg")
    images.put(f"{keep}/{'b' * 32}-display.jpg", b"jpeg")

    assert delete_workshop(engine, images, workshop_id=gone)

    tables = [
        "participant",
        "card",
        "cluster",
        "proposal",
        "agreement_round",
        "dot_vote",
        "event",
        "command_receipt",
        "vertrekpunt",
    ]
    with engine.connect() as connection:
        for table in tables:
            count = connection.execute(
                text(f"SELECT count(*) FROM {table} WHERE workshop_id = :w"), {"w": gone}
            ).scalar_one()
            assert count == 0, f"{table} still holds rows of the deleted workshop"
        orphans = connection.execute(
            text(
                "SELECT count(*) FROM rating WHERE round_id NOT IN (SELECT id FROM agreement_round)"
            )
        ).scalar_one()
        assert orphans == 0
        assert (
            connection.execute(
                text("SELECT count(*) FROM workshop WHERE id = :w"), {"w": gone}
            ).scalar_one()
            == 0
        )
        assert (
            connection.execute(
                text("SELECT count(*) FROM card WHERE workshop_id = :w"), {"w": keep}
            ).scalar_one()
            > 0
        )
    assert not (tmp_path / "images" / str(gone)).exists()
    assert (tmp_path / "images" / str(keep)).exists()
    with session_scope(engine) as session:
        assert session.get(Trajectory, trajectory).current_vertrekpunt_id == kept_point
    assert not delete_workshop(engine, images, workshop_id=gone)


def test_retention_removes_names_but_keeps_the_counts(engine):
    facilitator, trajectory = facilitator_and_trajectory(engine, ["inwoner", "beleid"])
    old, _ = run_to_vertrekpunt(
        engine,
        facilitator_id=facilitator,
        trajectory_id=trajectory,
        people=FIRST,
        waarom="W1",
        opgave="O1",
        in_scope=[],
        core_themes=[],
    )
    recent, _ = run_to_vertrekpunt(
        engine,
        facilitator_id=facilitator,
        trajectory_id=trajectory,
        people=SECOND,
        waarom="W2",
        opgave="O2",
        in_scope=[],
        core_themes=[],
    )
    with session_scope(engine) as session:
        for event in session.exec(select(Event).where(Event.workshop_id == old)):
            event.created_at = utcnow() - timedelta(days=400)
            session.add(event)
        before = build_snapshot(
            session, session.get(Workshop, old), Actor(Role.FACILITATOR, facilitator_id=facilitator)
        )

    assert scrub_expired(engine, retention_days=365) == len(FIRST)
    assert scrub_expired(engine, retention_days=365) == 0, "idempotent"
    assert scrub_expired(engine, retention_days=0) == 0, "0 means keep"

    with session_scope(engine) as session:
        scrubbed = session.exec(select(Participant).where(Participant.workshop_id == old)).all()
        assert all(
            p.display_name is None and not p.organisation and not p.drijfveer for p in scrubbed
        )
        assert sorted(p.stakeholder_group for p in scrubbed) == ["beleid", "inwoner"]
        kept = session.exec(select(Participant).where(Participant.workshop_id == recent)).all()
        assert {p.display_name for p in kept} == {n for n, _ in SECOND}
        log = [e.data for e in session.exec(select(Event).where(Event.workshop_id == old))]
        after = build_snapshot(
            session, session.get(Workshop, old), Actor(Role.FACILITATOR, facilitator_id=facilitator)
        )
    flat = repr(log) + after.model_dump_json()
    for name, _group in FIRST:
        assert name not in flat, f"{name} survived retention"
        assert f"Organisatie van {name}" not in flat and f"Drijfveer van {name}" not in flat
    assert len(after.participants) == len(before.participants)
    assert after.rounds == before.rounds
    # The cards stay, but no longer say who wrote them: their authors have no name any more.
    unattributed = {"author_id": None, "author_named": False}
    assert after.cards == {k: c.model_copy(update=unattributed) for k, c in before.cards.items()}
    assert any(c.author_named for c in before.cards.values())


def test_the_reframing_export_and_trajectory_page_show_the_difference(engine):
    from app.exports.document import document
    from app.exports.renderers import markdown
    from app.exports.summary import build_summary

    facilitator, trajectory = facilitator_and_trajectory(
        engine, ["inwoner", "beleid", "ketenpartner"]
    )
    first_workshop, _ = run_to_vertrekpunt(
        engine,
        facilitator_id=facilitator,
        trajectory_id=trajectory,
        people=FIRST,
        waarom="Niemand alleen.",
        opgave="Minder eenzaamheid.",
        in_scope=["ontmoeting"],
        core_themes=[],
    )
    second_workshop, _ = run_to_vertrekpunt(
        engine,
        facilitator_id=facilitator,
        trajectory_id=trajectory,
        people=SECOND,
        reframe=True,
        waarom="Iedere oudere heeft iemand.",
        opgave="Ontmoeting in drie wijken.",
        in_scope=["ontmoeting", "vervoer"],
        core_themes=["bereikbaarheid"],
    )
    text = markdown(document(build_summary(engine, workshop_id=second_workshop), language="nl"))
    assert "## Wat er veranderde sinds het vorige" in text
    assert "Het waarom is anders geformuleerd; eerst: “Niemand alleen.”" in text
    assert "Nu binnen de opgave: vervoer" in text
    assert "Nieuw aan tafel: Ketenpartner" in text and "Niet meer aan tafel: Beleid" in text
    assert build_summary(engine, workshop_id=first_workshop).changes is None
