"""Redraft and rank: when a proposal does not converge, the room chooses how to rewrite it.

The facilitator opens a redraft on a proposal whose latest agreement round did not converge.
It keeps that round's objections (the reasons given with the 1s); the facilitator — and the
phones, if the facilitator allows it — writes two to four variants, each naming the
objection(s) it answers. Then the room ranks the variants on their phones, and the Schulze
method (:mod:`app.workshops.schulze`) picks the one the room prefers. Closing the redraft
writes the winner as an amendment of the proposal (the old one is superseded, as
``proposal.amend`` does), so the facilitator's next ``round.open`` measures it.

Stages: ``writing`` → ``ranking`` → ``closed``; ``redraft.cancel`` drops an unfinished one.
One redraft at a time per workshop. Privacy: a person's ranking goes to nobody but themself
(``my_ranking.given``, :data:`Event.audience`); the room sees how many ranked, and after the
close the order and — from k rankings up — the pairwise counts.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.privacy import DEFAULT_K
from app.realtime.commands import CommandError, Context, Result, handles
from app.realtime.protocol import (
    MyRankingGiven,
    RankingGive,
    RankingOpen,
    RedraftCancel,
    RedraftCancelled,
    RedraftClose,
    RedraftOpen,
    RedraftOpened,
    RedraftUpdated,
    VariantCreate,
    VariantWithdraw,
)
from app.types import ProposalKind, ProposalStatus, Role
from app.workshops.models import AgreementRound, Proposal, Ranking, Redraft, Variant, Workshop
from app.workshops.participants import is_named
from app.workshops.proposals import amend_with
from app.workshops.rounds import PROPOSAL_PHASES, figures, open_round
from app.workshops.schemas import (
    MyRanking,
    RedraftResult,
    RedraftView,
    VariantView,
    View,
)
from app.workshops.schulze import schulze

FACILITATOR = (Role.FACILITATOR,)
WRITERS = (Role.PARTICIPANT, Role.FACILITATOR)
MIN_VARIANTS = 2
MAX_VARIANTS = 4
UNFINISHED = ("writing", "ranking")
STAGES: dict[str, Literal["writing", "ranking", "closed"]] = {
    "writing": "writing",
    "ranking": "ranking",
    "closed": "closed",
}


def variants_of(session: Session, redraft_id: int | None) -> list[Variant]:
    """The redraft's variants that count (not withdrawn), in the order they were written."""
    return list(
        session.exec(
            select(Variant)
            .where(Variant.redraft_id == redraft_id, col(Variant.withdrawn).is_(False))
            .order_by(col(Variant.id))
        )
    )


def rankings_of(session: Session, redraft_id: int | None) -> list[Ranking]:
    return list(
        session.exec(
            select(Ranking).where(Ranking.redraft_id == redraft_id).order_by(col(Ranking.id))
        )
    )


def redraft_view(session: Session, redraft: Redraft) -> RedraftView:
    """The redraft as the log keeps it (the facilitator's view; phones get it without authors)."""
    assert redraft.id is not None
    named = {
        v.author_id: is_named(session, v.author_id)
        for v in variants_of(session, redraft.id)
        if v.author_id is not None
    }
    return RedraftView(
        id=redraft.id,
        kind=ProposalKind(redraft.kind),
        proposal_id=redraft.proposal_id,
        round_id=redraft.round_id,
        objections=list(redraft.objections),
        phones_write=redraft.phones_write,
        stage=STAGES[redraft.stage],
        variants=[
            VariantView(
                id=v.id,
                text=v.text,
                answers=list(v.answers),
                author_id=v.author_id,
                author_named=v.author_id is not None and named.get(v.author_id, False),
            )
            for v in variants_of(session, redraft.id)
            if v.id is not None
        ],
        rankers=len(rankings_of(session, redraft.id)),
        result=RedraftResult.model_validate(redraft.result) if redraft.result else None,
        winner_proposal_id=redraft.winner_proposal_id,
    )


def unfinished(session: Session, workshop_id: int, kind: str | None = None) -> list[Redraft]:
    """The workshop's redrafts not closed yet (of ``kind``, if given): at most one."""
    query = select(Redraft).where(
        Redraft.workshop_id == workshop_id, col(Redraft.stage).in_(UNFINISHED)
    )
    if kind is not None:
        query = query.where(Redraft.kind == kind)
    return list(session.exec(query.order_by(col(Redraft.id))))


def latest_round(session: Session, proposal: Proposal) -> AgreementRound | None:
    """The newest closed round the proposal was part of."""
    rounds = session.exec(
        select(AgreementRound)
        .where(
            AgreementRound.workshop_id == proposal.workshop_id,
            col(AgreementRound.is_open).is_(False),
            col(AgreementRound.after_round_id).is_(None),  # an after-window is not a room round
        )
        .order_by(col(AgreementRound.number).desc())
    ).all()
    return next((r for r in rounds if proposal.id in r.proposal_ids), None)


def _get(ctx: Context, redraft_id: int, *stages: str) -> Redraft:
    redraft = ctx.session.get(Redraft, redraft_id)
    if redraft is None or redraft.workshop_id != ctx.workshop_id:
        raise CommandError("not_found", f"There is no redraft {redraft_id} in this workshop.")
    if redraft.kind != ctx.phase.value:
        raise CommandError("wrong_phase", f"A {redraft.kind} redraft belongs to its own phase.")
    if redraft.stage not in stages:
        raise CommandError(
            "wrong_stage", f"This redraft is {redraft.stage}; that needs {' or '.join(stages)}."
        )
    return redraft


def _announce(ctx: Context, redraft: Redraft) -> None:
    ctx.emit(RedraftUpdated(type="redraft.updated", redraft=redraft_view(ctx.session, redraft)))


@handles(RedraftOpen, roles=FACILITATOR, phases=PROPOSAL_PHASES)
def open_(ctx: Context, command: RedraftOpen) -> Result:
    """Open a redraft on a proposal that did not converge in the latest round it was in."""
    proposal = ctx.session.get(Proposal, command.proposal_id)
    if proposal is None or proposal.workshop_id != ctx.workshop_id:
        raise CommandError("not_found", f"There is no proposal {command.proposal_id} here.")
    if proposal.kind != ctx.phase.value:
        raise CommandError("wrong_phase", f"A {proposal.kind} proposal is redrafted in its phase.")
    if proposal.status != ProposalStatus.OPEN:
        raise CommandError("invalid", f"Proposal {proposal.id} is {proposal.status}, not open.")
    if open_round(ctx.session, ctx.workshop_id, proposal.kind) is not None:
        raise CommandError("round_open", "Close the agreement round before redrafting.")
    if unfinished(ctx.session, ctx.workshop_id):
        raise CommandError("invalid", "Another redraft is still open: close or cancel it first.")
    round_ = latest_round(ctx.session, proposal)
    if round_ is None:
        raise CommandError("invalid", "The room has not rated this proposal yet.")
    measured = figures(ctx.session, round_, ctx.settings, k=ctx.group_size)[command.proposal_id]
    if measured.converged:
        raise CommandError("converged", "This proposal converged: there is nothing to redraft.")
    redraft = Redraft(
        workshop_id=ctx.workshop_id,
        kind=proposal.kind,
        proposal_id=command.proposal_id,
        round_id=round_.id,
        objections=list(measured.objection_reasons),
        phones_write=command.phones_write,
    )
    ctx.session.add(redraft)
    ctx.session.flush()
    ctx.emit(RedraftOpened(type="redraft.opened", redraft=redraft_view(ctx.session, redraft)))
    return {"redraft_id": redraft.id}


@handles(VariantCreate, roles=WRITERS, phases=PROPOSAL_PHASES)
def write(ctx: Context, command: VariantCreate) -> Result:
    """Write a variant. It names the objection(s) it answers when the round had any."""
    redraft = _get(ctx, command.redraft_id, "writing")
    if ctx.actor.role is Role.PARTICIPANT and not redraft.phones_write:
        raise CommandError("forbidden", "In this redraft only the facilitator writes variants.")
    if len(variants_of(ctx.session, redraft.id)) >= MAX_VARIANTS:
        raise CommandError("invalid", f"A redraft has at most {MAX_VARIANTS} variants.")
    answers = sorted(set(command.answers))
    if any(a >= len(redraft.objections) for a in answers):
        raise CommandError("invalid", "A variant can only answer the objections of the round.")
    if redraft.objections and not answers:
        raise CommandError("answers_required", "Say which objection this variant answers.")
    text = command.text.strip()
    if not text:
        raise CommandError("invalid", "A variant needs a text.")
    assert redraft.id is not None
    variant = Variant(
        redraft_id=redraft.id, author_id=ctx.actor.participant_id, text=text, answers=answers
    )
    ctx.session.add(variant)
    ctx.session.flush()
    _announce(ctx, redraft)
    return {"variant_id": variant.id}


@handles(VariantWithdraw, roles=WRITERS, phases=PROPOSAL_PHASES)
def withdraw(ctx: Context, command: VariantWithdraw) -> None:
    """Take a variant back while the redraft is still being written (its author or the
    facilitator)."""
    variant = ctx.session.get(Variant, command.variant_id)
    redraft = ctx.session.get(Redraft, variant.redraft_id) if variant else None
    if variant is None or redraft is None or redraft.workshop_id != ctx.workshop_id:
        raise CommandError("not_found", f"There is no variant {command.variant_id} here.")
    assert redraft.id is not None
    _get(ctx, redraft.id, "writing")
    if variant.withdrawn:
        raise CommandError("invalid", "This variant was withdrawn already.")
    mine = variant.author_id is not None and variant.author_id == ctx.actor.participant_id
    if ctx.actor.role is not Role.FACILITATOR and not mine:
        raise CommandError("forbidden", "Only its author or the facilitator can withdraw it.")
    variant.withdrawn = True
    ctx.session.add(variant)
    ctx.session.flush()
    _announce(ctx, redraft)


def _proposal_still_open(ctx: Context, redraft: Redraft) -> Proposal:
    proposal = ctx.session.get(Proposal, redraft.proposal_id)
    if proposal is None or proposal.status != ProposalStatus.OPEN:
        raise CommandError(
            "invalid", "The proposal changed during the redraft; cancel the redraft."
        )
    return proposal


@handles(RankingOpen, roles=FACILITATOR, phases=PROPOSAL_PHASES)
def open_ranking(ctx: Context, command: RankingOpen) -> None:
    """Stop writing; the room ranks the variants from now on."""
    redraft = _get(ctx, command.redraft_id, "writing")
    _proposal_still_open(ctx, redraft)
    written = len(variants_of(ctx.session, redraft.id))
    if not MIN_VARIANTS <= written <= MAX_VARIANTS:
        raise CommandError(
            "invalid", f"Ranking needs {MIN_VARIANTS} to {MAX_VARIANTS} variants, not {written}."
        )
    redraft.stage = "ranking"
    ctx.session.add(redraft)
    _announce(ctx, redraft)


@handles(RankingGive, roles=(Role.PARTICIPANT,), phases=PROPOSAL_PHASES)
def rank(ctx: Context, command: RankingGive) -> None:
    """Give (or replace) one's ranking: every variant exactly once, best first."""
    participant_id = ctx.require_participant()
    redraft = _get(ctx, command.redraft_id, "ranking")
    ids = [v.id for v in variants_of(ctx.session, redraft.id) if v.id is not None]
    unknown = [i for i in command.order if i not in ids]
    if unknown:
        raise CommandError("not_found", f"Variant {unknown[0]} is not part of this redraft.")
    if sorted(command.order) != sorted(ids):
        raise CommandError("invalid", "Put every variant in your order exactly once.")
    assert redraft.id is not None
    ranking = ctx.session.exec(
        select(Ranking).where(
            Ranking.redraft_id == redraft.id, Ranking.participant_id == participant_id
        )
    ).first()
    if ranking is None:
        ranking = Ranking(redraft_id=redraft.id, participant_id=participant_id)
    ranking.order, ranking.updated_at = list(command.order), utcnow()
    ctx.session.add(ranking)
    ctx.session.flush()
    ctx.emit(
        MyRankingGiven(
            type="my_ranking.given",
            ranking=MyRanking(redraft_id=redraft.id, order=list(command.order)),
        ),
        audience=participant_id,
    )
    _announce(ctx, redraft)


def count(ctx: Context, redraft: Redraft) -> RedraftResult:
    """Schulze over the rankings given; pairwise counts only from k rankers up."""
    variants = [v.id for v in variants_of(ctx.session, redraft.id) if v.id is not None]
    rankings = [r.order for r in rankings_of(ctx.session, redraft.id)]
    outcome = schulze(variants, rankings)
    return RedraftResult(
        winner_id=outcome.winner,
        order=outcome.order,
        variant_ids=variants,
        pairwise=outcome.pairwise if len(rankings) >= ctx.group_size else None,
        ties_broken=outcome.ties_broken,
        rankers=len(rankings),
    )


@handles(RedraftClose, roles=FACILITATOR, phases=PROPOSAL_PHASES)
def close(ctx: Context, command: RedraftClose) -> Result:
    """Count the rankings; the winning variant becomes the proposal's amendment."""
    redraft = _get(ctx, command.redraft_id, "ranking")
    original = _proposal_still_open(ctx, redraft)
    if not rankings_of(ctx.session, redraft.id):
        raise CommandError("no_rankings", "Nobody has ranked the variants yet.")
    result = count(ctx, redraft)
    winner = ctx.session.get(Variant, result.winner_id)
    assert winner is not None
    amended = amend_with(ctx, original, winner.text, author_id=winner.author_id)
    redraft.stage = "closed"
    redraft.result = result.model_dump(mode="json")
    redraft.winner_proposal_id = amended.id
    redraft.closed_at = utcnow()
    ctx.session.add(redraft)
    _announce(ctx, redraft)
    return {"proposal_id": amended.id, "variant_id": winner.id}


@handles(RedraftCancel, roles=FACILITATOR, phases=PROPOSAL_PHASES)
def cancel(ctx: Context, command: RedraftCancel) -> None:
    cancel_redraft(ctx, _get(ctx, command.redraft_id, *UNFINISHED))


def cancel_redraft(ctx: Context, redraft: Redraft) -> None:
    """Drop an unfinished redraft with its variants and rankings (also when leaving the phase).

    Its rows go by statement, before the redraft itself (as ``cancel_round`` drops ratings): the
    unit of work would not order the deletes of rows it knows no relation between.
    """
    assert redraft.id is not None
    ctx.session.execute(delete(Ranking).where(col(Ranking.redraft_id) == redraft.id))
    ctx.session.execute(delete(Variant).where(col(Variant.redraft_id) == redraft.id))
    ctx.session.delete(redraft)
    ctx.session.flush()
    ctx.emit(RedraftCancelled(type="redraft.cancelled", redraft_id=redraft.id))


# --------------------------------------------------------------------------- the record


class GroupGain(View):
    """Agreement (share of 4–5) in one group before and after a redraft.

    Only groups the two rounds both show under the same label (their own figures are k-safe,
    :func:`app.workshops.rounds.by_group`), so the gain tells nothing the two rounds' own
    figures in the record do not."""

    group: str
    before: float
    after: float
    gained: float


class VariantRecord(View):
    id: int
    text: str
    answers: list[str] = Field(description="the objections it answered, as they were written")
    won: bool


class RedraftRecord(View):
    """One closed redraft in the record: the ledger of variants against objections, the Schulze
    count and what it gained — the round before against the first round the winner was in."""

    kind: ProposalKind
    proposal_id: int
    round_number: int | None = Field(description="the round that did not converge")
    objections: list[str]
    variants: list[VariantRecord]
    result: RedraftResult
    winner_proposal_id: int | None
    next_round_number: int | None = Field(description="the first round the winner was in")
    agree_before: float | None
    agree_after: float | None
    gained: float | None = Field(description="agree_after - agree_before, overall")
    converged_after: bool | None
    by_group: list[GroupGain] = Field(default_factory=list)


def _first_round_with(rounds: list[AgreementRound], proposal_id: int | None, after: int) -> Any:
    return next(
        (r for r in rounds if r.number > after and proposal_id in r.proposal_ids and not r.is_open),
        None,
    )


def redraft_records(
    session: Session, workshop: Workshop, *, k: int = DEFAULT_K
) -> list[RedraftRecord]:
    """Every closed redraft of the workshop, for the vertrekpunt's record and the exports."""
    settings = workshop.workshop_settings()
    redrafts = session.exec(
        select(Redraft)
        .where(Redraft.workshop_id == workshop.id, Redraft.stage == "closed")
        .order_by(col(Redraft.id))
    ).all()
    records = []
    for redraft in redrafts:
        if redraft.result is None:
            continue
        result = RedraftResult.model_validate(redraft.result)
        rounds = list(
            session.exec(
                select(AgreementRound)
                .where(
                    AgreementRound.workshop_id == workshop.id,
                    AgreementRound.kind == redraft.kind,
                    col(AgreementRound.after_round_id).is_(None),  # not an after-window
                )
                .order_by(col(AgreementRound.number))
            )
        )
        before_round = next((r for r in rounds if r.id == redraft.round_id), None)
        before = (
            figures(session, before_round, settings, k=k).get(redraft.proposal_id)
            if before_round
            else None
        )
        after_round = _first_round_with(
            rounds, redraft.winner_proposal_id, before_round.number if before_round else 0
        )
        after = (
            figures(session, after_round, settings, k=k).get(redraft.winner_proposal_id or 0)
            if after_round
            else None
        )
        gains = []
        if before is not None and after is not None:
            earlier = {g.group: g.agree_share for g in before.by_group}
            for group in after.by_group:
                if group.group in earlier:
                    gains.append(
                        GroupGain(
                            group=group.group,
                            before=earlier[group.group],
                            after=group.agree_share,
                            gained=round(group.agree_share - earlier[group.group], 4),
                        )
                    )
        written = session.exec(
            select(Variant).where(Variant.redraft_id == redraft.id).order_by(col(Variant.id))
        ).all()
        records.append(
            RedraftRecord(
                kind=ProposalKind(redraft.kind),
                proposal_id=redraft.proposal_id,
                round_number=before_round.number if before_round else None,
                objections=list(redraft.objections),
                variants=[
                    VariantRecord(
                        id=v.id,
                        text=v.text,
                        answers=[redraft.objections[a] for a in v.answers],
                        won=v.id == result.winner_id,
                    )
                    for v in written
                    if v.id in result.variant_ids
                ],
                result=result,
                winner_proposal_id=redraft.winner_proposal_id,
                next_round_number=after_round.number if after_round else None,
                agree_before=before.agree_share if before else None,
                agree_after=after.agree_share if after else None,
                gained=round(after.agree_share - before.agree_share, 4)
                if before and after
                else None,
                converged_after=after.converged if after else None,
                by_group=gains,
            )
        )
    return records


def rounds_to_convergence(
    session: Session, workshop: Workshop, proposal_ids: set[int], kind: str, *, k: int = DEFAULT_K
) -> int | None:
    """How many rounds of ``kind`` the proposal and its forerunners (``proposal_ids``: its
    lineage) were rated in, up to the first where one of them converged; ``None``: never."""
    settings = workshop.workshop_settings()
    rounds = session.exec(
        select(AgreementRound)
        .where(
            AgreementRound.workshop_id == workshop.id,
            AgreementRound.kind == kind,
            col(AgreementRound.after_round_id).is_(None),  # an after-window is not a room round
        )
        .order_by(col(AgreementRound.number))
    ).all()
    taken = 0
    for round_ in rounds:
        mine = [p for p in round_.proposal_ids if p in proposal_ids]
        if not mine or round_.is_open:
            continue
        taken += 1
        measured = figures(session, round_, settings, k=k)
        if any(measured[p].converged for p in mine):
            return taken
    return None
