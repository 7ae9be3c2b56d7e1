"""Tables for facilitator accounts. Participants never have one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow

#: The longest ID token kept for logging out at the provider; a longer one is not kept.
ID_TOKEN_MAX_LENGTH = 8000


class Facilitator(SQLModel, table=True):
    """A facilitator's account: a local password, or the organisation's account (or both, for
    an account that had a password before sign-in with the organisation was switched on)."""

    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_facilitator_oidc"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    #: Set by an administrator (``atelier disable-facilitator``): no login, no session works.
    disabled_at: datetime | None = Field(default=None)
    #: The organisation's account this one signs in with (docs/sign-in.md): the provider's
    #: ``iss`` and the person's ``sub`` there, which never change (an e-mail address can).
    #: ``None`` for an account that has only ever used a password.
    oidc_issuer: str | None = Field(default=None, max_length=500)
    oidc_subject: str | None = Field(default=None, max_length=255)


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
    #: For a session started through the organisation's sign-in: the ID token it got, sent back
    #: to the provider as ``id_token_hint`` when logging out there. Goes with the row.
    id_token: str | None = Field(default=None, max_length=ID_TOKEN_MAX_LENGTH)
