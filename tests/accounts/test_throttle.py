"""Login throttling per account and per address, and the bound on Argon2 hashes at once."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import anyio
import pytest
from fastapi import FastAPI

from app.accounts.passwords import HashGate, HashGateBusy
from app.accounts.routes import _state
from app.main import create_app
from app.settings import Settings
from tests.accounts.factories import PASSWORD, make_facilitator
from tests.accounts.web import (
    EMAIL,
    api_csrf,
    browser,
    csrf_from,
    log_in,
    sets_session,
    try_log_in,
)

pytestmark = pytest.mark.anyio

TOO_MANY = "Te vaak een verkeerd wachtwoord. Wacht 15 min."


async def started(settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        make_facilitator(app.state.engine, email=EMAIL, name="Fenna")
        yield app


@pytest.fixture
async def strict_app(tmp_path: Path, db_url: str) -> AsyncIterator[FastAPI]:
    """Three wrong passwords per address, five per account, one hash at a time."""
    settings = Settings(
        data_dir=tmp_path,
        database_url=db_url,
        secret_key="x" * 40,
        login_failures_per_address=3,
        password_hashes_at_once=1,
        password_hash_wait_seconds=0.2,
    )
    async for app in started(settings):
        yield app


async def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(app, client, fenna):
    for _ in range(5):
        wrong = await try_log_in(client, password="niet-het-wachtwoord")
        assert wrong.status_code == 400
    locked = await try_log_in(client)
    assert locked.status_code == 429 and not sets_session(locked)
    assert TOO_MANY in locked.text and 'role="alert"' in locked.text
    assert locked.headers["retry-after"] == "900"
    async with browser(app) as elsewhere:
        assert (await try_log_in(elsewhere)).status_code == 429, "per account, not per browser"
        token = await api_csrf(elsewhere)
        api = await elsewhere.post(
            "/api/session",
            json={"email": EMAIL, "password": PASSWORD},
            headers={"X-CSRF-Token": token},
        )
        assert api.status_code == 429 and "retry-after" in api.headers


async def test_an_unknown_email_is_locked_the_same_way(client, fenna):
    for _ in range(5):
        await try_log_in(client, email="niemand@gemeente.example", password="iets-anders-nog")
    locked = await try_log_in(client, email="niemand@gemeente.example")
    assert locked.status_code == 429 and TOO_MANY in locked.text, "no hint whether it exists"


async def test_others_failures_do_not_lock_a_facilitator_out(client, engine, fenna):
    make_facilitator(engine, email="ander@gemeente.example", name="Ander")
    for _ in range(5):
        await try_log_in(client, email="ander@gemeente.example", password="niet-het-wachtwoord")
    await log_in(client)  # the same address, another account: the default address limit is 50


async def test_a_success_clears_the_accounts_failures(client, fenna):
    for _ in range(4):
        await try_log_in(client, password="niet-het-wachtwoord")
    await log_in(client)
    for _ in range(4):
        await try_log_in(client, password="niet-het-wachtwoord")
    assert (await try_log_in(client)).status_code == 303


async def test_an_address_trying_many_accounts_is_stopped_but_known_browsers_get_in(strict_app):
    async with browser(strict_app) as laptop, browser(strict_app) as stranger:
        token = await log_in(laptop)  # Fenna's own laptop, before the attack
        await laptop.post("/logout", data={"csrf_token": token})
        for n in range(3):
            await try_log_in(stranger, email=f"gok{n}@gemeente.example", password="raden-maar")
        refused = await try_log_in(stranger)
        assert refused.status_code == 429 and "Te vaak" in refused.text
        assert (await try_log_in(laptop)).status_code == 303, "her browser has a device cookie"


async def test_a_stranger_locks_the_account_for_strangers_but_not_her_known_browser(app, fenna):
    """Anyone who knows her e-mail can slow down guesses, never lock her out of her own laptop."""
    async with browser(app) as laptop, browser(app) as stranger:
        token = await log_in(laptop)  # Fenna's own laptop, some day before
        await laptop.post("/logout", data={"csrf_token": token})
        for _ in range(5):
            assert (await try_log_in(stranger, password="raden-maar-wat")).status_code == 400
        locked = await try_log_in(stranger)
        assert locked.status_code == 429 and TOO_MANY in locked.text, "strangers wait"
        assert (await try_log_in(laptop)).status_code == 303, "her browser is let through"
        assert (await try_log_in(stranger)).status_code == 429, "her login freed no stranger"
        # Her browser's own wrong passwords count on their own, as many as the account's.
        token = csrf_from((await laptop.get("/")).text)
        await laptop.post("/logout", data={"csrf_token": token})
        for _ in range(5):
            assert (await try_log_in(laptop, password="typfout-typfout")).status_code == 400
        mine = await try_log_in(laptop)
        assert mine.status_code == 429 and TOO_MANY in mine.text


async def test_logins_wait_for_a_free_hash_and_get_503_past_the_wait(strict_app):
    _, gate = _state(SimpleNamespace(app=strict_app))  # type: ignore[arg-type]
    async with browser(strict_app) as client:
        await gate.semaphore.acquire()  # thirty others are hashing
        try:
            busy = await try_log_in(client)
            assert busy.status_code == 503 and "veel mensen tegelijk" in busy.text
            assert not sets_session(busy)
        finally:
            gate.semaphore.release()
        assert (await try_log_in(client)).status_code == 303


async def test_the_hash_gate_runs_at_most_its_capacity_at_once():
    gate = HashGate(capacity=2, wait_seconds=30)
    lock = threading.Lock()
    running = [0]
    most = [0]

    def work() -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1

    async with anyio.create_task_group() as tasks:
        for _ in range(6):
            tasks.start_soon(gate.run, work)
    assert most[0] == 2


async def test_the_hash_gate_refuses_after_its_wait():
    gate = HashGate(capacity=1, wait_seconds=0)
    await gate.semaphore.acquire()
    with pytest.raises(HashGateBusy):
        await gate.run(lambda: None)
    gate.semaphore.release()
    assert await gate.run(lambda: 42) == 42
