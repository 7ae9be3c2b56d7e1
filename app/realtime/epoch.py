"""The event log's epoch: which history a ``seq`` belongs to.

``seq`` is gap-free per workshop, but a restored backup writes the numbers after it again with
other content. Each database carries one epoch (the ``log_epoch`` row, made by the migration
``0012_log_epoch``); ``atelier restore`` and ``atelier new-epoch`` give it a new one. The epoch
travels in ``welcome`` and ``snapshot``; a client resumes with the epoch of the state it holds,
and the server replays only within the same epoch (:func:`app.realtime.catchup.catch_up`).
"""

from __future__ import annotations

import secrets

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.clock import utcnow
from app.realtime.models import LogEpoch

#: The row's key: one epoch for the whole database (a restore brings back every workshop).
ROW = 1


def fresh_epoch() -> str:
    """A new epoch: 16 random hex digits, so two restores never share one."""
    return secrets.token_hex(8)


def current_epoch(session: Session) -> str:
    """The database's epoch; a database without the row (never expected) has the empty one."""
    row = session.get(LogEpoch, ROW)
    return row.epoch if row is not None else ""


def new_epoch(engine: Engine) -> str:
    """Start a new epoch (after a restore or a reset): every resume then gets a snapshot."""
    epoch = fresh_epoch()
    with Session(engine) as session:
        row = session.get(LogEpoch, ROW)
        if row is None:
            session.add(LogEpoch(id=ROW, epoch=epoch))
        else:
            row.epoch = epoch
            row.started_at = utcnow()
            session.add(row)
        session.commit()
    return epoch
