"""Clustering cards into themes: every move on the console's board is a plain command.

The facilitator clusters. Phones, when the workshop lets them (``participants_cluster``),
*suggest* that a card belongs with another card or a cluster; the facilitator accepts or
declines, so the room shapes the clusters without twenty phones dragging the same cards at once.
"""

from __future__ import annotations

from sqlmodel import select

from app.realtime.commands import FACILITATORS_ONLY, CommandError, Context, Result, handles
from app.realtime.protocol import (
    ClusterAssign,
    ClusterCreate,
    ClusterCreated,
    ClusterDelete,
    ClusterDeleted,
    ClusterMove,
    ClusterPlace,
    ClusterRename,
    ClusterTag,
    ClusterUpdated,
    SuggestionDecide,
    SuggestionDecided,
    SuggestionMade,
    SuggestionMake,
)
from app.types import TAGGING_PHASES, Phase, Role
from app.workshops.cards import announce, get_card
from app.workshops.models import Card, Cluster, Dot, Suggestion
from app.workshops.schemas import cluster_view, suggestion_view
from app.workshops.votes import freeze_targets

CLUSTERERS = (Role.FACILITATOR,)
CLUSTEREN = (Phase.CLUSTEREN,)


def _may_cluster(ctx: Context) -> None:
    """Clustering is the facilitator's; phones suggest (see :func:`suggest`)."""


def get_cluster(ctx: Context, cluster_id: int) -> Cluster:
    cluster = ctx.session.get(Cluster, cluster_id)
    if cluster is None or cluster.workshop_id != ctx.workshop_id:
        raise CommandError("not_found", f"There is no cluster {cluster_id} in this workshop.")
    return cluster


def _assign(ctx: Context, card: Card, cluster_id: int | None) -> None:
    if card.cluster_id == cluster_id:
        return
    card.cluster_id = cluster_id
    ctx.session.add(card)
    announce(ctx, card)


@handles(ClusterCreate, roles=CLUSTERERS, phases=(Phase.CLUSTEREN,))
def create(ctx: Context, command: ClusterCreate) -> Result:
    _may_cluster(ctx)
    cards = [get_card(ctx, card_id) for card_id in dict.fromkeys(command.card_ids)]
    cluster = Cluster(workshop_id=ctx.workshop_id, title=command.title.strip() or command.title)
    ctx.session.add(cluster)
    ctx.session.flush()
    ctx.emit(ClusterCreated(type="cluster.created", cluster=cluster_view(cluster)))
    for card in cards:
        _assign(ctx, card, cluster.id)
    return {"cluster_id": cluster.id}


@handles(ClusterRename, roles=CLUSTERERS, phases=(Phase.CLUSTEREN,))
def rename(ctx: Context, command: ClusterRename) -> None:
    _may_cluster(ctx)
    cluster = get_cluster(ctx, command.cluster_id)
    cluster.title = command.title
    ctx.session.add(cluster)
    ctx.emit(ClusterUpdated(type="cluster.updated", cluster=cluster_view(cluster)))


@handles(ClusterAssign, roles=CLUSTERERS, phases=(Phase.CLUSTEREN,))
def assign(ctx: Context, command: ClusterAssign) -> None:
    _may_cluster(ctx)
    card = get_card(ctx, command.card_id)
    if command.cluster_id is not None:
        get_cluster(ctx, command.cluster_id)
    if card.cluster_id == command.cluster_id:
        raise CommandError("invalid", "The card is already there.")
    _assign(ctx, card, command.cluster_id)


@handles(ClusterTag, roles=CLUSTERERS, phases=TAGGING_PHASES)
def tag(ctx: Context, command: ClusterTag) -> None:
    _may_cluster(ctx)
    cluster = get_cluster(ctx, command.cluster_id)
    cluster.tags = [t.value for t in dict.fromkeys(command.tags)]
    ctx.session.add(cluster)
    ctx.emit(ClusterUpdated(type="cluster.updated", cluster=cluster_view(cluster)))


@handles(ClusterDelete, roles=CLUSTERERS, phases=(Phase.CLUSTEREN,))
def delete(ctx: Context, command: ClusterDelete) -> None:
    """Dissolve a cluster; its cards go back to the unclustered pile."""
    _may_cluster(ctx)
    cluster = get_cluster(ctx, command.cluster_id)
    freeze_targets(ctx, "Removing a cluster")
    if ctx.session.exec(
        select(Dot).where(Dot.target_type == "cluster", Dot.target_id == cluster.id)
    ).first():
        raise CommandError("in_use", "This cluster has votes and stays.")
    for card in ctx.session.exec(select(Card).where(Card.cluster_id == cluster.id)).all():
        _assign(ctx, card, None)
    ctx.session.delete(cluster)
    ctx.emit(ClusterDeleted(type="cluster.deleted", cluster_id=command.cluster_id))


@handles(ClusterMove, roles=CLUSTERERS, phases=CLUSTEREN)
def move(ctx: Context, command: ClusterMove) -> Result:
    """Move a selection of cards into a cluster (or back to the pile) as one step."""
    cards = [get_card(ctx, card_id) for card_id in dict.fromkeys(command.card_ids)]
    if command.cluster_id is not None:
        get_cluster(ctx, command.cluster_id)
    moved = 0
    for card in cards:
        if card.cluster_id != command.cluster_id:
            _assign(ctx, card, command.cluster_id)
            moved += 1
    if not moved:
        raise CommandError("invalid", "The cards are already there.")
    return {"moved": moved}


@handles(ClusterPlace, roles=CLUSTERERS, phases=CLUSTEREN)
def place(ctx: Context, command: ClusterPlace) -> Result:
    """Place many cards, each into its own cluster, as one step: all of them or, on any bad
    card or cluster (another workshop's, hidden, merged into another), none. A card named
    twice must go to the same cluster both times."""
    targets: dict[int, int] = {}
    for placement in command.placements:
        if targets.setdefault(placement.card_id, placement.cluster_id) != placement.cluster_id:
            raise CommandError("invalid", f"Card {placement.card_id} is placed twice.")
    cards = [get_card(ctx, card_id) for card_id in targets]
    for card in cards:
        if card.hidden or card.merged_into_id is not None:
            raise CommandError("invalid", f"Card {card.id} is not on the wall.")
    for cluster_id in dict.fromkeys(targets.values()):
        get_cluster(ctx, cluster_id)
    moved = 0
    for card in cards:
        assert card.id is not None
        if card.cluster_id != targets[card.id]:
            _assign(ctx, card, targets[card.id])
            moved += 1
    if not moved:
        raise CommandError("invalid", "The cards are already there.")
    return {"moved": moved}


def _check_target(ctx: Context, kind: str, target_id: int, card: Card) -> None:
    if kind == "cluster":
        get_cluster(ctx, target_id)
        if card.cluster_id == target_id:
            raise CommandError("invalid", "The card is already in that cluster.")
        return
    if target_id == card.id:
        raise CommandError("invalid", "A card cannot go with itself.")
    target = get_card(ctx, target_id)
    if target.hidden or target.merged_into_id is not None:
        raise CommandError("invalid", "That card is not on the wall.")
    if card.cluster_id is not None and target.cluster_id == card.cluster_id:
        raise CommandError("invalid", "The two cards are already together.")


@handles(SuggestionMake, roles=(Role.PARTICIPANT,), phases=CLUSTEREN)
def suggest(ctx: Context, command: SuggestionMake) -> Result:
    """A phone suggests a card belongs with a card or cluster. The same open suggestion from
    several phones is counted on one row; who suggested it is not kept."""
    if not ctx.settings.participants_cluster:
        raise CommandError("forbidden", "In this workshop the facilitator clusters on their own.")
    card = get_card(ctx, command.card_id)
    if card.hidden or card.merged_into_id is not None:
        raise CommandError("invalid", "That card is not on the wall.")
    _check_target(ctx, command.target.kind, command.target.id, card)
    existing = ctx.session.exec(
        select(Suggestion).where(
            Suggestion.workshop_id == ctx.workshop_id,
            Suggestion.card_id == card.id,
            Suggestion.target_kind == command.target.kind,
            Suggestion.target_id == command.target.id,
            Suggestion.status == "open",
        )
    ).first()
    if existing is None:
        assert card.id is not None
        existing = Suggestion(
            workshop_id=ctx.workshop_id,
            card_id=card.id,
            target_kind=command.target.kind,
            target_id=command.target.id,
        )
    else:
        existing.count += 1
    ctx.session.add(existing)
    ctx.session.flush()
    ctx.emit(
        SuggestionMade(type="suggestion.made", suggestion=suggestion_view(existing)),
        audience=FACILITATORS_ONLY,
    )
    return {"suggestion_id": existing.id}


@handles(SuggestionDecide, roles=CLUSTERERS, phases=CLUSTEREN)
def decide(ctx: Context, command: SuggestionDecide) -> Result:
    """Accept (the move happens as ordinary clustering events) or decline a suggestion."""
    suggestion = ctx.session.get(Suggestion, command.suggestion_id)
    if suggestion is None or suggestion.workshop_id != ctx.workshop_id:
        raise CommandError("not_found", f"There is no suggestion {command.suggestion_id} here.")
    if suggestion.status != "open":
        raise CommandError("invalid", f"This suggestion was already {suggestion.status}.")
    result: Result = {}
    if command.accept:
        card = get_card(ctx, suggestion.card_id)
        _check_target(ctx, suggestion.target_kind, suggestion.target_id, card)
        if suggestion.target_kind == "cluster":
            _assign(ctx, card, suggestion.target_id)
            result["cluster_id"] = suggestion.target_id
        else:
            target = get_card(ctx, suggestion.target_id)
            if target.cluster_id is not None:
                _assign(ctx, card, target.cluster_id)
                result["cluster_id"] = target.cluster_id
            else:
                cluster = Cluster(workshop_id=ctx.workshop_id, title=_title_from(target.text))
                ctx.session.add(cluster)
                ctx.session.flush()
                ctx.emit(ClusterCreated(type="cluster.created", cluster=cluster_view(cluster)))
                _assign(ctx, target, cluster.id)
                _assign(ctx, card, cluster.id)
                result["cluster_id"] = cluster.id
    suggestion.status = "accepted" if command.accept else "declined"
    ctx.session.add(suggestion)
    ctx.emit(
        SuggestionDecided(type="suggestion.decided", suggestion=suggestion_view(suggestion)),
        audience=FACILITATORS_ONLY,
    )
    return result


def _title_from(text: str, limit: int = 60) -> str:
    """A first title for a cluster made from a card: its text, cut at a word near ``limit``."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text or "Cluster"
    cut = text[:limit].rsplit(" ", 1)[0]
    return f"{cut}…"
