"""Uploading a beeld's photo over HTTP, and serving stored images with the workshop's rules.

Uploads go over HTTP, not the socket: they are large, and a phone on a slow link should not block
its own room messages. The card is announced on the socket once the image is stored.
"""

from __future__ import annotations

import re
import secrets
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, File, Form, HTTPException, Request, Response, UploadFile, status
from fastapi.responses import JSONResponse
from sqlmodel import col, func, select

from app.accounts.security import SESSION_COOKIE, check_csrf, facilitator_id_from_session
from app.db import session_scope
from app.deps import EngineDep, SettingsDep
from app.images.pipeline import ImageRefused, process
from app.images.storage import ImageStore, delete_image_files, file_key
from app.realtime.commands import CommandError, execute
from app.realtime.models import CommandReceipt
from app.realtime.protocol import CardPostImage
from app.types import CardKind, Phase, Role
from app.workshops.access import Access, participant_cookie, resolve, screen_cookie
from app.workshops.models import Card, Workshop
from app.workshops.ratelimit import WindowLimiter

router = APIRouter(tags=["images"])

IMAGE_NAME = r"^[0-9a-f]{32}-(display|thumb)\.jpg$"
IMAGE_HEADERS = {
    "Cache-Control": "private, max-age=86400, immutable",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Content-Disposition": "inline",
    "X-Content-Type-Options": "nosniff",
}


def refuse(status_code: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status_code)


async def _access(request: Request, workshop_id: int, engine: Any) -> Access | None:
    """Participants by cookie (or Bearer token), facilitators by session; screens by cookie."""
    settings = request.app.state.settings
    bearer = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    token = (
        bearer
        or request.cookies.get(participant_cookie(workshop_id))
        or request.cookies.get(screen_cookie(workshop_id))
    )
    facilitator = facilitator_id_from_session(settings, request.cookies.get(SESSION_COOKIE))
    found: Access | None = await to_thread.run_sync(
        lambda: resolve(engine, workshop_id=workshop_id, token=token, facilitator_id=facilitator)
    )
    if found is None and token and facilitator is not None:
        found = await to_thread.run_sync(
            lambda: resolve(engine, workshop_id=workshop_id, token=None, facilitator_id=facilitator)
        )
    return found


@router.post("/api/workshops/{workshop_id}/beelden", status_code=201)
async def upload_beeld(
    request: Request,
    workshop_id: int,
    engine: EngineDep,
    settings: SettingsDep,
    photo: Annotated[UploadFile, File()],
    caption: Annotated[str, Form(min_length=1, max_length=1000)],
    cid: Annotated[str, Form(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")],
) -> Response:
    """Post a beeld with a photo. Answers like the socket does: the command's ack, or an error."""
    access = await _access(request, workshop_id, engine)
    if access is None or access.actor.role is Role.SCREEN:
        return refuse(401, "unauthorised", "Join this workshop first.")
    if not request.headers.get("authorization"):
        await check_csrf(request, settings)  # cookie-authenticated: same-site forms only
    actor = access.actor
    images: ImageStore = request.app.state.images
    limiter: WindowLimiter = request.app.state.upload_limiter
    stored = await to_thread.run_sync(lambda: _precheck(engine, workshop_id, actor.key, cid))
    if isinstance(stored, dict):
        return JSONResponse(stored, status_code=200)  # a retried upload: the original ack
    if stored is not None:
        return refuse(409, "wrong_phase", stored)
    if actor.participant_id is not None:
        if limiter.blocked(actor.key):
            return refuse(429, "rate_limited", "Too many photos at once; wait a minute.")
        count = await to_thread.run_sync(lambda: _image_count(engine, actor.participant_id))
        if count >= settings.images_per_participant:
            return refuse(
                409, "quota", f"You can share at most {settings.images_per_participant} photos."
            )
        limiter.hit(actor.key)
    data = await photo.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        limit = settings.max_upload_bytes // (1024 * 1024)
        return refuse(413, "too_large", f"Photos may be at most {limit} MB.")
    try:
        processed = await to_thread.run_sync(lambda: process(data))
    except ImageRefused as refused:
        return refuse(
            415 if refused.code == "unsupported_format" else 422, refused.code, refused.message
        )
    image_key = f"{workshop_id}/{secrets.token_hex(16)}"
    await to_thread.run_sync(lambda: images.put(file_key(image_key, "display"), processed.display))
    await to_thread.run_sync(lambda: images.put(file_key(image_key, "thumb"), processed.thumb))
    command = CardPostImage(
        type="card.post_image",
        cid=cid,
        text=caption,
        image_key=image_key,
        width=processed.width,
        height=processed.height,
    )
    try:
        outcome = await to_thread.run_sync(
            lambda: execute(
                engine, workshop_id=workshop_id, actor=actor, command=command, images=images
            )
        )
    except CommandError as exc:
        await to_thread.run_sync(lambda: delete_image_files(images, image_key))
        return refuse(409 if exc.code == "wrong_phase" else 400, exc.code, exc.message)
    if outcome.repeated:  # the same cid raced in twice; the first one's files stay
        await to_thread.run_sync(lambda: delete_image_files(images, image_key))
    elif outcome.last_seq is not None:
        await request.app.state.hub.notify(workshop_id, outcome.last_seq)
    return JSONResponse(outcome.ack.model_dump(mode="json"), status_code=201)


def _precheck(
    engine: Any, workshop_id: int, actor_key: str, cid: str
) -> dict[str, Any] | str | None:
    """Before the heavy work: the stored ack of a retry, or why the phase refuses it, or None."""
    with session_scope(engine) as session:
        receipt = session.exec(
            select(CommandReceipt).where(
                CommandReceipt.workshop_id == workshop_id,
                CommandReceipt.actor == actor_key,
                CommandReceipt.cid == cid,
            )
        ).first()
        if receipt is not None:
            return dict(receipt.ack)
        workshop = session.get(Workshop, workshop_id)
        if workshop is None or workshop.agenda[workshop.phase_index] != Phase.BEELDEN:
            return "Photos are shared in the beelden phase."
        return None


def _image_count(engine: Any, participant_id: int | None) -> int:
    with session_scope(engine) as session:
        return int(
            session.exec(
                select(func.count()).where(
                    Card.author_id == participant_id,
                    Card.kind == CardKind.BEELD,
                    col(Card.image_key).is_not(None),
                )
            ).one()
        )


@router.get("/images/{workshop_id}/{name}")
async def image(request: Request, workshop_id: int, name: str, engine: EngineDep) -> Response:
    if not re.match(IMAGE_NAME, name):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    if await _access(request, workshop_id, engine) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    images: ImageStore = request.app.state.images
    data = await to_thread.run_sync(lambda: images.get(f"{workshop_id}/{name}"))
    if data is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return Response(data, media_type="image/jpeg", headers=IMAGE_HEADERS)


@router.post("/api/workshops/{workshop_id}/screen-session", status_code=204)
async def screen_session(
    request: Request, workshop_id: int, engine: EngineDep, settings: SettingsDep
) -> Response:
    """Trade the projector's token (from the URL fragment) for a cookie, so images load."""
    token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    access = await to_thread.run_sync(
        lambda: resolve(engine, workshop_id=workshop_id, token=token, facilitator_id=None)
    )
    if access is None or access.actor.role is not Role.SCREEN:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Not this workshop's screen token.")
    response = Response(status_code=204)
    response.set_cookie(
        screen_cookie(workshop_id),
        token,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="strict",
        max_age=60 * 60 * 24,
    )
    return response
