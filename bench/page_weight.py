"""The participant page on a slow phone connection: bytes transferred and time to usable.

Starts a real server, joins a workshop, and opens the phone page in headless Chromium with
network emulation through the DevTools protocol. Two profiles, measured in one run:

- "Slow 3G" as Chromium's DevTools/Puppeteer preset defines it: 2000 ms latency,
  50,000 bytes/s down and up;
- no throttling (baseline).

Reports the bytes of HTML + CSS + JS (encoded, as transferred; photos excluded), the time to
first contentful paint, the time until the page is usable (the current phase drawn from the state
the page carries, so a post can be made: it waits in the outbox), and until the socket is
connected and caught up. Median of N loads each.

    .venv/bin/python -m bench.page_weight [--loads N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from tests.realtime.helpers import join
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.databases import database_url
from tests.support.server import Server, facilitator_with_workshop

SLOW_3G = {
    "offline": False,
    "latency": 2000,
    "downloadThroughput": 50_000,
    "uploadThroughput": 50_000,
}
NONE = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
COUNTED = {"document", "stylesheet", "script"}


def load(
    browser: Any, url: str, cookie: dict[str, Any], conditions: dict[str, Any]
) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    context.add_cookies([cookie])
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", conditions)
    sizes: dict[str, float] = {}
    kinds: dict[str, str] = {}
    cdp.on(
        "Network.responseReceived", lambda e: kinds.__setitem__(e["requestId"], e["type"].lower())
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_selector(".panel:not([hidden])", timeout=120_000)
    usable = time.perf_counter() - started
    page.wait_for_selector("[data-status=connected]", timeout=120_000)
    connected = time.perf_counter() - started
    page.wait_for_load_state("load")
    fcp = page.evaluate(
        "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1"
    )
    total = sum(size for rid, size in sizes.items() if kinds.get(rid) in COUNTED)
    context.close()
    return {"bytes": total, "usable_s": usable, "connected_s": connected, "fcp_s": fcp / 1000}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, database_url(Path(tmp)) as url:
        server = Server(data_dir=Path(tmp), database_url=url)
        server.start()
        try:
            http, workshop = facilitator_with_workshop(server)
            joined = join(server, workshop["join_code"], "Annie", "inwoner")
            cookie = {
                "name": f"atelier_participant_{workshop['id']}",
                "value": joined["token"],
                "domain": "127.0.0.1",
                "path": "/",
            }
            page_url = f"{server.url}/w/{workshop['id']}"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                results = {
                    name: [load(browser, page_url, cookie, conditions) for _ in range(args.loads)]
                    for name, conditions in (("none", NONE), ("slow-3g", SLOW_3G))
                }
                browser.close()
            http.close()
        finally:
            server.stop()
    for name, runs in results.items():
        size = statistics.median(r["bytes"] for r in runs)
        usable = statistics.median(r["usable_s"] for r in runs)
        fcp = statistics.median(r["fcp_s"] for r in runs)
        connected = statistics.median(r["connected_s"] for r in runs)
        print(
            f"{name:8} HTML+CSS+JS {size / 1024:.1f} KB transferred; first contentful paint "
            f"{fcp:.2f} s; usable (phase drawn, posting possible) {usable:.2f} s; "
            f"connected {connected:.2f} s  (median of {len(runs)})"
        )


if __name__ == "__main__":
    main()
