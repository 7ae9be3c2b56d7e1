"""Proposals for the waarom and the opgave: create, amend, merge, withdraw, adopt.

Amending or merging never edits a proposal in place: it writes a new one that points back
(``amends_id``, ``merged_from``) and marks the old ones superseded, so every round's figures keep
meaning what they meant.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from app.clock import utcnow
from app.realtime.commands import CommandError, Context, Result, handles
from app.realtime.protocol import (
    ProposalAdopt,
    ProposalAmend,
    ProposalCreate,
    ProposalCreated,
    ProposalFields,
    ProposalMerge,
    ProposalUpdated,
    ProposalWithdraw,
)
from app.types import Phase, ProposalKind, ProposalStatus, Role
from app.workshops.models import Card, Cluster, Proposal
from app.workshops.participants import is_named
from app.workshops.rounds import PROPOSAL_PHASES, latest_figures, open_round
from app.workshops.schemas import ProposalView, proposal_view
from app.workshops.targets import shortfall_record, shortfalls

PROPOSERS = (Role.PARTICIPANT, Role.FACILITATOR)
ADOPTION_PHASES = (Phase.WAAROM, Phase.OPGAVE, Phase.AFRONDING)


def _get(ctx: Context, proposal_id: int) -> Proposal:
    proposal = ctx.session.get(Proposal, proposal_id)
    if proposal is None or proposal.workshop_id != ctx.workshop_id:
        raise CommandError("not_found", f"There is no proposal {proposal_id} in this workshop.")
    return proposal


def _editable(ctx: Context, proposal: Proposal, *, author_may: bool) -> None:
    if proposal.status != ProposalStatus.OPEN:
        raise CommandError("invalid", f"Proposal {proposal.id} is {proposal.status}, not open.")
    if proposal.kind != ctx.phase.value:
        raise CommandError("wrong_phase", f"A {proposal.kind} proposal changes in its own phase.")
    if open_round(ctx.session, ctx.workshop_id, proposal.kind) is not None:
        raise CommandError("round_open", "Close the agreement round before changing proposals.")
    is_author = author_may and proposal.author_id == ctx.actor.participant_id
    if ctx.actor.role is not Role.FACILITATOR and not is_author:
        raise CommandError("forbidden", "Only the author or the facilitator can do this.")


def _new(
    ctx: Context,
    kind: ProposalKind,
    fields: ProposalFields,
    *,
    grew_from: Sequence[Proposal] = (),
    **lineage: object,
) -> Proposal:
    """Write a proposal. It cites what it grew from; an amendment or merge that names no
    citations of its own keeps those of the proposals it replaces, so the chain is not lost."""
    if kind is ProposalKind.WAAROM and (
        fields.in_scope or fields.out_of_scope or fields.core_themes
    ):
        raise CommandError("invalid", "Scope and core themes belong to an opgave, not a waarom.")
    cited = list(dict.fromkeys(fields.cited_card_ids))
    clusters = list(dict.fromkeys(fields.cited_cluster_ids))
    if not cited and not clusters:
        for parent in grew_from:
            cited.extend(c for c in parent.cited_card_ids if c not in cited)
            clusters.extend(c for c in parent.cited_cluster_ids if c not in clusters)
    for card_id in cited:
        card = ctx.session.get(Card, card_id)
        if card is None or card.workshop_id != ctx.workshop_id:
            raise CommandError("invalid", f"Card {card_id} cannot be cited: it is not here.")
        if card.hidden and ctx.actor.role is not Role.FACILITATOR:
            raise CommandError("invalid", f"Card {card_id} is hidden and cannot be cited.")
    for cluster_id in clusters:
        cluster = ctx.session.get(Cluster, cluster_id)
        if cluster is None or cluster.workshop_id != ctx.workshop_id:
            raise CommandError("invalid", f"Cluster {cluster_id} cannot be cited: it is not here.")
    # A redraft's winner is written by whoever wrote the variant, not by who closed it.
    author_id = lineage.pop("author_id", ctx.actor.participant_id)
    proposal = Proposal(
        workshop_id=ctx.workshop_id,
        kind=kind.value,
        author_id=author_id,  # type: ignore[arg-type]
        text=fields.text.strip() or fields.text,
        in_scope=list(fields.in_scope),
        out_of_scope=list(fields.out_of_scope),
        core_themes=list(fields.core_themes),
        cited_card_ids=cited,
        cited_cluster_ids=clusters,
        **lineage,  # type: ignore[arg-type]
    )
    ctx.session.add(proposal)
    ctx.session.flush()
    ctx.emit(ProposalCreated(type="proposal.created", proposal=_full_view(ctx, proposal)))
    return proposal


def _full_view(ctx: Context, proposal: Proposal) -> ProposalView:
    """The proposal as the log keeps it (trimmed per viewer on the way out)."""
    return proposal_view(proposal, author_named=is_named(ctx.session, proposal.author_id))


def _set_status(ctx: Context, proposal: Proposal, status: ProposalStatus) -> None:
    proposal.status = status.value
    ctx.session.add(proposal)
    ctx.emit(ProposalUpdated(type="proposal.updated", proposal=_full_view(ctx, proposal)))


@handles(ProposalCreate, roles=PROPOSERS, phases=PROPOSAL_PHASES)
def create(ctx: Context, command: ProposalCreate) -> Result:
    if command.kind.value != ctx.phase.value:
        raise CommandError("wrong_phase", f"{command.kind.value} proposals belong to that phase.")
    return {"proposal_id": _new(ctx, command.kind, command).id}


@handles(ProposalAmend, roles=PROPOSERS, phases=PROPOSAL_PHASES)
def amend(ctx: Context, command: ProposalAmend) -> Result:
    original = _get(ctx, command.proposal_id)
    _editable(ctx, original, author_may=True)
    _set_status(ctx, original, ProposalStatus.SUPERSEDED)
    amended = _new(
        ctx, ProposalKind(original.kind), command, grew_from=[original], amends_id=original.id
    )
    return {"proposal_id": amended.id}


@handles(ProposalMerge, roles=(Role.FACILITATOR,), phases=PROPOSAL_PHASES)
def merge(ctx: Context, command: ProposalMerge) -> Result:
    ids = list(dict.fromkeys(command.proposal_ids))
    if len(ids) < 2:
        raise CommandError("invalid", "Merging takes at least two different proposals.")
    originals = [_get(ctx, pid) for pid in ids]
    for original in originals:
        _editable(ctx, original, author_may=False)
    for original in originals:
        _set_status(ctx, original, ProposalStatus.SUPERSEDED)
    merged = _new(
        ctx, ProposalKind(originals[0].kind), command, grew_from=originals, merged_from=ids
    )
    return {"proposal_id": merged.id}


@handles(ProposalWithdraw, roles=PROPOSERS, phases=PROPOSAL_PHASES)
def withdraw(ctx: Context, command: ProposalWithdraw) -> None:
    proposal = _get(ctx, command.proposal_id)
    _editable(ctx, proposal, author_may=True)
    _set_status(ctx, proposal, ProposalStatus.WITHDRAWN)


@handles(ProposalAdopt, roles=(Role.FACILITATOR,), phases=ADOPTION_PHASES)
def adopt(ctx: Context, command: ProposalAdopt) -> Result:
    """Adopt a proposal as the room's waarom or opgave.

    A converged proposal is adopted as is; an unconverged one only with a written reason, which
    the record keeps. While an expected group is absent or below the trajectory's target, the
    facilitator confirms first (``representation_confirmed``), and the proposal keeps which
    groups were short, for the record (:mod:`app.workshops.targets`). Adopting another proposal
    of the same kind un-adopts the previous one.
    """
    proposal = _get(ctx, command.proposal_id)
    if proposal.status != ProposalStatus.OPEN:
        raise CommandError("invalid", f"Proposal {proposal.id} is {proposal.status}, not open.")
    if open_round(ctx.session, ctx.workshop_id, proposal.kind) is not None:
        raise CommandError("round_open", "Close the agreement round before adopting.")
    measured = latest_figures(ctx.session, proposal, ctx.settings, k=ctx.group_size)
    converged = measured is not None and measured.converged
    reason = command.reason.strip()
    if not converged and not reason:
        raise CommandError(
            "reason_required",
            "This proposal has not converged; adopting it anyway needs a written reason.",
        )
    short = shortfalls(ctx.session, ctx.workshop_id, ctx.trajectory)
    if short and not command.representation_confirmed:
        raise CommandError(
            "representation_unconfirmed",
            "Expected groups are absent or below target ("
            + ", ".join(f"{s.group}: {s.here} of {s.target or '-'}" for s in short)
            + "); adopting anyway needs representation_confirmed.",
        )
    previous = ctx.session.exec(
        select(Proposal).where(
            Proposal.workshop_id == ctx.workshop_id,
            Proposal.kind == proposal.kind,
            Proposal.status == ProposalStatus.ADOPTED,
        )
    ).all()
    for old in previous:
        old.adopted_reason, old.adopted_at, old.adopted_short = None, None, None
        _set_status(ctx, old, ProposalStatus.OPEN)
    proposal.adopted_reason = None if converged else reason
    proposal.adopted_at = utcnow()
    proposal.adopted_short = shortfall_record(short) if short else None
    _set_status(ctx, proposal, ProposalStatus.ADOPTED)
    return {"proposal_id": proposal.id}


def adopted(ctx: Context, kind: ProposalKind) -> Proposal | None:
    return ctx.session.exec(
        select(Proposal)
        .where(
            Proposal.workshop_id == ctx.workshop_id,
            Proposal.kind == kind.value,
            Proposal.status == ProposalStatus.ADOPTED,
        )
        .order_by(col(Proposal.id))
    ).first()


def amend_with(ctx: Context, original: Proposal, text: str, *, author_id: int | None) -> Proposal:
    """Supersede ``original`` by a proposal with ``text`` (a redraft's winning variant, written
    by ``author_id``), keeping its scope and citations, as ``proposal.amend`` would."""
    fields = ProposalFields(
        cid="redraft",
        text=text,
        in_scope=original.in_scope,
        out_of_scope=original.out_of_scope,
        core_themes=original.core_themes,
    )
    _set_status(ctx, original, ProposalStatus.SUPERSEDED)
    return _new(
        ctx,
        ProposalKind(original.kind),
        fields,
        grew_from=[original],
        author_id=author_id,
        amends_id=original.id,
    )
