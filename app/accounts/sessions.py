"""Facilitator sessions kept in the database, so they can be listed and ended.

A session ends when it is older than ``session_max_age_days``, unused for longer than
``session_idle_minutes``, logged out, ended from the account page, or when its facilitator changes
the password (the other sessions) or is disabled or reset by an administrator (all of them).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import col, delete, select, update

from app.accounts.models import ID_TOKEN_MAX_LENGTH, Facilitator, FacilitatorSession
from app.clock import utcnow
from app.db import read_scope, session_scope
from app.settings import Settings

#: ``last_seen_at`` is written at most this often, so reading pages does not mean writing rows.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionInfo:
    """One session as the facilitator sees it on the account page."""

    id: int
    created_at: datetime
    last_seen_at: datetime
    user_agent: str
    current: bool


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; they are UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def start_session(
    engine: Engine,
    settings: Settings,
    facilitator_id: int,
    *,
    user_agent: str = "",
    id_token: str | None = None,
) -> str:
    """A new session for the facilitator; returns its id for the cookie (stored only hashed).

    Expired sessions of the same facilitator are cleared on the way, so the table stays small.
    ``id_token``: the ID token of a login through the organisation's provider, kept for
    logging out there (one too long to keep is left out: logging out then ends only the app's
    session).
    """
    if id_token is not None and len(id_token) > ID_TOKEN_MAX_LENGTH:
        id_token = None
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    with session_scope(engine) as session:
        session.exec(
            delete(FacilitatorSession)
            .where(col(FacilitatorSession.facilitator_id) == facilitator_id)
            .where(col(FacilitatorSession.expires_at) < now)
        )
        session.add(
            FacilitatorSession(
                token_hash=_hash(session_id),
                facilitator_id=facilitator_id,
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(days=settings.session_max_age_days),
                user_agent=summarise_user_agent(user_agent),
                id_token=id_token,
            )
        )
    return session_id


def id_token_of(engine: Engine, session_id: str) -> str | None:
    """The ID token the session was started with (a login through the provider), or ``None``."""
    with read_scope(engine) as session:
        return session.exec(
            select(FacilitatorSession.id_token).where(
                FacilitatorSession.token_hash == _hash(session_id)
            )
        ).first()


def facilitator_for_session(engine: Engine, settings: Settings, session_id: str) -> int | None:
    """The facilitator of a live session, or ``None``: one lookup by the unique hash index.

    The look-up only reads (on SQLite it does not wait for a room's writes); the session's
    ``last_seen_at`` is written at most every ``TOUCH_EVERY``, in a short transaction of its own.
    """
    now = utcnow()
    with read_scope(engine) as session:
        row = session.exec(
            select(FacilitatorSession, Facilitator.disabled_at)
            .join(Facilitator, col(Facilitator.id) == col(FacilitatorSession.facilitator_id))
            .where(FacilitatorSession.token_hash == _hash(session_id))
        ).first()
    if row is None:
        return None
    found, disabled = row
    last_seen = _aware(found.last_seen_at)
    idle = timedelta(minutes=settings.session_idle_minutes)
    if disabled is not None or _aware(found.expires_at) <= now or last_seen + idle <= now:
        return None
    if now - last_seen >= TOUCH_EVERY:
        with session_scope(engine) as session:
            session.exec(
                update(FacilitatorSession)
                .where(col(FacilitatorSession.id) == found.id)
                .values(last_seen_at=now)
            )
    return found.facilitator_id


def end_session(engine: Engine, session_id: str) -> None:
    """Log out: the session's row goes, so a copied cookie is worthless from now on."""
    with session_scope(engine) as session:
        session.exec(
            delete(FacilitatorSession).where(
                col(FacilitatorSession.token_hash) == _hash(session_id)
            )
        )


def end_session_by_number(engine: Engine, facilitator_id: int, number: int) -> bool:
    """End one of the facilitator's own sessions, chosen on the account page."""
    with session_scope(engine) as session:
        result = session.exec(
            delete(FacilitatorSession)
            .where(col(FacilitatorSession.id) == number)
            .where(col(FacilitatorSession.facilitator_id) == facilitator_id)
        )
        return bool(result.rowcount)


def end_all_sessions(engine: Engine, facilitator_id: int, *, keep: str | None = None) -> int:
    """End every session of the facilitator, except the one with id ``keep``; how many ended."""
    with session_scope(engine) as session:
        query = delete(FacilitatorSession).where(
            col(FacilitatorSession.facilitator_id) == facilitator_id
        )
        if keep is not None:
            query = query.where(col(FacilitatorSession.token_hash) != _hash(keep))
        return int(session.exec(query).rowcount)


def list_sessions(
    engine: Engine, settings: Settings, facilitator_id: int, *, current: str | None
) -> list[SessionInfo]:
    """The facilitator's live sessions, most recently used first."""
    now = utcnow()
    idle = timedelta(minutes=settings.session_idle_minutes)
    current_hash = _hash(current) if current else None
    with session_scope(engine) as session:
        rows = session.exec(
            select(FacilitatorSession)
            .where(col(FacilitatorSession.facilitator_id) == facilitator_id)
            .order_by(col(FacilitatorSession.last_seen_at).desc())
        ).all()
        return [
            SessionInfo(
                id=row.id,
                created_at=_aware(row.created_at),
                last_seen_at=_aware(row.last_seen_at),
                user_agent=row.user_agent,
                current=row.token_hash == current_hash,
            )
            for row in rows
            if row.id is not None
            and _aware(row.expires_at) > now
            and _aware(row.last_seen_at) + idle > now
        ]


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def summarise_user_agent(user_agent: str) -> str:
    """ "Firefox, Windows": enough to recognise one's own browsers; the full string is not kept."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    parts = [part for part in (browser, system) if part]
    return ", ".join(parts) if parts else user_agent[:40]
