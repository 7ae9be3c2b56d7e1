"""Group commit: the jobs for one workshop, applied a batch per transaction.

Every command and join for a workshop waits in that workshop's lane. A single drainer takes
everything waiting, applies it in one transaction (:func:`app.realtime.commands.run_in_order`,
a savepoint per job), lets the hub deliver the batch's events in one pass, and only then answers
each job. So a vote burst of hundreds of dots a second costs a handful of transactions and
delivery passes instead of hundreds, and the sender still sees its events before its ``ack``.
Rooms do not wait for each other: each workshop has its own lane.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.realtime.commands import BatchDone, Job

#: Jobs applied in one transaction at most; more wait for the next batch.
MAX_BATCH = 250

#: Runs a batch (in a worker thread): each job's result or exception, and the events logged.
RunBatch = Callable[[int, Sequence[Job]], Awaitable[BatchDone]]
#: Called after a batch committed, before anyone is answered (delivers the events).
AfterBatch = Callable[[int, BatchDone], Awaitable[None]]


@dataclass
class _Lane:
    waiting: list[tuple[Job, asyncio.Future[Any]]] = field(default_factory=list)
    drainer: asyncio.Task[None] | None = None


class Lanes:
    """One lane per workshop with work waiting; a lane disappears when it is empty."""

    def __init__(self, *, run: RunBatch, after: AfterBatch) -> None:
        self._run = run
        self._after = after
        self._lanes: dict[int, _Lane] = {}

    async def submit(self, workshop_id: int, job: Job) -> Any:
        """Apply ``job`` in its workshop's next batch; its result, or raise its exception."""
        lane = self._lanes.get(workshop_id)
        if lane is None:
            lane = self._lanes[workshop_id] = _Lane()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        lane.waiting.append((job, future))
        if lane.drainer is None:
            lane.drainer = asyncio.create_task(self._drain(workshop_id, lane))
        return await future

    async def _drain(self, workshop_id: int, lane: _Lane) -> None:
        batch: list[tuple[Job, asyncio.Future[Any]]] = []
        try:
            while lane.waiting:
                batch, lane.waiting = lane.waiting[:MAX_BATCH], lane.waiting[MAX_BATCH:]
                results: list[Any]
                try:
                    done = await self._run(workshop_id, [job for job, _ in batch])
                    results = done.results
                    await self._after(workshop_id, done)
                except Exception as exc:  # delivery failed: the jobs did commit, the log has them
                    results = [exc] * len(batch)
                for (_, future), result in zip(batch, results, strict=True):
                    if future.done():
                        continue
                    if isinstance(result, BaseException):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
                batch = []
        finally:
            for _, future in [*batch, *lane.waiting]:  # cancelled: shutting down
                if not future.done():
                    future.set_exception(ConnectionAbortedError("server shutting down"))
            lane.drainer = None
            if self._lanes.get(workshop_id) is lane:
                del self._lanes[workshop_id]

    def close(self) -> None:
        for lane in list(self._lanes.values()):
            if lane.drainer is not None:
                lane.drainer.cancel()
