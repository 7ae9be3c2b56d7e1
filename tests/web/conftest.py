"""A real Chromium for the page tests (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.support.loop import Loop


@pytest.fixture(scope="session", autouse=True)
def patient_expectations() -> None:
    """The machine is shared and noisy: give live updates 15 s to arrive before failing."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One browser per test module; each test makes its own contexts (isolated cookies).

    Per module, not per session: Playwright's sync API keeps an event loop running while it is
    started, and the asynchronous tests of other folders need theirs.
    """
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def loop() -> Iterator[Loop]:
    """A thread with its own event loop for socket clients; stopped (and its tasks ended) after."""
    running = Loop()
    yield running
    running.stop()
