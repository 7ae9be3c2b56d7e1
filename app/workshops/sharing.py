"""Co-facilitation: a trajectory shared with other facilitator accounts, and who may act on it.

:func:`may_act` is the one rule every route, page, export, image and socket asks ("may this
account act on this trajectory?"): its owner, and the accounts it is shared with. Everyone else
gets the same 404 as for a trajectory that does not exist, so a stranger learns nothing of it.

Only the owner shares and unshares. A share names an account by its e-mail address; the owner
is told when no usable account has that address (they need to know the share did not happen),
but an unknown address and a disabled account get the same answer, and unknown addresses are
limited per owner (:data:`UNKNOWN_PER_HOUR`) so the form is no tool for listing accounts.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, delete, select

from app.accounts.models import Facilitator
from app.clock import utcnow
from app.db import read_scope, session_scope
from app.limiting import RateLimits
from app.workshops.models import Trajectory, Workshop
from app.workshops.ratelimit import WindowLimiter

#: Addresses that name no usable account, per owner per hour, before the form says "wait".
UNKNOWN_PER_HOUR = 20


class TrajectoryShare(SQLModel, table=True):
    """One facilitator account a trajectory is shared with, and who shared it when."""

    __tablename__ = "trajectory_share"
    __table_args__ = (UniqueConstraint("trajectory_id", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    trajectory_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("trajectory.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    account_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("facilitator.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    added_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("facilitator.id", ondelete="SET NULL")),
    )
    added_at: datetime = Field(default_factory=utcnow)


class Shared(enum.Enum):
    """What became of an attempt to share; the page says it in words."""

    ADDED = "added"
    ALREADY = "already"
    OWNER = "owner"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CoFacilitator:
    """An account a trajectory is shared with, as its owner sees it in the list."""

    account_id: int
    name: str
    email: str
    added_at: datetime


def share_limiter(limits: RateLimits) -> WindowLimiter:
    """The per-owner limit on unknown addresses; one per app, kept on ``app.state``.

    Counted in the app's :class:`~app.limiting.RateLimits`, so shared by every process through
    Redis when it is configured.
    """
    return WindowLimiter(limits, "share-unknown", limit=UNKNOWN_PER_HOUR, window_seconds=3600)


# ----------------------------------------------------------------------------- the rule


def may_act(session: Session, *, facilitator_id: int, trajectory_id: int) -> Trajectory | None:
    """The trajectory if this account owns it or it is shared with it, else ``None``.

    The one place that decides; everything else (pages, API, exports, images, the socket and its
    periodic recheck) asks here, so a removed share ends access everywhere at once.
    """
    trajectory = session.get(Trajectory, trajectory_id)
    if trajectory is None:
        return None
    if trajectory.owner_id == facilitator_id:
        return trajectory
    shared = session.exec(
        select(TrajectoryShare.id).where(
            TrajectoryShare.trajectory_id == trajectory_id,
            TrajectoryShare.account_id == facilitator_id,
        )
    ).first()
    return trajectory if shared is not None else None


def may_act_on_trajectory(engine: Engine, *, facilitator_id: int, trajectory_id: int) -> bool:
    with session_scope(engine) as session:
        return (
            may_act(session, facilitator_id=facilitator_id, trajectory_id=trajectory_id) is not None
        )


def may_act_on_workshop(engine: Engine, *, facilitator_id: int, workshop_id: int) -> bool:
    """:func:`may_act` for the trajectory a workshop belongs to (a read: it never waits for a
    room's writes on SQLite)."""
    with read_scope(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        return workshop is not None and (
            may_act(session, facilitator_id=facilitator_id, trajectory_id=workshop.trajectory_id)
            is not None
        )


def allowed_in_workshop(engine: Engine, *, workshop_id: int, facilitator_ids: set[int]) -> set[int]:
    """Which of these accounts may still act on the workshop (the hub's periodic recheck)."""
    return {
        f
        for f in facilitator_ids
        if may_act_on_workshop(engine, facilitator_id=f, workshop_id=workshop_id)
    }


def visible_trajectories(
    engine: Engine, facilitator_id: int
) -> tuple[list[Trajectory], list[Trajectory]]:
    """The account's own trajectories and those shared with it, each oldest first."""
    with session_scope(engine) as session:
        own = session.exec(
            select(Trajectory)
            .where(Trajectory.owner_id == facilitator_id)
            .order_by(col(Trajectory.id))
        ).all()
        shared = session.exec(
            select(Trajectory)
            .join(TrajectoryShare, col(TrajectoryShare.trajectory_id) == col(Trajectory.id))
            .where(TrajectoryShare.account_id == facilitator_id)
            .order_by(col(Trajectory.id))
        ).all()
        return list(own), list(shared)


def facilitator_names(engine: Engine, trajectory_id: int) -> dict[int, str]:
    """Id → display name of everyone who may run the trajectory's workshops (console banner)."""
    with session_scope(engine) as session:
        owner = session.exec(
            select(Facilitator.id, Facilitator.name)
            .join(Trajectory, col(Trajectory.owner_id) == col(Facilitator.id))
            .where(Trajectory.id == trajectory_id)
        ).all()
        shared = session.exec(
            select(Facilitator.id, Facilitator.name)
            .join(TrajectoryShare, col(TrajectoryShare.account_id) == col(Facilitator.id))
            .where(TrajectoryShare.trajectory_id == trajectory_id)
        ).all()
        return {account_id: name for account_id, name in [*owner, *shared] if account_id}


# ----------------------------------------------------------------------------- owner only


def co_facilitators(engine: Engine, trajectory_id: int) -> list[CoFacilitator]:
    """The accounts the trajectory is shared with, in the order they were added."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(TrajectoryShare, Facilitator)
            .join(Facilitator, col(Facilitator.id) == col(TrajectoryShare.account_id))
            .where(TrajectoryShare.trajectory_id == trajectory_id)
            .order_by(col(TrajectoryShare.id))
        ).all()
        return [
            CoFacilitator(
                account_id=account.id or 0,
                name=account.name,
                email=account.email,
                added_at=share.added_at,
            )
            for share, account in rows
        ]


def share(engine: Engine, *, trajectory: Trajectory, by: int, email: str) -> Shared:
    """Share ``trajectory`` with the account of ``email``. The caller has checked ``by`` owns it."""
    address = email.strip().lower()
    trajectory_id = trajectory.id or 0
    try:
        with session_scope(engine) as session:
            account = session.exec(select(Facilitator).where(Facilitator.email == address)).first()
            if account is None or account.id is None or account.disabled_at is not None:
                return Shared.UNKNOWN
            if account.id == trajectory.owner_id:
                return Shared.OWNER
            if may_act(session, facilitator_id=account.id, trajectory_id=trajectory_id):
                return Shared.ALREADY
            session.add(
                TrajectoryShare(trajectory_id=trajectory_id, account_id=account.id, added_by=by)
            )
    except IntegrityError:  # the same share, added at the same moment from another tab
        return Shared.ALREADY
    return Shared.ADDED


def unshare(engine: Engine, *, trajectory_id: int, account_id: int) -> bool:
    """Take the trajectory away from an account; ``False`` if it was not shared with it.

    Its open consoles close at the hub's next recheck (the route asks for one at once).
    """
    with session_scope(engine) as session:
        removed = session.exec(
            delete(TrajectoryShare).where(
                col(TrajectoryShare.trajectory_id) == trajectory_id,
                col(TrajectoryShare.account_id) == account_id,
            )
        )
        return bool(removed.rowcount)
