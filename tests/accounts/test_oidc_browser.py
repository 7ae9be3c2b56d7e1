"""The whole journey in a real browser: the login page, the organisation's provider, and back
into the console as a new facilitator.

A real server (uvicorn in a child process, registered as a client at the test provider of
``tests/support/oidc``), a real Chromium. One page journey; the refusals, the tampered state,
the expired session and logging out are in ``test_oidc.py`` (httpx against the same provider).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlmodel import select

from app.accounts.models import Facilitator
from app.db import make_engine, session_scope
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.support.oidc import (
    ANNE,
    Provider,
    oidc_provider,  # noqa: F401  (the fixture)
)
from tests.support.server import Server
from tests.web.pages import Watched

WAIT_MS = 15_000  # a shared, noisy machine: wait for a state up to this long


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _loopback_only(route: Any) -> None:
    if route.request.url.startswith("http://127.0.0.1:"):
        route.continue_()
    else:
        route.abort()


def test_a_facilitator_logs_in_with_the_organisation_and_lands_in_the_console(
    make_server: Callable[..., Server],
    oidc_provider: Provider,  # noqa: F811
    chromium: Any,
):
    from playwright.sync_api import expect

    server = make_server()
    server.extra_env.update(oidc_provider.register(server.url))
    server.start()
    context = chromium.new_context()
    # Nothing leaves the machine: the provider's development pages ask for a web font.
    context.route("**/*", _loopback_only)
    try:
        login = Watched(context, "login")
        page = login.page
        page.goto(f"{server.url}/login")
        login.accessible("with the organisation's button and the password form")
        assert login.problems == []  # no console error, no CSP violation on the app's page
        page.get_by_role("link", name="Inloggen met Gemeente Voorbeeld").click()

        # The provider's own login form (oidc-provider's development interaction).
        page.locator('input[name="login"]').fill(ANNE, timeout=WAIT_MS)
        page.locator('input[name="password"]').fill("het-wachtwoord-bij-de-organisatie")
        page.locator('button[type="submit"]').click()

        expect(page.get_by_role("heading", name="Welkom, Anne de Vries")).to_be_visible(
            timeout=WAIT_MS
        )
        assert page.url == f"{server.url}/"
    finally:
        context.close()

    engine = make_engine(server.database_url)
    try:
        with session_scope(engine) as session:
            [anne] = session.exec(select(Facilitator)).all()
    finally:
        engine.dispose()
    assert (anne.email, anne.oidc_subject, anne.password_hash) == (
        "anne@gemeente.example",
        ANNE,
        "",
    )
