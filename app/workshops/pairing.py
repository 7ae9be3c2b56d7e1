"""Pairing a projector computer with a short code from the console, instead of a login there.

The console asks for a code (:func:`issue`); someone types it at ``/screen`` on the beamer
computer (:func:`redeem`), and that browser becomes the workshop's screen. A code is

* **short to type, hard to guess**: 8 symbols from the join code's 31 (no 0/O/1/I/L), shown as
  ``ABCD-EFGH``: 31**8 ≈ 8.5 × 10**11 codes. Wrong codes are limited per address by the same
  gate as join codes (:class:`app.workshops.ratelimit.WrongCodeGate`), so one address learns
  about 43,000 answers a day: a live code is hit with odds of about 1 in 20 million a day;
* **short-lived and single use**: valid :data:`VALID_FOR`; using it marks it used in the same
  transaction that sets the screen token, with a conditional update, so two browsers racing with
  one code (in two processes) cannot both win. A new code for a workshop voids its older ones;
* **stored keyed-hashed** (HMAC with the secret key), so it works across processes, and a copy of
  the database without the key does not give the live codes away (8 symbols alone would be
  quick to brute-force from a plain hash).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Column, ForeignKey, Integer, update
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel, col, delete, select

from app.clock import utcnow
from app.db import read_scope, session_scope
from app.workshops import joincode
from app.workshops.access import hash_token, new_token
from app.workshops.models import Workshop

ALPHABET = joincode.ALPHABET
LENGTH = 8
VALID_FOR = timedelta(minutes=10)
#: Used and expired codes are kept this long (so a late typist hears "expired", not "wrong").
KEPT_FOR = timedelta(days=1)


class ScreenPairing(SQLModel, table=True):
    """One pairing code a facilitator asked for. Only its keyed hash is stored."""

    __tablename__ = "screen_pairing"

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("workshop.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    code_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class Outcome(enum.StrEnum):
    PAIRED = "paired"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True)
class Issued:
    code: str
    expires_at: datetime

    @property
    def display(self) -> str:
        return display(self.code)


@dataclass(frozen=True)
class Redeemed:
    outcome: Outcome
    workshop_id: int | None = None
    #: The workshop's new screen token (only when paired); it goes to the browser once.
    screen_token: str | None = None


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed: str) -> str:
    """What the person meant: case, spaces and dashes ignored (codes are shown ``ABCD-EFGH``)."""
    return joincode.normalise(typed)


def display(code: str) -> str:
    half = LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def well_formed(code: str) -> bool:
    return len(code) == LENGTH and all(ch in ALPHABET for ch in code)


def code_hash(secret_key: str, code: str) -> str:
    """Keyed, so the database alone cannot be searched for the few live codes."""
    message = b"screen-pairing:" + code.encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def issue(
    engine: Engine, *, workshop_id: int, secret_key: str, now: datetime | None = None
) -> Issued:
    """A fresh code for ``workshop_id``; its earlier codes stop working (one code at a time)."""
    now = now or utcnow()
    code = new_code()
    with session_scope(engine) as session:
        session.exec(
            delete(ScreenPairing).where(
                (col(ScreenPairing.workshop_id) == workshop_id)
                | (col(ScreenPairing.expires_at) < now - KEPT_FOR)
            )
        )
        pairing = ScreenPairing(
            workshop_id=workshop_id,
            code_hash=code_hash(secret_key, code),
            created_at=now,
            expires_at=now + VALID_FOR,
        )
        session.add(pairing)
    return Issued(code=code, expires_at=now + VALID_FOR)


Status = Literal["open", "used", "expired", "none"]


def status(engine: Engine, *, workshop_id: int, now: datetime | None = None) -> Status:
    """Where the workshop's latest code stands: ``open``, ``used``, ``expired`` or ``none``.

    Why the console asks: once a projector paired, the code is spent and must leave the
    facilitator's screen (a code left in sight on a shared laptop invites a second try). The
    answer names no code: it is read by the console that asked for one.
    """
    now = now or utcnow()
    with read_scope(engine) as session:  # a read: it never waits for the write lock
        pairing = session.exec(
            select(ScreenPairing)
            .where(ScreenPairing.workshop_id == workshop_id)
            .order_by(col(ScreenPairing.id).desc())
        ).first()
    if pairing is None:
        return "none"
    if pairing.used_at is not None:
        return "used"
    return "expired" if pairing.expires_at <= now else "open"


def redeem(engine: Engine, *, typed: str, secret_key: str, now: datetime | None = None) -> Redeemed:
    """Use a typed code: on success the workshop gets a new screen token, returned once.

    Why a *new* screen token rather than the current one: the current token exists only as a
    hash, so it cannot be handed out again. And one live screen link per workshop is what the
    console's "Open the projector" already gives: pairing a beamer computer ends the link of a
    screen paired or opened before (the hub closes those projectors, 4003), so a computer left
    behind in a meeting room stops showing the room as soon as the next screen is paired.
    Nothing changes when the code is unknown, expired or used.
    """
    now = now or utcnow()
    code = normalise(typed)
    if not well_formed(code):
        return Redeemed(Outcome.UNKNOWN)
    digest = code_hash(secret_key, code)
    with session_scope(engine) as session:
        pairing = session.exec(
            select(ScreenPairing).where(ScreenPairing.code_hash == digest)
        ).first()
        if pairing is None or pairing.id is None:
            return Redeemed(Outcome.UNKNOWN)
        if pairing.used_at is not None:
            return Redeemed(Outcome.USED)
        if pairing.expires_at <= now:
            return Redeemed(Outcome.EXPIRED)
        # Conditional: of two transactions that both saw it unused, only one marks it used.
        claimed = session.exec(
            update(ScreenPairing)
            .where(col(ScreenPairing.id) == pairing.id, col(ScreenPairing.used_at).is_(None))
            .values(used_at=now)
        )
        if claimed.rowcount != 1:
            return Redeemed(Outcome.USED)
        workshop = session.get(Workshop, pairing.workshop_id)
        if workshop is None or workshop.id is None:
            return Redeemed(Outcome.UNKNOWN)
        token = new_token()
        workshop.screen_token_hash = hash_token(token)
        session.add(workshop)
        return Redeemed(Outcome.PAIRED, workshop_id=workshop.id, screen_token=token)
