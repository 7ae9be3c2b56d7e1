"""Fixtures for the accounts tests: the app in-process with its lifespan, a browser, Fenna."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine

from app.accounts.models import Facilitator
from app.main import create_app
from app.settings import Settings
from tests.accounts.factories import make_facilitator, make_settings
from tests.accounts.web import EMAIL, browser


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return make_settings(tmp_path, db_url)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The app in the test's event loop behind ``httpx.ASGITransport``, its lifespan entered.

    Starlette's ``TestClient`` would do the same from a thread, but it warns unless the separate
    ``httpx2`` package is installed, and warnings are errors here.
    """
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with browser(app) as client:
        yield client


@pytest.fixture
def engine(app: FastAPI) -> Engine:
    engine: Engine = app.state.engine
    return engine


@pytest.fixture
def fenna(engine: Engine) -> Facilitator:
    return make_facilitator(engine, email=EMAIL, name="Fenna")
