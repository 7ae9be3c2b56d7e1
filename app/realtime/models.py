"""Tables of the event log and of command receipts (exactly-once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import JSON, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.defaults import empty_dict


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
    data: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
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
    ack: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class LogEpoch(SQLModel, table=True):
    """The epoch of every workshop's event log: one row, a new value after a restore or reset.

    A ``seq`` names an event only within an epoch: after a backup is restored, the numbers after
    it are written again with other content, so a client that resumes from another epoch gets a
    snapshot instead of a replay (:mod:`app.realtime.epoch`).
    """

    __tablename__ = "log_epoch"

    id: int = Field(default=1, primary_key=True)
    epoch: str = Field(max_length=32)
    started_at: datetime = Field(default_factory=utcnow)


class LogEntry(Protocol):
    """What delivering an event needs of it: a row read from the log (:class:`Event`), or the
    :class:`LogRow` the batch that wrote it still holds."""

    @property
    def seq(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def audience(self) -> int | None: ...
    @property
    def data(self) -> dict[str, Any]: ...
    @property
    def created_at(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class LogRow:
    """An event as its command's batch wrote it to the log, kept in memory so the process that
    committed it delivers it without reading it back (see ``Hub._deliver``)."""

    seq: int
    type: str
    audience: int | None
    data: dict[str, Any]
    created_at: datetime
