"""HTTP routes of the tafelhulp (app.workshops.assisted) and the printable join handout.

Helper codes are made, listed and revoked by the facilitator; redeeming one is open to anyone
with the code (a phone without an account), behind the same wrong-code gate as joining. What a
helper enters goes over the socket like every other command (``on_behalf_of``); the helper's
list of its own people is read here.
"""

from __future__ import annotations

from typing import Any, Literal

from anyio import to_thread
from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from app.db import read_scope
from app.deps import (
    CSRFProtected,
    CurrentFacilitator,
    EngineDep,
    Id,
    OptionalFacilitator,
    SettingsDep,
)
from app.realtime.commands import CommandError
from app.realtime.from_requests import run_from_request, server_cid
from app.realtime.hub import Hub
from app.realtime.protocol import ParticipantRemove
from app.types import Role
from app.web.client import remember_device
from app.workshops.access import participant_cookie, resolve, set_participant_cookie
from app.workshops.assisted import (
    CodeRefused,
    HelperJoinJob,
    groups_to_choose,
    helper_view,
    list_codes,
    make_code,
    revoke_code,
    workshop_of_code,
)
from app.workshops.models import Participant, Workshop
from app.workshops.participants import Joined
from app.workshops.routes import Guard

router = APIRouter(prefix="/api", tags=["tafelhulp"])


def _facilitator_may(engine: Any, workshop_id: int, facilitator_id: int) -> None:
    if resolve(engine, workshop_id=workshop_id, token=None, facilitator_id=facilitator_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such workshop.")


@router.post("/workshops/{workshop_id}/helper-codes", status_code=201, dependencies=[CSRFProtected])
def create_helper_code(
    workshop_id: Id, engine: EngineDep, facilitator_id: CurrentFacilitator
) -> dict[str, Any]:
    """A one-time tafelhulp code: shown in this answer only, stored hashed, works once."""
    _facilitator_may(engine, workshop_id, facilitator_id)
    made = make_code(engine, workshop_id)
    return {"id": made.id, "code": made.code, "expires_at": made.expires_at}


@router.get("/workshops/{workshop_id}/helper-codes")
def read_helper_codes(
    workshop_id: Id, engine: EngineDep, facilitator_id: CurrentFacilitator
) -> list[dict[str, Any]]:
    """The workshop's helper codes and where each stands (never the codes themselves)."""
    _facilitator_may(engine, workshop_id, facilitator_id)
    return list_codes(engine, workshop_id)


@router.post("/workshops/{workshop_id}/helper-codes/{code_id}/revoke", dependencies=[CSRFProtected])
async def revoke_helper_code(
    workshop_id: Id,
    code_id: Id,
    request: Request,
    engine: EngineDep,
    facilitator_id: CurrentFacilitator,
) -> dict[str, Any]:
    """Revoke a code. A used one's helper is taken out of the room too (``participant.remove``,
    through the command path: their token stops working and their sockets close), because a
    facilitator who revokes a helper means that helper to stop. The people they entered for stay,
    and the facilitator can go on entering for them from the console."""
    access = await to_thread.run_sync(
        lambda: resolve(engine, workshop_id=workshop_id, token=None, facilitator_id=facilitator_id)
    )
    if access is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such workshop.")
    revoked = await to_thread.run_sync(lambda: revoke_code(engine, workshop_id, code_id))
    if revoked is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such helper code.")
    helper_id = revoked["helper_id"]
    if helper_id is not None:
        remove = ParticipantRemove(
            type="participant.remove",
            cid=server_cid("revoke"),
            participant_id=helper_id,
        )
        try:
            await run_from_request(
                request, engine, workshop_id=workshop_id, actor=access.actor, command=remove
            )
        except CommandError as refused:  # "gone": they had left or were taken out already
            if refused.code != "gone":
                raise HTTPException(status.HTTP_409_CONFLICT, refused.message) from refused
    return revoked


class Redeem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=4, max_length=20)


#: Why a code did not work, as the helper's phone says it: one answer for used, expired,
#: revoked and ended, so nobody learns more than "ask for a new one".
REFUSED = "This helper code does not work. Ask the facilitator for a new one."


@router.post("/hulp", status_code=201)
async def redeem_helper_code(
    body: Redeem,
    request: Request,
    response: Response,
    engine: EngineDep,
    settings: SettingsDep,
    guard: Guard,
) -> dict[str, Any]:
    """Redeem a helper code on a phone: the answer sets the helper's cookie (and gives the
    token, for other clients). A wrong code counts against the address like a wrong join code."""
    workshop_id = await to_thread.run_sync(lambda: workshop_of_code(engine, body.code))
    if workshop_id is None:
        raise await guard.not_found()
    guard.found()
    hub: Hub = request.app.state.hub
    try:
        joined: Joined = await hub.lanes.submit(workshop_id, HelperJoinJob(body.code))
    except CodeRefused as refused:
        raise HTTPException(status.HTTP_410_GONE, REFUSED) from refused
    set_participant_cookie(response, request, settings, workshop_id, joined.token)
    remember_device(request, response, settings)
    return {"workshop_id": workshop_id, "participant_id": joined.participant_id}


@router.get("/workshops/{workshop_id}/hulp")
async def read_helper_view(
    workshop_id: Id,
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    signed_in: OptionalFacilitator,
) -> dict[str, Any]:
    """A helper's own people and their entries (their phone), or every assisted person (the
    facilitator's console). Nobody else's entries, ever."""
    token = request.cookies.get(participant_cookie(request, settings, workshop_id))
    facilitator_id = signed_in if token is None else None
    access = await to_thread.run_sync(
        lambda: resolve(engine, workshop_id=workshop_id, token=token, facilitator_id=facilitator_id)
    )
    if access is None or access.actor.role is Role.SCREEN:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Not a helper of this workshop.")
    helper_id = access.actor.participant_id

    def read() -> dict[str, Any] | None:
        with read_scope(engine) as session:
            workshop = session.get(Workshop, workshop_id)
            assert workshop is not None
            if helper_id is not None:
                helper = session.get(Participant, helper_id)
                if helper is None or not helper.is_helper:
                    return None
            people = helper_view(session, workshop, helper_id=helper_id)
            return {
                "people": [p.model_dump() for p in people],
                "groups": groups_to_choose(session, workshop),
                "anonymous": workshop.workshop_settings().anonymous,
            }

    found = await to_thread.run_sync(read)
    if found is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only a table helper sees this.")
    return found


@router.get("/workshops/{workshop_id}/handout.pdf")
def join_handout(
    workshop_id: Id,
    engine: EngineDep,
    settings: SettingsDep,
    facilitator_id: CurrentFacilitator,
    size: Literal["A4", "A5"] = "A4",
) -> Response:
    """The printable join handout (code, QR, link, three steps in Dutch and English).

    Reportlab is imported here, not at start: listing routes and formats loads no renderer."""
    from app.exports.handout import handout_pdf

    _facilitator_may(engine, workshop_id, facilitator_id)
    with read_scope(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        assert workshop is not None
        title, code = workshop.title, workshop.join_code
    pdf = handout_pdf(title=title, join_code=code, base_url=settings.public_url, size=size)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="meedoen-{code}-{size}.pdf"',
            "Cache-Control": "no-store",
        },
    )
