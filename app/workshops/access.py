"""Who may do what in a workshop: its facilitators (owner or shared), participants, screens.

Tokens are random secrets stored hashed. A participant token works only in the workshop it was
issued for; a screen token gives read-only access to one workshop's projector view.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import select
from starlette.requests import HTTPConnection
from starlette.responses import Response

from app.accounts.security import cookie_name, set_cookie
from app.db import read_scope
from app.realtime.commands import Actor
from app.settings import Settings
from app.types import Role
from app.workshops.models import Participant, Workshop
from app.workshops.sharing import may_act_on_workshop

PARTICIPANT_COOKIE = "atelier_participant_{workshop_id}"
SCREEN_COOKIE = "atelier_screen_{workshop_id}"


def hash_token(token: str) -> str:
    """Tokens are stored hashed, so a leaked database does not let anyone act as someone."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def participant_cookie(connection: HTTPConnection, settings: Settings, workshop_id: int) -> str:
    """The participant token's cookie: ``__Host-`` prefixed on https (one rule for all cookies)."""
    return cookie_name(connection, settings, PARTICIPANT_COOKIE.format(workshop_id=workshop_id))


def screen_cookie(connection: HTTPConnection, settings: Settings, workshop_id: int) -> str:
    """The projector's cookie, so its page can load the room's photos."""
    return cookie_name(connection, settings, SCREEN_COOKIE.format(workshop_id=workshop_id))


def set_participant_cookie(
    response: Response,
    connection: HTTPConnection,
    settings: Settings,
    workshop_id: int,
    token: str,
) -> None:
    """The phone keeps its token for two months: a person coming back is the same participant."""
    set_cookie(
        response,
        connection,
        settings,
        PARTICIPANT_COOKIE.format(workshop_id=workshop_id),
        token,
        max_age=60 * 60 * 24 * 60,
    )


@dataclass(frozen=True)
class Access:
    actor: Actor
    stakeholder_group: str | None = None
    #: A participant waiting in the lobby to be let in (not counted as present until then).
    waiting: bool = False


def resolve(
    engine: Engine, *, workshop_id: int, token: str | None, facilitator_id: int | None
) -> Access | None:
    """The access a socket or request gets: by token (participant, screen), else by session."""
    if token:
        digest = hash_token(token)
        with read_scope(engine) as session:
            participant = session.exec(
                select(Participant).where(Participant.token_hash == digest)
            ).first()
            if participant is not None:
                if participant.workshop_id != workshop_id or participant.left_at is not None:
                    return None
                return Access(
                    Actor(Role.PARTICIPANT, participant_id=participant.id),
                    participant.stakeholder_group,
                    # A tafelhulp is never present as a participant: kept out like a wait.
                    participant.waiting or participant.is_helper,
                )
            workshop = session.get(Workshop, workshop_id)
            if workshop is not None and hmac.compare_digest(workshop.screen_token_hash, digest):
                return Access(Actor(Role.SCREEN))
        return None
    if facilitator_id is not None and may_act_on_workshop(
        engine, facilitator_id=facilitator_id, workshop_id=workshop_id
    ):
        return Access(Actor(Role.FACILITATOR, facilitator_id=facilitator_id))
    return None
