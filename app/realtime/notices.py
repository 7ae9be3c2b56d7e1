"""The notice "workshop N reached seq S", sent by the transaction that wrote the events.

:meth:`app.realtime.commands.Context.emit` notes the workshop's new ``last_seq`` on the session;
just before that session commits, this hook sends one ``NOTIFY`` per workshop on PostgreSQL.
PostgreSQL delivers notifications only when (and if) the transaction commits, and in commit
order, so a listener never hears of events it cannot read yet, nor of a change that rolled back.
On SQLite nothing is sent: one process delivers its own commits (``memory://``).
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import event, text
from sqlalchemy.orm import Session

#: The one PostgreSQL channel of every workshop; the payload says which.
CHANNEL = "atelier_events"
_PENDING = "atelier_notices"


class Logged(Protocol):
    """A workshop row: its id and the ``seq`` of its last event."""

    id: int | None
    last_seq: int


def note(session: Session, workshop: Logged) -> None:
    """Remember that ``workshop`` logged events in this session's transaction.

    Its ``last_seq`` is read at commit, not now: a command rolled back to its savepoint (group
    commit) gives its ``seq`` back, and the notice must name what really committed.
    """
    assert workshop.id is not None
    session.info.setdefault(_PENDING, {})[workshop.id] = workshop


def parse_notice(payload: str) -> tuple[int, int] | None:
    """``"N:S"`` as ``(N, S)``; anything else (another program on the channel) is ignored."""
    workshop, _, seq = payload.partition(":")
    if not (workshop.isdigit() and seq.isdigit()):
        return None
    return int(workshop), int(seq)


@event.listens_for(Session, "before_commit")
def _notify_before_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: the notice waits for the real commit
        return
    pending: dict[int, Logged] | None = session.info.pop(_PENDING, None)
    if not pending:
        return
    bind: Any = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for workshop_id, workshop in sorted(pending.items()):
        session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": f"{workshop_id}:{workshop.last_seq}"},
        )
