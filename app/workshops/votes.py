"""Dot voting (prioriteren): a per-person budget, results hidden until the vote closes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from typing import Any

from sqlalchemy import Table, delete, func
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.realtime.commands import CommandError, CommandJob, Context, Result, handles, prefetches
from app.realtime.pending import insert_later
from app.realtime.protocol import (
    MyDotsChanged,
    VoteCancelled,
    VoteCast,
    VoteClose,
    VoteClosed,
    VoteOpen,
    VoteOpened,
    VoteRetract,
)
from app.types import Phase, Role, VoteTarget
from app.workshops.models import Card, Cluster, Dot, DotVote, Workshop
from app.workshops.schemas import MyDot, TallyLine, vote_view

PRIORITEREN = (Phase.PRIORITEREN,)
#: Dots are written as plain rows, with the rest of a vote burst's batch (:mod:`.pending`).
DOT_TABLE: Table = Dot.__table__  # type: ignore[attr-defined]


def tally(session: Session, vote_id: int) -> list[TallyLine]:
    """Dots per target, most first (ties by target, so the order is stable)."""
    rows = session.exec(
        select(Dot.target_type, Dot.target_id, func.count())
        .where(Dot.vote_id == vote_id)
        .group_by(col(Dot.target_type), col(Dot.target_id))
    ).all()
    lines = [TallyLine(target_type=VoteTarget(t), target_id=i, dots=n) for t, i, n in rows]
    return sorted(lines, key=lambda line: (-line.dots, line.target_type.value, line.target_id))


def progress(session: Session, vote_id: int) -> tuple[int, int]:
    """``(voters, dots)`` so far: what the room may see while the vote is open."""
    voters, dots = session.exec(
        select(func.count(func.distinct(Dot.participant_id)), func.count()).where(
            Dot.vote_id == vote_id
        )
    ).one()
    return int(voters), int(dots)


def my_dots(session: Session, vote_id: int, participant_id: int) -> list[MyDot]:
    return _dot_list(_read_counts(session, vote_id, [participant_id])[participant_id])


def _dot_list(counts: Counter[tuple[str, int]]) -> list[MyDot]:
    """A participant's dots from their count per (target type, target id), in a stable order."""
    return [
        MyDot(target_type=VoteTarget(t), target_id=i, count=n)
        for (t, i), n in sorted(counts.items())
    ]


def open_vote(session: Session, workshop_id: int) -> DotVote | None:
    return session.exec(
        select(DotVote).where(DotVote.workshop_id == workshop_id, col(DotVote.is_open))
    ).first()


# What a batch of commands has read about the vote, in its memo (see ``prefetches``): the open
# vote, and each participant's dots per target in it. Handlers that change either keep it true.
_OPEN = ("votes", "open")
_COUNTS = ("votes", "counts")
Counts = Counter[tuple[str, int]]


def current_vote(ctx: Context) -> DotVote | None:
    """The open vote, read once per batch."""
    if _OPEN not in ctx.memo:
        ctx.memo[_OPEN] = open_vote(ctx.session, ctx.workshop_id)
    vote: DotVote | None = ctx.memo[_OPEN]
    return vote


def _set_current(ctx: Context, vote: DotVote | None) -> None:
    ctx.memo[_OPEN] = vote
    ctx.memo.pop(_COUNTS, None)


def _counts(ctx: Context, vote_id: int, participant_id: int) -> Counts:
    """A participant's dots per target in ``vote_id``; the batch's own dots included."""
    known: dict[tuple[int, int], Counts] = ctx.memo.setdefault(_COUNTS, {})
    key = (vote_id, participant_id)
    if key not in known:
        known[key] = _read_counts(ctx.session, vote_id, [participant_id])[participant_id]
    return known[key]


def _read_counts(session: Session, vote_id: int, people: list[int]) -> dict[int, Counts]:
    counts: dict[int, Counts] = {person: Counter() for person in people}
    for person, target_type, target_id in session.exec(
        select(Dot.participant_id, Dot.target_type, Dot.target_id).where(
            Dot.vote_id == vote_id, col(Dot.participant_id).in_(people)
        )
    ):
        counts[person][(target_type, target_id)] += 1
    return counts


@prefetches(VoteCast, VoteRetract)
def _read_for_batch(
    session: Session, workshop: Workshop, jobs: list[CommandJob], memo: dict[Hashable, Any]
) -> None:
    """A vote burst: the open vote, the targets and the senders' dots in a few queries for the
    whole batch (the targets stay in the session, where ``get`` finds them)."""
    assert workshop.id is not None
    vote = memo[_OPEN] = open_vote(session, workshop.id)
    commands = [job.command for job in jobs if isinstance(job.command, VoteCast | VoteRetract)]
    for target_type, model in ((VoteTarget.CARD, Card), (VoteTarget.CLUSTER, Cluster)):
        ids = sorted({c.target_id for c in commands if c.target_type is target_type})
        if ids:
            list(session.exec(select(model).where(col(model.id).in_(ids))))
    people = sorted({job.actor.participant_id for job in jobs if job.actor.participant_id})
    if vote is None or vote.id is None or not people:
        return
    known: dict[tuple[int, int], Counts] = memo.setdefault(_COUNTS, {})
    for person, counts in _read_counts(session, vote.id, people).items():
        known[(vote.id, person)] = counts


def freeze_targets(ctx: Context, what: str) -> None:
    """While a vote is open its targets stay as they are, for everyone alike.

    Refusing only the targets that have dots would tell the facilitator (or an author withdrawing
    a card) where the dots are before the vote closes: the ballot is secret until then.
    """
    if current_vote(ctx) is not None:
        raise CommandError("vote_open", f"{what} is not possible while the dot vote is open.")


def cancel_vote(ctx: Context, vote: DotVote) -> None:
    """Discard an open vote and its dots: the facilitator chose not to count it."""
    assert vote.id is not None
    ctx.session.execute(delete(Dot).where(col(Dot.vote_id) == vote.id))
    ctx.session.delete(vote)
    ctx.session.flush()
    _set_current(ctx, None)
    ctx.emit(VoteCancelled(type="vote.cancelled", vote_id=vote.id))


def has_targets(session: Session, workshop_id: int) -> bool:
    """Whether there is anything to put dots on: a cluster, or a card shown on its own."""
    if session.exec(select(Cluster.id).where(Cluster.workshop_id == workshop_id)).first():
        return True
    return (
        session.exec(
            select(Card.id).where(
                Card.workshop_id == workshop_id,
                col(Card.hidden).is_(False),
                col(Card.merged_into_id).is_(None),
                col(Card.cluster_id).is_(None),
            )
        ).first()
        is not None
    )


def _current(ctx: Context) -> DotVote:
    vote = current_vote(ctx)
    if vote is None:
        raise CommandError("no_vote", "There is no open dot vote.")
    return vote


def _check_target(ctx: Context, target_type: VoteTarget, target_id: int) -> None:
    target: Card | Cluster | None = (
        ctx.session.get(Card, target_id)
        if target_type is VoteTarget.CARD
        else ctx.session.get(Cluster, target_id)
    )
    if target is None or target.workshop_id != ctx.workshop_id:
        raise CommandError("not_found", f"There is no {target_type.value} {target_id} here.")
    if isinstance(target, Card) and (target.hidden or target.merged_into_id is not None):
        raise CommandError("invalid", "This card is hidden or merged and cannot get votes.")


def _announce_mine(ctx: Context, vote: DotVote, participant_id: int, counts: Counts) -> None:
    """Tell the participant alone where their dots are."""
    assert vote.id is not None
    ctx.emit(
        MyDotsChanged(type="my_dots.changed", vote_id=vote.id, dots=_dot_list(counts)),
        audience=participant_id,
    )


@handles(VoteOpen, roles=(Role.FACILITATOR,), phases=PRIORITEREN)
def open_(ctx: Context, command: VoteOpen) -> Result:
    if current_vote(ctx) is not None:
        raise CommandError("invalid", "A dot vote is already open.")
    if not has_targets(ctx.session, ctx.workshop_id):
        raise CommandError(
            "nothing_to_vote",
            "There is nothing to vote on yet: make clusters or collect cards first.",
        )
    vote = DotVote(workshop_id=ctx.workshop_id, budget=command.budget or ctx.settings.dot_budget)
    ctx.session.add(vote)
    ctx.session.flush()
    _set_current(ctx, vote)
    ctx.emit(VoteOpened(type="vote.opened", vote=vote_view(vote, None)))
    return {"vote_id": vote.id}


@handles(VoteCast, roles=(Role.PARTICIPANT,), phases=PRIORITEREN)
def cast(ctx: Context, command: VoteCast) -> None:
    participant_id = ctx.require_participant()
    vote = _current(ctx)
    assert vote.id is not None
    _check_target(ctx, command.target_type, command.target_id)
    counts = _counts(ctx, vote.id, participant_id)
    if counts.total() >= vote.budget:
        raise CommandError("over_budget", f"All {vote.budget} of your dots are used.")
    insert_later(
        ctx.session,
        DOT_TABLE,
        {
            "vote_id": vote.id,
            "participant_id": participant_id,
            "target_type": command.target_type.value,
            "target_id": command.target_id,
            "created_at": utcnow(),
        },
    )
    counts[(command.target_type.value, command.target_id)] += 1
    _announce_mine(ctx, vote, participant_id, counts)


@handles(VoteRetract, roles=(Role.PARTICIPANT,), phases=PRIORITEREN)
def retract(ctx: Context, command: VoteRetract) -> None:
    participant_id = ctx.require_participant()
    vote = _current(ctx)
    dot = ctx.session.exec(
        select(Dot).where(
            Dot.vote_id == vote.id,
            Dot.participant_id == participant_id,
            Dot.target_type == command.target_type.value,
            Dot.target_id == command.target_id,
        )
    ).first()
    if dot is None:
        raise CommandError("invalid", "You have no dot there to take back.")
    assert vote.id is not None
    counts = _counts(ctx, vote.id, participant_id)
    ctx.session.delete(dot)
    counts[(command.target_type.value, command.target_id)] -= 1
    _announce_mine(ctx, vote, participant_id, +counts)


@handles(VoteClose, roles=(Role.FACILITATOR,), phases=PRIORITEREN)
def close(ctx: Context, _command: VoteClose) -> Result:
    vote = _current(ctx)
    close_vote(ctx, vote)
    return {"vote_id": vote.id}


def close_vote(ctx: Context, vote: DotVote) -> None:
    """Close a vote with its results in the log."""
    assert vote.id is not None
    vote.is_open = False
    vote.closed_at = utcnow()
    ctx.session.add(vote)
    _set_current(ctx, None)
    ctx.emit(VoteClosed(type="vote.closed", vote=vote_view(vote, tally(ctx.session, vote.id))))
