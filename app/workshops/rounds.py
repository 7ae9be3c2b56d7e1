"""Agreement rounds: everyone present rates each open proposal 1–5; the server measures."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.clock import utcnow
from app.realtime.commands import CommandError, Context, Result, handles
from app.realtime.protocol import (
    MyRatingGiven,
    RatingGive,
    RoundClose,
    RoundOpen,
    RoundOpened,
    RoundUpdated,
)
from app.types import Phase, ProposalStatus, Role
from app.workshops.convergence import measure
from app.workshops.models import (
    AgreementRound,
    Participant,
    Proposal,
    Rating,
    WorkshopSettings,
)
from app.workshops.schemas import Convergence, MyRating, round_view

PROPOSAL_PHASES = (Phase.WAAROM, Phase.OPGAVE)


def figures(
    session: Session, round_: AgreementRound, settings: WorkshopSettings
) -> dict[int, Convergence]:
    """Convergence per proposal of the round, from its ratings in the order they came in."""
    ratings = session.exec(
        select(Rating).where(Rating.round_id == round_.id).order_by(col(Rating.id))
    ).all()
    by_proposal: dict[int, list[tuple[int, str]]] = {pid: [] for pid in round_.proposal_ids}
    for rating in ratings:
        by_proposal.setdefault(rating.proposal_id, []).append((rating.score, rating.reason))
    return {
        pid: measure(rows, eligible=round_.eligible, settings=settings)
        for pid, rows in by_proposal.items()
    }


def latest_figures(
    session: Session, proposal: Proposal, settings: WorkshopSettings
) -> Convergence | None:
    """The proposal's figures in the newest round it was part of, if any."""
    rounds = session.exec(
        select(AgreementRound)
        .where(AgreementRound.workshop_id == proposal.workshop_id)
        .order_by(col(AgreementRound.number).desc())
    ).all()
    for round_ in rounds:
        if proposal.id in round_.proposal_ids:
            return figures(session, round_, settings)[proposal.id]
    return None


def open_round(session: Session, workshop_id: int, kind: str) -> AgreementRound | None:
    return session.exec(
        select(AgreementRound).where(
            AgreementRound.workshop_id == workshop_id,
            AgreementRound.kind == kind,
            col(AgreementRound.is_open),
        )
    ).first()


def _get_round(ctx: Context, round_id: int) -> AgreementRound:
    round_ = ctx.session.get(AgreementRound, round_id)
    if round_ is None or round_.workshop_id != ctx.workshop_id:
        raise CommandError("not_found", f"There is no round {round_id} in this workshop.")
    if not round_.is_open:
        raise CommandError("round_closed", "This round is closed.")
    return round_


def _announce(ctx: Context, round_: AgreementRound) -> None:
    ctx.emit(
        RoundUpdated(
            type="round.updated",
            round=round_view(round_, figures(ctx.session, round_, ctx.settings)),
        )
    )


@handles(RoundOpen, roles=(Role.FACILITATOR,), phases=PROPOSAL_PHASES)
def open_(ctx: Context, command: RoundOpen) -> Result:
    """Open a round over every open proposal of the phase's kind.

    ``eligible`` is fixed now, from who is connected, so the figures never change afterwards
    because somebody's phone went to sleep.
    """
    if command.kind.value != ctx.phase.value:
        raise CommandError("wrong_phase", f"Rounds on {command.kind.value} belong to that phase.")
    if open_round(ctx.session, ctx.workshop_id, command.kind.value) is not None:
        raise CommandError("invalid", "A round is already open.")
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
    eligible = len(ctx.present) or len(
        ctx.session.exec(
            select(Participant.id).where(
                Participant.workshop_id == ctx.workshop_id, col(Participant.left_at).is_(None)
            )
        ).all()
    )
    number = 1 + len(
        ctx.session.exec(
            select(AgreementRound.id).where(
                AgreementRound.workshop_id == ctx.workshop_id,
                AgreementRound.kind == command.kind.value,
            )
        ).all()
    )
    round_ = AgreementRound(
        workshop_id=ctx.workshop_id,
        kind=command.kind.value,
        number=number,
        proposal_ids=[p.id for p in proposals if p.id is not None],
        eligible=max(eligible, 1),
    )
    ctx.session.add(round_)
    ctx.session.flush()
    ctx.emit(
        RoundOpened(
            type="round.opened",
            round=round_view(round_, figures(ctx.session, round_, ctx.settings)),
        )
    )
    return {"round_id": round_.id}


@handles(RatingGive, roles=(Role.PARTICIPANT,), phases=PROPOSAL_PHASES)
def rate(ctx: Context, command: RatingGive) -> None:
    """Rate (or re-rate) one proposal. A 1 is an objection and must say why."""
    participant_id = ctx.require_participant()
    round_ = _get_round(ctx, command.round_id)
    if command.proposal_id not in round_.proposal_ids:
        raise CommandError("invalid", "That proposal is not part of this round.")
    reason = command.reason.strip()
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
            ),
        ),
        audience=participant_id,
    )
    _announce(ctx, round_)


@handles(RoundClose, roles=(Role.FACILITATOR,), phases=PROPOSAL_PHASES)
def close(ctx: Context, command: RoundClose) -> None:
    round_ = _get_round(ctx, command.round_id)
    round_.is_open = False
    round_.closed_at = utcnow()
    ctx.session.add(round_)
    _announce(ctx, round_)
