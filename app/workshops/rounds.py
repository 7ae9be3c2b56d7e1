"""Agreement rounds: everyone present rates each open proposal 1–5; the server measures."""

from __future__ import annotations

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.privacy import DEFAULT_K, arrives_unshown
from app.realtime.commands import CommandError, Context, Result, handles
from app.realtime.protocol import (
    MyRatingGiven,
    RatingGive,
    RoundCancelled,
    RoundClose,
    RoundOpen,
    RoundOpened,
    RoundUpdated,
)
from app.types import Phase, ProposalStatus, Role
from app.workshops.convergence import Rated, measure
from app.workshops.models import (
    AgreementRound,
    Participant,
    Proposal,
    Rating,
    Redraft,
    WorkshopSettings,
)
from app.workshops.pooling import decide, round_labels, settle_workshop, taking_part
from app.workshops.schemas import Convergence, MyRating, RoundView, round_view
from app.workshops.window_rules import AFTER, check_window_rating, is_window

PROPOSAL_PHASES = (Phase.WAAROM, Phase.OPGAVE)


def figures(
    session: Session, round_: AgreementRound, settings: WorkshopSettings, *, k: int = DEFAULT_K
) -> dict[int, Convergence]:
    """Convergence per proposal of the round, from its ratings in the order they came in.

    Each proposal's figures carry the agreement per stakeholder group, with the groups that were
    smaller than ``k`` when the round opened pooled (the round's labels, :mod:`app.privacy`), so
    the room sees whether, say, residents and policy agree without anyone's score being singled
    out — in this message or by subtracting it from another. What the figures say per group is
    measured in :mod:`app.workshops.convergence`.
    """
    rows = session.exec(
        select(Rating, Participant.stakeholder_group)
        .join(Participant, col(Participant.id) == col(Rating.participant_id))
        .where(Rating.round_id == round_.id)
        .order_by(col(Rating.id))
    ).all()
    by_proposal: dict[int, list[Rated]] = {pid: [] for pid in round_.proposal_ids}
    for rating, group in rows:
        by_proposal.setdefault(rating.proposal_id, []).append((rating.score, rating.reason, group))
    labels = round_labels(session, round_, k)
    return {
        pid: measure(rated, eligible=round_.eligible, settings=settings, labels=labels, k=k)
        for pid, rated in by_proposal.items()
    }


def raters(session: Session, round_id: int | None) -> int:
    """How many people rated at least one proposal of the round: the room may always see it."""
    return int(
        session.exec(
            select(func.count(func.distinct(Rating.participant_id))).where(
                Rating.round_id == round_id
            )
        ).one()
    )


def full_view(
    session: Session, round_: AgreementRound, settings: WorkshopSettings, *, k: int = DEFAULT_K
) -> RoundView:
    """The round with all its figures, as the log keeps it (the room's view is trimmed later)."""
    return round_view(
        round_, figures(session, round_, settings, k=k), raters=raters(session, round_.id)
    )


def latest_figures(
    session: Session, proposal: Proposal, settings: WorkshopSettings, *, k: int = DEFAULT_K
) -> Convergence | None:
    """The proposal's figures in the newest round it was part of, if any."""
    rounds = session.exec(
        select(AgreementRound)
        .where(
            AgreementRound.workshop_id == proposal.workshop_id,
            col(AgreementRound.after_round_id).is_(None),  # an after-window is not a room round
        )
        .order_by(col(AgreementRound.number).desc())
    ).all()
    for round_ in rounds:
        if proposal.id in round_.proposal_ids:
            return figures(session, round_, settings, k=k)[proposal.id]
    return None


def open_rounds(
    session: Session, workshop_id: int, kind: str | None = None
) -> list[AgreementRound]:
    """The workshop's open rounds (of ``kind``, if given): at most one per kind."""
    query = select(AgreementRound).where(
        AgreementRound.workshop_id == workshop_id, col(AgreementRound.is_open)
    )
    if kind is not None:
        query = query.where(AgreementRound.kind == kind)
    return list(session.exec(query.order_by(col(AgreementRound.id))))


def open_round(session: Session, workshop_id: int, kind: str) -> AgreementRound | None:
    return next(iter(open_rounds(session, workshop_id, kind)), None)


def _get_round(ctx: Context, round_id: int) -> AgreementRound:
    round_ = ctx.session.get(AgreementRound, round_id)
    if round_ is None or round_.workshop_id != ctx.workshop_id:
        raise CommandError("not_found", f"There is no round {round_id} in this workshop.")
    if not round_.is_open:
        raise CommandError("round_closed", "This round is closed.")
    return round_


def announce(ctx: Context, round_: AgreementRound) -> None:
    """The round with its figures as they stand, to everyone (trimmed per viewer)."""
    ctx.emit(
        RoundUpdated(
            type="round.updated",
            round=full_view(ctx.session, round_, ctx.settings, k=ctx.group_size),
        )
    )


def cancel_round(ctx: Context, round_: AgreementRound) -> None:
    """Discard an open round and its ratings: the facilitator chose not to count it."""
    assert round_.id is not None
    ctx.session.execute(delete(Rating).where(col(Rating.round_id) == round_.id))
    ctx.session.delete(round_)
    ctx.session.flush()
    ctx.emit(RoundCancelled(type="round.cancelled", round_id=round_.id))


@handles(RoundOpen, roles=(Role.FACILITATOR,), phases=PROPOSAL_PHASES, uses_presence=True)
def open_(ctx: Context, command: RoundOpen) -> Result:
    """Open a round over every open proposal of the phase's kind.

    ``eligible`` is fixed now, from who is connected, so the figures never change afterwards
    because somebody's phone went to sleep.
    """
    if command.kind.value != ctx.phase.value:
        raise CommandError("wrong_phase", f"Rounds on {command.kind.value} belong to that phase.")
    if open_round(ctx.session, ctx.workshop_id, command.kind.value) is not None:
        raise CommandError("invalid", "A round is already open.")
    if ctx.session.exec(
        select(Redraft.id).where(
            Redraft.workshop_id == ctx.workshop_id,
            Redraft.kind == command.kind.value,
            col(Redraft.stage) != "closed",
        )
    ).first():
        raise CommandError("redraft_open", "Close or cancel the redraft before the next round.")
    proposals = ctx.session.exec(
        select(Proposal)
        .where(
            Proposal.workshop_id == ctx.workshop_id,
            Proposal.kind == command.kind.value,
            Proposal.status == ProposalStatus.OPEN,
        )
        .order_by(col(Proposal.id))
    ).all()
    if not proposals:
        raise CommandError("invalid", "There is no open proposal to rate.")
    # Who may take part decides the pooling, once: see app.privacy and app.workshops.pooling.
    sizes = dict(sorted(taking_part(ctx.session, ctx.workshop_id).items()))
    settle_workshop(ctx.session, ctx.workshop, ctx.group_size)
    # People without a phone rate through a tafelhulp: at the table, though no socket of theirs
    # is connected (app.workshops.assisted); the helper itself never counts.
    assisted = len(
        ctx.session.exec(
            select(Participant.id).where(
                Participant.workshop_id == ctx.workshop_id,
                col(Participant.left_at).is_(None),
                col(Participant.assisted_by_id).is_not(None),
            )
        ).all()
    )
    eligible = (len(ctx.present) + assisted if ctx.present else 0) or len(
        ctx.session.exec(
            select(Participant.id).where(
                Participant.workshop_id == ctx.workshop_id,
                col(Participant.left_at).is_(None),
                col(Participant.waiting).is_(False),  # not let in: may not rate
                col(Participant.is_helper).is_(False),  # a tafelhulp rates only for others
            )
        ).all()
    )
    number = 1 + len(
        ctx.session.exec(
            select(AgreementRound.id).where(
                AgreementRound.workshop_id == ctx.workshop_id,
                AgreementRound.kind == command.kind.value,
                col(AgreementRound.after_round_id).is_(None),  # an after-window is not a room round
            )
        ).all()
    )
    round_ = AgreementRound(
        workshop_id=ctx.workshop_id,
        kind=command.kind.value,
        number=number,
        proposal_ids=[p.id for p in proposals if p.id is not None],
        eligible=max(eligible, 1),
        reveal=command.reveal,
        group_sizes=sizes,
    )
    ctx.session.add(round_)
    ctx.session.flush()
    ctx.emit(
        RoundOpened(
            type="round.opened",
            round=full_view(ctx.session, round_, ctx.settings, k=ctx.group_size),
        )
    )
    return {"round_id": round_.id}


@handles(RatingGive, roles=(Role.PARTICIPANT,))
def rate(ctx: Context, command: RatingGive) -> None:
    """Rate (or re-rate) one proposal. A 1 is an objection and must say why.

    A room's round is rated in its phase; an after-window in any step (it outlives the step it
    opened in), with its own rules of who may (:mod:`app.workshops.window_rules`).
    """
    participant_id = ctx.require_participant()
    found = ctx.session.get(AgreementRound, command.round_id)
    window = found is not None and found.workshop_id == ctx.workshop_id and is_window(found)
    if not window and ctx.phase not in PROPOSAL_PHASES:  # refused as before windows existed
        allowed = ", ".join(p.value for p in PROPOSAL_PHASES)
        raise CommandError(
            "wrong_phase",
            f"rating.give is not possible in phase {ctx.phase.value} (only in: {allowed}).",
        )
    round_ = _get_round(ctx, command.round_id)
    if window:
        check_window_rating(ctx, round_, participant_id)
    if command.proposal_id not in round_.proposal_ids:
        raise CommandError("invalid", "That proposal is not part of this round.")
    reason = command.reason.strip()
    if round_.group_sizes is not None and arrives_unshown(
        decide(round_.group_sizes, ctx.group_size), _group_of(ctx, participant_id)
    ):
        raise CommandError(
            "late_for_round",
            "Your group was not in the room when this round opened; you rate in the next round.",
        )
    if command.score == 1 and not reason:
        raise CommandError("reason_required", "A 1 (bezwaar) needs a reason, so it can be heard.")
    rating = ctx.session.exec(
        select(Rating).where(
            Rating.round_id == round_.id,
            Rating.proposal_id == command.proposal_id,
            Rating.participant_id == participant_id,
        )
    ).first()
    if rating is None:
        assert round_.id is not None
        rating = Rating(
            round_id=round_.id,
            proposal_id=command.proposal_id,
            participant_id=participant_id,
            score=command.score,
            reason=reason,
            channel=AFTER if window else "room",
        )
    else:
        rating.score, rating.reason, rating.updated_at = command.score, reason, utcnow()
    ctx.session.add(rating)
    ctx.session.flush()
    assert round_.id is not None
    ctx.emit(
        MyRatingGiven(
            type="my_rating.given",
            rating=MyRating(
                round_id=round_.id,
                proposal_id=command.proposal_id,
                score=command.score,
                reason=reason,
                assisted=_is_assisted(ctx, participant_id),
            ),
        ),
        audience=participant_id,
    )
    announce(ctx, round_)


def _is_assisted(ctx: Context, participant_id: int) -> bool:
    """Entered by a tafelhulp for a person without a phone (app.workshops.assisted)."""
    participant = ctx.session.get(Participant, participant_id)
    return participant is not None and participant.assisted_by_id is not None


def _group_of(ctx: Context, participant_id: int) -> str:
    participant = ctx.session.get(Participant, participant_id)
    assert participant is not None  # require_participant checked it
    return participant.stakeholder_group


@handles(RoundClose, roles=(Role.FACILITATOR,), phases=PROPOSAL_PHASES)
def close(ctx: Context, command: RoundClose) -> None:
    close_round(ctx, _get_round(ctx, command.round_id))


def close_round(ctx: Context, round_: AgreementRound) -> None:
    """Close a round with its final figures in the log."""
    round_.is_open = False
    round_.closed_at = utcnow()
    ctx.session.add(round_)
    announce(ctx, round_)
