"""Tables of the check-out question ("Voelde je je gehoord?"): whether it is open, and the answers.

Kept apart from :mod:`app.workshops.models` because nothing else reads them: the figures are
worked out in :mod:`app.workshops.voice`, the commands live in :mod:`app.workshops.check_out`.
An answer is one row per person (changed in place while the question is open), never shown per
person anywhere; only counts and averages per group, by the k rule, leave the server.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class CheckOut(SQLModel, table=True):
    """The check-out question of a workshop: opened once, closed once (then its figures stand).

    It is not reopened: a second close with one more answer would give that answer away by
    comparing the two results.
    """

    __tablename__ = "check_out"

    workshop_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workshop.id", ondelete="CASCADE"), primary_key=True)
    )
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class CheckOutAnswer(SQLModel, table=True):
    """One person's answer, 1 (not heard at all) to 5 (fully heard); may change while open."""

    __tablename__ = "check_out_answer"
    __table_args__ = (UniqueConstraint("workshop_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("workshop.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    participant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("participant.id", ondelete="CASCADE"), nullable=False)
    )
    score: int
    answered_at: datetime = Field(default_factory=utcnow)
