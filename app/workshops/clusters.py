"""Clustering cards into themes, without drag and drop: every move is a plain command."""

from __future__ import annotations

from sqlmodel import select

from app.realtime.commands import CommandError, Context, Result, handles
from app.realtime.protocol import (
    ClusterAssign,
    ClusterCreate,
    ClusterCreated,
    ClusterDelete,
    ClusterDeleted,
    ClusterRename,
    ClusterTag,
    ClusterUpdated,
)
from app.types import Phase, Role
from app.workshops.cards import TAGGING_PHASES, announce, get_card
from app.workshops.models import Card, Cluster, Dot
from app.workshops.schemas import cluster_view
from app.workshops.votes import freeze_targets

CLUSTERERS = (Role.FACILITATOR, Role.PARTICIPANT)


def _may_cluster(ctx: Context) -> None:
    if ctx.actor.role is Role.PARTICIPANT and not ctx.settings.participants_cluster:
        raise CommandError("forbidden", "Only the facilitator clusters in this workshop.")


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
