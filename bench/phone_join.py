"""A resident's way in on a cheap phone and a slow network: from the join link to "in the room".

Starts a real server with a workshop, then, in headless Chromium with
network and CPU emulation through the DevTools protocol (CDP), opens the join link, types a
name, picks a group, presses "Deelnemen" and waits until the phone page says it is connected
(``#status[data-status=connected]``): the whole way a resident goes, the form post and the
redirect to ``/w/{id}`` included. Each load starts with an empty cache, as a first visit does.

Profiles (``Network.emulateNetworkConditions`` and ``Emulation.setCPUThrottlingRate``):

- ``slow-3g``: DevTools' "Slow 3G" nominal figures: 400 kbit/s (50,000 bytes/s) down and up and
  400 ms round trip; CPU 4x slower. This is the issue's goal (at most 5 s);
- ``slow-3g-devtools``: the same with the latency DevTools itself applies for its preset
  (400 ms x 5 = 2,000 ms per request), CPU 4x slower: every request pays two seconds;
- ``none``: no throttling, for comparison.

Reported per profile (median of N loads): the bytes the join page transferred (document,
stylesheets, scripts, images: all of its resources as fetched, headers included), the bytes of
the whole way in, and the seconds from the link until the room is drawn (the phase on the
screen from the state the page carries: a post can be made, it waits in the outbox) and until
the socket is connected and caught up ("in the room").

    .venv/bin/python -m bench.phone_join [--loads N] [--profiles slow-3g,none]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.databases import database_url
from tests.support.server import Server, facilitator_with_workshop

SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 50_000,
    "uploadThroughput": 50_000,
}
PROFILES: dict[str, tuple[dict[str, Any], float]] = {
    "slow-3g": (SLOW_3G, 4.0),
    "slow-3g-devtools": ({**SLOW_3G, "latency": 2000}, 4.0),
    "none": (
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        1.0,
    ),
}


def way_in(browser: Any, join_url: str, conditions: dict[str, Any], cpu: float) -> dict[str, float]:
    """One resident from the join link into the room; bytes of the join page, of the whole way
    in, and the seconds it took."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="nl-NL"
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", conditions)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu})
    sizes: dict[str, float] = {}
    pages: dict[str, str] = {}
    current = {"page": "join"}
    cdp.on(
        "Network.requestWillBeSent", lambda e: pages.__setitem__(e["requestId"], current["page"])
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    started = time.perf_counter()
    page.goto(join_url, wait_until="load")
    joined_page = time.perf_counter() - started
    page.fill("#display_name", "Annie")
    page.select_option("#stakeholder_group", "inwoner")
    current["page"] = "room"
    page.click("button[type=submit]")
    page.wait_for_selector(".panel:not([hidden])", timeout=180_000)
    drawn = time.perf_counter() - started
    page.wait_for_selector("#status[data-status=connected]", timeout=180_000)
    in_room = time.perf_counter() - started
    join_bytes = sum(size for rid, size in sizes.items() if pages.get(rid) == "join")
    context.close()
    return {
        "join_bytes": join_bytes,
        "all_bytes": sum(sizes.values()),
        "join_page_s": joined_page,
        "drawn_s": drawn,
        "in_room_s": in_room,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loads", type=int, default=3)
    parser.add_argument("--profiles", default="slow-3g,slow-3g-devtools,none")
    args = parser.parse_args()
    chosen = [name.strip() for name in args.profiles.split(",") if name.strip()]
    results: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp, database_url(Path(tmp)) as url:
        server = Server(data_dir=Path(tmp), database_url=url)
        server.start()
        try:
            http, workshop = facilitator_with_workshop(server)
            join_url = f"{server.url}/join/{workshop['join_code']}"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for name in chosen:
                    conditions, cpu = PROFILES[name]
                    results[name] = [
                        way_in(browser, join_url, conditions, cpu) for _ in range(args.loads)
                    ]
                browser.close()
            http.close()
        finally:
            server.stop()
    for name, runs in results.items():
        join_kb = statistics.median(r["join_bytes"] for r in runs) / 1024
        all_kb = statistics.median(r["all_bytes"] for r in runs) / 1024
        join_s = statistics.median(r["join_page_s"] for r in runs)
        drawn_s = statistics.median(r["drawn_s"] for r in runs)
        room_s = statistics.median(r["in_room_s"] for r in runs)
        print(
            f"{name:17} join page {join_kb:5.1f} KB ({join_s:5.2f} s); way in {all_kb:5.1f} KB; "
            f"room drawn {drawn_s:5.2f} s; connected {room_s:5.2f} s  (median of {len(runs)})"
        )


if __name__ == "__main__":
    main()
