"""Tables of the event log and of command receipts (exactly-once)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class Event(SQLModel, table=True):
    """One committed change in a workshop. ``seq`` is gap-free per workshop.

    ``audience`` is ``None`` for the whole room, or the one participant allowed to see it (a
    secret ballot: a participant's own dots and ratings).
    """

    __table_args__ = (UniqueConstraint("workshop_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workshop.id", ondelete="CASCADE"), nullable=False)
    )
    seq: int
    type: str = Field(max_length=40)
    audience: int | None = None
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class CommandReceipt(SQLModel, table=True):
    """The acknowledgement of an applied command, so a retried id gets the same answer."""

    __tablename__ = "command_receipt"
    __table_args__ = (UniqueConstraint("workshop_id", "actor", "cid"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workshop.id", ondelete="CASCADE"), nullable=False)
    )
    actor: str = Field(max_length=40)
    cid: str = Field(max_length=64)
    ack: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
