"""What suggestions cost, bounded: embeddings kept across requests (a new card embeds only
itself, and the cache holds no card text), one job of each kind per workshop at a time, and a
limit on how often a facilitator may ask (429 with a plain message)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import httpx
import numpy as np
import pytest

from app.suggest.embedding import CachedEmbedder, Embedder, default_embedder, normalised
from app.suggest.routes import PER_MINUTE, TOO_MANY
from app.suggest.service import SuggestionBusy, SuggestionService
from tests.realtime.helpers import facilitator_client, goto
from tests.suggest.test_service import CARDS, Gated, wait_for
from tests.support.server import Facilitator, Server, facilitator_with_workshop

pytestmark = pytest.mark.anyio


class Counting:
    """The real model behind the ``Embedder`` interface, noting every text it is asked for."""

    def __init__(self, inner: Embedder, name: str | None = None) -> None:
        self.inner = inner
        self.name = name or inner.name
        self.duplicate_similarity = inner.duplicate_similarity
        self.asked: list[str] = []

    def embed(self, texts: Sequence[str]) -> Any:
        self.asked.extend(texts)
        return self.inner.embed(texts)


@pytest.fixture(scope="module")
def model() -> Embedder:
    return default_embedder()


async def test_asking_again_after_one_new_card_embeds_only_that_card(model: Embedder) -> None:
    counting = Counting(model)
    cached = CachedEmbedder(counting)
    service = SuggestionService(embedder=lambda: cached)
    try:
        await service.clusters(CARDS, workshop=1)
        await service.duplicates(CARDS, workshop=1)
        assert sorted(counting.asked) == sorted(CARDS.values())  # once each, for both questions
        counting.asked.clear()
        new = {**CARDS, 5: "  De  bus rijdt op zondag   niet meer "}
        await service.clusters(new, workshop=1)
        await service.duplicates(new, workshop=1)
        await service.clusters({**new, 6: normalised(new[5])}, workshop=1)  # the same text again
    finally:
        service.close()
    assert counting.asked == [normalised(new[5])]


def test_the_cache_holds_digests_of_model_and_normalised_text_never_the_text(
    model: Embedder,
) -> None:
    cached = CachedEmbedder(model)
    other = CachedEmbedder(Counting(model, name="another model"))
    text = "Sinds het buurthuis dicht is, zie ik mijn buren nooit meer"
    key = cached.key(text)
    assert isinstance(key, bytes) and len(key) == 16
    assert text.encode() not in key and b"buurthuis" not in key
    assert cached.key(f"  {text.replace(' ', '   ')}\n") == key  # whitespace does not matter
    decomposed = "Café".replace("é", "e\u0301")
    assert cached.key(decomposed) == cached.key("Café")  # nor how an accent was typed
    assert other.key(text) != key  # another model's vectors are never taken for this one's
    vectors = cached.embed([text, f" {text} "])
    assert len(cached) == 1 and np.array_equal(vectors[0], vectors[1])


async def test_one_job_of_each_kind_per_workshop_identical_requests_share_it() -> None:
    model = Gated()
    service = SuggestionService(embedder=lambda: model)
    try:
        first = asyncio.create_task(service.clusters(CARDS, workshop=1))
        await wait_for(model.entered)
        with pytest.raises(SuggestionBusy, match="still being worked out"):
            await service.clusters({**CARDS, 5: "Nog een kaart"}, workshop=1)
        same = asyncio.create_task(service.clusters(dict(CARDS), workshop=1))  # joins the job
        # The console's own duplicate check is another kind: it may wait its turn, once.
        check = asyncio.create_task(service.duplicates(CARDS, workshop=1))
        await asyncio.sleep(0.05)
        with pytest.raises(SuggestionBusy):
            await service.duplicates({**CARDS, 5: "Nog een kaart"}, workshop=1)
        theirs = {card + 10: text for card, text in CARDS.items()}  # another room's cards
        elsewhere = asyncio.create_task(service.clusters(theirs, workshop=2))
        await asyncio.sleep(0.05)
        model.gate.set()
        one, two, pairs, three = await asyncio.gather(first, same, check, elsewhere)
        assert one is two and len(three.clusters) == len(one.clusters)
        assert (1, 2) in [(p.card_id, p.other_id) for p in pairs]
        await service.clusters({**CARDS, 5: "Nog een kaart"}, workshop=1)  # done: ask again
        assert model.calls == 4
    finally:
        service.close()


#: The three suggestion calls, counted together.
KINDS = ("clusters", "duplicates", "placements")


async def test_a_burst_of_requests_from_one_facilitator_is_limited(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    await goto(fac, "factoren")
    for text in CARDS.values():
        await fac.command("card.post", kind="factor", text=text)
    await fac.close()
    url = f"/api/workshops/{workshop['id']}/suggestions"
    answers = [
        facilitator.http.get(f"{url}/{KINDS[n % len(KINDS)]}", timeout=120)
        for n in range(PER_MINUTE + 3)
    ]
    statuses = [a.status_code for a in answers]
    assert statuses == [200] * PER_MINUTE + [429] * 3, statuses
    refused = answers[-1]
    assert refused.json()["detail"] == TOO_MANY
    assert refused.headers["retry-after"] == "60"
    # Counted per facilitator: a colleague with a workshop of their own is not held up.
    colleague, theirs = facilitator_with_workshop(server)
    other = httpx.get(
        f"{server.url}/api/workshops/{theirs['id']}/suggestions/duplicates",
        cookies=colleague.http.cookies,
        timeout=120,
    )
    assert other.status_code == 200
    colleague.close()
