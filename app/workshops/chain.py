"""The chain behind a result: which proposals, clusters and cards the adopted waarom and opgave
grew from.

A proposal cites clusters and cards (``cited_cluster_ids``, ``cited_card_ids``); amending or
merging writes a new proposal that points back (:func:`lineage`). :func:`tree` turns this into
one tree — opgave ← waarom ← clusters ← factoren and consequenties ← beelden — that the record,
the trajectory page and every export show the same way.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session, col, select

from app.types import CardKind, VoteTarget
from app.workshops.models import Card, Cluster, DotVote, Proposal
from app.workshops.schemas import CardView, ChainNode, ProposalView, TallyLine, card_view, dump
from app.workshops.votes import tally

CHAIN_ORDER = {CardKind.BEELD.value: 0, CardKind.FACTOR.value: 1, CardKind.CONSEQUENTIE.value: 2}

V = TypeVar("V", CardView, ProposalView)


def unattributed(view: V) -> V:
    """The record is filed and shared: it says what grew from what, never who wrote it."""
    return view.model_copy(update={"author_id": None, "author_named": False, "mine": False})


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


def cited(proposals: list[Proposal]) -> tuple[list[int], list[int]]:
    """The cluster ids and card ids these proposals cite, first citation first, no repeats."""
    clusters: dict[int, None] = {}
    cards: dict[int, None] = {}
    for proposal in proposals:
        clusters.update(dict.fromkeys(proposal.cited_cluster_ids))
        cards.update(dict.fromkeys(proposal.cited_card_ids))
    return list(clusters), list(cards)


def _shown(session: Session, workshop_id: int, card_id: int) -> Card | None:
    """The card as the record shows it: a merged card is its survivor; hidden cards are left
    out (the facilitator hid them from the room, so the record does not show them either)."""
    card = session.get(Card, card_id)
    if card is not None and card.merged_into_id is not None:
        card = session.get(Card, card.merged_into_id)
    if card is None or card.workshop_id != workshop_id or card.hidden:
        return None
    return card


def _cards_of(session: Session, workshop_id: int, ids: list[int]) -> dict[int, Card]:
    """The cards with these ids in this workshop, plus the factoren their consequenties cite.

    Keyed by the id asked for, so a citation of a card merged into another finds the survivor.
    """
    found: dict[int, Card] = {}
    seen: set[int] = set()
    wanted = list(ids)
    while wanted:
        asked = wanted.pop()
        card = _shown(session, workshop_id, asked)
        if card is None or card.id is None or asked in found or card.id in seen:
            continue
        seen.add(card.id)
        found[asked] = card
        wanted.extend(card.factor_ids)
    return found


def members(session: Session, workshop_id: int, cluster_ids: list[int]) -> list[Card]:
    """The cards in these clusters that the record shows: not hidden, not merged into another."""
    if not cluster_ids:
        return []
    return list(
        session.exec(
            select(Card).where(
                Card.workshop_id == workshop_id,
                col(Card.cluster_id).in_(cluster_ids),
                col(Card.hidden).is_(False),
                col(Card.merged_into_id).is_(None),
            )
        )
    )


def chain(session: Session, workshop_id: int, proposals: list[Proposal]) -> list[dict[str, Any]]:
    """Every card the proposals cite, directly or through a cited cluster, with the factoren
    their consequenties follow from; beelden first, then factoren, then consequenties."""
    cluster_ids, card_ids = cited(proposals)
    in_clusters = [c.id for c in members(session, workshop_id, cluster_ids) if c.id]
    cards = _cards_of(session, workshop_id, [*card_ids, *in_clusters])
    ordered = sorted(cards.values(), key=lambda c: (CHAIN_ORDER[c.kind], c.id or 0))
    return [dump(unattributed(card_view(card))) for card in ordered]


def last_tally(session: Session, workshop_id: int) -> list[TallyLine]:
    """The result of the workshop's last closed dot vote (empty when none closed)."""
    closed = session.exec(
        select(DotVote)
        .where(DotVote.workshop_id == workshop_id, col(DotVote.is_open).is_(False))
        .order_by(col(DotVote.id).desc())
    ).first()
    return tally(session, closed.id) if closed and closed.id else []


class _Builder:
    """Builds the tree; each cluster and card is spelled out once, where it is first cited."""

    def __init__(self, session: Session, workshop_id: int) -> None:
        self.session = session
        self.workshop_id = workshop_id
        self.dots = {
            (line.target_type, line.target_id): line.dots
            for line in last_tally(session, workshop_id)
        }
        self.placed: set[tuple[str, int]] = set()

    def card(self, card: Card, depth: int = 0) -> ChainNode:
        """A card with the factoren it follows from (those are shown again where they are
        cited or clustered themselves: the link is part of the chain)."""
        assert card.id is not None
        children = []
        if depth < 3:
            for factor in _cards_of(self.session, self.workshop_id, list(card.factor_ids)).values():
                if factor.id != card.id and factor.kind == CardKind.FACTOR:
                    children.append(self.card(factor, depth + 1))
        return ChainNode(
            kind=card.kind,
            id=card.id,
            text=card.text,
            tags=list(card.tags),
            world=card.world,
            dots=self.dots.get((VoteTarget.CARD, card.id)),
            image_key=card.image_key,
            children=children,
        )

    def cluster(self, cluster: Cluster) -> ChainNode:
        assert cluster.id is not None
        self.placed.add(("cluster", cluster.id))
        cards = members(self.session, self.workshop_id, [cluster.id])
        ordered = sorted(cards, key=lambda c: (CHAIN_ORDER[c.kind], c.id or 0))
        return ChainNode(
            kind="cluster",
            id=cluster.id,
            text=cluster.title,
            tags=list(cluster.tags),
            dots=self.dots.get((VoteTarget.CLUSTER, cluster.id)),
            children=[self.place(c) for c in ordered],
        )

    def place(self, card: Card) -> ChainNode:
        """The card where it is spelled out: in its cluster, or loose under a proposal."""
        assert card.id is not None
        self.placed.add(("card", card.id))
        return self.card(card)

    def proposal(self, proposal: Proposal, kind: str, first: list[ChainNode]) -> ChainNode:
        cluster_ids, card_ids = cited([proposal])  # amendments carry their citations on
        children = list(first)
        for cluster_id in cluster_ids:
            cluster = self.session.get(Cluster, cluster_id)
            if (
                cluster is not None
                and cluster.workshop_id == self.workshop_id
                and ("cluster", cluster_id) not in self.placed
            ):
                children.append(self.cluster(cluster))
        loose = _cards_of(self.session, self.workshop_id, card_ids)
        for card_id in card_ids:
            card = loose.get(card_id)
            if card is not None and ("card", card.id) not in self.placed:
                children.append(self.place(card))
        assert proposal.id is not None
        return ChainNode(kind=kind, id=proposal.id, text=proposal.text, children=children)


def tree(
    session: Session, workshop_id: int, waarom: Proposal | None, opgave: Proposal | None
) -> ChainNode | None:
    """The chain as one tree rooted at the opgave (or the waarom when no opgave is adopted)."""
    build = _Builder(session, workshop_id)
    waarom_node = build.proposal(waarom, "waarom", []) if waarom is not None else None
    if opgave is not None:
        return build.proposal(opgave, "opgave", [waarom_node] if waarom_node else [])
    return waarom_node
