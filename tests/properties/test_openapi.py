"""Schemathesis against ``/openapi.json``: no request, however odd, makes the server answer 5xx.

Each operation in the documented API gets a bounded number of generated requests (valid and
invalid ones), sent in-process to the real application on a database of the module's own: once
as a stranger and once as a logged-in facilitator (session cookie plus CSRF header), so the
routes behind the login are reached too. Besides "no server error", every status code must be one the operation
documents (routes document their refusals through ``app.deps.COMMON_RESPONSES``), and a
documented response must match its body schema and content type.

Generation is derandomised, so a failure reproduces on every run and machine; hypothesis prints
the shrunk request and schemathesis a ``curl`` line to replay it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.accounts.security import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE
from app.accounts.service import create_facilitator
from app.db import make_engine
from app.main import create_app
from app.settings import Settings
from tests.support.databases import MigratedTemplate

pytestmark = pytest.mark.slow

EMAIL = "fenna@gemeente.example"
PASSWORD = "lang-en-geheim-wachtwoord"


#: What every generated response is held to. ``response_schema_conformance`` and
#: ``content_type_conformance`` only judge responses whose status code the operation documents.
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    status_code_conformance,  # every route documents its refusals (app.deps.COMMON_RESPONSES)
]

#: Bounded for CI: examples per operation, a generous per-example deadline (a bound against a
#: hang, not a timing assertion), fixed generation and no example database on disk.
BOUNDED = settings(
    max_examples=25,
    deadline=timedelta(seconds=10),
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


#: The documented API, read from the app itself (building the document needs no database).
SCHEMA = schemathesis.openapi.from_dict(
    create_app(Settings(database_url="sqlite://", secret_key="s" * 40)).openapi()
)


@dataclass
class Api:
    """The app under test, plus what a logged-in facilitator sends along with each request."""

    app: Any
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def running(
    tmp_path_factory: pytest.TempPathFactory, migrated_template: MigratedTemplate
) -> Iterator[tuple[Any, Any]]:
    """The real app on a database of its own, its lifespan started once for the module.

    Every generated request of every operation goes to this one app: starting an app, its
    lifespan and a login for each of the hundred-odd operations was most of this module's time.
    What a request changes stays, as it would on a server that many people use at once; the
    ``api`` fixture makes sure each operation still starts logged in, with a workshop to hit.
    The app's lifespan runs in schemathesis' ASGI event loop and is shut down after the module.
    """
    folder = tmp_path_factory.mktemp("openapi")
    with migrated_template.copy(folder) as db_url:
        # Wrong join codes are slowed down after a few per minute (a tarpit against guessing,
        # tested in tests/workshops); the fuzzer sends hundreds, so lift the limit.
        app = create_app(
            Settings(
                data_dir=folder,
                database_url=db_url,
                secret_key="s" * 40,
                join_failures_per_minute=1_000_000,
            )
        )
        engine = make_engine(db_url)
        try:
            with asgi.get_client(app) as client:  # starts the lifespan
                create_facilitator(engine, email=EMAIL, name="Fenna", password=PASSWORD)
                yield app, client
        finally:
            engine.dispose()
            asgi.shutdown_lifespans()


@pytest.fixture
def api(running: tuple[Any, Any]) -> Api:
    """The app, and a facilitator's live session with a trajectory and a workshop.

    The seeded rows give the generated ids (hypothesis favours small numbers) something to hit,
    so the happy paths behind ``/api/trajectories/1`` and ``/api/workshops/1`` run too. An
    earlier operation may have logged out or deleted what it found: then it is made again.
    """
    app, client = running
    return Api(app, **_log_in(client))


def _log_in(client: Any) -> dict[str, dict[str, str]]:
    """Log in through the JSON API like the facilitator's browser does (unless the session still
    holds); seed a trajectory and a workshop (unless the first ones are still there)."""
    if client.get("/api/me").status_code != 200:
        token = client.get("/api/csrf").json()["csrf_token"]
        response = client.post(
            "/api/session",
            json={"email": EMAIL, "password": PASSWORD},
            headers={CSRF_HEADER: token},
        )
        assert response.status_code == 200, response.text
    # Logging in may start a fresh CSRF cookie (no fixation): ask for the token again.
    headers = {CSRF_HEADER: client.get("/api/csrf").json()["csrf_token"]}
    if client.get("/api/workshops/1").status_code != 200:
        trajectory = client.post(
            "/api/trajectories",
            json={"theme": "Eenzaamheid onder ouderen", "expected_groups": ["inwoner", "beleid"]},
            headers=headers,
        )
        assert trajectory.status_code == 201, trajectory.text
        workshop = client.post(
            f"/api/trajectories/{trajectory.json()['id']}/workshops",
            json={"title": "Startbijeenkomst", "theme_question": "Wat maakt ouderen eenzaam?"},
            headers=headers,
        )
        assert workshop.status_code == 201, workshop.text
    cookies = {name: client.cookies[name] for name in (SESSION_COOKIE, CSRF_COOKIE)}
    return {"headers": headers, "cookies": cookies}


@BOUNDED
@SCHEMA.parametrize()
def test_no_server_error_for_a_stranger(case: Any, api: Api) -> None:
    case.call_and_validate(app=api.app, checks=CHECKS, allow_redirects=False)


@BOUNDED
@SCHEMA.parametrize()
def test_no_server_error_for_a_logged_in_facilitator(case: Any, api: Api) -> None:
    case.call_and_validate(
        app=api.app,
        checks=CHECKS,
        headers=api.headers,
        cookies=api.cookies,
        allow_redirects=False,
    )
