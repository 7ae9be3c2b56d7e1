"""Moderating what came in beforehand from the trajectory page: hide, show, merge.

The trajectory page lists, per workshop, the cards sent in through the before-window
(:mod:`app.workshops.before_window`). Its buttons are plain forms that send the same
``card.hide`` and ``card.merge`` commands as the console, through the same command path (one
transaction, the event log, the co-facilitation check), and tell the room's sockets about it.
The page answers with itself again, saying what happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Form, HTTPException, Request, Response, status
from fastapi.responses import RedirectResponse
from sqlmodel import Session, col, select

from app.db import read_scope
from app.deps import CSRFProtected, CurrentFacilitator, EngineDep, Id
from app.realtime.commands import CommandError
from app.realtime.from_requests import run_from_request, server_cid
from app.realtime.protocol import CardHide, CardMerge, Command
from app.types import MAX_ID
from app.workshops.access import resolve
from app.workshops.before_window import BEFORE
from app.workshops.models import Card, Workshop

router = APIRouter(tags=["pages"])

CardId = Annotated[int, Form(ge=1, le=MAX_ID)]


def before_cards(session: Session, workshop_ids: Iterable[int | None]) -> dict[int, list[Card]]:
    """Per workshop, the cards sent in beforehand (oldest first); workshops without any left out."""
    ids = [i for i in workshop_ids if i is not None]
    found: dict[int, list[Card]] = {}
    if not ids:
        return found
    for card in session.exec(
        select(Card)
        .where(col(Card.workshop_id).in_(ids), Card.channel == BEFORE)
        .order_by(col(Card.id))
    ):
        found.setdefault(card.workshop_id, []).append(card)
    return found


async def _run(
    request: Request, engine: EngineDep, facilitator_id: int, workshop_id: int, command: Command
) -> Response:
    access = await to_thread.run_sync(
        lambda: resolve(engine, workshop_id=workshop_id, token=None, facilitator_id=facilitator_id)
    )
    if access is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    try:
        await run_from_request(
            request, engine, workshop_id=workshop_id, actor=access.actor, command=command
        )
    except CommandError as refused:
        result = refused.code
    else:
        result = "done"
    trajectory_id = await to_thread.run_sync(lambda: _trajectory_of(engine, workshop_id))
    return RedirectResponse(
        f"/trajectories/{trajectory_id}?before={result}&workshop={workshop_id}#before-{workshop_id}",
        status.HTTP_303_SEE_OTHER,
    )


def _trajectory_of(engine: EngineDep, workshop_id: int) -> int:
    with read_scope(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        if workshop is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND)
        return workshop.trajectory_id


@router.post("/workshops/{workshop_id}/before/hide", dependencies=[CSRFProtected])
async def hide_before_card(
    request: Request,
    workshop_id: Id,
    engine: EngineDep,
    facilitator_id: CurrentFacilitator,
    card_id: CardId,
    hidden: Annotated[bool, Form()],
) -> Response:
    """Hide a card sent in beforehand (or show it again): ``card.hide``."""
    command = CardHide(type="card.hide", cid=server_cid("page"), card_id=card_id, hidden=hidden)
    return await _run(request, engine, facilitator_id, workshop_id, command)


@router.post("/workshops/{workshop_id}/before/merge", dependencies=[CSRFProtected])
async def merge_before_cards(
    request: Request,
    workshop_id: Id,
    engine: EngineDep,
    facilitator_id: CurrentFacilitator,
    card_id: CardId,
    into_id: CardId,
) -> Response:
    """Fold a duplicate into another card: ``card.merge``."""
    command = CardMerge(type="card.merge", cid=server_cid("page"), card_id=card_id, into_id=into_id)
    return await _run(request, engine, facilitator_id, workshop_id, command)
