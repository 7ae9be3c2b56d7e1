"""Fan-out of a workshop's events to its open sockets, with presence and vote tallies.

A :class:`Room` per workshop with connections in this process. Delivery is pull-based: a broker
notice (or the periodic poll) makes the room read new events from the database and hand each
connection the ones it may see. A connection joins under the room lock, after reading its snapshot
or replay at ``seq`` S, with its cursor at S: no event can fall between the catch-up and live
delivery, and none is sent twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

from anyio import to_thread
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.db import is_postgres, session_scope
from app.images.storage import ImageStore
from app.realtime.broker import Broker
from app.realtime.commands import Actor, Outcome, execute
from app.realtime.connection import Connection
from app.realtime.models import Event
from app.realtime.protocol import (
    Command,
    EventMessage,
    Presence,
    Snapshot,
    Synced,
    Tally,
    event_adapter,
)
from app.realtime.state import build_snapshot
from app.settings import Settings
from app.types import Role
from app.workshops.models import Workshop
from app.workshops.votes import open_vote, progress

log = logging.getLogger(__name__)
T = TypeVar("T")


def channel(workshop_id: int) -> str:
    return f"workshop:{workshop_id}"


def event_message(event: Event) -> str:
    return EventMessage(
        type="event", seq=event.seq, event=event_adapter.validate_python(event.data)
    ).model_dump_json()


def visible(event: Event, actor: Actor) -> bool:
    return event.audience is None or event.audience == actor.participant_id


@dataclass
class Room:
    workshop_id: int
    cursor: int
    connections: set[Connection] = field(default_factory=set)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    presence_dirty: bool = True
    tally_dirty: bool = False

    def present_participants(self) -> frozenset[int]:
        return frozenset(
            c.actor.participant_id for c in self.connections if c.actor.participant_id is not None
        )


class Hub:
    """All rooms of this process. Lives on ``app.state.hub``."""

    def __init__(
        self, *, engine: Engine, settings: Settings, broker: Broker, images: ImageStore
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.broker = broker
        self.images = images
        self.rooms: dict[int, Room] = {}

    # ------------------------------------------------------------------ connections

    async def attach(self, connection: Connection, *, last_seq: int | None) -> None:
        """Send the catch-up (replay or snapshot) and start live delivery, atomically."""
        room = await self._room(connection.workshop_id)
        async with room.lock:
            messages, seq = await to_thread.run_sync(self._catch_up_messages, connection, last_seq)
            for message in messages:
                connection.offer(message)
            connection.cursor = seq
            room.connections.add(connection)
            room.presence_dirty = True

    async def detach(self, connection: Connection) -> None:
        room = self.rooms.get(connection.workshop_id)
        if room is None:
            return
        room.connections.discard(connection)
        room.presence_dirty = True
        if not room.connections:
            del self.rooms[connection.workshop_id]
            for task in room.tasks:
                task.cancel()

    def _catch_up_messages(
        self, connection: Connection, last_seq: int | None
    ) -> tuple[list[str], int]:
        with session_scope(self.engine) as session:
            if is_postgres(self.engine):
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            workshop = session.get(Workshop, connection.workshop_id)
            if workshop is None:
                return [], 0
            seq = workshop.last_seq
            behind = None if last_seq is None else seq - last_seq
            if behind is not None and 0 <= behind <= self.settings.max_replay_events:
                events = self._events_after(session, connection.workshop_id, last_seq or 0, seq)
                messages = [event_message(e) for e in events if visible(e, connection.actor)]
                synced = Synced(type="synced", seq=seq, replayed=len(messages))
                return [*messages, synced.model_dump_json()], seq
            snapshot = Snapshot(
                type="snapshot",
                seq=seq,
                recovered=last_seq is None,
                state=build_snapshot(session, workshop, connection.actor),
            )
            synced = Synced(type="synced", seq=seq, replayed=0)
            return [snapshot.model_dump_json(), synced.model_dump_json()], seq

    @staticmethod
    def _events_after(session: Session, workshop_id: int, after: int, upto: int) -> list[Event]:
        return list(
            session.exec(
                select(Event)
                .where(Event.workshop_id == workshop_id, Event.seq > after, Event.seq <= upto)
                .order_by(col(Event.seq))
            )
        )

    # ------------------------------------------------------------------ commands

    async def execute(self, connection: Connection, command: Command) -> Outcome:
        """Apply a command off the event loop, deliver its events, then return its ack.

        The room is caught up before the ack is queued, so the sender always sees the events a
        command caused before its acknowledgement.
        """
        room = self.rooms.get(connection.workshop_id)
        present = room.present_participants() if room else frozenset()
        outcome = await to_thread.run_sync(
            lambda: execute(
                self.engine,
                workshop_id=connection.workshop_id,
                actor=connection.actor,
                command=command,
                present=present,
                images=self.images,
            )
        )
        if outcome.last_seq is not None:
            await self.notify(connection.workshop_id, outcome.last_seq)
        return outcome

    async def notify(self, workshop_id: int, seq: int) -> None:
        """Tell every process (this one first) that the workshop's log reached ``seq``."""
        room = self.rooms.get(workshop_id)
        if room is not None:
            await self._deliver(room)
        await self.broker.publish(channel(workshop_id), str(seq))

    # ------------------------------------------------------------------ delivery

    async def _room(self, workshop_id: int) -> Room:
        room = self.rooms.get(workshop_id)
        if room is None:
            seq = await to_thread.run_sync(self._last_seq, workshop_id)
            room = self.rooms.get(workshop_id)  # another connection may have made it meanwhile
            if room is None:
                room = Room(workshop_id=workshop_id, cursor=seq)
                self.rooms[workshop_id] = room
                room.tasks = [
                    asyncio.create_task(self._listen(room)),
                    asyncio.create_task(self._poll(room)),
                    asyncio.create_task(self._tick(room)),
                ]
        return room

    def _last_seq(self, workshop_id: int) -> int:
        with session_scope(self.engine) as session:
            seq = session.exec(select(Workshop.last_seq).where(Workshop.id == workshop_id)).first()
            return seq or 0

    async def _deliver(self, room: Room) -> None:
        async with room.lock:
            events = await to_thread.run_sync(self._new_events, room.workshop_id, room.cursor)
            for event in events:
                message = event_message(event)
                for connection in list(room.connections):
                    if event.seq > connection.cursor:
                        if visible(event, connection.actor):
                            connection.offer(message)
                        connection.cursor = event.seq
                if event.type == "my_dots.changed":
                    room.tally_dirty = True
                room.cursor = event.seq

    def _new_events(self, workshop_id: int, after: int) -> list[Event]:
        with session_scope(self.engine) as session:
            return list(
                session.exec(
                    select(Event)
                    .where(Event.workshop_id == workshop_id, Event.seq > after)
                    .order_by(col(Event.seq))
                    .limit(1000)
                )
            )

    async def _listen(self, room: Room) -> None:
        async with self.broker.subscribe(channel(room.workshop_id)) as notices:
            async for notice in notices:
                if int(notice) > room.cursor:
                    await self._guarded(self._deliver(room))

    async def _poll(self, room: Room) -> None:
        """The broker may lose a notice; the database does not. Look every few seconds."""
        while True:
            await asyncio.sleep(self.settings.room_poll_seconds)
            seq = await to_thread.run_sync(self._last_seq, room.workshop_id)
            if seq > room.cursor:
                await self._guarded(self._deliver(room))

    async def _tick(self, room: Room) -> None:
        """Coalesce presence and tally updates: at most one of each per interval."""
        interval = min(
            self.settings.tally_interval_seconds, self.settings.presence_interval_seconds
        )
        while True:
            await asyncio.sleep(interval)
            if room.presence_dirty:
                room.presence_dirty = False
                self._broadcast(room, self._presence(room).model_dump_json())
            if room.tally_dirty:
                room.tally_dirty = False
                tally = await self._guarded(to_thread.run_sync(self._tally, room.workshop_id))
                if tally is not None:
                    self._broadcast(room, tally.model_dump_json())

    @staticmethod
    async def _guarded(awaitable: Awaitable[T]) -> T | None:
        try:
            return await awaitable
        except Exception:  # a failing database must not kill the room's background tasks
            log.exception("room task failed")
            return None

    @staticmethod
    def _broadcast(room: Room, message: str) -> None:
        for connection in list(room.connections):
            connection.offer(message)

    @staticmethod
    def _presence(room: Room) -> Presence:
        participants = {
            c.actor.participant_id: c.stakeholder_group
            for c in room.connections
            if c.actor.participant_id is not None
        }
        roles = Counter(c.actor.role for c in room.connections)
        return Presence(
            type="presence",
            participants=len(participants),
            by_group=dict(sorted(Counter(participants.values()).items())),
            participant_ids=sorted(participants),
            facilitators=roles[Role.FACILITATOR],
            screens=roles[Role.SCREEN],
        )

    def _tally(self, workshop_id: int) -> Tally | None:
        with session_scope(self.engine) as session:
            vote = open_vote(session, workshop_id)
            if vote is None or vote.id is None:
                return None
            voters, dots = progress(session, vote.id)
            return Tally(type="tally", vote_id=vote.id, voters=voters, dots=dots)

    def close_room(self, workshop_id: int, code: int, reason: str) -> None:
        """Disconnect everyone in a room (e.g. the workshop was deleted)."""
        room = self.rooms.get(workshop_id)
        if room is not None:
            for connection in list(room.connections):
                connection.close_soon(code, reason)

    async def close(self) -> None:
        for room in list(self.rooms.values()):
            for task in room.tasks:
                task.cancel()
            for connection in list(room.connections):
                connection.close_soon(1001, "server shutting down")
        self.rooms.clear()
