"""The end of a workshop's data: deleting it whole, and retention of participant details.

Privacy promises are kept here: a deleted workshop leaves no row and no file behind, and after the
retention period participants' names, organisations and motivations are gone — from their rows
and from the event log — while the anonymous record (groups, counts, cards) stays. A retention
run (:func:`run_retention`) also makes sure that what was scrubbed or forgotten is gone from
SQLite's files, not only from its rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from app.clock import utcnow
from app.db import checkpoint_wal, session_scope
from app.images.storage import ImageStore
from app.realtime.models import Event
from app.workshops.forgetting import forget_superseded
from app.workshops.models import Participant, Trajectory, Vertrekpunt, Workshop
from app.workshops.schemas import dump, participant_view


def delete_workshop(engine: Engine, images: ImageStore, *, workshop_id: int) -> bool:
    """Delete a workshop with everything in it, including vertrekpunten saved from it."""
    with session_scope(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        if workshop is None:
            return False
        trajectory = session.get(Trajectory, workshop.trajectory_id)
        session.exec(delete(Vertrekpunt).where(col(Vertrekpunt.workshop_id) == workshop_id))
        if trajectory is not None:
            latest = session.exec(
                select(Vertrekpunt.id)
                .where(Vertrekpunt.trajectory_id == trajectory.id)
                .order_by(col(Vertrekpunt.id).desc())
            ).first()
            trajectory.current_vertrekpunt_id = latest
            session.add(trajectory)
        session.delete(workshop)  # the foreign keys cascade to everything that belongs to it
    images.delete_workshop(workshop_id)
    return True


@dataclass(frozen=True, slots=True)
class RetentionRun:
    """What one retention run did."""

    participants: int
    card_events: int
    checkpointed: bool


def run_retention(engine: Engine, *, retention_days: int, whole_log: bool) -> RetentionRun:
    """Scrub expired participants, then checkpoint SQLite's WAL so nothing scrubbed lingers there.

    ``whole_log``: also rewrite every workshop's log as withdrawing and editing cards do
    (:func:`app.workshops.forgetting.forget_superseded`), for logs written before they did. The
    server's hourly run leaves it out (it would read every log every hour for nothing);
    ``atelier retention`` does it.
    """
    participants = scrub_expired(engine, retention_days=retention_days)
    card_events = forget_superseded(engine) if whole_log else 0
    return RetentionRun(participants, card_events, checkpoint_wal(engine))


def scrub_expired(engine: Engine, *, retention_days: int) -> int:
    """Anonymise participants of workshops quiet for longer than the retention period.

    Returns how many participants were scrubbed. Their stakeholder group stays, so the counts
    of the record (who was at the table) survive.
    """
    if retention_days <= 0:
        return 0
    cutoff = utcnow() - timedelta(days=retention_days)
    scrubbed = 0
    with session_scope(engine) as session:
        last_activity = (
            select(Event.workshop_id, func.max(Event.created_at).label("last"))
            .group_by(col(Event.workshop_id))
            .subquery()
        )
        quiet = session.exec(
            select(Workshop.id)
            .join(last_activity, last_activity.c.workshop_id == Workshop.id)
            .where(last_activity.c.last < cutoff)
        ).all()
        for workshop_id in quiet:
            participants = session.exec(
                select(Participant).where(
                    Participant.workshop_id == workshop_id,
                    col(Participant.token_hash).not_like("scrubbed:%"),
                )
            ).all()
            for participant in participants:
                participant.display_name = None
                participant.organisation = ""
                participant.drijfveer = ""
                participant.token_hash = f"scrubbed:{participant.id}"
                session.add(participant)
                scrubbed += 1
            if participants and workshop_id is not None:
                _scrub_log(session, workshop_id, {p.id: p for p in participants})
    return scrubbed


def _scrub_log(session: Session, workshop_id: int, scrubbed: dict[int | None, Participant]) -> None:
    """Rewrite the log so it no longer holds what was removed, nor who wrote what by name."""
    events = session.exec(
        select(Event).where(
            Event.workshop_id == workshop_id,
            col(Event.type).in_((*AUTHORED, "participant.joined")),
        )
    ).all()
    for event in events:
        if event.type == "participant.joined":
            participant = scrubbed.get(event.data.get("participant", {}).get("id"))
            if participant is not None:
                view = dump(participant_view(participant, anonymous=True))
                view["left"] = event.data["participant"]["left"]
                event.data = {**event.data, "participant": view}
                session.add(event)
            continue
        key = "card" if event.type.startswith("card.") else "proposal"
        item = event.data.get(key, {})
        if item.get("author_id") in scrubbed and item.get("author_named"):
            event.data = {**event.data, key: {**item, "author_named": False}}
            session.add(event)


#: Events whose item names its author (``author_named``), rewritten when names are scrubbed.
AUTHORED = ("card.posted", "card.updated", "proposal.created", "proposal.updated")
