"""Which vertrekpunt is a trajectory's current one, and why.

A workshop saves its vertrekpunt once. Saving makes it current only when no newer workshop's
vertrekpunt is current: an older workshop's result, saved late, never silently replaces the
newer one. Making an older vertrekpunt current again is an explicit act with a written reason.
Every change of the current one is a :class:`~app.workshops.models.CurrentChange`, so the
trajectory's history says who changed it, when and why.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.labels import N_
from app.workshops.models import CurrentChange, Trajectory, Vertrekpunt

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


def _workshop_order(session: Session, vertrekpunt_id: int | None) -> int:
    """How new the workshop behind a vertrekpunt is (its id: workshops are numbered in order)."""
    saved = session.get(Vertrekpunt, vertrekpunt_id) if vertrekpunt_id else None
    return (saved.workshop_id or 0) if saved else 0


def becomes_current(session: Session, trajectory: Trajectory, workshop_id: int) -> bool:
    """Whether a vertrekpunt just saved by this workshop may become the current one by itself."""
    return _workshop_order(session, trajectory.current_vertrekpunt_id) <= workshop_id


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
