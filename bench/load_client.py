"""The load benchmark's client side: lean sockets for a thousand phones on one core.

One process, one (uvloop) event loop, the ``websockets`` asyncio client. Each socket has one
reader task that takes frames as bytes (``recv(decode=False)``: no UTF-8 decoding) and looks only
at the first bytes for the message ``type``; it parses JSON only for the few frames it needs
(``ack``/``error``, ``tally`` on the projector, ``vote.closed`` on the console). A card posted by
the benchmark carries ``bench-post-NNNNNNN`` in its text, so a delivery is found with one
``bytes.find`` — the same test works on the app's ``card.posted`` event and on the floor's echo.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import html
import json
import math
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

perf = time.perf_counter

MARKER = b"bench-post-"
MARKER_DIGITS = 7
GROUPS = ("inwoner", "ervaringsdeskundige", "ketenpartner", "beleid")


# ----------------------------------------------------------------------------- statistics


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list (``inf`` entries allowed)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summary_ms(values: list[float], missing: int = 0) -> dict[str, Any]:
    """Percentiles in ms of latencies in seconds; ``missing`` ones count as infinitely late."""
    ordered = sorted(values)
    with_missing = ordered + [math.inf] * missing
    out: dict[str, Any] = {"count": len(values), "missing": missing}
    for q in (50, 90, 99, 99.9):
        out[f"p{q:g}"] = _ms(percentile(ordered, q))
        if missing:
            out[f"p{q:g}_incl_missing"] = _ms(percentile(with_missing, q))
    out["max"] = _ms(ordered[-1]) if ordered else None
    out["mean"] = _ms(sum(ordered) / len(ordered)) if ordered else None
    return out


def _ms(seconds: float) -> float | None:
    if math.isnan(seconds):
        return None
    if math.isinf(seconds):
        return math.inf
    return round(seconds * 1000, 2)


# ----------------------------------------------------------------------------- recorders


@dataclass
class FanoutRun:
    """One fan-out run: posts ``first`` … and the phones that must get each."""

    first: int
    phones: int
    sent: dict[int, float] = field(default_factory=dict)
    counts: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    #: The post of each entry of ``latencies``.
    posts: list[int] = field(default_factory=list)
    acked: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    stale: int = 0

    @property
    def expected(self) -> int:
        return len(self.sent) * self.phones

    @property
    def received(self) -> int:
        return len(self.latencies)


@dataclass
class VoteRun:
    """One vote burst: dot ``j`` (in planned order) sent, answered, and the projector's tallies."""

    total: int
    sent: list[float] = field(default_factory=list)
    answered: list[float] = field(default_factory=list)
    ok: list[bool] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    tallies: list[tuple[float, int]] = field(default_factory=list)
    replies: int = 0

    def __post_init__(self) -> None:
        self.sent = [math.nan] * self.total
        self.answered = [math.nan] * self.total
        self.ok = [False] * self.total


class Recorder:
    """Shared by every socket of a run: where deliveries, replies and tallies are written."""

    def __init__(self) -> None:
        self.next_post = 0
        self.fanout: FanoutRun | None = None
        self.vote: VoteRun | None = None
        self.closes: Counter[str] = Counter()
        self.other_errors: Counter[str] = Counter()

    def delivered(self, post: int, now: float) -> None:
        run = self.fanout
        if run is None or post < run.first:
            if run is not None:
                run.stale += 1
            return
        sent = run.sent.get(post)
        if sent is None:
            return
        run.counts[post] += 1
        run.latencies.append(now - sent)
        run.posts.append(post)

    def reply(self, message: dict[str, Any], now: float) -> None:
        cid = message.get("cid") or ""
        code = message.get("code", "ack") if message.get("type") == "error" else "ack"
        if cid.startswith("p") and self.fanout is not None:
            if code == "ack":
                self.fanout.acked += 1
            else:
                self.fanout.errors[code] += 1
        elif cid.startswith("d") and self.vote is not None:
            j = int(cid[1:])
            if 0 <= j < self.vote.total and math.isnan(self.vote.answered[j]):
                self.vote.answered[j] = now
                self.vote.ok[j] = code == "ack"
                self.vote.replies += 1
                if code != "ack":
                    self.vote.errors[code] += 1
        elif code != "ack":
            self.other_errors[code] += 1


# ----------------------------------------------------------------------------- sockets


class Rejected(Exception):
    pass


class Peer:
    """One socket of the room (a phone, the projector or the console), read by one task."""

    __slots__ = (
        "capture",
        "close_code",
        "index",
        "measured",
        "opened_at",
        "pending",
        "reader",
        "recorder",
        "screen",
        "synced",
        "synced_at",
        "ws",
    )

    def __init__(
        self, index: int, recorder: Recorder, *, measured: bool = True, screen: bool = False
    ) -> None:
        self.index = index
        self.recorder = recorder
        self.measured = measured
        self.screen = screen
        self.ws: ClientConnection | None = None
        self.reader: asyncio.Task[None] | None = None
        self.synced: asyncio.Future[float] | None = None
        self.synced_at = math.nan
        self.opened_at = math.nan
        self.close_code: int | None = None
        self.pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        #: Raw ``vote.closed`` events, kept on the console only.
        self.capture: list[bytes] | None = None

    async def open(
        self,
        ws_url: str,
        workshop_id: int,
        *,
        token: str | None,
        cookie: str | None = None,
        wait: float = 60.0,
    ) -> float:
        """Connect, send ``hello``, wait for ``synced``; the time it arrived (perf counter)."""
        self.opened_at = perf()
        self.synced = asyncio.get_running_loop().create_future()
        self.synced.add_done_callback(_retrieve)
        self.ws = await connect(
            f"{ws_url}/ws/workshops/{workshop_id}",
            additional_headers={"Cookie": cookie} if cookie else None,
            compression=None,
            proxy=None,
            ping_interval=None,  # the server pings every 20 s; we only answer
            open_timeout=wait,
            close_timeout=2,
            max_size=2**24,  # a snapshot of a room of 1000 is a few hundred KB
            max_queue=256,
            user_agent_header=None,
        )
        self.reader = asyncio.create_task(self._read())
        hello = {"type": "hello", "token": token, "last_seq": None}
        await self.ws.send(json.dumps(hello))
        return await asyncio.wait_for(asyncio.shield(self.synced), wait)

    async def _read(self) -> None:
        assert self.ws is not None and self.synced is not None
        recorder = self.recorder
        recv = self.ws.recv
        try:
            while True:
                raw = await recv(False)
                now = perf()
                assert isinstance(raw, bytes)
                head = raw[:24]
                if b'"event"' in head:
                    if self.measured:
                        at = raw.find(MARKER)
                        if at >= 0:
                            start = at + len(MARKER)
                            recorder.delivered(int(raw[start : start + MARKER_DIGITS]), now)
                    elif self.capture is not None and b'"vote.closed"' in raw:
                        self.capture.append(raw)
                elif b'"ack"' in head or b'"error"' in head:
                    message = json.loads(raw)
                    future = self.pending.pop(message.get("cid") or "", None)
                    if future is not None:
                        if not future.done():
                            future.set_result(message)
                    elif message.get("cid") is None and not self.synced.done():
                        self.synced.set_exception(Rejected(message.get("code", "error")))
                    else:
                        recorder.reply(message, now)
                elif b'"tally"' in head:
                    if self.screen and recorder.vote is not None:
                        recorder.vote.tallies.append((now, int(json.loads(raw)["dots"])))
                elif b'"synced"' in head and not self.synced.done():
                    self.synced_at = now
                    self.synced.set_result(now)
                # welcome, snapshot, presence, pong: nothing to do
        except ConnectionClosed:
            pass
        finally:
            self.close_code = self.ws.close_code
            self.recorder.closes[str(self.close_code)] += 1
            if not self.synced.done():
                self.synced.set_exception(ConnectionError(f"closed ({self.close_code})"))
            for future in self.pending.values():
                if not future.done():
                    future.set_exception(ConnectionError(f"closed ({self.close_code})"))

    async def send(self, text: str) -> None:
        assert self.ws is not None
        await self.ws.send(text)

    async def command(self, type_: str, cid: str, wait: float = 30.0, **fields: Any) -> Any:
        """Send a command and wait for its ``ack``; :class:`Rejected` on an ``error``."""
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[cid] = future
        await self.send(json.dumps({"type": type_, "cid": cid, **fields}))
        reply = await asyncio.wait_for(future, wait)
        if reply["type"] == "error":
            raise Rejected(f"{type_}: {reply.get('code')}: {reply.get('message')}")
        return reply

    @property
    def open_now(self) -> bool:
        return self.reader is not None and not self.reader.done()

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(TimeoutError, WebSocketException, OSError):
                await asyncio.wait_for(self.ws.close(), 3)
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.reader


def _retrieve(future: asyncio.Future[float]) -> None:
    """Mark a failed ``synced`` as seen, so a late failure is not logged as never retrieved."""
    if not future.cancelled():
        future.exception()


async def close_all(peers: list[Peer], concurrency: int = 200) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(peer: Peer) -> None:
        async with gate:
            await peer.close()

    await asyncio.gather(*(one(p) for p in peers), return_exceptions=True)


def failure_name(exc: BaseException) -> str:
    if isinstance(exc, InvalidStatus):
        return f"handshake {exc.response.status_code}"
    if isinstance(exc, httpx.HTTPStatusError):
        return f"join {exc.response.status_code}"
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return "timeout"
    return type(exc).__name__ + (f": {exc}" if str(exc) else "")


# ----------------------------------------------------------------------------- HTTP


def join_body(code: str, index: int) -> dict[str, Any]:
    return {
        "code": code,
        "display_name": f"Telefoon {index}",
        "stakeholder_group": GROUPS[index % len(GROUPS)],
    }


async def join(http: httpx.AsyncClient, url: str, code: str, index: int) -> str:
    """``POST /api/join`` as a phone does; the participant's token."""
    response = await http.post(f"{url}/api/join", json=join_body(code, index))
    response.raise_for_status()
    return str(response.json()["token"])


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


async def join_by_form(url: str, code: str, index: int) -> str:
    """The way a resident's phone joins: ``GET /join/{code}`` (the form and its CSRF token),
    ``POST /join/{code}`` with the form, then the phone page ``/w/{id}`` it is sent to (with the
    room's state inside). The participant's token, from the cookie the post set.

    A client of its own per phone: its own cookies, as each browser has, and its own
    connection, as each phone of a join storm has."""
    async with httpx.AsyncClient(trust_env=False, timeout=httpx.Timeout(60.0)) as http:
        form_page = await http.get(f"{url}/join/{code}")
        form_page.raise_for_status()
        found = CSRF_FIELD.search(form_page.text)
        if found is None:
            raise RuntimeError("the join form has no CSRF token")
        body = join_body(code, index)
        posted = await http.post(
            f"{url}/join/{code}",
            data={
                "csrf_token": html.unescape(found.group(1)),
                "display_name": body["display_name"],
                "stakeholder_group": body["stakeholder_group"],
            },
        )
        if posted.status_code != 303:
            posted.raise_for_status()
            raise RuntimeError(f"join form answered {posted.status_code}")
        token = next((v for k, v in posted.cookies.items() if "participant" in k), None)
        if token is None:
            raise RuntimeError("the join form set no participant cookie")
        room_page = await http.get(f"{url}{posted.headers['location']}")
        room_page.raise_for_status()
        return token


def http_client(connections: int = 100, *, keep_alive: bool = True) -> httpx.AsyncClient:
    """An HTTP client for joins. ``keep_alive=False``: a new connection per request, as each
    phone of a join storm has its own. Kept connections expire before uvicorn's keep-alive
    timeout (5 s), so a request never goes out on a connection the server is closing."""
    limits = httpx.Limits(
        max_connections=connections,
        max_keepalive_connections=connections if keep_alive else 0,
        keepalive_expiry=2.0,
    )
    return httpx.AsyncClient(trust_env=False, timeout=httpx.Timeout(60.0), limits=limits)


def first_tally_at_least(tallies: list[tuple[float, int]]) -> tuple[list[int], list[float]]:
    """Tallies as a non-decreasing list of dot counts with their arrival times (for bisect)."""
    counts: list[int] = []
    times: list[float] = []
    best = -1
    for at, dots in sorted(tallies):
        if dots > best:
            best = dots
            counts.append(dots)
            times.append(at)
    return counts, times


def tally_latencies(run: VoteRun) -> tuple[list[float], int]:
    """For each acknowledged dot in send order (rank r), the first tally with dots >= r."""
    order = sorted(j for j in range(run.total) if run.ok[j])
    order.sort(key=lambda j: run.sent[j])
    counts, times = first_tally_at_least(run.tallies)
    latencies: list[float] = []
    missing = 0
    for rank, j in enumerate(order, start=1):
        at = bisect.bisect_left(counts, rank)
        if at == len(counts):
            missing += 1
        else:
            latencies.append(times[at] - run.sent[j])
    return latencies, missing
