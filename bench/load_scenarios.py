"""The load benchmark's scenarios, each run the same way against the app and against the floor.

A :class:`Room` is one server set-up (one app process, two app processes, or the floor) with a
workshop, its console (facilitator) and projector sockets, and the phones. The scenario functions
take a room and return plain dicts (the raw results); ``bench/load.py`` starts the rooms, runs the
scenarios in order, and prints the tables.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import os
import resource
import tempfile
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.load_client import (
    FanoutRun,
    Peer,
    Recorder,
    VoteRun,
    close_all,
    failure_name,
    http_client,
    join,
    join_by_form,
    perf,
    summary_ms,
    tally_latencies,
)
from bench.load_servers import (
    AppServer,
    FloorServer,
    ServerProcess,
    cpu_busy_ticks,
    cpu_list,
    postgres_database,
    redis_flushdb,
    run_delay_between,
    task_run_delays,
)

#: One phone posts at most this many cards a second: below the frame budget of 10/s (burst 30),
#: so no post is ever refused as ``rate_limited``. Higher rates use more sender phones.
POSTS_PER_SENDER = 8.0
#: Concurrent socket openings and HTTP joins while setting a room up (not in the join storm).
#: The app lets one address have at most 64 joins in flight (WrongCodeGate.max_pending).
SETUP_CONCURRENCY = 32
SETTLE_SECONDS = 2.0
#: A short unmeasured run before the first measured one of a room.
WARMUP_SECONDS = 2.0
DEFAULT_AGENDA = [
    "lobby",
    "beelden",
    "factoren",
    "consequenties",
    "clusteren",
    "prioriteren",
    "waarom",
    "opgave",
    "afronding",
]
CARD_TEXT = "Het buurthuis is sinds 2023 dicht en er is geen andere plek om elkaar te zien"


@dataclass
class Options:
    """What every room is started with (from the command line)."""

    server_cpu: str = "1"
    database: str = "sqlite"  # or "postgres"
    redis_db: int = 14
    server_env: dict[str, str] = field(default_factory=dict)
    keep: bool = False
    log: Any = print


class Window:
    """Over a stretch of a run: wall time; the client's and the servers' CPU time and the time
    their threads waited for a CPU (run delay); how busy the server's CPU was (by anyone)."""

    def __init__(self, servers: list[ServerProcess]) -> None:
        self.servers = servers
        self.cpus = set().union(*(cpu_list(s.cpu) for s in servers))
        self.wall = perf()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self.client = usage.ru_utime + usage.ru_stime
        self.client_wait = task_run_delays("self")
        self.server = [s.cpu_seconds() for s in servers]
        self.server_wait = [s.run_delays() for s in servers]
        self.busy = cpu_busy_ticks(self.cpus)

    def result(self) -> dict[str, float]:
        wall = perf() - self.wall
        usage = resource.getrusage(resource.RUSAGE_SELF)
        client = usage.ru_utime + usage.ru_stime - self.client
        server = sum(s.cpu_seconds() - c for s, c in zip(self.servers, self.server, strict=True))
        server_wait = sum(
            run_delay_between(w, s.run_delays())
            for s, w in zip(self.servers, self.server_wait, strict=True)
        )
        busy, total = cpu_busy_ticks(self.cpus)
        return {
            "wall_s": round(wall, 2),
            "client_cpu": round(client / wall, 3),
            "client_run_delay": round(
                run_delay_between(self.client_wait, task_run_delays("self")) / wall, 3
            ),
            "server_cpu": round(server / wall, 3),
            "server_run_delay": round(server_wait / wall, 3),
            "server_cpus_busy": round((busy - self.busy[0]) / max(1, total - self.busy[1]), 3),
            "server_cpu_s": round(server, 3),
        }


@dataclass
class Room:
    kind: str  # "app" or "floor"
    servers: list[ServerProcess]
    workshop_id: int
    join_code: str
    screen_token: str
    cookie: str | None
    agenda: list[str]
    database_url: str | None
    recorder: Recorder = field(default_factory=Recorder)
    console: Peer | None = None
    screen: Peer | None = None
    tokens: list[str] = field(default_factory=list)
    peers: list[Peer] = field(default_factory=list)
    cids: itertools.count[int] = field(default_factory=itertools.count)
    joined: int = 0

    def url(self, i: int) -> str:
        return self.servers[i % len(self.servers)].url

    def ws_url(self, i: int) -> str:
        return self.servers[i % len(self.servers)].ws_url

    def window(self) -> Window:
        return Window(self.servers)

    def alive(self) -> bool:
        return all(s.alive() for s in self.servers)

    def cid(self, prefix: str = "c") -> str:
        return f"{prefix}{next(self.cids)}"

    # ------------------------------------------------------------------ console and projector

    async def open_console(self) -> Peer:
        self.console = Peer(-1, self.recorder, measured=False)
        self.console.capture = []
        await self.console.open(self.ws_url(0), self.workshop_id, token=None, cookie=self.cookie)
        self.peers.append(self.console)
        return self.console

    async def open_screen(self) -> Peer:
        self.screen = Peer(-2, self.recorder, measured=False, screen=True)
        await self.screen.open(self.ws_url(0), self.workshop_id, token=self.screen_token)
        self.peers.append(self.screen)
        return self.screen

    async def command(self, type_: str, *, wait: float = 30.0, **fields: Any) -> dict[str, Any]:
        assert self.console is not None
        reply: dict[str, Any] = await self.console.command(
            type_, self.cid("f"), wait=wait, **fields
        )
        return reply

    async def goto(self, phase: str) -> None:
        await self.command("phase.set", index=self.agenda.index(phase), open_items="close")

    # ------------------------------------------------------------------ phones

    async def join_many(self, count: int) -> list[str]:
        """``count`` more participants over HTTP (bounded concurrency); their tokens."""
        gate = asyncio.Semaphore(SETUP_CONCURRENCY)
        first = self.joined
        self.joined += count

        async def one(http: httpx.AsyncClient, i: int) -> str:
            async with gate:
                return await join(http, self.url(i), self.join_code, i)

        async with http_client(SETUP_CONCURRENCY) as http:
            tokens = await asyncio.gather(*(one(http, i) for i in range(first, first + count)))
        self.tokens.extend(tokens)
        return list(tokens)

    async def connect_many(
        self, tokens: list[str], *, first: int, measured: bool = True
    ) -> tuple[list[Peer], Counter[str]]:
        """Open a socket per token (bounded concurrency); the phones that synced, and failures."""
        gate = asyncio.Semaphore(SETUP_CONCURRENCY)
        failures: Counter[str] = Counter()

        async def one(i: int, token: str) -> Peer | None:
            peer = Peer(i, self.recorder, measured=measured)
            async with gate:
                try:
                    await peer.open(self.ws_url(i), self.workshop_id, token=token)
                except Exception as exc:
                    failures[failure_name(exc)] += 1
                    await peer.close()
                    return None
            return peer

        opened = await asyncio.gather(*(one(first + n, t) for n, t in enumerate(tokens)))
        peers = [p for p in opened if p is not None]
        self.peers.extend(peers)
        return peers, failures

    async def close(self) -> None:
        await close_all(self.peers)
        self.peers.clear()


# ----------------------------------------------------------------------------- starting rooms


async def _prepare_app(server: AppServer) -> tuple[int, str, str, str, list[str]]:
    """A facilitator (CLI), logged in (CSRF), a trajectory and a workshop: its id, code, tokens."""
    email, password = "f@gemeente.example", "lamp-tulp-fiets-" + os.urandom(12).hex()
    created = await asyncio.to_thread(
        server.run_cli,
        "create-facilitator",
        "--email",
        email,
        "--name",
        "Bench",
        "--password-stdin",
        stdin=password + "\n",
    )
    if created.returncode != 0:
        raise RuntimeError(f"create-facilitator failed: {created.stdout}{created.stderr}")
    async with httpx.AsyncClient(base_url=server.url, trust_env=False, timeout=30) as http:
        http.headers["X-CSRF-Token"] = (await http.get("/api/csrf")).json()["csrf_token"]
        login = await http.post("/api/session", json={"email": email, "password": password})
        login.raise_for_status()
        http.headers["X-CSRF-Token"] = (await http.get("/api/csrf")).json()["csrf_token"]
        trajectory = await http.post(
            "/api/trajectories",
            json={
                "theme": "Eenzaamheid onder oudere inwoners",
                "expected_groups": ["inwoner", "ervaringsdeskundige", "ketenpartner", "beleid"],
            },
        )
        trajectory.raise_for_status()
        workshop = await http.post(
            f"/api/trajectories/{trajectory.json()['id']}/workshops",
            json={
                "title": "Belastingtest",
                "theme_question": "Wat maakt dat ouderen zich eenzaam voelen?",
            },
        )
        workshop.raise_for_status()
        body = workshop.json()
        cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    return body["id"], body["join_code"], body["screen_token"], cookie, list(body["agenda"])


@contextlib.asynccontextmanager
async def app_room(
    options: Options, *, processes: int = 1, redis: bool = False, name: str = "app"
) -> AsyncIterator[Room]:
    """App server(s) on a fresh database, with a workshop; stopped and removed afterwards."""
    with contextlib.ExitStack() as stack:
        if options.keep:  # a folder that outlives the run (its logs are the point)
            tmp = Path(tempfile.mkdtemp(prefix="atelier-load-"))
        else:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="atelier-load-")))
        if options.database == "postgres":
            database_url = stack.enter_context(postgres_database())
        else:
            database_url = f"sqlite:///{tmp / 'atelier.db'}"
        env = dict(options.server_env)
        if options.database == "sqlite":
            # The documented default on SQLite, set explicitly: one process, in-memory notices.
            env.setdefault("ATELIER_BROKER_URL", "memory://")
        if redis:
            redis_flushdb(options.redis_db)
            stack.callback(redis_flushdb, options.redis_db)
            env.setdefault("ATELIER_REDIS_URL", f"redis://127.0.0.1:6379/{options.redis_db}")
        servers: list[AppServer] = []
        secret = None
        for n in range(processes):
            server = AppServer(
                name=f"{name}-{n}",
                data_dir=tmp,
                database_url=database_url,
                cpu=options.server_cpu,
                secret=secret,
                extra_env=env,
            )
            secret = server.secret
            servers.append(server)
            stack.callback(server.stop)
        for server in servers:  # one after another: each migrates the database first
            await server.start()
        workshop_id, code, screen_token, cookie, agenda = await _prepare_app(servers[0])
        room = Room(
            kind="app",
            servers=list(servers),
            workshop_id=workshop_id,
            join_code=code,
            screen_token=screen_token,
            cookie=cookie,
            agenda=agenda,
            database_url=database_url,
        )
        try:
            yield room
        finally:
            await room.close()
            if options.keep:
                options.log(f"  kept {tmp}")


@contextlib.asynccontextmanager
async def floor_room(options: Options, *, name: str = "floor") -> AsyncIterator[Room]:
    with tempfile.TemporaryDirectory(prefix="atelier-floor-") as tmp:
        server = FloorServer(name=name, data_dir=Path(tmp), cpu=options.server_cpu)
        try:
            await server.start()
            room = Room(
                kind="floor",
                servers=[server],
                workshop_id=1,
                join_code="FLOOR1",
                screen_token="floor-screen",
                cookie=None,
                agenda=DEFAULT_AGENDA,
                database_url=None,
            )
            try:
                yield room
            finally:
                await room.close()
        finally:
            server.stop()


# ----------------------------------------------------------------------------- fan-out


def senders_for(rate: float) -> int:
    return max(1, math.ceil(rate / POSTS_PER_SENDER))


async def fanout_run(
    room: Room,
    phones: list[Peer],
    senders: list[Peer],
    *,
    rate: float,
    duration: float,
    grace: float,
) -> dict[str, Any]:
    """Post ``rate`` cards a second for ``duration`` s (open loop), round-robin over ``senders``;
    every phone must get every post. Latency: post sent -> event on that phone."""
    recorder = room.recorder
    run = FanoutRun(first=recorder.next_post, phones=len(phones))
    recorder.fanout = run
    senders = senders[: senders_for(rate)]
    total = max(1, round(rate * duration))
    lags: list[float] = []
    window = room.window()
    start = perf() + 0.1
    for k in range(total):
        due = start + k / rate
        delay = due - perf()
        if delay > 0:
            await asyncio.sleep(delay)
        post = recorder.next_post
        recorder.next_post += 1
        frame = (
            f'{{"type":"card.post","cid":"p{post}","kind":"factor",'
            f'"text":"bench-post-{post:07d} {CARD_TEXT}"}}'
        )
        sender = senders[k % len(senders)]
        now = perf()
        run.sent[post] = now
        lags.append(now - due)
        if sender.open_now:
            await sender.send(frame)
    sending = window.result()
    deadline = perf() + grace
    while perf() < deadline and (run.received < run.expected or run.acked < total):
        if not room.alive():
            break
        await asyncio.sleep(0.05)
    closed = sum(1 for p in phones if not p.open_now)
    recorder.fanout = None
    trend = _trend(run)
    drained = window.result()
    lags.sort()
    return {
        "phones": len(phones),
        "senders": len(senders),
        "rate": rate,
        "duration_s": duration,
        "posts": total,
        "acked": run.acked,
        "post_errors": dict(run.errors),
        "expected_deliveries": run.expected,
        "latency": summary_ms(run.latencies, missing=run.expected - run.received),
        "median_ms_by_quarter_of_posts": trend,
        "phones_closed": closed,
        "send_lag_ms": {
            "p50": round(lags[len(lags) // 2] * 1000, 2),
            "p99": round(lags[max(0, math.ceil(0.99 * len(lags)) - 1)] * 1000, 2),
            "max": round(lags[-1] * 1000, 2),
        },
        "cpu": sending,
        "cpu_until_drained": drained,
        "server_cpu_us_per_delivery": round(
            drained["server_cpu_s"] * 1e6 / max(1, run.received), 1
        ),
    }


def _trend(run: FanoutRun) -> list[float | None]:
    """Median latency of the posts in each quarter of the run: growing means a backlog."""
    posts = sorted(run.sent)
    if not posts:
        return []
    by_post: dict[int, list[float]] = {}
    for post, latency in zip(run.posts, run.latencies, strict=True):
        by_post.setdefault(post, []).append(latency)
    out: list[float | None] = []
    size = max(1, math.ceil(len(posts) / 4))
    for start in range(0, len(posts), size):
        values = sorted(v for p in posts[start : start + size] for v in by_post.get(p, []))
        out.append(round(values[len(values) // 2] * 1000, 1) if values else None)
    return out


async def fanout_room(room: Room) -> None:
    """Console and projector open, the room in factoren (where phones post factor cards)."""
    await room.open_console()
    await room.open_screen()
    await room.goto("factoren")


async def fanout_series(
    room: Room,
    sizes: list[int],
    *,
    rate: float,
    duration: float,
    grace: float = 10.0,
    log: Any = print,
) -> list[dict[str, Any]]:
    """Fan-out at each room size, growing one room: join everyone first, connect step by step."""
    await fanout_room(room)
    n_senders = senders_for(rate)
    tokens = await room.join_many(max(sizes) + n_senders)
    senders, failed = await room.connect_many(tokens[:n_senders], first=0, measured=False)
    phones: list[Peer] = []
    results: list[dict[str, Any]] = []
    for size in sorted(sizes):
        setup = perf()
        new, failures = await room.connect_many(
            tokens[n_senders + len(phones) : n_senders + size], first=n_senders + len(phones)
        )
        phones.extend(new)
        failures.update(failed)
        connect_s = perf() - setup
        await asyncio.sleep(SETTLE_SECONDS)
        if not results:  # the room's first posts set things up: not measured
            await fanout_run(room, phones, senders, rate=rate, duration=WARMUP_SECONDS, grace=5.0)
            await asyncio.sleep(1.0)
        log(f"  {room.kind}: {len(phones)} phones connected in {connect_s:.1f} s; posting…")
        result = await fanout_run(room, phones, senders, rate=rate, duration=duration, grace=grace)
        result["requested_phones"] = size
        result["connect_failures"] = dict(failures)
        result["connect_s"] = round(connect_s, 1)
        log(f"    {_brief(result)}")
        results.append(result)
        if not room.alive():
            break
    return results


def _brief(result: dict[str, Any]) -> str:
    latency = result["latency"]
    return (
        f"rate {result['rate']:g}/s: p50 {latency['p50']} ms, p99 {latency['p99']} ms, "
        f"missing {latency['missing']}, server CPU {result['cpu']['server_cpu']:.0%} "
        f"(waited {result['cpu']['server_run_delay']:.0%}; its CPU busy "
        f"{result['cpu']['server_cpus_busy']:.0%}), client CPU {result['cpu']['client_cpu']:.0%}, "
        f"by quarter {result.get('median_ms_by_quarter_of_posts')}"
    )


async def rate_search(
    room: Room,
    *,
    phones: int,
    rates: list[float],
    duration: float,
    limit_ms: float,
    log: Any = print,
) -> dict[str, Any]:
    """The highest rate whose p99 (a missing delivery counts as late) stays within the limit.

    A step over the limit is run once more before the search stops, for the app and the floor
    alike: on a shared machine one stall (another tenant, a garbage collection) can make a
    single step's p99, and the search should not end on it. A step that fails twice ends it.
    """
    await fanout_room(room)
    n_senders = senders_for(max(rates))
    tokens = await room.join_many(phones + n_senders)
    senders, _ = await room.connect_many(tokens[:n_senders], first=0, measured=False)
    measured, failures = await room.connect_many(tokens[n_senders:], first=n_senders)
    await asyncio.sleep(SETTLE_SECONDS)
    # The room's first posts set things up: a short run at the lowest rate, not measured.
    await fanout_run(room, measured, senders, rate=min(rates), duration=WARMUP_SECONDS, grace=5.0)
    await asyncio.sleep(1.0)
    steps = []
    best: float | None = None
    for rate in rates:
        for attempt in (1, 2):
            result = await fanout_run(
                room, measured, senders, rate=rate, duration=duration, grace=5.0
            )
            latency = result["latency"]
            p99 = latency.get("p99_incl_missing", latency["p99"])
            result["within_limit"] = p99 is not None and p99 <= limit_ms
            result["attempt"] = attempt
            steps.append(result)
            log(f"    {_brief(result)}")
            await asyncio.sleep(1.0)
            if result["within_limit"] or not room.alive():
                break
        if not result["within_limit"] or not room.alive():
            break
        best = rate
    return {
        "phones": len(measured),
        "connect_failures": dict(failures),
        "limit_ms": limit_ms,
        "highest_rate": best,
        "steps": steps,
    }


# ----------------------------------------------------------------------------- join storm


async def join_storm(
    room: Room, *, phones: int, spread: float, wait: float = 120.0
) -> tuple[dict[str, Any], list[Peer]]:
    """``phones`` phones start joining evenly over ``spread`` s: the join form (page, post, the
    phone page it leads to), socket, hello, synced."""
    first = room.joined
    room.joined += phones
    failures: Counter[str] = Counter()
    timings: list[tuple[float, float, float]] = []
    peers: list[Peer] = []
    window = room.window()
    async with http_client(phones, keep_alive=False) as http:
        start = perf() + 0.2

        async def phone(n: int) -> None:
            i = first + n
            await asyncio.sleep(max(0.0, start + n * spread / phones - perf()))
            began = perf()
            peer = Peer(i, room.recorder)
            try:
                if room.kind == "app":  # a phone's way in; the floor has only /api/join
                    token = await join_by_form(room.url(i), room.join_code, i)
                else:
                    token = await join(http, room.url(i), room.join_code, i)
                joined = perf()
                synced = await peer.open(room.ws_url(i), room.workshop_id, token=token)
            except Exception as exc:
                failures[failure_name(exc)] += 1
                await peer.close()
                return
            timings.append((began, joined, synced))
            peers.append(peer)

        try:
            async with asyncio.timeout(spread + wait):
                await asyncio.gather(*(phone(n) for n in range(phones)))
        except TimeoutError:
            failures["storm timeout"] += phones - len(timings) - sum(failures.values())
    cpu = window.result()
    room.peers.extend(peers)
    result = {
        "phones": phones,
        "spread_s": spread,
        "succeeded": len(timings),
        "all_succeeded": len(timings) == phones,
        "failures": dict(failures),
        "join_to_synced": summary_ms([s - b for b, _, s in timings]),
        "http_join": summary_ms([j - b for b, j, _ in timings]),
        "socket_to_synced": summary_ms([s - j for _, j, s in timings]),
        "last_synced_after_s": round(max((s for _, _, s in timings), default=start) - start, 2),
        "cpu": cpu,
        "server_cpu_ms_per_join": round(cpu["server_cpu_s"] * 1000 / max(1, len(timings)), 2),
    }
    return result, peers


# ----------------------------------------------------------------------------- idle memory


async def idle_memory(room: Room, *, phones: int, log: Any = print) -> dict[str, Any]:
    """Server RSS with no socket, with ``phones`` idle phones that synced, and after they left."""
    server = room.servers[0]
    tokens = await room.join_many(phones + 10)
    warm, _ = await room.connect_many(tokens[:10], first=0)  # first sockets set things up
    await close_all(warm)
    await asyncio.sleep(SETTLE_SECONDS)
    before = server.rss_kib()
    setup = perf()
    peers, failures = await room.connect_many(tokens[10:], first=10)
    connect_s = perf() - setup
    await asyncio.sleep(3.0)
    idle = server.rss_kib()
    log(f"  {room.kind}: {len(peers)} phones in {connect_s:.1f} s, RSS {before} -> {idle} KiB")
    await close_all(peers)
    room.peers = [p for p in room.peers if p not in set(peers)]
    await asyncio.sleep(3.0)
    after = server.rss_kib()
    return {
        "phones": len(peers),
        "connect_failures": dict(failures),
        "connect_s": round(connect_s, 1),
        "rss_0_kib": before,
        "rss_idle_kib": idle,
        "rss_after_close_kib": after,
        "kib_per_connection": round((idle - before) / max(1, len(peers)), 1),
    }


# ----------------------------------------------------------------------------- vote burst


async def vote_targets(room: Room, count: int = 10) -> list[int]:
    """The console posts ``count`` factor cards (in factoren) to vote on; their ids."""
    ids = []
    for n in range(count):
        reply = await room.command("card.post", kind="factor", text=f"Stemkaart {n}: {CARD_TEXT}")
        ids.append(int(reply.get("result", {}).get("card_id", n + 1)))
    return ids


async def vote_burst(
    room: Room,
    phones: list[Peer],
    targets: list[int],
    *,
    dots_each: int,
    spread: float,
    wait: float = 45.0,
) -> dict[str, Any]:
    """Every phone casts ``dots_each`` dots, all sends spread evenly over ``spread`` s."""
    await room.goto("prioriteren")
    opened = await room.command("vote.open", budget=max(5, dots_each))
    vote_id = opened.get("result", {}).get("vote_id")
    await asyncio.sleep(SETTLE_SECONDS)
    total = len(phones) * dots_each
    run = VoteRun(total)
    room.recorder.vote = run
    window = room.window()
    lags: list[float] = []
    start = perf() + 0.1
    for j in range(total):
        due = start + j * spread / total
        delay = due - perf()
        if delay > 0:
            await asyncio.sleep(delay)
        phone = phones[j % len(phones)]
        k = j // len(phones)
        target = targets[(phone.index + k) % len(targets)]
        frame = f'{{"type":"vote.cast","cid":"d{j}","target_type":"card","target_id":{target}}}'
        now = perf()
        run.sent[j] = now
        lags.append(now - due)
        if phone.open_now:
            await phone.send(frame)
    deadline = perf() + wait
    while run.replies < total and perf() < deadline and room.alive():
        await asyncio.sleep(0.05)
    acked = sum(run.ok)
    # The last tally comes within one coalescing interval after the last commit.
    deadline = perf() + 5.0
    while perf() < deadline and (not run.tallies or run.tallies[-1][1] < acked):
        await asyncio.sleep(0.05)
    cpu = window.result()
    room.recorder.vote = None
    ack_latencies = [run.answered[j] - run.sent[j] for j in range(total) if run.ok[j]]
    tally, tally_missing = tally_latencies(run)
    lags.sort()
    result: dict[str, Any] = {
        "phones": len(phones),
        "dots_each": dots_each,
        "spread_s": spread,
        "sent": total,
        "acknowledged": acked,
        "errors": dict(run.errors),
        "unanswered": total - run.replies,
        "ack": summary_ms(ack_latencies, missing=total - acked),
        "tally": summary_ms(tally, missing=tally_missing),
        "tallies_received": len(run.tallies),
        "last_tally_dots": run.tallies[-1][1] if run.tallies else None,
        "send_lag_ms": {
            "p99": round(lags[max(0, math.ceil(0.99 * len(lags)) - 1)] * 1000, 2),
            "max": round(lags[-1] * 1000, 2),
        },
        "cpu": cpu,
        "server_cpu_ms_per_dot": round(cpu["server_cpu_s"] * 1000 / max(1, total), 3),
        "vote_id": vote_id,
    }
    if room.kind == "app":
        result["durability"] = await _durability(room, run, vote_id)
    return result


async def _durability(room: Room, run: VoteRun, vote_id: int | None) -> dict[str, Any]:
    """Close the vote from the console; count its dots in ``vote.closed`` and in the database.

    Dots still queued when the vote closes are refused (``no_vote``), not lost: after the close
    every dot is answered, and the acknowledged ones must be exactly the dots counted.
    """
    assert room.console is not None and room.console.capture is not None
    room.console.capture.clear()
    room.recorder.vote = run  # answers that come after the close still count
    try:
        await room.command("vote.close", wait=60.0)
        deadline = perf() + 30.0
        while perf() < deadline and (not room.console.capture or run.replies < run.total):
            await asyncio.sleep(0.05)
    finally:
        room.recorder.vote = None
    in_results = None
    if room.console.capture:
        closed = json.loads(room.console.capture[-1])["event"]["vote"]
        in_results = sum(int(line["dots"]) for line in closed["results"] or [])
    in_database = await asyncio.to_thread(_count_dots, room.database_url, vote_id)
    acked = sum(run.ok)
    return {
        "expected": run.total,
        "acknowledged_in_the_end": acked,
        "refused_in_the_end": dict(run.errors),
        "unanswered_in_the_end": run.total - run.replies,
        "vote_closed_results": in_results,
        "database": in_database,
        "consistent": in_results == acked and in_database == acked,
        "ok": in_results == run.total and in_database == run.total,
    }


def _count_dots(database_url: str | None, vote_id: int | None) -> int | None:
    if database_url is None or vote_id is None:
        return None
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            count = connection.execute(
                text("SELECT count(*) FROM dot WHERE vote_id = :v"), {"v": vote_id}
            ).scalar_one()
        return int(count)
    finally:
        engine.dispose()
