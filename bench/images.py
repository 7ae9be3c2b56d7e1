"""Image pipeline cost, and whether the room keeps talking while photos are processed.

1. Processing a 12-megapixel JPEG: median wall time, and peak memory (max RSS of a child process
   that only processes one photo, minus that of one that only imports the same code).
2. Socket delivery latency (a card posted by one client until another client has it), median of
   N posts, in the same room without uploads (baseline) and during a burst of 10 concurrent
   12-megapixel uploads. One server, one run.

    .venv/bin/python -m bench.images [--posts N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from tests.images.samples import large_jpeg
from tests.realtime.helpers import join
from tests.support.client import RoomClient
from tests.support.databases import database_url
from tests.support.server import Server, facilitator_with_workshop

CHILD = """
import resource, sys, time
from app.images.pipeline import process
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if sys.argv[2] == "process":
    started = time.perf_counter(); process(data); elapsed = time.perf_counter() - started
else:
    elapsed = 0.0
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, before, elapsed)
"""


def pipeline(photo: Path, runs: int) -> tuple[float, float]:
    def child(mode: str) -> tuple[int, float]:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(photo), mode],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        return int(out[0]), float(out[2])

    times, peaks = [], []
    for _ in range(runs):
        idle_rss, _ = child("idle")
        rss, elapsed = child("process")
        times.append(elapsed * 1000)
        peaks.append((rss - idle_rss) / 1024)
    return statistics.median(times), statistics.median(peaks)


async def latencies(
    server: Server, workshop: dict, cookie: str, posts: int, tag: str
) -> list[float]:
    sender = await RoomClient.connect(server.ws_url, workshop["id"], cookie=cookie, name=f"s-{tag}")
    receiver = await RoomClient.connect(
        server.ws_url, workshop["id"], token=workshop["screen_token"], name=f"r-{tag}"
    )
    result = []
    for i in range(posts):
        text = f"{tag} {i}"
        start_index = len(receiver.messages)
        started = time.perf_counter()
        await sender.send({"type": "card.post", "cid": f"{tag}-{i}", "kind": "beeld", "text": text})
        await receiver.wait_for(
            lambda m, text=text: (
                m["type"] == "event" and m["event"].get("card", {}).get("text") == text
            ),
            start=start_index,
            timeout=60,
        )
        result.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.05)
    await sender.close()
    await receiver.close()
    return result


def burst(
    server: Server, workshop_id: int, tokens: list[str], photo: bytes, done: list[float]
) -> list[threading.Thread]:
    def one(index: int) -> None:
        started = time.perf_counter()
        response = httpx.post(
            f"{server.url}/api/workshops/{workshop_id}/beelden",
            headers={"Authorization": f"Bearer {tokens[index]}"},
            files={"photo": ("p.jpg", photo, "image/jpeg")},
            data={"caption": f"foto {index}", "cid": f"burst-{index}"},
            timeout=120,
        )
        response.raise_for_status()
        done.append(time.perf_counter() - started)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(tokens))]
    for thread in threads:
        thread.start()
    return threads


async def room(posts: int, photo: bytes) -> tuple[list[float], list[float], float]:
    with tempfile.TemporaryDirectory() as tmp, database_url(Path(tmp)) as url:
        server = Server(data_dir=Path(tmp), database_url=url, ATELIER_UPLOADS_PER_MINUTE="100")
        server.start()
        try:
            http, workshop = facilitator_with_workshop(server)
            fac = await RoomClient.connect(server.ws_url, workshop["id"], cookie=http.cookie_header)
            await fac.command("phase.set", index=1)
            tokens = [
                join(server, workshop["join_code"], f"P{i}", "inwoner")["token"] for i in range(10)
            ]
            quiet = await latencies(server, workshop, http.cookie_header, posts, "quiet")
            done: list[float] = []
            threads = burst(server, workshop["id"], tokens, photo, done)
            busy = await latencies(server, workshop, http.cookie_header, posts, "busy")
            while any(t.is_alive() for t in threads):
                await asyncio.sleep(0.1)
            await fac.close()
            http.close()
            return quiet, busy, max(done)
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    photo = large_jpeg()
    with tempfile.NamedTemporaryFile(suffix=".jpg") as handle:
        handle.write(photo)
        handle.flush()
        median_ms, peak_mb = pipeline(Path(handle.name), args.runs)
    print(
        f"12-megapixel JPEG ({len(photo) / 1e6:.1f} MB): processing median {median_ms:.0f} ms, "
        f"peak memory +{peak_mb:.0f} MB (median of {args.runs} runs)"
    )
    quiet, busy, burst_seconds = asyncio.run(room(args.posts, photo))
    q, b = statistics.median(quiet), statistics.median(busy)
    print(
        f"socket delivery, median of {args.posts} posts: without uploads {q:.1f} ms; "
        f"during 10 concurrent 12 MP uploads {b:.1f} ms (ratio {b / q:.2f}; "
        f"max {max(busy):.0f} ms; the burst took {burst_seconds:.1f} s)"
    )
    print(json.dumps({"process_ms": median_ms, "peak_mb": peak_mb, "quiet_ms": q, "busy_ms": b}))


if __name__ == "__main__":
    main()
