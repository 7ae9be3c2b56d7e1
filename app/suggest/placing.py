"""Where the loose cards go: for each card in no cluster, the facilitator's cluster it most likely
belongs to, with a confidence, or none when no cluster fits well enough.

Facilitators start a few clusters themselves and then sort the rest; this is where a model helps
most and errs least. A loose card is compared with each cluster's centroid: the mean of its
cards and its title (the facilitator's own words for the mechanism), after the board's mean
vector is taken out (:func:`~app.suggest.vectors.centred`), so what every card shares does not
drown what tells the clusters apart. A card linked to cards of a cluster (a consequentie to its
factoren, or the other way round) gets :data:`LINK_BONUS` towards that cluster per link. The
confidence grows with the margin over the runner-up cluster; below :data:`MIN_CONFIDENCE`, or
when the card is hardly more like its best cluster than like the average card
(:data:`MIN_FIT`), it is left unplaced. Figures: ``docs/suggestions.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from app.suggest.embedding import Embedder, default_embedder, normalised
from app.suggest.embedding import numpy_or_unavailable as _numpy
from app.suggest.room import RoomCard
from app.suggest.vectors import DEFAULT, Ideas, board, centred, linked, unit_rows

__all__ = ["CONFIDENT", "MIN_CONFIDENCE", "Placement", "Placements", "place_cards"]

#: From this confidence on a placement is "zeker": "Plaats alle zekere" moves it.
CONFIDENT = 0.6
#: Below this confidence a card is left unplaced (a margin of 0.01 over the runner-up).
MIN_CONFIDENCE = 0.55
#: A card no more alike to its best cluster than this (after the board's mean is taken out,
#: 0 is "like the average card") fits none and is left unplaced, whatever the margin.
MIN_FIT = 0.05
#: Added to a cluster's similarity per link between the card and a card in that cluster.
LINK_BONUS = 0.05
#: Confidence = 0.5 + this × the margin over the runner-up, at most 1.
_STEEPNESS = 5.0


@dataclass(frozen=True)
class Placement:
    card_id: int
    cluster_id: int
    #: 0 to 1; at least :data:`CONFIDENT` counts as sure.
    confidence: float


@dataclass(frozen=True)
class Placements:
    placements: list[Placement]
    unplaced: list[int]
    model: str


def place_cards(
    cards: Sequence[RoomCard],
    clusters: Mapping[int, str],
    *,
    embedder: Embedder | None = None,
    ideas: Ideas = DEFAULT,
) -> Placements:
    """A placement for every card with no ``cluster_id``, into one of ``clusters`` (id → title)
    that holds at least one card; the cards in clusters are the seeds. Ids ascending.

    In two rounds (``ideas.rounds``): the sure placements of the first round join their
    clusters' centroids, and the other loose cards are placed again against those. A cluster
    seeded with two cards is a thin picture of its mechanism; the cards that clearly belong to
    it fill it in.
    """
    embedder = default_embedder() if embedder is None else embedder
    first = _place_once(cards, clusters, embedder, ideas)
    if ideas.rounds < 2:
        return first
    sure = {p.card_id: p for p in first.placements if p.confidence >= CONFIDENT}
    if not sure:
        return first
    grown = [
        replace(card, cluster_id=sure[card.id].cluster_id) if card.id in sure else card
        for card in cards
    ]
    second = _place_once(grown, clusters, embedder, ideas)
    placements = sorted([*sure.values(), *second.placements], key=lambda p: p.card_id)
    return Placements(placements, second.unplaced, first.model)


def _place_once(
    cards: Sequence[RoomCard], clusters: Mapping[int, str], embedder: Embedder, ideas: Ideas
) -> Placements:
    """One round of :func:`place_cards`: every loose card against the seeds' centroids."""
    rows, empty = board(cards)
    loose = [c.id for c in rows if c.cluster_id is None]
    loose_empty = sorted(c.id for c in cards if c.cluster_id is None and c.id in set(empty))
    order = sorted(
        {c.cluster_id for c in rows if c.cluster_id is not None and c.cluster_id in clusters}
    )
    if not order or not loose:
        return Placements([], sorted(loose + loose_empty), embedder.name)
    np = _numpy()
    titles = [normalised(clusters[cluster_id]) for cluster_id in order]
    named = [i for i, title in enumerate(titles) if title and ideas.names]
    texts = [card.text for card in rows] + [titles[i] for i in named]
    vectors = unit_rows(embedder.embed(texts))
    vectors[: len(rows)] = linked(rows, vectors[: len(rows)], ideas.links)
    if ideas.centre:
        vectors = centred(vectors)
    card_vectors, title_vectors = vectors[: len(rows)], vectors[len(rows) :]
    position = {cluster_id: i for i, cluster_id in enumerate(order)}
    centroids = np.zeros((len(order), vectors.shape[1]))
    sizes = np.zeros(len(order))
    for row, card in enumerate(rows):
        if card.cluster_id in position:
            centroids[position[card.cluster_id]] += card_vectors[row]
            sizes[position[card.cluster_id]] += 1
    for offset, i in enumerate(named):
        centroids[i] += title_vectors[offset]
    centroids = unit_rows(centroids)
    similarity = card_vectors @ centroids.T
    cluster_of = {card.id: card.cluster_id for card in rows if card.cluster_id in position}
    links: dict[int, list[int]] = {card.id: [] for card in rows}
    for card in rows:
        for factor in card.factor_ids:
            if factor in links and factor != card.id:
                links[card.id].append(factor)
                links[factor].append(card.id)
    placements, unplaced = [], list(loose_empty)
    for row, card in enumerate(rows):
        if card.cluster_id is not None:
            continue
        scores = np.round(similarity[row].copy(), 6)
        if ideas.links > 0:
            for other in links[card.id]:
                if other in cluster_of:
                    scores[position[cluster_of[other]]] += LINK_BONUS
        ranked = sorted(range(len(order)), key=lambda i: (-float(scores[i]), order[i]))
        best = float(scores[ranked[0]])
        # With one cluster the alternative is the board's average card (0 after centring).
        runner = float(scores[ranked[1]]) if len(order) > 1 else 0.0
        confidence = round(min(1.0, 0.5 + _STEEPNESS * (best - runner)), 4)
        if confidence < MIN_CONFIDENCE or (ideas.centre and best <= MIN_FIT):
            unplaced.append(card.id)
        else:
            placements.append(Placement(card.id, order[ranked[0]], confidence))
    return Placements(placements, sorted(unplaced), embedder.name)
