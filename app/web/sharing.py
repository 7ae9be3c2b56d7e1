"""The trajectory page's "Shared with" forms: the owner adds an account by e-mail, or removes one.

Forms post, then redirect back to the trajectory page with ``?share=<outcome>#sharing``, where
the outcome is said in words (:data:`OUTCOMES`). Only the owner shares: a co-facilitator gets
403, anyone else the 404 of a trajectory that is not there.
"""

from __future__ import annotations

from typing import Annotated, Any

from anyio import from_thread
from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.engine import Engine

from app.deps import CSRFProtected, CurrentFacilitator, EngineDep, Id
from app.labels import N_
from app.workshops.models import Trajectory
from app.workshops.ratelimit import WindowLimiter
from app.workshops.routes import trajectory_for
from app.workshops.sharing import Shared, co_facilitators, facilitator_names, share, unshare

router = APIRouter(include_in_schema=False)

#: Outcome in the URL → (is it a problem, what the page says). Unknown keys are ignored.
OUTCOMES: dict[str, tuple[bool, str]] = {
    Shared.ADDED.value: (
        False,
        N_("Shared. That person can now open this trajectory and run its workshops."),
    ),
    Shared.ALREADY.value: (False, N_("This trajectory is already shared with that account.")),
    Shared.OWNER.value: (True, N_("That is your own account: you own this trajectory.")),
    Shared.UNKNOWN.value: (
        True,
        N_(
            "No facilitator account was found for that e-mail address. Check the address, "
            "or ask for an account to be made for this person first."
        ),
    ),
    "wait": (
        True,
        N_("Too many addresses were not found. Try again in an hour."),
    ),
    "removed": (
        False,
        N_("Sharing stopped. That account can no longer open this trajectory or its workshops."),
    ),
}


def sharing_context(
    engine: Engine, trajectory: Trajectory, facilitator_id: int, outcome: str | None
) -> dict[str, Any]:
    """What the trajectory page's "Shared with" section needs.

    E-mail addresses are for the owner only (they manage the list); a co-facilitator sees names.
    """
    assert trajectory.id is not None
    is_owner = trajectory.owner_id == facilitator_id
    names = facilitator_names(engine, trajectory.id)
    said = OUTCOMES.get(outcome or "") if is_owner else None
    return {
        "is_owner": is_owner,
        "owner_name": names.get(trajectory.owner_id, ""),
        "co_facilitators": co_facilitators(engine, trajectory.id) if is_owner else [],
        "co_facilitator_names": [n for i, n in names.items() if i != trajectory.owner_id],
        "share_problem": said is not None and said[0],
        "share_message": said[1] if said else None,
    }


def _owned(engine: Engine, trajectory_id: int, facilitator_id: int) -> Trajectory:
    trajectory = trajectory_for(engine, trajectory_id, facilitator_id)  # 404 for strangers
    if trajectory.owner_id != facilitator_id:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "Only the owner of a trajectory can share it."
        )
    return trajectory


def _back(trajectory_id: int, outcome: str) -> Response:
    return RedirectResponse(
        f"/trajectories/{trajectory_id}?share={outcome}#sharing", status.HTTP_303_SEE_OTHER
    )


@router.post("/trajectories/{trajectory_id}/shares", dependencies=[CSRFProtected])
def add_share(
    request: Request,
    trajectory_id: Id,
    engine: EngineDep,
    facilitator_id: CurrentFacilitator,
    email: Annotated[str, Form(min_length=1, max_length=254)],
) -> Response:
    trajectory = _owned(engine, trajectory_id, facilitator_id)
    limiter: WindowLimiter = request.app.state.share_limiter
    key = f"f:{facilitator_id}"
    # A sync route (worker thread): the limiter's count is asked on the event loop.
    if from_thread.run(limiter.blocked, key):
        return _back(trajectory_id, "wait")
    outcome = share(engine, trajectory=trajectory, by=facilitator_id, email=email)
    if outcome is Shared.UNKNOWN:
        from_thread.run(limiter.hit, key)
    return _back(trajectory_id, outcome.value)


@router.post(
    "/trajectories/{trajectory_id}/shares/{account_id}/delete", dependencies=[CSRFProtected]
)
def remove_share(
    request: Request,
    trajectory_id: Id,
    account_id: Id,
    engine: EngineDep,
    facilitator_id: CurrentFacilitator,
) -> Response:
    """Stop sharing; that account's open consoles close now (other processes: at their recheck)."""
    _owned(engine, trajectory_id, facilitator_id)
    if not unshare(engine, trajectory_id=trajectory_id, account_id=account_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "This trajectory is not shared with them.")
    request.app.state.hub.recheck_sessions()
    return _back(trajectory_id, "removed")
