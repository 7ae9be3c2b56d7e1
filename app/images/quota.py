"""How many photos a person, and a workshop, may share — counted so that re-joining does not reset.

Leaving and joining again gives a new participant row and token, so a quota per row alone is
reset by leaving. Three counts apply to a participant's upload:

* per workshop (``ATELIER_IMAGES_PER_WORKSHOP``): a hard cap on what a room can store;
* per participant row (``ATELIER_IMAGES_PER_PARTICIPANT``), as before;
* per device, with the same number: the phone's ``atelier_phone`` cookie
  (:mod:`app.web.client`, set when joining) survives leaving and re-joining. Each image key
  starts with a tag derived from it, so the database already holds the count and nothing new is
  stored. The tag is an HMAC of the workshop id and device id under the server's secret: it
  cannot be traced back, and tags of the same phone in two workshops cannot be linked.

Someone who also clears their cookies starts afresh as a device, but not as a workshop: the
per-workshop cap bounds what any number of identities can add, and the facilitator sees who joined.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.engine import Engine
from sqlmodel import col, func, select

from app.db import session_scope
from app.types import CardKind
from app.workshops.models import Card

TAG_HEX = 8  # 32 bits: collisions between phones in one workshop are negligible
KEY_HEX = 32  # image names stay 32 hex digits (IMAGE_NAME); 96 of the bits remain random


def device_tag(secret: str, workshop_id: int, device: str | None) -> str | None:
    if device is None:
        return None
    digest = hmac.new(secret.encode(), f"{workshop_id}:{device}".encode(), hashlib.sha256)
    return digest.hexdigest()[:TAG_HEX]


def new_image_key(workshop_id: int, tag: str | None) -> str:
    """``<workshop>/<32 hex>``: the device tag first (if any), then random digits."""
    random_hex = secrets.token_hex(KEY_HEX // 2)
    return f"{workshop_id}/{(tag or '') + random_hex[len(tag or '') :]}"


def _photos(workshop_id: int) -> ColumnElement[bool]:
    return and_(
        col(Card.workshop_id) == workshop_id,
        col(Card.kind) == CardKind.BEELD,
        col(Card.image_key).is_not(None),
    )


def person_count(engine: Engine, workshop_id: int, participant_id: int, tag: str | None) -> int:
    """Photos by this participant row or, with a tag, by any row of the same phone."""
    mine: ColumnElement[bool] = col(Card.author_id) == participant_id
    if tag is not None:
        mine = or_(mine, col(Card.image_key).startswith(f"{workshop_id}/{tag}"))
    with session_scope(engine) as session:
        return int(session.exec(select(func.count()).where(_photos(workshop_id), mine)).one())


def workshop_count(engine: Engine, workshop_id: int) -> int:
    with session_scope(engine) as session:
        return int(session.exec(select(func.count()).where(_photos(workshop_id))).one())
