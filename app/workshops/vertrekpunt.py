"""Saving the vertrekpunt: the adopted waarom and opgave, with the chain and figures behind them.

The record is written once, as a self-contained document on the trajectory, so it still reads
correctly after the workshop moves on or participants are later anonymised.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from app.clock import iso, utcnow
from app.realtime.commands import CommandError, Context, Result, handles
from app.realtime.protocol import VertrekpuntSave, VertrekpuntSaved
from app.types import CardKind, Phase, ProposalKind, Role
from app.workshops.models import (
    AgreementRound,
    Card,
    Cluster,
    Dot,
    DotVote,
    Participant,
    Proposal,
    Rating,
    Vertrekpunt,
    Workshop,
)
from app.workshops.participants import authors
from app.workshops.proposals import adopted
from app.workshops.rounds import figures
from app.workshops.schemas import (
    CardView,
    ProposalView,
    card_view,
    cluster_view,
    dump,
    proposal_view,
)
from app.workshops.votes import tally

RECORD_VERSION = 1
CHAIN_ORDER = {CardKind.BEELD.value: 0, CardKind.FACTOR.value: 1, CardKind.CONSEQUENTIE.value: 2}


def lineage(session: Session, proposal: Proposal) -> list[Proposal]:
    """The proposal and every proposal it was amended or merged from, newest first."""
    seen: dict[int, Proposal] = {}
    todo = [proposal]
    while todo:
        current = todo.pop()
        if current.id is None or current.id in seen:
            continue
        seen[current.id] = current
        parents = [current.amends_id] if current.amends_id else []
        for pid in [*parents, *current.merged_from]:
            parent = session.get(Proposal, pid)
            if parent is not None:
                todo.append(parent)
    return sorted(seen.values(), key=lambda p: -(p.id or 0))


V = TypeVar("V", CardView, ProposalView)


def unattributed(view: V) -> V:
    """The record is filed and shared: it says what grew from what, never who wrote it."""
    return view.model_copy(update={"author_id": None, "author_named": False, "mine": False})


def chain(session: Session, workshop_id: int, proposals: list[Proposal]) -> list[dict[str, Any]]:
    """Cards cited by the proposals, plus the factoren their consequenties link to."""
    wanted: list[int] = []
    for proposal in proposals:
        wanted.extend(proposal.cited_card_ids)
    cards: dict[int, Card] = {}
    while wanted:
        card = session.get(Card, wanted.pop())
        if card is None or card.workshop_id != workshop_id or card.id in cards:
            continue
        assert card.id is not None
        cards[card.id] = card
        wanted.extend(card.factor_ids)
    ordered = sorted(cards.values(), key=lambda c: (CHAIN_ORDER[c.kind], c.id or 0))
    return [dump(unattributed(card_view(card))) for card in ordered]


def representation(session: Session, workshop: Workshop, expected: list[str]) -> dict[str, Any]:
    """Who was at the table per stakeholder group, who contributed, and who was missing."""
    participants = session.exec(
        select(Participant).where(Participant.workshop_id == workshop.id)
    ).all()
    group_of = {p.id: p.stakeholder_group for p in participants}
    assert workshop.id is not None
    contributors = authors(session, workshop.id)
    for rater in session.exec(
        select(Rating.participant_id)
        .join(AgreementRound, col(AgreementRound.id) == col(Rating.round_id))
        .where(AgreementRound.workshop_id == workshop.id)
    ):
        contributors.add(rater)
    for voter in session.exec(
        select(Dot.participant_id)
        .join(DotVote, col(DotVote.id) == col(Dot.vote_id))
        .where(DotVote.workshop_id == workshop.id)
    ):
        contributors.add(voter)
    present = Counter(group_of.values())
    contributing = Counter(group_of[p] for p in contributors if p in group_of)
    return {
        "expected": list(expected),
        "present": dict(sorted(present.items())),
        "contributing": dict(sorted(contributing.items())),
        "missing": [group for group in expected if present[group] == 0],
    }


def _adopted_part(ctx: Context, proposal: Proposal) -> dict[str, Any]:
    history = lineage(ctx.session, proposal)
    ids = {p.id for p in history}
    rounds = ctx.session.exec(
        select(AgreementRound)
        .where(AgreementRound.workshop_id == ctx.workshop_id, AgreementRound.kind == proposal.kind)
        .order_by(col(AgreementRound.number))
    ).all()
    round_figures = []
    for round_ in rounds:
        measured = figures(ctx.session, round_, ctx.settings, k=ctx.group_size)
        for pid, convergence in measured.items():
            if pid in ids:
                round_figures.append(
                    {"round": round_.number, "proposal_id": pid, **dump(convergence)}
                )
    return {
        **dump(unattributed(proposal_view(proposal))),
        "adopted_at": iso(proposal.adopted_at),
        "history": [dump(unattributed(proposal_view(p))) for p in history[1:]],
        "rounds": round_figures,
    }


@handles(VertrekpuntSave, roles=(Role.FACILITATOR,), phases=(Phase.AFRONDING,))
def save(ctx: Context, _command: VertrekpuntSave) -> Result:
    waarom = adopted(ctx, ProposalKind.WAAROM)
    opgave = adopted(ctx, ProposalKind.OPGAVE)
    if waarom is None or opgave is None:
        raise CommandError("not_adopted", "Adopt a waarom and an opgave before saving.")
    trajectory = ctx.trajectory
    closed = ctx.session.exec(
        select(DotVote)
        .where(DotVote.workshop_id == ctx.workshop_id, col(DotVote.is_open).is_(False))
        .order_by(col(DotVote.id).desc())
    ).first()
    clusters = ctx.session.exec(
        select(Cluster).where(Cluster.workshop_id == ctx.workshop_id).order_by(col(Cluster.id))
    ).all()
    record = {
        "version": RECORD_VERSION,
        "saved_at": iso(utcnow()),
        "trajectory": {"id": trajectory.id, "theme": trajectory.theme},
        "starts_from_id": ctx.workshop.starts_from_id,
        "workshop": {
            "id": ctx.workshop_id,
            "title": ctx.workshop.title,
            "theme_question": ctx.workshop.theme_question,
            "anonymous": ctx.settings.anonymous,
        },
        "waarom": _adopted_part(ctx, waarom),
        "opgave": _adopted_part(ctx, opgave),
        "chain": chain(
            ctx.session,
            ctx.workshop_id,
            [*lineage(ctx.session, waarom), *lineage(ctx.session, opgave)],
        ),
        "clusters": [dump(cluster_view(c)) for c in clusters],
        "dot_vote": [dump(line) for line in tally(ctx.session, closed.id)]
        if closed and closed.id
        else [],
        "representation": representation(ctx.session, ctx.workshop, trajectory.expected_groups),
    }
    vertrekpunt = Vertrekpunt(
        trajectory_id=trajectory.id or 0,
        workshop_id=ctx.workshop_id,
        previous_id=trajectory.current_vertrekpunt_id,
        record=record,
    )
    ctx.session.add(vertrekpunt)
    ctx.session.flush()
    trajectory.current_vertrekpunt_id = vertrekpunt.id
    ctx.session.add(trajectory)
    assert vertrekpunt.id is not None and trajectory.id is not None
    ctx.emit(
        VertrekpuntSaved(
            type="vertrekpunt.saved", vertrekpunt_id=vertrekpunt.id, trajectory_id=trajectory.id
        )
    )
    return {"vertrekpunt_id": vertrekpunt.id}
