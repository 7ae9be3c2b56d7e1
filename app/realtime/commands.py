"""Applying commands: authorise, check the phase, apply, log, acknowledge — in one transaction.

A handler is registered per command type with the roles and phases it is allowed in; the
checks live here, once, so no handler can forget them. :func:`execute` is the only way state
changes in a workshop (joining over HTTP goes through it too), which is what makes the event log
complete and ``seq`` gap-free: the workshop row is locked (``FOR UPDATE`` on PostgreSQL,
``BEGIN IMMEDIATE`` on SQLite) while ``last_seq`` is advanced.

This module imports none of the areas that register handlers (they import it). A handler
module declares its handlers with :func:`handles`; they take effect when the composition root
installs the module (:func:`install`, called by :func:`app.handlers.install_handlers`), so the
list of handler modules is written once, in :mod:`app.handlers`, and nothing runs a command
with a registry that happens to hold whatever was imported so far.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel
from sqlalchemy import Table, bindparam, event
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.db import session_scope
from app.images.storage import ImageStore
from app.observability import metrics
from app.privacy import DEFAULT_K
from app.realtime import notices
from app.realtime.models import CommandReceipt, Event, LogRow
from app.realtime.pending import insert_later, write_pending
from app.realtime.protocol import Ack, Command
from app.types import Phase, Role
from app.workshops.models import Participant, Trajectory, Workshop, WorkshopSettings
from app.workshops.sharing import may_act


class CommandError(Exception):
    """A refused command. ``code`` is stable for clients; ``message`` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Actor:
    """The sender of a command, as established when the socket (or request) was authenticated."""

    role: Role
    participant_id: int | None = None
    facilitator_id: int | None = None

    @property
    def key(self) -> str:
        """Namespace for command ids: two senders may pick the same ``cid``."""
        if self.role is Role.PARTICIPANT:
            return f"p:{self.participant_id}"
        if self.role is Role.FACILITATOR:
            return f"f:{self.facilitator_id}"
        return "screen"


@dataclass
class Context:
    """What a handler gets: the locked workshop, the sender, and a way to log events."""

    session: Session
    workshop: Workshop
    actor: Actor
    present: frozenset[int]
    #: The ``seq`` of the last event this context logged.
    last_seq: int | None = None
    #: The events logged, as written: delivered from memory after the commit.
    logged: list[LogRow] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    images: ImageStore | None = None
    group_size: int = DEFAULT_K
    memo: dict[Hashable, Any] = field(default_factory=dict)

    @property
    def workshop_id(self) -> int:
        assert self.workshop.id is not None
        return self.workshop.id

    @property
    def settings(self) -> WorkshopSettings:
        return self.workshop.workshop_settings()

    @property
    def phase(self) -> Phase:
        return Phase(self.workshop.agenda[self.workshop.phase_index])

    @property
    def trajectory(self) -> Trajectory:
        trajectory = self.session.get(Trajectory, self.workshop.trajectory_id)
        assert trajectory is not None
        return trajectory

    def emit(self, event: BaseModel, *, audience: int | None = None) -> int:
        """Append ``event`` to the log with the next ``seq`` (published after commit); its seq.

        The row is written with the batch's others in one statement (:mod:`.pending`).
        """
        self.workshop.last_seq += 1
        self.last_seq = self.workshop.last_seq
        row = LogRow(
            seq=self.last_seq,
            type=str(getattr(event, "type")),  # noqa: B009 - every event has a literal type
            audience=audience,
            data=event.model_dump(mode="json"),
            created_at=utcnow(),
        )
        insert_later(
            self.session,
            EVENT_TABLE,
            {
                "workshop_id": self.workshop_id,
                "seq": row.seq,
                "type": row.type,
                "audience": row.audience,
                "data": row.data,
                "created_at": row.created_at,
            },
        )
        self.logged.append(row)
        self.session.add(self.workshop)
        notices.note(self.session, self.workshop)
        return self.last_seq

    def require_participant(self) -> int:
        if self.actor.participant_id is None:
            raise CommandError("forbidden", "Only participants can do this.")
        return self.actor.participant_id


Result = dict[str, bool | int | None]
C = TypeVar("C", bound=Command)
Handler = Callable[[Context, Any], Result | None]


@dataclass(frozen=True)
class Registration:
    handler: Handler
    roles: frozenset[Role]
    phases: frozenset[Phase] | None
    uses_presence: bool = False


#: Reads a batch's commands of one type need, done once for all of them (see :func:`prefetches`).
Prefetch = Callable[[Session, Workshop, "list[CommandJob]", "dict[Hashable, Any]"], None]

#: What each imported handler module declared, by module name; it counts once installed.
_DECLARED: dict[str, dict[str, Registration]] = {}
_DECLARED_PREFETCH: dict[str, dict[str, Prefetch]] = {}
#: The handlers in force: those of the modules the composition root installed.
_REGISTRY: dict[str, Registration] = {}
_PREFETCH: dict[str, Prefetch] = {}


class NotInstalled(RuntimeError):
    """No handler module was installed: a command would be refused as of an unknown type."""

    def __init__(self) -> None:
        super().__init__(
            "No command handlers are installed. The composition root installs them: "
            "create_app() does, and so does app.handlers.install_handlers() for code that "
            "executes commands without the web app."
        )


def install(modules: Iterable[ModuleType]) -> None:
    """Put the handlers (and batch reads) that ``modules`` declared in force. Idempotent.

    A module in the list that declared nothing is a mistake in the list, and refused.
    """
    for module in modules:
        name = module.__name__
        if name not in _DECLARED and name not in _DECLARED_PREFETCH:
            raise RuntimeError(f"{name} declares no command handler")
        for type_name, registration in _DECLARED.get(name, {}).items():
            if _REGISTRY.setdefault(type_name, registration) is not registration:
                raise RuntimeError(f"two handlers for {type_name}")
        _PREFETCH.update(_DECLARED_PREFETCH.get(name, {}))


def _type_name(command: type[Command]) -> str:
    return str(command.model_fields["type"].annotation.__args__[0])  # type: ignore[union-attr]


def handles(
    command: type[C],
    *,
    roles: Collection[Role],
    phases: Collection[Phase] | None = None,
    uses_presence: bool = False,
) -> Callable[[Callable[[Context, C], Result | None]], Callable[[Context, C], Result | None]]:
    """Register a handler for ``command``, allowed for ``roles`` and (if given) ``phases``.

    ``uses_presence``: the handler reads ``Context.present`` (who is connected). Working that
    out walks the room's sockets, so it is done only for the commands that ask for it.
    """
    name = _type_name(command)

    def register(
        fn: Callable[[Context, C], Result | None],
    ) -> Callable[[Context, C], Result | None]:
        if any(name in declared for declared in _DECLARED.values()):
            raise RuntimeError(f"two handlers for {name}")
        _DECLARED.setdefault(fn.__module__, {})[name] = Registration(
            fn,
            frozenset(roles),
            frozenset(phases) if phases is not None else None,
            uses_presence,
        )
        return fn

    return register


def prefetches(*commands: type[Command]) -> Callable[[Prefetch], Prefetch]:
    """Register a read done once per batch for all of its ``commands`` of these types.

    It puts what it read in the batch's memo, where the handlers look first. In a vote burst
    this turns a few queries per dot into a few per batch, and because a handler then runs no
    query, nothing is flushed between the commands: the batch's rows are written together
    before the commit.
    """

    def register(fn: Prefetch) -> Prefetch:
        declared = _DECLARED_PREFETCH.setdefault(fn.__module__, {})
        for command in commands:
            declared[_type_name(command)] = fn
        return fn

    return register


def uses_presence(command: Command) -> bool:
    """Whether ``command``'s handler needs to know who is connected (see :func:`handles`)."""
    if not _REGISTRY:
        raise NotInstalled()
    registration = _REGISTRY.get(getattr(command, "type"))  # noqa: B009
    return registration is not None and registration.uses_presence


def registered_types() -> list[str]:
    """The command types with a handler in force; :class:`NotInstalled` before any is."""
    if not _REGISTRY:
        raise NotInstalled()
    return sorted(_REGISTRY)


def registration(type_name: str) -> Registration:
    """The handler in force for ``type_name``, with its roles and phases (docs and tests)."""
    if not _REGISTRY:
        raise NotInstalled()
    return _REGISTRY[type_name]


@dataclass(frozen=True)
class Outcome:
    """A command's answer, and the ``seq`` of its last event (``None`` if it wrote none)."""

    ack: Ack
    last_seq: int | None
    repeated: bool = False


@metrics.timed_command(refused=CommandError)
def execute(
    engine: Engine,
    *,
    workshop_id: int,
    actor: Actor,
    command: Command,
    present: frozenset[int] = frozenset(),
    images: ImageStore | None = None,
    group_size: int = DEFAULT_K,
) -> Outcome:
    """Apply ``command`` exactly once. Raises :class:`CommandError` and changes nothing if refused.

    Blocking (database I/O): call it from a worker thread in async code.
    """
    job = CommandJob(actor, command, present=present, images=images, group_size=group_size)
    (result,) = run_in_order(engine, workshop_id=workshop_id, jobs=[job])
    if isinstance(result, BaseException):
        raise result
    assert isinstance(result, Outcome)
    return result


@dataclass
class Batch:
    """What the jobs of one transaction share: hooks to run after commit, the receipts of the
    batch's command ids (read in one query, then kept up to date as the batch applies), and
    what handlers have read."""

    after_commit: list[Callable[[], None]] = field(default_factory=list)
    receipts: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    #: The events of the batch's committed jobs, in ``seq`` order.
    logged: list[LogRow] = field(default_factory=list)
    #: What handlers read once and share in the batch (the open vote, the dots per person),
    #: keyed by the module that owns it. Emptied whenever a savepoint rolls back.
    memo: dict[Hashable, Any] = field(default_factory=dict)


class Job(Protocol):
    """One unit of work in a workshop's transaction: a command, a participant joining."""

    def run(self, session: Session, workshop: Workshop, batch: Batch) -> Any:
        """Apply the job to the locked ``workshop``; raise to refuse (and give back its writes)."""
        ...


def run_in_order(
    engine: Engine, *, workshop_id: int, jobs: Sequence[Job]
) -> list[Any | BaseException]:
    """Group commit: apply ``jobs`` in order in one transaction; each job's result or the
    exception it raised (see :func:`run_batch`)."""
    return run_batch(engine, workshop_id=workshop_id, jobs=jobs).results


@dataclass(frozen=True)
class BatchDone:
    """A committed batch: each job's result or exception, and the events it logged."""

    results: list[Any | BaseException]
    logged: list[LogRow]


def run_batch(engine: Engine, *, workshop_id: int, jobs: Sequence[Job]) -> BatchDone:
    """Group commit: apply ``jobs`` in order in one transaction.

    When a room of a thousand phones votes at once, one transaction and one lock of the
    workshop row serve a whole batch, instead of each command waiting for the lock (and, on
    SQLite, for the file) on its own.

    A refused job must change nothing. The first pass applies the jobs straight after each
    other, which is the common case and the cheap one; if any job raises, that pass is rolled
    back whole and the batch is applied again with a savepoint per job, so the refused one gives
    back what it wrote (its rows, its events, its ``seq``) and the others commit. If the
    transaction itself fails (the database went away), every job gets that exception and
    nothing was applied. Blocking: call it from a worker thread in async code.

    Raises :class:`NotInstalled` (and applies nothing) for commands when no handler is
    installed, rather than refuse each as of an unknown type.
    """
    if not _REGISTRY and any(isinstance(job, CommandJob) for job in jobs):
        raise NotInstalled()
    try:
        done = _apply(engine, workshop_id, jobs, savepoints=False)
        if done is None:
            done = _apply(engine, workshop_id, jobs, savepoints=True)
            assert done is not None
    except Exception as exc:  # the lock, the commit: nothing of the batch was applied
        return BatchDone([exc] * len(jobs), [])
    results, batch = done
    for hook in batch.after_commit:  # e.g. deleting files, which cannot be rolled back
        hook()
    return BatchDone(results, batch.logged)


class _Refused(Exception):
    """A job raised in the pass without savepoints: start over with them."""


def _apply(
    engine: Engine, workshop_id: int, jobs: Sequence[Job], *, savepoints: bool
) -> tuple[list[Any | BaseException], Batch] | None:
    results: list[Any | BaseException] = []
    batch = Batch()
    try:
        with session_scope(engine) as session:
            session.info[_KEEP] = []  # rows stay in the identity map for the whole batch
            workshop = lock_workshop(session, workshop_id)
            _prefetch(session, workshop, jobs, batch)
            for job in jobs:
                if not savepoints:
                    try:
                        results.append(job.run(session, workshop, batch))
                    except Exception as exc:
                        raise _Refused from exc
                    continue
                mine = Batch(receipts=batch.receipts, memo=batch.memo)
                write_pending(session)  # the jobs before this one keep their rows
                savepoint = session.begin_nested()
                try:
                    result = job.run(session, workshop, mine)
                except Exception as exc:
                    savepoint.rollback()  # expires what the job changed, workshop.last_seq too
                    batch.memo.clear()  # it may hold what the job changed
                    results.append(exc)
                else:
                    savepoint.commit()
                    results.append(result)
                    batch.after_commit.extend(mine.after_commit)
                    batch.logged.extend(mine.logged)
    except _Refused:
        return None
    return results, batch


# The tables themselves, so a batch's rows go in as plain rows (no ORM objects to build).
EVENT_TABLE: Table = Event.__table__  # type: ignore[attr-defined]
RECEIPT_TABLE: Table = CommandReceipt.__table__  # type: ignore[attr-defined]


# A batch's own statements, built once: building one costs more than running it on SQLite.
_RECEIPTS = select(RECEIPT_TABLE.c.actor, RECEIPT_TABLE.c.cid, RECEIPT_TABLE.c.ack).where(
    RECEIPT_TABLE.c.workshop_id == bindparam("workshop_id"),
    RECEIPT_TABLE.c.actor.in_(bindparam("actors", expanding=True)),
    RECEIPT_TABLE.c.cid.in_(bindparam("cids", expanding=True)),
)
_PEOPLE = select(Participant).where(col(Participant.id).in_(bindparam("ids", expanding=True)))
_LOCK = select(Workshop).where(Workshop.id == bindparam("id")).with_for_update()


#: A batch holds on to every row it loads. SQLAlchemy's identity map keeps rows only while
#: something references them, so without this the second dot on the same card in a batch
#: would read the card again.
_KEEP = "atelier_keep"


@event.listens_for(Session, "loaded_as_persistent")
def _keep_loaded(session: Session, instance: object) -> None:
    kept = session.info.get(_KEEP)
    if kept is not None:
        kept.append(instance)


def _prefetch(session: Session, workshop: Workshop, jobs: Sequence[Job], batch: Batch) -> None:
    """Read what the batch's commands need in a few queries instead of a few per command: the
    receipts of their ids, their senders (into the session, so ``get`` finds them), and what
    the handlers of their types registered with :func:`prefetches`."""
    assert workshop.id is not None
    workshop_id = workshop.id
    commands = [job for job in jobs if isinstance(job, CommandJob)]
    if not commands:
        return
    keys = {(job.actor.key, job.command.cid) for job in commands}
    # By sender and id, both on the unique index: a handful of look-ups, however long the
    # workshop's history of receipts has grown. Plain columns: a receipt is only ever read.
    found = session.connection().execute(
        _RECEIPTS,
        {
            "workshop_id": workshop_id,
            "actors": sorted({actor for actor, _ in keys}),
            "cids": sorted({cid for _, cid in keys}),
        },
    )
    for actor, cid, ack in found:
        if (actor, cid) in keys:
            batch.receipts[(actor, cid)] = ack
    people = {p for job in commands if (p := job.actor.participant_id) is not None}
    if people:
        list(session.exec(_PEOPLE, params={"ids": sorted(people)}))
    by_reader: dict[Prefetch, list[CommandJob]] = {}
    for job in commands:
        reader = _PREFETCH.get(getattr(job.command, "type"))  # noqa: B009
        if reader is not None:
            by_reader.setdefault(reader, []).append(job)
    for reader, mine in by_reader.items():
        reader(session, workshop, mine, batch.memo)


@dataclass(frozen=True)
class CommandJob:
    """A command from a socket (or an HTTP route), checked and applied like every other."""

    actor: Actor
    command: Command
    present: frozenset[int] = frozenset()
    images: ImageStore | None = None
    group_size: int = DEFAULT_K

    def run(self, session: Session, workshop: Workshop, batch: Batch) -> Outcome:
        actor, command = self.actor, self.command
        name: str = getattr(command, "type")  # noqa: B009
        registration = _REGISTRY.get(name)
        if registration is None:
            raise CommandError("unknown_type", f"Unknown command type {name!r}.")
        stored = batch.receipts.get((actor.key, command.cid))
        if stored is not None:
            return Outcome(Ack.model_validate(stored), None, repeated=True)
        if actor.participant_id is not None:
            participant = session.get(Participant, actor.participant_id)
            if participant is None or participant.left_at is not None:
                raise CommandError("gone", "You have left this workshop; join again to take part.")
            if participant.waiting and name not in WAITING_MAY:
                raise CommandError(
                    "waiting", "The facilitator has not let you in yet; you can take part then."
                )
        sender = actor  # who sent it: its receipt, and the facilitator's checks
        actor = acting_for(session, workshop, actor, command, name)
        if actor.role not in registration.roles:
            raise CommandError("forbidden", f"A {actor.role.value} may not send {name}.")
        context = Context(
            session=session,
            workshop=workshop,
            actor=actor,
            present=self.present,
            images=self.images,
            group_size=self.group_size,
            after_commit=batch.after_commit,
            logged=batch.logged,
            memo=batch.memo,
        )
        if sender.role is Role.FACILITATOR:
            _check_facilitator(replace(context, actor=sender), name)
        if registration.phases is not None and context.phase not in registration.phases:
            allowed = ", ".join(sorted(p.value for p in registration.phases))
            raise CommandError(
                "wrong_phase",
                f"{name} is not possible in phase {context.phase.value} (only in: {allowed}).",
            )
        result = registration.handler(context, command) or {}
        last_seq = context.last_seq
        answer = Ack(type="ack", cid=command.cid, seq=last_seq, result=result)
        ack = answer.model_dump(mode="json")
        insert_later(
            session,
            RECEIPT_TABLE,
            {
                "workshop_id": context.workshop_id,
                "actor": sender.key,
                "cid": command.cid,
                "ack": ack,
                "created_at": utcnow(),
            },
        )
        batch.receipts[(sender.key, command.cid)] = ack  # the same id again in this batch
        return Outcome(answer, last_seq)


#: What a tafelhulp's own row may send without ``on_behalf_of`` (app.workshops.assisted): it
#: never posts, rates or votes for itself.
HELPER_MAY = frozenset({"participant.leave", "assisted.add"})


def acting_for(
    session: Session, workshop: Workshop, sender: Actor, command: Command, name: str
) -> Actor:
    """The actor a command is applied as: the sender, or the person without a phone named in
    its ``on_behalf_of`` (app.workshops.assisted).

    Checked here, where every command passes, so no handler can forget it: a tafelhulp acts
    only for the people it added, the facilitator for anyone added by a helper or the console,
    a participant (or the projector) for nobody; and a tafelhulp never acts as itself.
    """
    for_whom: int | None = getattr(command, "on_behalf_of", None)
    helper = (
        session.get(Participant, sender.participant_id)
        if sender.participant_id is not None
        else None
    )
    if for_whom is None:
        if helper is not None and helper.is_helper and name not in HELPER_MAY:
            raise CommandError(
                "helper_only_for_others",
                "A table helper enters cards and ratings only for the people they added.",
            )
        return sender
    person = session.get(Participant, for_whom)
    if sender.role is Role.FACILITATOR:
        allowed = person is not None and person.assisted_by_id is not None
    else:
        allowed = (
            helper is not None
            and helper.is_helper
            and person is not None
            and person.assisted_by_id == helper.id
        )
    if not allowed or person is None or person.workshop_id != workshop.id:
        raise CommandError("not_your_person", "You may not enter anything for this person.")
    if person.left_at is not None:
        raise CommandError("gone", "This person has been taken out of the workshop.")
    return Actor(Role.PARTICIPANT, participant_id=person.id)


#: ``Event.audience`` of events for facilitators only (participant ids start at 1).
FACILITATORS_ONLY = 0

#: What someone waiting in the lobby may do before they are let in (the admit step).
WAITING_MAY = frozenset({"participant.leave"})


def driver_of(workshop: Workshop, trajectory: Trajectory) -> int:
    """Whose console drives: whoever took over last, else the trajectory's owner."""
    return workshop.driver_id if workshop.driver_id is not None else trajectory.owner_id


def _check_facilitator(ctx: Context, name: str) -> None:
    """A facilitator's command needs the trajectory still shared with them (checked here, in
    the command's transaction, so a removed share ends it at once in every process), and — as
    one console drives at a time — their console leading, unless the command takes over."""
    if ctx.actor.facilitator_id is None or not may_act(
        ctx.session,
        facilitator_id=ctx.actor.facilitator_id,
        trajectory_id=ctx.workshop.trajectory_id,
    ):
        raise CommandError("unauthorised", "This workshop is no longer shared with you.")
    if name != "console.take_over":
        _check_driver(ctx)


def _check_driver(ctx: Context) -> None:
    """Co-facilitation: one console drives at a time. A facilitator the trajectory is shared
    with takes over explicitly (``console.take_over``) rather than have two consoles fight
    over the room."""
    if driver_of(ctx.workshop, ctx.trajectory) != ctx.actor.facilitator_id:
        raise CommandError(
            "not_driver",
            "Another facilitator is leading this workshop; take over first to change the room.",
        )


def lock_workshop(session: Session, workshop_id: int) -> Workshop:
    """Load the workshop row and hold its lock until the transaction ends (serialises ``seq``)."""
    workshop = session.exec(_LOCK, params={"id": workshop_id}).first()
    if workshop is None:
        raise CommandError("not_found", "This workshop does not exist (any more).")
    return workshop
