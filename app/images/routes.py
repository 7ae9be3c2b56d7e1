"""Uploading a beeld's photo over HTTP, and serving stored images with the workshop's rules.

Uploads go over HTTP, not the socket: they are large, and a phone on a slow link should not block
its own room messages. The card is announced on the socket once the image is stored.
"""

from __future__ import annotations

import re
from typing import Any

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import Field, ValidationError
from sqlmodel import select
from starlette.datastructures import FormData, UploadFile

from app.accounts.security import check_csrf, facilitator_id_from_session, set_cookie
from app.clock import utcnow
from app.db import read_scope, session_scope
from app.deps import EngineDep, Id, SettingsDep
from app.i18n import translations
from app.images.pipeline import ImageRefused, process
from app.images.quota import KEY_HEX, device_tag, new_image_key, person_count, workshop_count
from app.images.storage import ImageStore, delete_image_files, file_key
from app.inputs import WithoutNul
from app.labels import N_
from app.realtime.commands import Actor, CommandError
from app.realtime.from_requests import run_from_request
from app.realtime.models import CommandReceipt
from app.realtime.protocol import CardPostImage
from app.types import MAX_ID, Phase, Role
from app.web.client import device_id
from app.web.render import request_language
from app.web.security import validation_errors
from app.workshops.access import (
    SCREEN_COOKIE,
    Access,
    participant_cookie,
    resolve,
    screen_cookie,
)
from app.workshops.before_window import window_state
from app.workshops.models import Card, Workshop
from app.workshops.ratelimit import WindowLimiter

router = APIRouter(tags=["images"])

IMAGE_NAME = r"^[0-9a-f]{32}-(display|thumb)\.jpg$"
IMAGE_HEADERS = {
    # Never cached: a photo must not outlive its deleted workshop in a shared browser's cache.
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Content-Disposition": "inline",
    "X-Content-Type-Options": "nosniff",
}


def refuse(
    request: Request, status_code: int, code: str, message: str, **values: object
) -> JSONResponse:
    """An error the phone shows as it is, so ``message`` is translated for the person."""
    text = translations(request_language(request)).gettext(message)
    return JSONResponse(
        {"code": code, "message": text % values if values else text}, status_code=status_code
    )


async def _access(request: Request, workshop_id: int, engine: Any) -> Access | None:
    """Participants by cookie (or Bearer token), facilitators by session; screens by cookie."""
    bearer = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    token = (
        bearer
        or request.cookies.get(participant_cookie(request, request.app.state.settings, workshop_id))
        or request.cookies.get(screen_cookie(request, request.app.state.settings, workshop_id))
    )
    facilitator = await to_thread.run_sync(facilitator_id_from_session, request)
    found: Access | None = await to_thread.run_sync(
        lambda: resolve(engine, workshop_id=workshop_id, token=token, facilitator_id=facilitator)
    )
    if found is None and token and facilitator is not None:
        found = await to_thread.run_sync(
            lambda: resolve(engine, workshop_id=workshop_id, token=None, facilitator_id=facilitator)
        )
    return found


class UploadFields(WithoutNul):
    """The form's text fields (the route reads the form itself, so their NUL check is here);
    the photo is checked by the pipeline."""

    caption: str = Field(min_length=1, max_length=1000)
    cid: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    #: A tafelhulp photographs a paper card for a person without a phone (app.workshops.assisted).
    on_behalf_of: int | None = Field(default=None, ge=1, le=MAX_ID)


#: Uploads waiting for a decode slot beyond which a new one is told to retry (503): each waiting
#: upload holds its bytes in memory.
MAX_WAITING_DECODES = 8

UPLOAD_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["photo", "caption", "cid"],
                    "properties": {
                        "photo": {"type": "string", "format": "binary"},
                        "caption": {"type": "string", "minLength": 1, "maxLength": 1000},
                        "cid": {"type": "string", "minLength": 1, "maxLength": 64},
                    },
                }
            }
        },
    }
}


@router.post("/api/workshops/{workshop_id}/beelden", status_code=201, openapi_extra=UPLOAD_OPENAPI)
async def upload_beeld(
    request: Request, workshop_id: Id, engine: EngineDep, settings: SettingsDep
) -> Response:
    """Post a beeld with a photo. Answers like the socket does: the command's ack, or an error.

    Who may upload, in which phase and within which quota is decided before a byte of the body
    is read (the form is parsed here, not by FastAPI before the route runs): a stranger's upload
    is never spooled to disk. The body's size is bounded by :class:`app.web.security.BodyLimit`.
    """
    access = await _access(request, workshop_id, engine)
    if access is None or access.actor.role is Role.SCREEN:
        return refuse(request, 401, "unauthorised", N_("Join this workshop first."))
    actor = access.actor
    query_cid = request.query_params.get("cid")
    # A retry that names its cid in the URL gets its ack before any other check, even after the
    # phase moved on or the quota filled up (with its own upload); otherwise the form's cid is
    # looked up once the body is read.
    if query_cid:
        stored = await to_thread.run_sync(
            lambda: _receipt(engine, workshop_id, actor.key, query_cid)
        )
        if stored is not None:
            return JSONResponse(stored, status_code=200)
    phase_problem = await to_thread.run_sync(lambda: _upload_phase(engine, workshop_id))
    if phase_problem == "window_closed":
        return refuse(
            request, 409, "window_closed", N_("The window to send in beforehand is closed.")
        )
    if phase_problem is not None:
        return refuse(request, 409, "wrong_phase", N_("Photos are shared in the beelden phase."))
    limiter: WindowLimiter = request.app.state.upload_limiter
    tag = device_tag(settings.secret_key, workshop_id, device_id(request, settings))
    limiter_key = f"{workshop_id}:device:{tag}" if tag else actor.key
    participant_id = actor.participant_id
    if participant_id is not None:
        if await limiter.blocked(limiter_key):
            return refuse(
                request, 429, "rate_limited", N_("Too many photos at once; wait a minute.")
            )
        mine = await to_thread.run_sync(
            lambda: person_count(engine, workshop_id, participant_id, tag)
        )
        if mine >= settings.images_per_participant:
            return refuse(
                request,
                409,
                "quota",
                N_("You can share at most %(n)s photos."),
                n=settings.images_per_participant,
            )
        room = await to_thread.run_sync(lambda: workshop_count(engine, workshop_id))
        if room >= settings.images_per_workshop:
            return refuse(
                request,
                409,
                "workshop_quota",
                N_("This workshop already has %(n)s photos, the most it can hold."),
                n=settings.images_per_workshop,
            )
    if not request.headers.get("authorization"):
        await check_csrf(request, settings)  # cookie-authenticated: same-site forms only
    form = await request.form(max_files=1, max_fields=4)
    try:
        return await _store_upload(request, workshop_id, form, actor, tag, limiter_key)
    finally:
        await form.close()


async def _store_upload(
    request: Request,
    workshop_id: int,
    form: FormData,
    actor: Actor,
    tag: str | None,
    limiter_key: str,
) -> Response:
    settings = request.app.state.settings
    engine = request.app.state.engine
    try:
        fields = UploadFields.model_validate(
            {
                k: v
                for k, v in form.items()
                if k in ("caption", "cid", "on_behalf_of") and isinstance(v, str)
            }
        )
    except ValidationError as invalid:
        return JSONResponse(
            {"detail": validation_errors(invalid.errors(include_input=False))}, status_code=422
        )
    photo = form.get("photo")
    if not isinstance(photo, UploadFile):
        return JSONResponse(
            {"detail": [{"loc": ["body", "photo"], "msg": "Field required", "type": "missing"}]},
            status_code=422,
        )
    stored = await to_thread.run_sync(lambda: _receipt(engine, workshop_id, actor.key, fields.cid))
    if stored is not None:
        return JSONResponse(stored, status_code=200)  # a retried upload: the original ack
    if actor.participant_id is not None:
        await request.app.state.upload_limiter.hit(limiter_key)
    data = await photo.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        limit = settings.max_upload_bytes // (1024 * 1024)
        return refuse(request, 413, "too_large", N_("Photos may be at most %(n)s MB."), n=limit)
    decodes: CapacityLimiter = request.app.state.image_decodes
    if decodes.statistics().tasks_waiting >= MAX_WAITING_DECODES:
        busy = refuse(
            request, 503, "busy", N_("Many photos are arriving at once; try again in a moment.")
        )
        busy.headers["Retry-After"] = "5"
        return busy
    try:
        processed = await to_thread.run_sync(
            lambda: process(data, max_pixels=settings.max_image_pixels), limiter=decodes
        )
    except ImageRefused as refused:
        return refuse(
            request,
            415 if refused.code == "unsupported_format" else 422,
            refused.code,
            refused.message,
            **refused.values,
        )
    images: ImageStore = request.app.state.images
    image_key = new_image_key(workshop_id, tag)
    await to_thread.run_sync(lambda: images.put(file_key(image_key, "display"), processed.display))
    await to_thread.run_sync(lambda: images.put(file_key(image_key, "thumb"), processed.thumb))
    command = CardPostImage(
        type="card.post_image",
        cid=fields.cid,
        text=fields.caption,
        image_key=image_key,
        width=processed.width,
        height=processed.height,
        on_behalf_of=fields.on_behalf_of,
    )
    try:
        outcome = await run_from_request(
            request, engine, workshop_id=workshop_id, actor=actor, command=command, images=images
        )
    except CommandError as exc:
        await to_thread.run_sync(lambda: delete_image_files(images, image_key))
        return refuse(request, 409 if exc.code == "wrong_phase" else 400, exc.code, exc.message)
    if outcome.repeated:  # the same cid raced in twice; the first one's files stay
        await to_thread.run_sync(lambda: delete_image_files(images, image_key))
    return JSONResponse(outcome.ack.model_dump(mode="json"), status_code=201)


def _receipt(engine: Any, workshop_id: int, actor_key: str, cid: str) -> dict[str, Any] | None:
    """The stored ack of a command already done (a retried upload), or None."""
    with session_scope(engine) as session:
        receipt = session.exec(
            select(CommandReceipt).where(
                CommandReceipt.workshop_id == workshop_id,
                CommandReceipt.actor == actor_key,
                CommandReceipt.cid == cid,
            )
        ).first()
        return None if receipt is None else dict(receipt.ack)


def _shown(engine: Any, workshop_id: int, image_key: str, viewer: int | None) -> bool:
    """Whether a card of the workshop shows this photo to ``viewer`` (exists, is not hidden,
    and is not held back before the room starts unless it is the viewer's own).

    The same rule as :func:`app.realtime.audience.card_for`, which gives phones and the
    projector a hidden card without its image: a URL seen before the hiding must not still work.
    """
    with read_scope(engine) as session:
        row = session.exec(
            select(Card.hidden, Card.held, Card.author_id).where(
                Card.workshop_id == workshop_id, Card.image_key == image_key
            )
        ).first()
        if row is None:
            return False
        hidden, held, author_id = row
        return hidden is False and (not held or (viewer is not None and author_id == viewer))


def _upload_phase(engine: Any, workshop_id: int) -> str | None:
    """``None`` when a photo may be sent now (the beelden phase, or the lobby while the
    before-window is open), else the refusal's code."""
    with session_scope(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        if workshop is None:
            return "wrong_phase"
        phase = workshop.agenda[workshop.phase_index]
        if phase == Phase.BEELDEN:
            return None
        if phase == Phase.LOBBY:
            state = window_state(workshop, utcnow())
            if state == "open":
                return None
            if state != "none":
                return "window_closed"
        return "wrong_phase"


@router.get("/images/{workshop_id}/{name}")
async def image(request: Request, workshop_id: Id, name: str, engine: EngineDep) -> Response:
    """A stored photo, for those who may see it: anyone in the room, as long as its card is
    shown; once the card is hidden, only the facilitator (who moderates it) still gets it."""
    if not re.match(IMAGE_NAME, name):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    access = await _access(request, workshop_id, engine)
    if access is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    if access.actor.role is not Role.FACILITATOR:
        key = f"{workshop_id}/{name[:KEY_HEX]}"
        viewer = access.actor.participant_id
        if not await to_thread.run_sync(lambda: _shown(engine, workshop_id, key, viewer)):
            raise HTTPException(status.HTTP_404_NOT_FOUND)
    images: ImageStore = request.app.state.images
    data = await to_thread.run_sync(lambda: images.get(f"{workshop_id}/{name}"))
    if data is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return Response(data, media_type="image/jpeg", headers=IMAGE_HEADERS)


@router.post("/api/workshops/{workshop_id}/screen-session", status_code=204)
async def screen_session(
    request: Request, workshop_id: Id, engine: EngineDep, settings: SettingsDep
) -> Response:
    """Trade the projector's token (from the URL fragment) for a cookie, so images load."""
    token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    access = await to_thread.run_sync(
        lambda: resolve(engine, workshop_id=workshop_id, token=token, facilitator_id=None)
    )
    if access is None or access.actor.role is not Role.SCREEN:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Not this workshop's screen token.")
    response = Response(status_code=204)
    name = SCREEN_COOKIE.format(workshop_id=workshop_id)
    # Strict: only the screen's own page needs it.
    set_cookie(response, request, settings, name, token, max_age=86_400, samesite="strict")
    return response
