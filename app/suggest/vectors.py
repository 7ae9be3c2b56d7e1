"""From the board to the vectors the engine compares: the cards in id order with their
normalised text, and what the room gave besides the words (a consequentie's linked factoren).

The engine's three questions (clusters, duplicates, placements) take either the id → text
mapping the first routes pass or the board's :class:`~app.suggest.room.RoomCard` rows; both end
up here as one sorted list, so the same cards give the same suggestions whatever order they
come in. Which of the measured ideas are used is one :class:`Ideas` value, so the benchmark
can switch each off in the same run (``bench/suggest_quality.py``, ``docs/suggestions.md``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.suggest.embedding import Embedder, normalised
from app.suggest.embedding import numpy_or_unavailable as _numpy
from app.suggest.room import RoomCard

__all__ = ["DEFAULT", "Cards", "Ideas", "board", "centred", "linked", "unit_rows"]

#: What the engine accepts: id → text, or the board's cards with kind, cluster and links.
Cards = Mapping[int, str] | Sequence[RoomCard]


@dataclass(frozen=True)
class Ideas:
    """The ideas measured against the bare model, each with its figures in docs/suggestions.md.

    ``links``: how much of the mean vector of a card's linked cards (a consequentie's
    factoren, and the other way round) is added to its own before clustering and placing.
    ``centre``: clusters and placements compare vectors after the board's mean vector is
    taken out.
    ``margin``: duplicates among mutual nearest neighbours are ranked by their margin over the
    two cards' other neighbours, not by raw similarity (off: it did not help). ``names``: a
    cluster's title counts as one more seed card when placing. ``kinds``: only cards of one
    kind can be duplicates (only those can be merged). ``rounds``: placements are made again
    once the sure ones have joined their clusters.
    """

    links: float = 0.5
    centre: bool = True
    margin: bool = False
    names: bool = True
    kinds: bool = True
    rounds: int = 2


DEFAULT = Ideas()


def board(cards: Cards) -> tuple[list[RoomCard], list[int]]:
    """The cards with text, normalised and in id order, and the ids of cards without text."""
    if isinstance(cards, Mapping):
        rows = [RoomCard(card_id, "", text) for card_id, text in cards.items()]
    else:
        rows = list(cards)
    with_text, empty = [], []
    for card in sorted(rows, key=lambda c: c.id):
        text = normalised(card.text)
        if text:
            with_text.append(
                RoomCard(card.id, card.kind, text, card.cluster_id, tuple(sorted(card.factor_ids)))
            )
        else:
            empty.append(card.id)
    return with_text, empty


def unit_rows(vectors: Any) -> Any:
    """Rows scaled to length 1 (zero rows stay zero), in float64 for stable arithmetic."""
    np = _numpy()
    matrix = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0.0] = 1.0
    return matrix / norms


def centred(vectors: Any) -> Any:
    """Unit rows after the mean row is taken out.

    e5 puts any two Dutch sentences at about 0.84 cosine similarity: the workshop's theme and
    the card-like sentence form are in every vector. Taking the board's mean out leaves what
    tells the cards apart, which widens the margins a placement's confidence is read from.
    """
    rows = unit_rows(vectors)
    return unit_rows(rows - rows.mean(axis=0))


def linked(cards: Sequence[RoomCard], vectors: Any, weight: float) -> Any:
    """Each card's vector plus ``weight`` times the mean of the cards it is linked with.

    A facilitator groups by mechanism, and a consequentie's factoren say which mechanism it is
    the end of; the link holds in both directions. Links to cards not in ``cards`` are ignored.
    """
    np = _numpy()
    rows = unit_rows(vectors)
    if weight <= 0 or not any(card.factor_ids for card in cards):
        return rows
    index = {card.id: row for row, card in enumerate(cards)}
    adjacency = np.zeros((len(cards), len(cards)))
    for row, card in enumerate(cards):
        for factor in card.factor_ids:
            if factor in index and index[factor] != row:
                adjacency[row, index[factor]] = adjacency[index[factor], row] = 1.0
    degree = adjacency.sum(axis=1, keepdims=True)
    neighbours = (adjacency @ rows) / np.maximum(degree, 1.0)
    return unit_rows(rows + weight * neighbours)


def embedded(cards: Sequence[RoomCard], embedder: Embedder) -> Any:
    """The cards' unit vectors from ``embedder``, in the order of ``cards``."""
    return unit_rows(embedder.embed([card.text for card in cards]))
