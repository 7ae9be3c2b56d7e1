"""The suggestion service: work in its own worker thread, never on the event loop; identical
requests share one computation; a timeout; the model loaded on first use, in the worker."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from app.suggest.embedding import Unavailable, default_embedder
from app.suggest.engine import ClusterSuggestions
from app.suggest.service import SuggestionService, SuggestionTimeout

pytestmark = pytest.mark.anyio

CARDS = {
    1: "De bus rijdt niet op zondag",
    2: "Op zondag is er geen openbaar vervoer in het dorp",
    3: "Mensen schamen zich voor hun schulden",
    4: "Incassobureaus maken kleine schulden heel groot",
}


class Gated:
    """A stand-in model whose ``embed`` waits until the test opens the gate, and records who
    called it and from which thread."""

    name = "gated"
    duplicate_similarity = 0.99

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.calls = 0
        self.threads: list[threading.Thread] = []

    def embed(self, texts: Sequence[str]) -> Any:
        self.calls += 1
        self.threads.append(threading.current_thread())
        self.entered.set()
        assert self.gate.wait(timeout=10), "the test never opened the gate"
        vectors = np.zeros((len(texts), 2), dtype=np.float32)
        for row, text in enumerate(texts):
            vectors[row, 0 if "zondag" in text else 1] = 1.0
        return vectors


async def wait_for(event: threading.Event) -> None:
    for _ in range(500):
        if event.is_set():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the worker never started")


async def test_work_runs_in_the_worker_thread_while_the_loop_stays_free() -> None:
    model = Gated()
    service = SuggestionService(embedder=lambda: model)
    try:
        job = asyncio.create_task(service.clusters(CARDS))
        await wait_for(model.entered)
        # The model is busy, and the loop still runs other coroutines to the end.
        ticks = 0
        for _ in range(5):
            await asyncio.sleep(0)
            ticks += 1
        assert ticks == 5 and not job.done()
        model.gate.set()
        result = await job
    finally:
        service.close()
    assert [c.card_ids for c in result.clusters] == [[1, 2], [3, 4]]
    assert model.threads[0] is not threading.current_thread()
    assert model.threads[0].name.startswith("suggestions")


async def test_identical_requests_share_one_computation() -> None:
    model = Gated()
    service = SuggestionService(embedder=lambda: model)
    try:
        first = asyncio.create_task(service.clusters(CARDS))
        await wait_for(model.entered)
        second = asyncio.create_task(service.clusters(dict(reversed(CARDS.items()))))
        await asyncio.sleep(0.05)
        assert service.pending == 1
        model.gate.set()
        one, two = await asyncio.gather(first, second)
        assert one is two
        assert model.calls == 1
        # Other cards, or another question, are another job.
        await service.clusters({**CARDS, 5: "De bus op zondag"})
        await service.duplicates(CARDS)
        assert model.calls == 3
        assert service.pending == 0
    finally:
        service.close()


async def test_a_waiter_gives_up_after_the_timeout_and_others_are_not_hurt() -> None:
    model = Gated()
    service = SuggestionService(embedder=lambda: model, timeout=0.2)
    try:
        with pytest.raises(SuggestionTimeout, match="try again"):
            await service.clusters(CARDS)
        model.gate.set()
        result = await service.duplicates(CARDS, among=[1])
        assert [(p.card_id, p.other_id) for p in result] == [(1, 2)]
    finally:
        service.close()


async def test_a_queued_job_nobody_waits_for_is_cancelled() -> None:
    model = Gated()
    service = SuggestionService(embedder=lambda: model, timeout=0.2)
    try:
        running = asyncio.create_task(service.clusters(CARDS))
        await wait_for(model.entered)
        with pytest.raises(SuggestionTimeout):  # queued behind the first, then abandoned
            await service.clusters({**CARDS, 5: "Een andere kaart"})
        model.gate.set()
        with pytest.raises(SuggestionTimeout):
            await running  # timed out meanwhile too
        await asyncio.sleep(0.1)
        assert model.calls == 1
    finally:
        service.close()


async def test_the_model_is_loaded_on_first_use_in_the_worker_and_kept() -> None:
    loads: list[threading.Thread] = []
    model = Gated()
    model.gate.set()

    def load() -> Gated:
        loads.append(threading.current_thread())
        return model

    service = SuggestionService(embedder=load)
    try:
        assert loads == []
        await service.clusters(CARDS)
        await service.duplicates(CARDS)
    finally:
        service.close()
    assert loads and all(t.name.startswith("suggestions") for t in loads)


async def test_unavailable_reaches_the_caller() -> None:
    def missing() -> Any:
        raise Unavailable()

    service = SuggestionService(embedder=missing)
    try:
        with pytest.raises(Unavailable, match="suggest"):
            await service.clusters(CARDS)
        assert service.pending == 0
    finally:
        service.close()


async def test_a_closed_service_takes_no_work() -> None:
    service = SuggestionService()
    service.close()
    with pytest.raises(RuntimeError):
        await service.clusters(CARDS)


async def test_the_real_model_through_the_service() -> None:
    service = SuggestionService()
    try:
        result = await service.clusters(CARDS)
        pairs = await service.duplicates(CARDS, [2])
    finally:
        service.close()
    assert isinstance(result, ClusterSuggestions)
    assert result.model == default_embedder().name
    assert sorted(c.card_ids for c in result.clusters) == [[1, 2], [3, 4]]
    assert [(p.card_id, p.other_id) for p in pairs] == [(2, 1)]
