"""What a (re)connecting socket gets before live events: a replay of what it missed, or a snapshot.

Read in one transaction by the hub (:meth:`app.realtime.hub.Hub.attach`), and in-process by the
tests, which hold the replay to a fresh snapshot without a server. A replay gives each viewer the
missed events as they may see them *now* (:func:`app.realtime.audience.replayed`): the cards those
events carry are read in one query, not one per event, and nothing hidden, withdrawn or edited
since comes back in its old form.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.realtime.audience import cards_in, replayed
from app.realtime.commands import Actor
from app.realtime.epoch import current_epoch
from app.realtime.models import Event
from app.realtime.protocol import Snapshot, Synced, event_adapter
from app.realtime.state import build_snapshot, cards_now
from app.workshops.models import Workshop


def event_frame(seq: int, prev: int, body: str) -> str:
    """An ``event`` message (see :class:`app.realtime.protocol.EventMessage`) around a JSON body.

    Built by hand so the body, the costly part, is serialised once per viewer class.
    """
    return f'{{"type":"event","seq":{seq},"prev":{prev},"event":{body}}}'


@dataclass(frozen=True, slots=True)
class Limits:
    """When a replay gives way to a snapshot (the server's settings of the same names)."""

    max_replay_events: int
    send_queue_size: int
    min_group_size: int


def catch_up(
    session: Session,
    workshop: Workshop,
    viewer: Actor,
    last_seq: int | None,
    limits: Limits,
    *,
    epoch: str | None,
) -> list[str]:
    """The messages that bring ``viewer`` from ``last_seq`` (seen in ``epoch``) to now.

    A replay (the events after ``last_seq`` that are for the viewer, then ``synced``) when the
    viewer's ``epoch`` is the log's, it is at most ``max_replay_events`` behind and the replay
    fits half the send queue; otherwise a ``snapshot`` (``recovered: false`` when the viewer
    asked to resume) and ``synced``. A ``last_seq`` of another epoch (a backup was restored
    since) may name events that were written again with other content: never replayed from.
    """
    assert workshop.id is not None
    seq = workshop.last_seq
    now = current_epoch(session)
    same_history = epoch == now
    if last_seq is not None and same_history and 0 <= seq - last_seq <= limits.max_replay_events:
        messages = replay(session, workshop.id, viewer, after=last_seq, upto=seq)
        # A replay must fit the socket's send queue with room to spare, or the client is cut
        # off (4008) on every resume; past that a snapshot is smaller anyway.
        if len(messages) <= limits.send_queue_size // 2:
            synced = Synced(type="synced", seq=seq, replayed=len(messages))
            return [*messages, synced.model_dump_json()]
    snapshot = Snapshot(
        type="snapshot",
        seq=seq,
        epoch=now,
        recovered=last_seq is None,
        state=build_snapshot(session, workshop, viewer, k=limits.min_group_size),
    )
    synced = Synced(type="synced", seq=seq, replayed=0)
    return [snapshot.model_dump_json(), synced.model_dump_json()]


def replay(
    session: Session, workshop_id: int, viewer: Actor, *, after: int, upto: int
) -> list[str]:
    """The ``event`` messages after ``after`` up to ``upto`` that are for ``viewer``, as the
    viewer may see them now; each one's ``prev`` is the one before it (the first: ``after``)."""
    events = list(
        session.exec(
            select(Event)
            .where(Event.workshop_id == workshop_id, Event.seq > after, Event.seq <= upto)
            .order_by(col(Event.seq))
        )
    )
    now = cards_now(session, workshop_id, cards_in(events))
    messages: list[str] = []
    prev = after
    for event in events:
        typed = replayed(event, viewer, now)
        if typed is not None:
            body = event_adapter.dump_json(typed).decode()
            messages.append(event_frame(event.seq, prev, body))
            prev = event.seq
    return messages
