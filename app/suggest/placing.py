"""Where the loose cards go: for each card in no cluster, the facilitator's cluster it most likely
belongs to, with a confidence, or none when no cluster fits well enough.

Facilitators start a few clusters themselves and then sort the rest; this is where a model helps
most and errs least. First version: each loose card goes to the cluster whose centroid (its
cards and its title) is nearest, if the margin over the runner-up is clear.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.suggest.embedding import Embedder, default_embedder, normalised
from app.suggest.embedding import numpy_or_unavailable as _numpy
from app.suggest.room import RoomCard

__all__ = ["Placement", "Placements", "place_cards"]

#: From this confidence on a placement is "zeker": "Plaats alle zekere" moves it.
CONFIDENT = 0.6


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
) -> Placements:
    """A placement for every card with no ``cluster_id``, into one of ``clusters`` (id → title)
    that holds at least one card; the cards in clusters are the seeds. Ids ascending."""
    embedder = default_embedder() if embedder is None else embedder
    loose = sorted((c for c in cards if c.cluster_id is None), key=lambda c: c.id)
    seeded: dict[int, list[str]] = {}
    for card in cards:
        if card.cluster_id is not None and card.cluster_id in clusters and normalised(card.text):
            seeded.setdefault(card.cluster_id, []).append(normalised(card.text))
    placeable = [c for c in loose if normalised(c.text)]
    if not seeded or not placeable:
        return Placements([], [c.id for c in loose], embedder.name)
    np = _numpy()
    order = sorted(seeded)
    texts = [normalised(c.text) for c in placeable]
    for cluster_id in order:
        texts.extend(seeded[cluster_id])
    vectors = np.asarray(embedder.embed(texts), dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0.0] = 1.0
    vectors = vectors / norms
    start = len(placeable)
    centroids = []
    for cluster_id in order:
        block = vectors[start : start + len(seeded[cluster_id])]
        start += len(seeded[cluster_id])
        centre = block.mean(axis=0)
        centroids.append(centre / (np.linalg.norm(centre) or 1.0))
    similarity = vectors[: len(placeable)] @ np.asarray(centroids).T
    placements, unplaced = [], []
    for row, card in enumerate(placeable):
        ranked = np.argsort(-similarity[row])
        best = float(similarity[row, ranked[0]])
        runner = float(similarity[row, ranked[1]]) if len(order) > 1 else 0.0
        confidence = max(0.0, min(1.0, 0.5 + 5.0 * (best - runner)))
        if confidence < 0.5:
            unplaced.append(card.id)
        else:
            placements.append(Placement(card.id, order[int(ranked[0])], round(confidence, 4)))
    unplaced.extend(c.id for c in loose if not normalised(c.text))
    return Placements(placements, sorted(unplaced), embedder.name)
