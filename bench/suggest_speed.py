"""How fast are suggestions for 300 cards, what does the model cost in memory, and does the room
keep its delivery latency while the server computes them?

1. **Suggestion run** for 300 cards (the Dutch card set of ``bench/data/cards_nl.json`` plus
   variations of its cards to reach 300): *cold* in a new process (importing the engine, loading
   the model, embedding and clustering), and *warm* in this process with the model loaded, once
   with the embedding cache cleared and once with it kept (only the clustering left). Medians of
   ``--runs``.
2. **Memory**: in each cold process, the peak resident set (``VmHWM`` in ``/proc/self/status``)
   after importing the engine but before loading the model, after loading it, and after the
   300-card run. Medians.
3. **The room during a suggestion run**: a real server (``python -m app serve``, pinned to one
   core with ``taskset``; this process and its clients on the other), a workshop with 300 cards,
   30 phones on WebSockets. A phone posts a card every 100 ms (open loop, the phones taking
   turns); the latency of a post is the time until the *last* of the 30 phones has it. Three
   stages: a quiet room; then, with the console asking
   ``GET /api/workshops/{id}/suggestions/clusters`` in a loop, the server's first request (it
   loads the model and embeds all 300 cards); then ``--posts`` more while the loop goes on (the
   cache warm, each request embedding only the probes posted since). Each stage's probe cards
   are hidden before the next, so the console's requests cover the 300 cards plus the current
   stage's probes. Median and p95 per stage.

    .venv/bin/python -m bench.suggest_speed [--runs 5] [--posts 150] [--skip-room | --skip-runs]

Bounded: every wait has a timeout, the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets

from bench.suggest_quality import load_themes
from tests.realtime.helpers import join
from tests.support.client import RoomClient
from tests.support.databases import database_url
from tests.support.server import ROOT, Facilitator, Server, facilitator_with_workshop

CARDS = 300
PHONES = 30
INTERVAL = 0.1

#: Ways a card comes back in other words: the same point, said by someone else.
PREFIXES = ("Bij ons in het dorp:", "Wat ik hoor:", "Uit de praktijk:", "Herkenbaar:")
SUFFIXES = ("", " (gehoord bij de koffie)", " en dat zie je overal", " – al jaren")


def card_texts(count: int = CARDS) -> list[str]:
    """The set's cards, then variations of them until there are ``count`` distinct texts."""
    base = [card.text for theme in load_themes() for card in theme.cards]
    texts = list(base)
    n = 0
    while len(texts) < count:
        text = base[n % len(base)]
        variant = n // len(base)
        prefix = PREFIXES[(n + variant) % len(PREFIXES)]
        suffix = SUFFIXES[(n // len(PREFIXES) + variant) % len(SUFFIXES)]
        texts.append(f"{prefix} {text[0].lower()}{text[1:]}{suffix}")
        n += 1
    assert len(set(texts)) == len(texts) == count
    return texts


# --- 1 and 2: a cold run in a new process, with its memory --------------------------------------

COLD = """
import json, resource, sys, time

def hwm():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024

texts = json.load(sys.stdin)
started = time.perf_counter()
from app.suggest.engine import suggest_clusters
from app.suggest.embedding import default_embedder
imported = time.perf_counter()
before = hwm()
embedder = default_embedder()
embedder.embed(["."])
loaded = time.perf_counter()
after_load = hwm()
found = suggest_clusters(dict(enumerate(texts, 1)), embedder=embedder)
done = time.perf_counter()
print(json.dumps({
    "import_s": imported - started, "load_s": loaded - imported, "run_s": done - loaded,
    "total_s": done - started, "hwm_before_mb": before, "hwm_loaded_mb": after_load,
    "hwm_after_run_mb": hwm(), "clusters": len(found.clusters), "model": found.model,
    "cpu_s": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
}))
"""


def cold_runs(texts: list[str], runs: int) -> list[dict[str, Any]]:
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", COLD],
            input=json.dumps(texts),
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
            check=False,
        )
        if out.returncode != 0:
            raise SystemExit(f"cold run failed:\n{out.stderr}")
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


def warm_runs(texts: list[str], runs: int) -> tuple[list[float], list[float], str]:
    """In this process, the model loaded once: runs each through a new, empty per-text cache
    around it (cache cleared: every card embedded), then runs through one cache that has seen
    the cards (cache kept: only clustering and naming left)."""
    from app.suggest.embedding import CachedEmbedder, E5Embedder
    from app.suggest.engine import suggest_clusters

    cards = dict(enumerate(texts, 1))
    model = E5Embedder()
    model.embed(["."])
    cleared, kept = [], []
    for _ in range(runs):
        fresh = CachedEmbedder(model)
        started = time.perf_counter()
        found = suggest_clusters(cards, embedder=fresh)
        cleared.append(time.perf_counter() - started)
        assert len(fresh) == len(texts), "the run did not go through the fresh cache"
    for _ in range(runs):
        started = time.perf_counter()
        suggest_clusters(cards, embedder=fresh)
        kept.append(time.perf_counter() - started)
    return cleared, kept, found.model


# --- 3: the room ---------------------------------------------------------------------------------


class PinnedServer(Server):
    """The test suite's real server, started under ``taskset`` on the given cores."""

    def __init__(self, *, cores: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cores = cores

    def start(self, timeout: float = 60.0) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                "taskset",
                "-c",
                self.cores,
                sys.executable,
                "-m",
                "app",
                "serve",
                "--port",
                str(self.port),
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start in {timeout}s:\n{self.log()}")


@dataclass
class Phone:
    """A participant's socket, as light as possible: it notes when each card arrives (before
    parsing), so the 30 phones in this one process add little to what is measured."""

    ws: Any
    arrivals: dict[str, float] = field(default_factory=dict)
    task: asyncio.Task[None] | None = None

    @classmethod
    async def connect(cls, server: Server, workshop_id: int, token: str) -> Phone:
        ws = await websockets.connect(
            f"{server.ws_url}/ws/workshops/{workshop_id}", max_size=2**24, open_timeout=10
        )
        phone = cls(ws)
        await ws.send(json.dumps({"type": "hello", "token": token, "last_seq": None}))
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if message["type"] == "error":
                raise RuntimeError(f"phone refused: {message}")
            if message["type"] == "synced":
                break
        phone.task = asyncio.create_task(phone._read())
        return phone

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                now = time.perf_counter()
                message = json.loads(raw)
                if message["type"] == "event" and message["event"]["type"] == "card.posted":
                    self.arrivals[message["event"]["card"]["text"]] = now
        except websockets.ConnectionClosed:
            pass

    async def post(self, text: str, cid: str) -> None:
        await self.ws.send(
            json.dumps({"type": "card.post", "cid": cid, "kind": "factor", "text": text})
        )

    async def close(self) -> None:
        await self.ws.close()
        if self.task is not None:
            await asyncio.wait_for(self.task, 5)


async def probe(
    phones: list[Phone], tag: str, posts: int, until: Callable[[], bool] | None = None
) -> list[tuple[float, float | None]]:
    """Post cards, one every 100 ms, the phones taking turns: ``posts`` of them, or with
    ``until`` as many as it takes for ``until()`` to be true (at most ``posts``). For each post:
    when it was sent, and the time until every phone had it (ms; ``None`` if some phone still
    did not have it 15 s after the last post)."""
    sent: dict[str, float] = {}
    started = time.perf_counter()
    for i in range(posts):
        if until is not None and until():
            break
        delay = started + i * INTERVAL - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        text = f"Proefkaart {tag} {i}: de bus rijdt niet op zondag"
        sent[text] = time.perf_counter()
        await phones[i % len(phones)].post(text, f"{tag}-{i}")
    deadline = time.perf_counter() + 15
    while time.perf_counter() < deadline:
        if all(text in phone.arrivals for phone in phones for text in sent):
            break
        await asyncio.sleep(0.05)
    result: list[tuple[float, float | None]] = []
    for text, at in sent.items():
        arrived = [phone.arrivals.get(text) for phone in phones]
        last = None if None in arrived else max(a for a in arrived if a is not None)
        result.append((at, None if last is None else (last - at) * 1000))
    return result


async def hide_probes(console: RoomClient, tag: str) -> None:
    """Hide a stage's probe cards, so the next stage's suggestions cover the 300 cards (and
    only that stage's probes)."""
    for card in list(console.state["cards"].values()):  # type: ignore[index]
        if str(card["text"]).startswith(f"Proefkaart {tag} ") and not card["hidden"]:
            await console.command("card.hide", card_id=card["id"], hidden=True)
    await asyncio.sleep(1)


@dataclass
class Stage:
    name: str
    probes: list[tuple[float, float | None]]

    @property
    def latencies(self) -> list[float]:
        return [ms for _, ms in self.probes if ms is not None]

    @property
    def lost(self) -> int:
        return sum(1 for _, ms in self.probes if ms is None)


@dataclass
class Console:
    """The facilitator's console asking for suggestions in a loop, in a thread of its own."""

    facilitator: Facilitator
    workshop_id: int
    stop: threading.Event = field(default_factory=threading.Event)
    requests: list[tuple[float, float, int]] = field(default_factory=list)  # start, end, cards
    error: str | None = None

    def once(self) -> tuple[float, float, int]:
        started = time.perf_counter()
        response = self.facilitator.http.get(
            f"/api/workshops/{self.workshop_id}/suggestions/clusters", timeout=120
        )
        ended = time.perf_counter()
        response.raise_for_status()
        body = response.json()
        if not body.get("available"):
            raise RuntimeError(f"suggestions unavailable on the server: {body.get('reason')}")
        cards = sum(len(c["card_ids"]) for c in body["clusters"]) + len(body["ungrouped"])
        return started, ended, cards

    def loop(self, times: int | None = None) -> None:
        """Ask again as soon as an answer comes, until stopped (or ``times`` answers)."""
        try:
            while not self.stop.is_set() and (times is None or times > 0):
                self.requests.append(self.once())
                times = None if times is None else times - 1
        except Exception as error:  # reported by the main thread
            self.error = repr(error)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def room(texts: list[str], posts: int, server_cores: str) -> tuple[list[Stage], Console]:
    """Quiet; then during the server's first suggestion request (model load, 300 cards to
    embed); then while the console keeps asking (the cache warm)."""
    with tempfile.TemporaryDirectory() as tmp, database_url(Path(tmp)) as url:
        server = PinnedServer(
            cores=server_cores,
            data_dir=Path(tmp),
            database_url=url,
            # The console seeds 300 cards as fast as the acks come: above a person's frame limit.
            ATELIER_FRAMES_PER_SECOND="500",
            ATELIER_FRAMES_BURST="500",
        )
        server.start()
        try:
            http, workshop = facilitator_with_workshop(server)
            wid = workshop["id"]
            console = await RoomClient.connect(
                server.ws_url, wid, cookie=http.cookie_header, name="console"
            )
            agenda = console.state["workshop"]["agenda"]  # type: ignore[index]
            await console.command("phase.set", index=agenda.index("factoren"))
            for i, text in enumerate(texts):
                await console.command("card.post", cid=f"seed-{i}", kind="factor", text=text)
            phones = []
            for n in range(PHONES):
                token = join(server, workshop["join_code"], f"Telefoon {n}", "inwoner")["token"]
                phones.append(await Phone.connect(server, wid, token))

            quiet = Stage("quiet room", await probe(phones, "stil", posts))
            await hide_probes(console, "stil")

            loop = Console(http, wid)
            thread = threading.Thread(target=loop.loop, args=(1,), daemon=True)
            thread.start()
            first = Stage(
                "during the server's first suggestion request (model load + 300 cards)",
                await probe(phones, "eerst", 1200, until=lambda: not thread.is_alive()),
            )
            await asyncio.to_thread(thread.join, 180)
            await hide_probes(console, "eerst")
            thread = threading.Thread(target=loop.loop, daemon=True)
            thread.start()
            warm = Stage(
                "while the console asks for suggestions in a loop (cache warm)",
                await probe(phones, "warm", posts),
            )
            loop.stop.set()
            await asyncio.to_thread(thread.join, 180)
            for phone in phones:
                await phone.close()
            await console.close()
            http.close()
        finally:
            server.stop()
    return [quiet, first, warm], loop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cards", type=int, default=CARDS, help="cards in parts 1 and 2")
    parser.add_argument("--posts", type=int, default=150)
    parser.add_argument("--skip-room", action="store_true", help="only parts 1 and 2")
    parser.add_argument("--skip-runs", action="store_true", help="only part 3, the room")
    parser.add_argument("--server-cores", default="0", help="taskset list for the server")
    parser.add_argument("--client-cores", default="1", help="cores for this process (the room)")
    args = parser.parse_args()
    texts = card_texts(args.cards)
    print(
        f"{len(texts)} cards; {os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M')}; "
        f"load average {os.getloadavg()[0]:.1f}\n"
    )

    summary: dict[str, Any] = {}
    if not args.skip_runs:
        cold = cold_runs(texts, args.runs)
        med = {key: statistics.median(r[key] for r in cold) for key in cold[0] if key != "model"}
        cleared, kept, model = warm_runs(texts, args.runs)
        print(f"model: {model}; medians of {args.runs}\n")
        print(f"| suggestion run, {len(texts)} cards | wall time |")
        print("|---|---|")
        print(
            f"| cold, new process (import {med['import_s']:.2f} s + model load "
            f"{med['load_s']:.2f} s + run {med['run_s']:.2f} s) | {med['total_s']:.2f} s |"
        )
        print(f"| … CPU time of that process (user + system) | {med['cpu_s']:.2f} s |")
        print(f"| warm, embedding cache cleared | {statistics.median(cleared):.2f} s |")
        print(f"| warm, embedding cache kept | {statistics.median(kept):.3f} s |")
        print()
        print("| peak RSS (VmHWM) of the cold process | MB |")
        print("|---|---|")
        print(f"| engine imported, model not loaded | {med['hwm_before_mb']:.0f} |")
        print(
            f"| model loaded | {med['hwm_loaded_mb']:.0f} "
            f"(+{med['hwm_loaded_mb'] - med['hwm_before_mb']:.0f}) |"
        )
        print(
            f"| after the {len(texts)}-card run | {med['hwm_after_run_mb']:.0f} "
            f"(+{med['hwm_after_run_mb'] - med['hwm_before_mb']:.0f}) |"
        )
        summary["cold"] = med
        summary["warm_cleared_s"] = statistics.median(cleared)
        summary["warm_kept_s"] = statistics.median(kept)
    if not args.skip_room:
        if shutil.which("taskset") is None:
            raise SystemExit("taskset (util-linux) is needed to pin the server to its core")
        os.sched_setaffinity(0, {int(c) for c in args.client_cores.split(",")})
        stages, loop = asyncio.run(room(texts, args.posts, args.server_cores))
        print(
            f"\nroom: {PHONES} phones, a post every {INTERVAL * 1000:.0f} ms; server on "
            f"core(s) {args.server_cores}, this process and its clients on {args.client_cores}\n"
        )
        print("| post → all 30 phones | posts | median | p95 | max | lost |")
        print("|---|---|---|---|---|---|")
        figures = []
        for stage in stages:
            ms = stage.latencies
            median, p95 = statistics.median(ms), percentile(ms, 0.95)
            figures.append((median, p95))
            print(
                f"| {stage.name} | {len(stage.probes)} | {median:.1f} ms | {p95:.1f} ms "
                f"| {max(ms):.0f} ms | {stage.lost} |"
            )
        (qm, qp), (fm, fp), (wm, wp) = figures
        if loop.error:
            print(f"\nthe console's requests failed: {loop.error}")
        durations = [end - start for start, end, _ in loop.requests] or [float("nan")]
        cards = [count for _, _, count in loop.requests]
        print(
            f"\nratio to the quiet room: first request median {fm / qm:.2f}, p95 {fp / qp:.2f}; "
            f"loop median {wm / qm:.2f}, p95 {wp / qp:.2f}"
        )
        print(
            f"suggestion requests: {len(durations)}; the first {durations[0]:.2f} s, later ones "
            f"median {statistics.median(durations[1:] or [0.0]):.2f} s "
            f"({min(cards, default=0)}–{max(cards, default=0)} cards each)"
        )
        summary["room"] = {
            stage.name: {
                "posts": len(stage.probes),
                "median_ms": m,
                "p95_ms": p,
                "lost": stage.lost,
            }
            for stage, (m, p) in zip(stages, figures, strict=True)
        }
        summary["requests"] = {"first_s": durations[0], "later_s": durations[1:]}
    summary["load_average_end"] = os.getloadavg()[0]
    print(f"\nload average at the end {summary['load_average_end']:.1f}")
    print("\n" + json.dumps(summary))


if __name__ == "__main__":
    main()
