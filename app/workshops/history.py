"""Which vertrekpunt is a trajectory's current one, and why.

A workshop saves its vertrekpunt once. Saving makes it current only when the workshop is newer
than every workshop whose vertrekpunt was saved before it, and than the last decision taken with a
reason: an older workshop's result, saved late, never silently replaces a newer one, and never
silently undoes a choice someone wrote a reason for. It is still saved and listed; making it
current is an explicit act with a written reason. Every change of the current one is a
:class:`~app.workshops.models.CurrentChange`, so the trajectory's history says who changed it,
when and why.

Workshops are ordered by when they were created (their ids follow that order); a decision is
ordered by when it was taken.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, col, select

from app.labels import N_
from app.workshops.models import CurrentChange, Trajectory, Vertrekpunt, Workshop

#: The reason kept when saving a workshop's result makes it current.
SAVED = "saved"


class NotAllowed(ValueError):
    """The change is refused; the message (a msgid: pages translate it) says why."""


class NoSuchVertrekpunt(NotAllowed):
    """The trajectory has no vertrekpunt with that id. Another trajectory's vertrekpunt is no
    different from one that does not exist: the API answers 404 for both, and the page says
    the same, so one trajectory's page or API tells nothing about another's."""

    def __init__(self) -> None:
        super().__init__(N_("That vertrekpunt is not one of this trajectory's."))


def workshop_order(vertrekpunt: Vertrekpunt) -> int:
    """How new the workshop behind a vertrekpunt is: its id, as workshops are numbered in the
    order they were made. Read from the record, which keeps it after the workshop is deleted."""
    recorded = vertrekpunt.record.get("workshop", {}).get("id")
    return int(recorded or vertrekpunt.workshop_id or 0)


def _utc(moment: datetime) -> datetime:
    """Aware UTC: a database may hand back the stored UTC moment without its zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def becomes_current(session: Session, trajectory: Trajectory, workshop: Workshop) -> bool:
    """Whether a vertrekpunt just saved by ``workshop`` may become the current one by itself.

    Only when the workshop is newer than every workshop with a saved vertrekpunt on the
    trajectory (the current one, and any other: a choice with a reason may have made an older
    one current) and was made after the last change of the current one taken with a reason.
    """
    assert workshop.id is not None
    saved = session.exec(
        select(Vertrekpunt).where(
            Vertrekpunt.trajectory_id == trajectory.id, Vertrekpunt.workshop_id != workshop.id
        )
    ).all()
    if any(workshop_order(v) > workshop.id for v in saved):
        return False
    decided = session.exec(
        select(CurrentChange.at)
        .where(CurrentChange.trajectory_id == trajectory.id, CurrentChange.reason != SAVED)
        .order_by(col(CurrentChange.at).desc())
    ).first()
    return decided is None or _utc(workshop.created_at) > _utc(decided)


def make_current(
    session: Session,
    *,
    trajectory_id: int,
    vertrekpunt_id: int,
    reason: str,
    made_by: int | None,
) -> CurrentChange:
    """Make the trajectory's vertrekpunt ``vertrekpunt_id`` its current one and keep why in its
    history.

    The one decision behind the API and the trajectory page's form, so both refuse the same
    cases the same way: :class:`NoSuchVertrekpunt` when the trajectory has no such vertrekpunt
    (another trajectory's included), :class:`NotAllowed` when it is current already or no reason
    is given (anything but a fresh save needs one). Nothing changes when it refuses.
    """
    trajectory = session.get(Trajectory, trajectory_id)
    vertrekpunt = session.get(Vertrekpunt, vertrekpunt_id)
    if trajectory is None or vertrekpunt is None or vertrekpunt.trajectory_id != trajectory.id:
        raise NoSuchVertrekpunt()
    if vertrekpunt.id == trajectory.current_vertrekpunt_id:
        raise NotAllowed(N_("That vertrekpunt is already the current one."))
    reason = reason.strip()
    if not reason:
        raise NotAllowed(N_("Say why this vertrekpunt becomes the current one again."))
    assert vertrekpunt.id is not None and trajectory.id is not None
    trajectory.current_vertrekpunt_id = vertrekpunt.id
    session.add(trajectory)
    change = CurrentChange(
        trajectory_id=trajectory.id, vertrekpunt_id=vertrekpunt.id, reason=reason, made_by=made_by
    )
    session.add(change)
    return change


def changes(session: Session, trajectory_id: int) -> list[CurrentChange]:
    """Every change of the current vertrekpunt, newest first."""
    return list(
        session.exec(
            select(CurrentChange)
            .where(CurrentChange.trajectory_id == trajectory_id)
            .order_by(col(CurrentChange.id).desc())
        )
    )
