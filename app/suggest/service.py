"""Runs suggestions off the event loop, so the room keeps its delivery latency meanwhile.

One worker thread does all the model work, one job at a time: the model is CPU-bound and
releases the GIL while it computes, so a single thread keeps the event loop free without
letting a busy console take every core from the room. Jobs are keyed by what they are asked
(the exact cards, and ``among``); a request identical to one that is queued or running waits
for that job instead of starting another, as when two facilitators of a workshop press the
button together. Any other request of the same kind (clusters, or duplicates) for a workshop
whose job of that kind is still queued or running is refused with :class:`SuggestionBusy`: a
workshop has at most one job of each kind at a time, so a console (or a script with a
facilitator's session) cannot queue up minutes of model work, while the console's own duplicate
check never stands in the way of the facilitator's "suggest clusters". A waiter gives up after
``timeout`` seconds with :class:`SuggestionTimeout`; a job nobody waits for any more is
cancelled if it has not started.

The model is loaded in the worker on first use and kept for the life of the process.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import threading
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from app.suggest.embedding import Embedder, default_embedder
from app.suggest.engine import (
    ClusterSuggestions,
    DuplicatePair,
    find_duplicates,
    suggest_clusters,
)
from app.suggest.placing import Placements, place_cards
from app.suggest.room import RoomCard

__all__ = ["SuggestionBusy", "SuggestionService", "SuggestionTimeout"]

T = TypeVar("T")


class SuggestionTimeout(TimeoutError):
    """The suggestions took longer than the service waits; asking again later may work."""


class SuggestionBusy(Exception):
    """Other suggestions for this workshop are still being worked out; ask when they are done."""

    def __init__(self) -> None:
        super().__init__(
            "Suggestions for this workshop are still being worked out; ask again when they are "
            "ready."
        )


class SuggestionService:
    """The async face of the engine, created once per app (``app.state.suggestions``)."""

    def __init__(
        self,
        *,
        embedder: Callable[[], Embedder] = default_embedder,
        timeout: float = 60.0,
    ) -> None:
        self._embedder = embedder
        self._timeout = timeout
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="suggestions", initializer=_behind_the_room
        )
        self._jobs: dict[Hashable, tuple[concurrent.futures.Future[Any], int]] = {}
        #: Per workshop and kind of question, its job queued or running (or done: ask again).
        self._workshops: dict[tuple[int, str], concurrent.futures.Future[Any]] = {}
        self._closed = False

    async def clusters(
        self, cards: Mapping[int, str] | Sequence[RoomCard], *, workshop: int | None = None
    ) -> ClusterSuggestions:
        """Suggested clusters for ``cards`` (id → text, or the board's cards, whose links to
        factoren then count); see :func:`suggest_clusters`.

        With ``workshop``: :class:`SuggestionBusy` while another clusters job of that workshop
        is queued or running.
        """
        frozen, content = _frozen(cards)
        key = ("clusters", content)
        return await self._shared(
            key, lambda: suggest_clusters(frozen, embedder=self._embedder()), workshop
        )

    async def duplicates(
        self,
        cards: Mapping[int, str] | Sequence[RoomCard],
        among: Iterable[int] | None = None,
        *,
        workshop: int | None = None,
    ) -> list[DuplicatePair]:
        """Possible duplicates among ``cards`` (id → text, or the board's cards, whose kinds
        then count); see :func:`find_duplicates` (and ``workshop`` in :meth:`clusters`)."""
        frozen, content = _frozen(cards)
        asked = None if among is None else tuple(sorted(set(among)))
        key = ("duplicates", content, asked)
        return await self._shared(
            key, lambda: find_duplicates(frozen, among=asked, embedder=self._embedder()), workshop
        )

    async def placements(
        self, cards: Sequence[RoomCard], clusters: Mapping[int, str], *, workshop: int | None = None
    ) -> Placements:
        """Where the loose ``cards`` go among the facilitator's ``clusters``; see
        :func:`place_cards` (and ``workshop`` in :meth:`clusters`)."""
        frozen_cards = tuple(sorted(cards, key=lambda c: c.id))
        frozen_clusters = dict(clusters)
        key = ("placements", frozen_cards, tuple(sorted(frozen_clusters.items())))
        return await self._shared(
            key,
            lambda: place_cards(frozen_cards, frozen_clusters, embedder=self._embedder()),
            workshop,
        )

    @property
    def pending(self) -> int:
        """Jobs queued or running (for tests and the benchmark)."""
        return len(self._jobs)

    def close(self) -> None:
        """Stop taking work; queued jobs are cancelled, a running one finishes in the background."""
        self._closed = True
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _shared(
        self, key: tuple[Hashable, ...], work: Callable[[], T], workshop: int | None
    ) -> T:
        if self._closed:
            raise RuntimeError("the suggestion service is closed")
        slot = None if workshop is None else (workshop, str(key[0]))
        if key in self._jobs:
            job, waiters = self._jobs[key]
            self._jobs[key] = (job, waiters + 1)
        else:
            if slot is not None:
                self._workshops = {s: j for s, j in self._workshops.items() if not j.done()}
                if slot in self._workshops:
                    raise SuggestionBusy()
            job = self._executor.submit(work)
            self._jobs[key] = (job, 1)
            if slot is not None:
                self._workshops[slot] = job
        try:
            # Shielded: one waiter timing out or going away must not cancel the others' job.
            result: T = await asyncio.wait_for(
                asyncio.shield(asyncio.wrap_future(job)), self._timeout
            )
            return result
        except TimeoutError as error:
            raise SuggestionTimeout(
                f"The suggestions took longer than {self._timeout:g} s; try again in a moment."
            ) from error
        finally:
            self._release(key, job)

    def _release(self, key: Hashable, job: concurrent.futures.Future[Any]) -> None:
        """One waiter less; the last one forgets the job (and cancels it if still queued)."""
        current = self._jobs.get(key)
        if current is None or current[0] is not job:
            return
        waiters = current[1] - 1
        if waiters > 0:
            self._jobs[key] = (job, waiters)
            return
        del self._jobs[key]
        job.cancel()  # no effect once running or done


#: How far behind the event loop the model's thread comes when both want the same core.
NICENESS = 10


def _behind_the_room() -> None:
    """Lower the worker thread's priority (on Linux a nice value is per thread), so a model run
    never delays the room's fan-out when the event loop and the model share a core: the loop's
    short bursts come first, the model takes what is left. Without permission or support (another
    OS), the thread keeps its priority."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)


def _frozen(
    cards: Mapping[int, str] | Sequence[RoomCard],
) -> tuple[dict[int, str] | tuple[RoomCard, ...], Hashable]:
    """A copy of ``cards`` the worker can use after the caller moves on, and a hashable key of
    its content (the same cards in any order give the same key)."""
    if isinstance(cards, Mapping):
        frozen = dict(cards)
        return frozen, tuple(sorted(frozen.items()))
    rows = tuple(sorted(cards, key=lambda c: c.id))
    return rows, rows
