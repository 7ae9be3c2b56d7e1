"""Fan-out of a workshop's events to its open sockets, with presence and vote tallies.

A :class:`Room` per workshop with connections in this process. Delivery is pull-based: a broker
notice (or the periodic poll) makes the room read new events from the database and hand each
connection the ones it may see. A connection joins under the room lock, after reading its snapshot
or replay at ``seq`` S, with its cursor at S: no event can fall between the catch-up and live
delivery, and none is sent twice.

Commands and joins go through :class:`app.realtime.lanes.Lanes` (group commit): a batch per
transaction and one delivery pass per batch. Each event is offered only to the sockets that may
see it (:meth:`Room.recipients`), so a private ``my_dots.changed`` in a room of a thousand phones
touches one socket, not a thousand.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from anyio import to_thread
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app.db import read_scope
from app.images.storage import ImageStore
from app.observability import metrics
from app.realtime.audience import (
    ABOUT_ONE_PERSON,
    event_body,
    is_staff,
    personal_to,
    subject_of,
    viewer_key,
)
from app.realtime.broker import Broker
from app.realtime.catchup import Limits, catch_up, event_frame
from app.realtime.commands import (
    FACILITATORS_ONLY,
    BatchDone,
    CommandError,
    CommandJob,
    Job,
    Outcome,
    run_batch,
    uses_presence,
)
from app.realtime.connection import Connection
from app.realtime.epoch import current_epoch
from app.realtime.lanes import Lanes
from app.realtime.models import Event, LogEntry
from app.realtime.presence import Here, LocalPresence, PresenceBoard
from app.realtime.protocol import (
    CLOSE_LEFT,
    CLOSE_REMOVED,
    CLOSE_REPLACED,
    CLOSE_REVOKED,
    CLOSE_UNAUTHORISED,
    AnyEvent,
    Command,
    Presence,
    Tally,
    event_adapter,
)
from app.settings import Settings
from app.types import Role
from app.workshops.models import Participant, Workshop
from app.workshops.participants import (
    Joined,
    JoinJob,
    JoinRequest,
    contributing,
    counted_as,
)
from app.workshops.remote import Elsewhere, from_elsewhere
from app.workshops.voice import answer_count, not_yet_now
from app.workshops.voice_tables import CheckOut
from app.workshops.votes import open_vote, progress

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Voiced:
    """Equal voice, live, for the staff's screens: who has not said anything yet per group
    (``not_yet``), the named ones among them (``not_yet_ids``, for facilitators only) and how
    many answered the open check-out question (``checked_out``, ``None`` when none is open)."""

    not_yet: dict[str, int]
    not_yet_ids: list[int]
    checked_out: int | None


def channel(workshop_id: int) -> str:
    return f"workshop:{workshop_id}"


def fan_out(event: LogEntry, connections: Iterable[Connection]) -> int:
    """Offer ``event`` to each connection as its viewer may see it.

    The body is projected and serialised once per viewer class (see
    :func:`app.realtime.audience.viewer_key`), so a room of a thousand phones costs a few
    serialisations per event, plus a short frame per socket that carries its own ``prev``.
    """
    bodies: dict[str, str] = {}
    typed: AnyEvent | None = None
    about = personal_to(event)
    offered = 0
    for connection in connections:
        if event.seq <= connection.cursor:
            continue
        connection.cursor = event.seq
        key = viewer_key(event, connection.actor, about)
        if key is None:
            continue
        body = bodies.get(key)
        if body is None:
            typed = typed or event_adapter.validate_python(event.data)
            body = bodies[key] = event_body(typed, connection.actor)
        connection.offer(event_frame(event.seq, connection.sent_seq, body))
        connection.sent_seq = event.seq
        offered += 1
    return offered


#: Events after which the room's "contributing per group" figures (who contributed, who has
#: not yet, how many answered the check-out) are recomputed.
CONTRIBUTIONS = frozenset(
    {
        "card.posted",
        "card.withdrawn",
        "proposal.created",
        "participant.joined",
        "participant.left",
        "participant.admitted",
        "checkout.opened",
        "checkout.closed",
        "my_checkout.given",
    }
)


#: Events read from the log in one go while catching a room up.
EVENTS_PER_READ = 1000


@dataclass
class Room:
    workshop_id: int
    cursor: int
    connections: set[Connection] = field(default_factory=set)
    #: The same sockets, indexed: a participant's own, and the staff's (facilitators, screens).
    #: A list per participant, not a set: a person has one socket or a few, and a set takes
    #: 216 bytes even for one, which a town hall of a thousand pays per person.
    by_participant: dict[int, list[Connection]] = field(default_factory=dict)
    staff: set[Connection] = field(default_factory=set)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    presence_dirty: bool = True
    tally_dirty: bool = False
    contributing_dirty: bool = True
    contributing: dict[str, int] = field(default_factory=dict)
    counted_as: dict[str, str | None] = field(default_factory=dict)
    voice: Voiced = field(default_factory=lambda: Voiced({}, [], None))
    #: People taking part from elsewhere per shown group: for the facilitators' presence only.
    elsewhere: Elsewhere = field(default_factory=lambda: Elsewhere(by_group={}, total=0))
    #: Who is connected in every process (this one's sockets when presence is not shared).
    everyone: Here = field(default_factory=Here)
    #: A delivery pass is running or asked for (coalesces a flood of notices).
    delivering: asyncio.Task[None] | None = None
    deliver_again: bool = False

    def add(self, connection: Connection) -> None:
        self.connections.add(connection)
        if is_staff(connection.actor):
            self.staff.add(connection)
        elif connection.actor.participant_id is not None:
            mine = self.by_participant.setdefault(connection.actor.participant_id, [])
            if connection not in mine:
                mine.append(connection)
        self.presence_dirty = True

    def remove(self, connection: Connection) -> None:
        self.connections.discard(connection)
        self.staff.discard(connection)
        participant = connection.actor.participant_id
        mine = self.by_participant.get(participant) if participant is not None else None
        if mine is not None:
            if connection in mine:
                mine.remove(connection)
            if not mine:
                del self.by_participant[participant]  # type: ignore[arg-type]
        self.presence_dirty = True

    def here(self) -> Here:
        """This process's sockets in the room, for presence: someone waiting in the lobby to be
        let in is not present yet."""
        roles = Counter(c.actor.role for c in self.staff)
        return Here(
            participants={
                pid: sockets[0].stakeholder_group
                for pid, sockets in self.by_participant.items()
                if not sockets[0].waiting
            },
            facilitators=roles[Role.FACILITATOR],
            screens=roles[Role.SCREEN],
        )

    def present_participants(self) -> frozenset[int]:
        """Participants connected in any process (not waiting): a round's ``eligible`` count."""
        here = (pid for pid, sockets in self.by_participant.items() if not sockets[0].waiting)
        return frozenset(here) | frozenset(self.everyone.participants)

    def let_in(self, participant_id: int) -> None:
        """``participant.admitted``: their sockets here count as present from now on."""
        for connection in self.by_participant.get(participant_id, ()):
            connection.waiting = False
        self.presence_dirty = True

    def recipients(self, event: LogEntry) -> Iterable[Connection]:
        """The sockets that may see ``event`` (a superset; :func:`viewer_key` decides)."""
        if event.audience == FACILITATORS_ONLY:
            return [c for c in self.staff if c.actor.role is Role.FACILITATOR]
        if event.audience is not None:
            return list(self.by_participant.get(event.audience, ()))
        if event.type in ABOUT_ONE_PERSON:
            subject = subject_of(event)
            own = self.by_participant.get(subject, ()) if subject is not None else ()
            return [*self.staff, *own]
        return list(self.connections)


class Hub:
    """All rooms of this process. Lives on ``app.state.hub``."""

    def __init__(
        self,
        *,
        engine: Engine,
        settings: Settings,
        broker: Broker,
        images: ImageStore,
        presence: PresenceBoard | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.broker = broker
        self.images = images
        self.limits = Limits(
            max_replay_events=settings.max_replay_events,
            send_queue_size=settings.send_queue_size,
            min_group_size=settings.min_group_size,
        )
        self.presence: PresenceBoard = presence or LocalPresence()
        self.rooms: dict[int, Room] = {}
        self.lanes = Lanes(run=self._run_batch, after=self._after_batch)
        self._opened = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._background: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Listen for other processes' notices (the lifespan calls this once)."""
        self._loop = asyncio.get_running_loop()
        await self.broker.start(self._on_notice, self._on_resync)

    # ------------------------------------------------------------------ connections

    async def attach(
        self,
        connection: Connection,
        *,
        last_seq: int | None,
        epoch: str | None = None,
        welcome: Callable[[int, str], str] | None = None,
    ) -> None:
        """Send the catch-up (replay or snapshot) and start live delivery, atomically.

        ``epoch`` is the one ``last_seq`` was seen in (:mod:`app.realtime.epoch`). ``welcome``
        makes the first message from the ``seq`` and epoch the catch-up was read at.
        """
        room = await self._room(connection.workshop_id)
        async with room.lock:
            messages, seq, now = await to_thread.run_sync(
                self._catch_up_messages, connection, last_seq, epoch
            )
            if welcome is not None:
                connection.offer(welcome(seq, now))
            for message in messages:
                connection.offer(message)
            connection.cursor = seq
            connection.sent_seq = seq
            connection.opened = next(self._opened)
            self._cap_sockets(room, connection)
            room.add(connection)

    def _cap_sockets(self, room: Room, connection: Connection) -> None:
        """One sender keeps at most a few sockets open: the oldest make way for the newest.

        A phone on bad Wi-Fi may open a new socket before the server notices the old one died,
        so the newest wins; a script opening hundreds gets nothing more than a few.
        """
        same = (
            room.by_participant.get(connection.actor.participant_id, ())
            if connection.actor.participant_id is not None
            else room.staff
        )
        mine = sorted(
            (c for c in same if c.actor.key == connection.actor.key), key=lambda c: c.opened
        )
        limit = self.settings.sockets_per_sender
        for old in mine[: max(0, len(mine) - limit + 1)]:
            old.close_soon(CLOSE_REPLACED, "opened again elsewhere")

    async def detach(self, connection: Connection) -> None:
        room = self.rooms.get(connection.workshop_id)
        if room is None:
            return
        room.remove(connection)
        if not room.connections:
            del self.rooms[connection.workshop_id]
            metrics.rooms_open(len(self.rooms))
            for task in room.tasks:
                task.cancel()
            self._in_background(self.presence.leave(connection.workshop_id))

    def _catch_up_messages(
        self, connection: Connection, last_seq: int | None, epoch: str | None
    ) -> tuple[list[str], int, str]:
        with read_scope(self.engine, snapshot=True) as session:
            now = current_epoch(session)
            workshop = session.get(Workshop, connection.workshop_id)
            if workshop is None:
                return [], 0, now
            if connection.actor.participant_id is not None:
                # As of the catch-up's seq: let in between the hello and now, they count.
                person = session.get(Participant, connection.actor.participant_id)
                # A tafelhulp is never counted as present (app.workshops.assisted).
                connection.waiting = person is not None and (person.waiting or person.is_helper)
            messages = catch_up(
                session, workshop, connection.actor, last_seq, self.limits, epoch=epoch
            )
            return messages, workshop.last_seq, now

    # ------------------------------------------------------------------ commands

    async def execute(self, connection: Connection, command: Command) -> Outcome:
        """Apply a command in its room's next batch, deliver its events, then return its ack.

        The room is caught up before the ack is queued, so the sender always sees the events a
        command caused before its acknowledgement.
        """
        room = self.rooms.get(connection.workshop_id)
        job = CommandJob(
            connection.actor,
            command,
            present=room.present_participants() if room and uses_presence(command) else frozenset(),
            images=self.images,
            group_size=self.settings.min_group_size,
        )
        with metrics.command_timer(command, refused=CommandError) as timing:
            outcome: Outcome = await self.lanes.submit(connection.workshop_id, job)
            timing.repeated = outcome.repeated
        return outcome

    async def join(self, workshop_id: int, request: JoinRequest) -> Joined:
        """Add a participant in the workshop's next batch (a join storm shares transactions)."""
        joined: Joined = await self.lanes.submit(workshop_id, JoinJob(request))
        metrics.joined()
        return joined

    async def _run_batch(self, workshop_id: int, jobs: Sequence[Job]) -> BatchDone:
        return await to_thread.run_sync(
            lambda: run_batch(self.engine, workshop_id=workshop_id, jobs=jobs)
        )

    async def _after_batch(self, workshop_id: int, done: BatchDone) -> None:
        seqs = [_last_seq_of(r) for r in done.results]
        last = max((seq for seq in seqs if seq is not None), default=None)
        if last is not None:
            await self.notify(workshop_id, last, written=done.logged)

    async def notify(self, workshop_id: int, seq: int, *, written: Sequence[LogEntry] = ()) -> None:
        """Deliver up to ``seq`` in this process, then tell the others (if the broker must).

        ``written``: the events up to ``seq`` as this process's batch wrote them, delivered
        without reading them back when they follow on from what the room has.
        """
        room = self.rooms.get(workshop_id)
        if room is not None:
            await self._deliver(room, upto=seq, written=written)
        await self.broker.publish(workshop_id, seq)

    def _on_notice(self, workshop_id: int, seq: int) -> None:
        """A broker notice: catch the room up, unless it already is."""
        metrics.broker_notice()
        room = self.rooms.get(workshop_id)
        if room is not None and seq > room.cursor:
            self._kick(room)

    def _on_resync(self) -> None:
        """The broker (re)connected: notices may have been missed; every room looks."""
        for room in list(self.rooms.values()):
            self._kick(room)

    def _kick(self, room: Room) -> None:
        """Run a delivery pass soon; a flood of notices becomes one pass plus at most one more."""
        if room.delivering is not None:
            room.deliver_again = True
            return

        async def passes() -> None:
            try:
                room.deliver_again = True
                while room.deliver_again:
                    room.deliver_again = False
                    await self._guarded(self._deliver(room))
            finally:
                room.delivering = None

        room.delivering = asyncio.create_task(passes())

    # ------------------------------------------------------------------ delivery

    async def _room(self, workshop_id: int) -> Room:
        self._loop = asyncio.get_running_loop()
        room = self.rooms.get(workshop_id)
        if room is None:
            seq = await to_thread.run_sync(self._last_seq, workshop_id)
            room = self.rooms.get(workshop_id)  # another connection may have made it meanwhile
            if room is None:
                room = Room(workshop_id=workshop_id, cursor=seq)
                self.rooms[workshop_id] = room
                metrics.rooms_open(len(self.rooms))
                room.tasks = [
                    asyncio.create_task(self._poll(room)),
                    asyncio.create_task(self._tick(room)),
                ]
        return room

    def _last_seq(self, workshop_id: int) -> int:
        with read_scope(self.engine) as session:
            seq = session.exec(select(Workshop.last_seq).where(Workshop.id == workshop_id)).first()
            return seq or 0

    async def _deliver(
        self, room: Room, upto: int | None = None, written: Sequence[LogEntry] = ()
    ) -> None:
        async with room.lock:
            while upto is None or room.cursor < upto:  # else a pass meanwhile brought these
                events: Sequence[LogEntry]
                if written and written[0].seq == room.cursor + 1:
                    # This process's batch, just committed, and nothing missing before it: the
                    # log holds exactly these rows, so reading them back would add nothing.
                    events, written = written, ()
                else:
                    events = await to_thread.run_sync(
                        self._new_events, room.workshop_id, room.cursor
                    )
                for event in events:
                    offered = fan_out(event, room.recipients(event))
                    metrics.delivered(event.created_at, offered)
                    if event.type == "my_dots.changed":
                        room.tally_dirty = True
                    if event.type in CONTRIBUTIONS:
                        room.contributing_dirty = True
                    if event.type == "participant.left":
                        self._close_participant(room, event)
                    elif event.type == "participant.admitted" and (admitted := subject_of(event)):
                        room.let_in(admitted)
                    room.cursor = event.seq
                if len(events) < EVENTS_PER_READ:
                    return

    @staticmethod
    def _close_participant(room: Room, event: LogEntry) -> None:
        """Leaving or being removed takes effect on every socket of that person at once."""
        participant_id = subject_of(event)
        removed = bool(event.data.get("removed"))
        mine = room.by_participant.get(participant_id, ()) if participant_id is not None else ()
        for connection in list(mine):
            if not connection.leaving:
                if removed:
                    connection.close_soon(CLOSE_REMOVED, "removed by the facilitator")
                else:
                    connection.close_soon(CLOSE_LEFT, "left the workshop")

    def _new_events(self, workshop_id: int, after: int) -> list[Event]:
        with read_scope(self.engine) as session:
            return list(
                session.exec(
                    select(Event)
                    .where(Event.workshop_id == workshop_id, Event.seq > after)
                    .order_by(col(Event.seq))
                    .limit(EVENTS_PER_READ)
                )
            )

    async def _poll(self, room: Room) -> None:
        """The broker may lose a notice; the database does not. Look every few seconds.

        Now and then it also re-checks the facilitators' sessions, so one ended elsewhere (the
        CLI, another process) closes its sockets within ``session_recheck_seconds``.
        """
        checked = time.monotonic()
        while True:
            await asyncio.sleep(self.settings.room_poll_seconds)
            if time.monotonic() - checked >= self.settings.session_recheck_seconds:
                checked = time.monotonic()
                await self._guarded(self._recheck_room(room))
            seq = await to_thread.run_sync(self._last_seq, room.workshop_id)
            if seq > room.cursor:
                await self._guarded(self._deliver(room))

    async def _tick(self, room: Room) -> None:
        """Coalesce presence and tally updates for the staff's screens.

        Vote progress goes out at most once per ``tally_interval_seconds``, presence (shared
        between processes when Redis is configured) at most once per
        ``presence_interval_seconds``, each only when it changed. Phones get neither: they show
        neither, and a room of a thousand phones would pay for it in every tick.
        """
        interval = self.settings.tally_interval_seconds
        presence_every = self.settings.presence_interval_seconds
        last_presence = 0.0
        while True:
            await asyncio.sleep(interval)
            if room.tally_dirty:
                room.tally_dirty = False
                tally = await self._guarded(to_thread.run_sync(self._tally, room.workshop_id))
                if tally is not None:
                    self._to_staff(room, tally.model_dump_json())
            now = time.monotonic()
            if now - last_presence < presence_every:
                continue
            last_presence = now
            if room.contributing_dirty:
                room.contributing_dirty = False
                contributing = await self._guarded(
                    to_thread.run_sync(self._contributing, room.workshop_id)
                )
                if contributing is not None and contributing != (
                    room.contributing,
                    room.counted_as,
                    room.voice,
                    room.elsewhere,
                ):
                    room.contributing, room.counted_as, room.voice, room.elsewhere = contributing
                    room.presence_dirty = True
            changed, room.presence_dirty = room.presence_dirty, False
            everyone = await self._guarded(
                self.presence.gather(room.workshop_id, room.here(), changed=changed)
            )
            if everyone is not None and (changed or everyone != room.everyone):
                room.everyone = everyone
                self._send_presence(room)

    @staticmethod
    async def _guarded(awaitable: Awaitable[T]) -> T | None:
        try:
            return await awaitable
        except Exception:  # a failing database must not kill the room's background tasks
            log.exception("room task failed")
            return None

    @staticmethod
    def _to_staff(room: Room, message: str) -> None:
        for connection in list(room.staff):
            connection.offer(message)

    def _send_presence(self, room: Room) -> None:
        """Counts for the staff's screens; who exactly is online only for the facilitator."""
        everyone = room.everyone
        public = Presence(
            type="presence",
            participants=len(everyone.participants),
            by_group=dict(sorted(Counter(everyone.participants.values()).items())),
            contributing=room.contributing,
            counted_as=room.counted_as,
            not_yet=room.voice.not_yet,
            checked_out=room.voice.checked_out,
            facilitators=everyone.facilitators,
            screens=everyone.screens,
        )
        for_facilitator = public.model_copy(
            update={
                "participant_ids": sorted(everyone.participants),
                "not_yet_ids": room.voice.not_yet_ids,
                "from_elsewhere": room.elsewhere,
            }
        ).model_dump_json()
        for_screen = public.model_dump_json()
        for connection in list(room.staff):
            is_facilitator = connection.actor.role is Role.FACILITATOR
            connection.offer(for_facilitator if is_facilitator else for_screen)

    def _contributing(
        self, workshop_id: int
    ) -> tuple[dict[str, int], dict[str, str | None], Voiced, Elsewhere]:
        """People per stakeholder group who posted a card or a proposal, pooled by the labels
        the workshop decided once (see :mod:`app.workshops.pooling`), which label each group
        is counted under (so no screen shows a pooled group as a zero), and who has not said
        anything yet (:mod:`app.workshops.voice`), and who takes part from elsewhere
        (:mod:`app.workshops.remote`, for the facilitators only)."""
        with read_scope(self.engine) as session:
            workshop = session.get(Workshop, workshop_id)
            if workshop is None:
                return {}, {}, Voiced({}, [], None), Elsewhere(by_group={}, total=0)
            k = self.settings.min_group_size
            silent, named = not_yet_now(session, workshop, k)
            question = session.get(CheckOut, workshop_id)
            checked_out = (
                answer_count(session, workshop_id)
                if question is not None and question.closed_at is None
                else None
            )
            return (
                contributing(session, workshop, k),
                counted_as(session, workshop, k),
                Voiced(silent, named, checked_out),
                from_elsewhere(session, workshop, k, now=True),
            )

    def _tally(self, workshop_id: int) -> Tally | None:
        with read_scope(self.engine) as session:
            vote = open_vote(session, workshop_id)
            if vote is None or vote.id is None:
                return None
            voters, dots = progress(session, vote.id)
            return Tally(type="tally", vote_id=vote.id, voters=voters, dots=dots)

    def close_screens(self, workshop_id: int) -> None:
        """The screen link was renewed: projectors on the old one stop at once.

        Safe to call from a worker thread (sync routes): the closing runs on the event loop.
        """
        self._on_loop(self._close_where, workshop_id, Role.SCREEN, CLOSE_REVOKED, "screen renewed")

    def recheck_sessions(self) -> None:
        """A facilitator session ended (logout, password change, disabled account): its open
        sockets close now, not at the next periodic check. Thread-safe."""
        self._on_loop(self._schedule_recheck)

    def _schedule_recheck(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no socket has ever been opened in this process: nothing to close
            return
        task = loop.create_task(self._recheck_sessions())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _recheck_sessions(self) -> None:
        for room in list(self.rooms.values()):
            await self._guarded(self._recheck_room(room))

    async def _recheck_room(self, room: Room) -> None:
        """Close sockets whose credential has ended: a facilitator session, a renewed screen link.

        The process that ended it closes its own sockets at once; this catches the others.
        """
        facilitators = [c for c in room.connections if c.actor.role is Role.FACILITATOR]
        if facilitators:
            alive = await to_thread.run_sync(
                self._live_sessions, {c.session_id for c in facilitators}
            )
            allowed = await to_thread.run_sync(
                self._allowed_facilitators,
                room.workshop_id,
                {c.actor.facilitator_id for c in facilitators},
            )
            for connection in facilitators:
                if connection.session_id not in alive:
                    connection.close_soon(CLOSE_UNAUTHORISED, "the session has ended")
                elif connection.actor.facilitator_id not in allowed:  # a share was removed
                    connection.close_soon(CLOSE_UNAUTHORISED, "no longer shared with you")
        screens = [c for c in room.connections if c.actor.role is Role.SCREEN]
        if screens:
            current = await to_thread.run_sync(self._screen_token_hash, room.workshop_id)
            for connection in screens:
                if connection.screen_token_hash != current:
                    connection.close_soon(CLOSE_REVOKED, "the screen link was renewed")

    def _screen_token_hash(self, workshop_id: int) -> str | None:
        with read_scope(self.engine) as session:
            return session.exec(
                select(Workshop.screen_token_hash).where(Workshop.id == workshop_id)
            ).first()

    def _allowed_facilitators(self, workshop_id: int, accounts: set[int | None]) -> set[int]:
        from app.workshops.sharing import allowed_in_workshop

        return allowed_in_workshop(
            self.engine,
            workshop_id=workshop_id,
            facilitator_ids={a for a in accounts if a is not None},
        )

    def _live_sessions(self, sessions: set[str | None]) -> set[str | None]:
        from app.accounts.sessions import facilitator_for_session

        return {
            s
            for s in sessions
            if s is not None and facilitator_for_session(self.engine, self.settings, s) is not None
        }

    def close_room(self, workshop_id: int, code: int, reason: str) -> None:
        """Disconnect everyone in a room (e.g. the workshop was deleted); thread-safe."""
        self._on_loop(self._close_where, workshop_id, None, code, reason)

    def _close_where(self, workshop_id: int, role: Role | None, code: int, reason: str) -> None:
        room = self.rooms.get(workshop_id)
        if room is not None:
            for connection in list(room.connections):
                if role is None or connection.actor.role is role:
                    connection.close_soon(code, reason)

    def _on_loop(self, fn: Callable[..., None], *args: object) -> None:
        """Run ``fn`` on the event loop: at once when called there, else handed over to it."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None or self._loop is None:
            fn(*args)
        else:
            self._loop.call_soon_threadsafe(fn, *args)

    def _in_background(self, awaitable: Awaitable[None]) -> None:
        async def run() -> None:
            await self._guarded(awaitable)

        task = asyncio.get_running_loop().create_task(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def close(self) -> None:
        self.lanes.close()
        for room in list(self.rooms.values()):
            for task in room.tasks:
                task.cancel()
            for connection in list(room.connections):
                connection.close_soon(1001, "server shutting down")
        self.rooms.clear()
        metrics.rooms_open(0)
        await self.broker.close()
        await self.presence.close()


def _last_seq_of(result: Any) -> int | None:
    """The ``seq`` a job's result reached, if it wrote events."""
    if isinstance(result, Outcome):
        return result.last_seq
    if isinstance(result, Joined):
        return result.seq
    return None
