"""Creating and checking facilitator accounts, and the first-run setup link."""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy.engine import Engine
from sqlmodel import delete, select

from app.accounts.models import Facilitator, SetupToken
from app.accounts.passwords import (
    DUMMY_HASH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    verify_password,
)
from app.db import session_scope
from app.settings import Settings

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """A refused account change, with a message fit to show the person."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _validated(email: str, name: str, password: str) -> tuple[str, str]:
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise AccountError("Dit is geen geldig e-mailadres.")
    if not name.strip():
        raise AccountError("Vul een naam in.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Het wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens hebben.")
    return email, name.strip()


def create_facilitator(engine: Engine, *, email: str, name: str, password: str) -> Facilitator:
    email, name = _validated(email, name, password)
    with session_scope(engine) as session:
        if session.exec(select(Facilitator).where(Facilitator.email == email)).first():
            raise AccountError("Er bestaat al een account met dit e-mailadres.")
        facilitator = Facilitator(email=email, name=name, password_hash=hash_password(password))
        session.add(facilitator)
        session.flush()
        return facilitator


def authenticate(engine: Engine, *, email: str, password: str) -> Facilitator | None:
    with session_scope(engine) as session:
        facilitator = session.exec(
            select(Facilitator).where(Facilitator.email == email.strip().lower())
        ).first()
    if facilitator is None:
        verify_password(DUMMY_HASH, password)
        return None
    return facilitator if verify_password(facilitator.password_hash, password) else None


def facilitator_exists(engine: Engine) -> bool:
    with session_scope(engine) as session:
        return session.exec(select(Facilitator.id)).first() is not None


def ensure_setup_link(engine: Engine, settings: Settings) -> str | None:
    """On a fresh install, a one-time link to create the first facilitator (else ``None``).

    A new link on every start replaces the old ones, so a link printed in an old log is dead.
    """
    if facilitator_exists(engine):
        return None
    token = secrets.token_urlsafe(24)
    with session_scope(engine) as session:
        session.exec(delete(SetupToken))
        session.add(SetupToken(token_hash=_token_hash(token)))
    return f"{settings.public_url}/setup/{token}"


def setup_token_valid(engine: Engine, token: str) -> bool:
    with session_scope(engine) as session:
        found = session.exec(
            select(SetupToken).where(SetupToken.token_hash == _token_hash(token))
        ).first()
        return found is not None and session.exec(select(Facilitator.id)).first() is None


def consume_setup_token(
    engine: Engine, *, token: str, email: str, name: str, password: str
) -> Facilitator:
    """Create the first facilitator with a setup token; the token dies with it."""
    email, name = _validated(email, name, password)
    with session_scope(engine) as session:
        found = session.exec(
            select(SetupToken).where(SetupToken.token_hash == _token_hash(token))
        ).first()
        if found is None or session.exec(select(Facilitator.id)).first() is not None:
            raise AccountError("Deze link is niet (meer) geldig.")
        facilitator = Facilitator(email=email, name=name, password_hash=hash_password(password))
        session.add(facilitator)
        session.exec(delete(SetupToken))
        session.flush()
        return facilitator
