"""Tables for facilitator accounts. Participants never have one."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.clock import utcnow


class Facilitator(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    #: Set by an administrator (``atelier disable-facilitator``): no login, no session works.
    disabled_at: datetime | None = Field(default=None)


class SetupToken(SQLModel, table=True):
    """A one-time secret that lets the first facilitator create an account on a fresh install."""

    __tablename__ = "setup_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class FacilitatorSession(SQLModel, table=True):
    """One logged-in browser. The cookie carries the random id; only its SHA-256 is stored here,
    so a copy of the database lets no one in. Deleting the row ends the session at once."""

    __tablename__ = "facilitator_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    facilitator_id: int = Field(foreign_key="facilitator.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    #: A short label such as "Firefox op Windows", for the facilitator's list of sessions.
    user_agent: str = Field(default="", max_length=120)
