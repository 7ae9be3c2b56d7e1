"""Suggestions from the board: clusters by meaning with a short name each, and possible
duplicates. Model-independent: any :class:`~app.suggest.embedding.Embedder` will do.

Clustering is agglomerative with average linkage on cosine distance (scipy). The tree is cut
from the top: the widest group is split until a handful of groups of two or more cards remain
(about n ** 0.6, at most :data:`MAX_CLUSTERS`) and none holds more than :data:`MAX_SHARE` of the
cards, so one vague "everything about older people" group cannot swallow the board; a card that
ends up alone stays *ungrouped* instead of being forced into the nearest cluster. A
consequentie's linked factoren pull it towards their mechanism
(:func:`~app.suggest.vectors.linked`), and the board's mean vector is taken out first
(:func:`~app.suggest.vectors.centred`).

Duplicates are ranked by relative similarity: two cards of one kind must be each other's
nearest card (mutual nearest neighbours) before their similarity counts at all.

Everything is sorted by card id first, so the same cards give the same suggestions whatever
order they come in. These are suggestions only: nothing here changes a workshop. Card texts are
not logged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from app.suggest.embedding import Embedder, Unavailable, default_embedder
from app.suggest.embedding import numpy_or_unavailable as _numpy
from app.suggest.naming import cluster_name
from app.suggest.vectors import DEFAULT, Cards, Ideas, board, centred, embedded, linked

__all__ = [
    "MAX_CLUSTERS",
    "MAX_SHARE",
    "ClusterSuggestion",
    "ClusterSuggestions",
    "DuplicatePair",
    "Embedder",
    "Unavailable",
    "find_duplicates",
    "rank_duplicates",
    "suggest_clusters",
]

#: At most this many clusters are suggested, however varied the cards.
MAX_CLUSTERS = 10
#: No suggested cluster holds more than this share of the cards (at least two cards).
MAX_SHARE = 0.3
#: From this cosine similarity on, two cards are possible duplicates whatever else is near.
NEAR_IDENTICAL = 0.98
#: A card whose mean similarity to the rest of its group is at most this stays ungrouped.
LOOSE_FIT = 0.1
#: A card's typical closeness to the rest is the mean of its this many nearest other cards.
NEIGHBOURS = 3


@dataclass(frozen=True)
class ClusterSuggestion:
    """Cards that belong together, a suggested name, and how alike they are (mean pairwise
    cosine similarity; its scale depends on the model, so compare it within one run only)."""

    card_ids: list[int]
    name: str
    cohesion: float
    #: The two or three most central cards (most alike to the rest), most central first.
    representatives: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class ClusterSuggestions:
    clusters: list[ClusterSuggestion]
    ungrouped: list[int]
    model: str


@dataclass(frozen=True)
class DuplicatePair:
    """Two cards that may say the same thing; ``card_id`` is the one asked about (``among``).

    ``similarity`` is their cosine similarity; ``score`` is what pairs are ranked by after
    "each other's nearest card": the similarity, or with ``Ideas.margin`` how much more alike
    the two are than each is to its other nearest cards (the scale of both depends on the
    model, so compare them within one run only).
    """

    card_id: int
    other_id: int
    similarity: float
    score: float = 0.0


def suggest_clusters(
    cards: Cards, *, embedder: Embedder | None = None, ideas: Ideas = DEFAULT
) -> ClusterSuggestions:
    """Group ``cards`` (id → text, or the board's cards with their links) into a handful of
    named clusters.

    Cards without text, and cards that join no other card, come back in ``ungrouped``.
    Clusters are ordered largest first (then by their first card id), ids ascending.
    """
    embedder = default_embedder() if embedder is None else embedder
    rows, empty = board(cards)
    ids = [card.id for card in rows]
    if len(rows) < 2:
        return ClusterSuggestions([], sorted(ids + empty), embedder.name)
    np = _numpy()
    model_vectors = embedded(rows, embedder)
    vectors = linked(rows, model_vectors, ideas.links)
    if ideas.centre:
        vectors = centred(vectors)
    labels = _labels(vectors, cap=_cap(len(rows)), largest=_largest(len(rows)))
    members: dict[int, list[int]] = {}
    for row, label in enumerate(labels):
        members.setdefault(int(label), []).append(row)
    members = {label: _fitting(vectors, rows_) for label, rows_ in members.items()}
    grouped = {row for rows_ in members.values() if len(rows_) > 1 for row in rows_}
    groups = sorted(
        (rows_ for rows_ in members.values() if len(rows_) > 1), key=lambda r: (-len(r), r[0])
    )
    ungrouped = sorted([ids[r] for r in range(len(rows)) if r not in grouped] + empty)
    texts = [card.text for card in rows]
    clusters = []
    for number, group in enumerate(groups, start=1):
        inside = set(group)
        name = cluster_name(
            [texts[r] for r in group], [texts[r] for r in range(len(rows)) if r not in inside]
        )
        alike = model_vectors[group] @ model_vectors[group].T
        pairs = len(group) * (len(group) - 1)
        cohesion = float((alike.sum() - np.trace(alike)) / pairs)
        centrality = np.round((vectors[group] @ vectors[group].T).sum(axis=1), 6)
        central = sorted(range(len(group)), key=lambda i: (-float(centrality[i]), ids[group[i]]))
        clusters.append(
            ClusterSuggestion(
                card_ids=[ids[r] for r in group],
                name=name or f"Groep {number}",
                cohesion=round(cohesion, 4),
                representatives=[ids[group[i]] for i in central[: 3 if len(group) >= 6 else 2]],
            )
        )
    return ClusterSuggestions(clusters, ungrouped, embedder.name)


def find_duplicates(
    cards: Cards,
    *,
    among: Iterable[int] | None = None,
    embedder: Embedder | None = None,
    ideas: Ideas = DEFAULT,
) -> list[DuplicatePair]:
    """Pairs of cards that may say the same thing, best first: each the other's most similar
    card and at least the embedder's duplicate threshold alike, or all but identical.

    With ``among`` (e.g. a card just posted), only pairs with at least one of those cards, that
    card first; otherwise the lower id first. The other cards still count as neighbours.
    """
    embedder = default_embedder() if embedder is None else embedder
    ranked = _ranked_pairs(cards, embedder, among, ideas)
    floor = embedder.duplicate_similarity
    return [
        pair
        for pair, mutual in ranked
        if pair.similarity >= NEAR_IDENTICAL or (mutual and pair.similarity >= floor)
    ]


def rank_duplicates(
    cards: Cards, *, embedder: Embedder | None = None, ideas: Ideas = DEFAULT
) -> list[DuplicatePair]:
    """Every pair of cards, the likeliest duplicates first, with no threshold: mutual nearest
    neighbours (and all but identical texts) first, then the rest, each part by
    :attr:`DuplicatePair.score`. For the benchmark's "top K" and for tests."""
    embedder = default_embedder() if embedder is None else embedder
    return [pair for pair, _ in _ranked_pairs(cards, embedder, None, ideas, everything=True)]


def _ranked_pairs(
    cards: Cards,
    embedder: Embedder,
    among: Iterable[int] | None,
    ideas: Ideas,
    *,
    everything: bool = False,
) -> list[tuple[DuplicatePair, bool]]:
    """Candidate pairs with whether they are mutual nearest neighbours, best first.

    The mutual-nearest condition is what keeps "merely about the same thing" out: in a busy
    sub-topic (five cards about the bus) many pairs pass any threshold that still catches
    paraphrases in a quiet one, but a paraphrase is nearly always its partner's closest card.
    With ``ideas.margin`` the score asks how far the pair stands out from both cards' other
    close neighbours rather than how alike they are; it ranked no better on either card set
    (docs/suggestions.md), so it is off by default.
    """
    rows, _ = board(cards)
    ids = [card.id for card in rows]
    if len(ids) < 2:
        return []
    asked = set(ids) if among is None else set(among) & set(ids)
    if not asked:
        return []
    np = _numpy()
    vectors = embedded(rows, embedder)
    similarity = np.round(vectors @ vectors.T, 6)
    others = similarity.copy()
    np.fill_diagonal(others, -np.inf)
    if ideas.kinds:
        # Only cards of one kind can be merged, so a beeld is no factor's duplicate.
        kinds = np.array([card.kind for card in rows], dtype=object)
        known = kinds != ""
        apart = known[:, None] & known[None, :] & (kinds[:, None] != kinds[None, :])
        others[apart] = -np.inf
    count = len(ids)
    nearest = others.argmax(axis=1)
    mutual = np.zeros((count, count), dtype=bool)
    index = np.arange(count)
    is_mutual = nearest[nearest] == index
    mutual[index[is_mutual], nearest[is_mutual]] = True
    mutual &= np.isfinite(others)
    mutual |= others >= NEAR_IDENTICAL
    # Mean of each card's nearest neighbours: how alike it is to "its" part of the board.
    depth = min(NEIGHBOURS, count - 1)
    nearby = -np.sort(-np.where(np.isfinite(others), others, -1.0), axis=1)[:, :depth]
    typical = nearby.mean(axis=1)
    if ideas.margin:
        score = np.round(2 * similarity - typical[:, None] - typical[None, :], 6)
    else:
        score = similarity
    pairs: list[tuple[DuplicatePair, bool]] = []
    for i in range(count):
        for j in range(i + 1, count):
            if not everything and not mutual[i, j]:
                continue
            first, second = ids[i], ids[j]
            if first not in asked and second not in asked:
                continue
            if first not in asked:
                first, second = second, first
            pair = DuplicatePair(
                first, second, min(1.0, float(similarity[i, j])), round(float(score[i, j]), 6)
            )
            pairs.append((pair, bool(mutual[i, j])))
    pairs.sort(key=lambda p: (not p[1], -p[0].score, -p[0].similarity, p[0].card_id, p[0].other_id))
    return pairs


def _fitting(vectors: Any, rows: list[int]) -> list[int]:
    """The rows of a group that fit it: on average more alike to its other cards than
    :data:`LOOSE_FIT`. With the board's mean taken out, 0 is how alike a card is to the average
    card, so a card no more like its group than like any card stays loose ("past nergens in")
    instead of being dragged along by the cut."""
    if len(rows) < 2:
        return rows
    block = vectors[rows] @ vectors[rows].T
    fit = (block.sum(axis=1) - block.diagonal()) / (len(rows) - 1)
    return [row for row, value in zip(rows, fit, strict=True) if round(float(value), 6) > LOOSE_FIT]


def _cap(count: int) -> int:
    """A handful: about count ** 0.6 (6 for 20 cards, 10 from 47), 2 to :data:`MAX_CLUSTERS`."""
    return max(2, min(MAX_CLUSTERS, round(math.pow(count, 0.6))))


def _largest(count: int) -> int:
    """The most cards one suggested cluster may hold: :data:`MAX_SHARE`, at least two."""
    return max(2, math.floor(MAX_SHARE * count))


def _labels(vectors: Any, *, cap: int, largest: int) -> list[int]:
    """Flat cluster labels from an average-linkage tree on cosine distance, cut from the top:
    the widest group (the highest merge) is split while a group holds more than ``largest``
    cards or fewer than ``cap`` groups of two or more cards exist; of the groups, the ``cap``
    largest are kept. Cards in no kept group get a label of their own."""
    np = _numpy()
    try:
        from scipy.cluster.hierarchy import linkage, to_tree
        from scipy.spatial.distance import squareform
    except ImportError as error:
        raise Unavailable() from error
    # Rounded so that float noise from batching cannot reorder merges between runs.
    distances = np.round(np.clip(1.0 - vectors @ vectors.T, 0.0, 2.0), 6)
    distances = np.maximum(distances, distances.T)
    np.fill_diagonal(distances, 0.0)
    tree = to_tree(linkage(squareform(distances, checks=False), method="average"))
    parts = [tree]
    while True:
        groups = [node for node in parts if not node.is_leaf()]
        too_big = [node for node in groups if node.get_count() > largest]
        # Below a handful, split only where both halves are groups: peeling one card off
        # a group makes no new group, and would end with every card alone.
        splittable = [
            node
            for node in groups
            if all(child and not child.is_leaf() for child in (node.get_left(), node.get_right()))
        ]
        candidates = too_big or (splittable if len(groups) < cap else [])
        if not candidates:
            break
        widest = max(candidates, key=lambda node: (node.dist, node.get_count(), -node.id))
        parts.remove(widest)
        parts.extend(child for child in (widest.get_left(), widest.get_right()) if child)
    # Splitting the too big groups can leave more than a handful: the smallest groups beyond
    # it are dissolved, their cards left ungrouped rather than the list made longer.
    kept = sorted(
        (node for node in parts if not node.is_leaf()),
        key=lambda node: (-node.get_count(), min(node.pre_order())),
    )[:cap]
    labels = list(range(len(vectors)))
    for node in kept:
        first = min(node.pre_order())
        for row in node.pre_order():
            labels[row] = first
    return labels
