"""The board as the suggestion engine sees it: each card's id, kind and text, the cluster it is
in (if any) and, for a consequentie, the factoren it is linked to.

One type for the three questions (clusters, duplicates, placements), so the routes read the
board once and the engine can use what the room gave besides the words.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app.db import session_scope
from app.workshops.models import Card, Cluster

__all__ = ["RoomCard", "load_board"]


@dataclass(frozen=True)
class RoomCard:
    """A card on the board: not hidden, not merged into another (a beeld's caption is its text)."""

    id: int
    kind: str
    text: str
    cluster_id: int | None = None
    factor_ids: tuple[int, ...] = ()


def load_board(engine: Engine, *, workshop_id: int) -> tuple[list[RoomCard], dict[int, str]]:
    """The board's cards in id order, and its clusters (id → the facilitator's title)."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(Card)
            .where(
                Card.workshop_id == workshop_id,
                col(Card.hidden).is_(False),
                col(Card.merged_into_id).is_(None),
            )
            .order_by(col(Card.id))
        ).all()
        clusters = session.exec(
            select(Cluster.id, Cluster.title).where(Cluster.workshop_id == workshop_id)
        ).all()
        cards = [
            RoomCard(card.id, card.kind, card.text, card.cluster_id, tuple(card.factor_ids or ()))
            for card in rows
            if card.id
        ]
    return cards, {id: title for id, title in clusters if id}
