"""Where the loose cards go (:func:`app.suggest.placing.place_cards`): into the facilitator's
clusters that fit, with a confidence; nowhere when none fits; the same whatever the order.

The model-free baseline embeds here, so the tests are fast and need no model; how well the
shipped model places cards is measured by ``bench/suggest_quality.py``.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from app.suggest.embedding import TfidfEmbedder
from app.suggest.engine import find_duplicates, suggest_clusters
from app.suggest.placing import CONFIDENT, MIN_CONFIDENCE, Placements, place_cards
from app.suggest.room import RoomCard
from app.suggest.service import SuggestionService
from app.suggest.vectors import Ideas

BUS, MONEY = 3, 7
CLUSTERS = {BUS: "Bus en openbaar vervoer", MONEY: "Geld en schulden"}
SEEDS = [
    RoomCard(1, "factor", "De bus rijdt niet op zondag", BUS),
    RoomCard(2, "factor", "De laatste bus gaat al om zeven uur", BUS),
    RoomCard(3, "factor", "De energierekening is te hoog", MONEY),
    RoomCard(4, "factor", "Geen geld voor boodschappen aan het eind van de maand", MONEY),
]
LOOSE = [
    RoomCard(5, "factor", "De bus naar de stad rijdt maar een keer per uur"),
    RoomCard(6, "factor", "Mensen hebben schulden door de hoge energierekening"),
    RoomCard(7, "beeld", "Een regenboog boven de kerktoren"),
]


def place(cards: list[RoomCard]) -> Placements:
    return place_cards(cards, CLUSTERS, embedder=TfidfEmbedder())


def test_loose_cards_go_to_the_cluster_they_fit_and_a_card_that_fits_none_stays_loose() -> None:
    result = place(SEEDS + LOOSE)
    where = {p.card_id: p.cluster_id for p in result.placements}
    assert where == {5: BUS, 6: MONEY}
    assert result.unplaced == [7]
    assert all(MIN_CONFIDENCE <= p.confidence <= 1 for p in result.placements)
    assert all(p.confidence >= CONFIDENT for p in result.placements)  # clear cases are "zeker"
    assert result.model == "tf-idf (no model)"


def test_a_consequentie_follows_its_factoren() -> None:
    """ "Mensen blijven thuis" shares no word with either cluster; its links decide."""
    consequentie = RoomCard(8, "consequentie", "Mensen blijven thuis", factor_ids=(1, 2))
    result = place([*SEEDS, consequentie])
    assert [(p.card_id, p.cluster_id) for p in result.placements] == [(8, BUS)]
    unlinked = place([*SEEDS, RoomCard(8, "consequentie", "Mensen blijven thuis")])
    assert unlinked.unplaced == [8]


def test_the_clusters_title_counts_as_its_words() -> None:
    """A card that shares words only with a cluster's title still finds it."""
    cards = [*SEEDS, *LOOSE, RoomCard(9, "factor", "Het openbaar vervoer is slecht")]
    assert (9, BUS) in {(p.card_id, p.cluster_id) for p in place(cards).placements}
    untitled = place_cards(cards, CLUSTERS, embedder=TfidfEmbedder(), ideas=Ideas(names=False))
    assert 9 in untitled.unplaced


def test_nothing_to_place_into_or_nothing_loose() -> None:
    assert place(LOOSE) == Placements([], [5, 6, 7], "tf-idf (no model)")
    assert place(SEEDS) == Placements([], [], "tf-idf (no model)")
    # A card without text, and a cluster the facilitator has not put a card in, place nothing.
    empty = RoomCard(10, "factor", "   ")
    result = place_cards(
        [*SEEDS, *LOOSE, empty], {**CLUSTERS, 99: "Leeg"}, embedder=TfidfEmbedder()
    )
    assert 10 in result.unplaced
    assert all(p.cluster_id in CLUSTERS for p in result.placements)


def test_the_order_of_the_cards_does_not_change_the_placements() -> None:
    cards = SEEDS + LOOSE
    first = place(cards)
    for seed in range(3):
        shuffled = list(cards)
        random.Random(seed).shuffle(shuffled)
        assert place(shuffled) == first
    assert [p.card_id for p in first.placements] == sorted(p.card_id for p in first.placements)


def test_sure_placements_fill_in_their_cluster_for_the_rest() -> None:
    """Card 11 is most like card 5, which surely goes to the bus cluster; only once card 5 has
    joined that cluster does card 11 fit it clearly enough."""
    cards = [
        *SEEDS,
        *LOOSE,
        RoomCard(
            11, "factor", "De bus naar de stad rijdt maar een keer per uur, de chauffeurs zijn op"
        ),
    ]
    one_round = place_cards(cards, CLUSTERS, embedder=TfidfEmbedder(), ideas=Ideas(rounds=1))
    assert one_round.unplaced == [7, 11]
    result = place(cards)
    assert {(p.card_id, p.cluster_id) for p in result.placements} == {
        (5, BUS),
        (6, MONEY),
        (11, BUS),
    }
    assert result.unplaced == [7]


@pytest.mark.anyio
async def test_the_service_answers_the_three_questions_for_the_boards_cards() -> None:
    """Off the event loop, with the board's cards: the same answers as the engine's."""
    service = SuggestionService(embedder=TfidfEmbedder)
    linked = RoomCard(12, "consequentie", "Ze blijven thuis", factor_ids=(1,))
    cards = [*SEEDS, *LOOSE, linked]
    try:
        loose = [replace(card, cluster_id=None) for card in cards]
        assert await service.clusters(loose, workshop=1) == suggest_clusters(
            loose, embedder=TfidfEmbedder()
        )
        assert await service.duplicates(loose, workshop=1) == find_duplicates(
            loose, embedder=TfidfEmbedder()
        )
        assert await service.placements(cards, CLUSTERS, workshop=1) == place(cards)
    finally:
        service.close()
