"""The application: settings, database, the live hub and the routers, put together."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from app.accounts.passwords import HashGate, dummy_hash
from app.accounts.routes import router as accounts_router
from app.accounts.service import announce_setup_link
from app.accounts.throttle import LoginThrottle
from app.db import make_engine, migrate
from app.deps import COMMON_RESPONSES
from app.exports.routes import router as exports_router
from app.handlers import install_handlers
from app.images.routes import router as images_router
from app.images.storage import LocalImageStore
from app.inputs import refuse_nul
from app.observability import health, metrics
from app.realtime.broker import make_broker
from app.realtime.endpoint import RoomSockets
from app.realtime.endpoint import router as realtime_router
from app.realtime.hub import Hub
from app.realtime.presence import make_presence
from app.settings import Settings
from app.suggest.routes import PER_MINUTE as SUGGESTIONS_PER_MINUTE
from app.suggest.routes import router as suggest_router
from app.suggest.service import SuggestionService
from app.web.accessibility import router as accessibility_router
from app.web.address import router as address_router
from app.web.api_docs import add_api_docs
from app.web.before_moderation import router as before_moderation_router
from app.web.compression import Compression
from app.web.helper_pages import router as helper_pages_router
from app.web.pages import router as pages_router
from app.web.privacy import router as privacy_router
from app.web.record_pages import router as record_pages_router
from app.web.request_ids import RequestIds
from app.web.screen_pairing import router as screen_pairing_router
from app.web.security import (
    BodyLimit,
    BodyTooLarge,
    SecurityHeaders,
    body_too_large_handler,
    upload_aware_limits,
    validation_error_handler,
)
from app.web.sharing import router as sharing_router
from app.web.static import VERSIONED_PREFIX, VersionedStatic
from app.web.theme import router as theme_router
from app.workshops import after_window
from app.workshops.assisted_routes import router as assisted_router
from app.workshops.lifecycle import run_retention
from app.workshops.ratelimit import JoinRate, WindowLimiter, WrongCodeGate
from app.workshops.record_api import router as record_router
from app.workshops.routes import router as workshops_router
from app.workshops.sharing import share_limiter

STATIC_DIR = Path(__file__).parent / "static"
#: A multipart upload carries the photo plus boundaries, part headers, caption and cid.
MULTIPART_OVERHEAD = 64 * 1024
log = logging.getLogger(__name__)

RETENTION_WARNING = (
    "ATELIER_RETENTION_DAYS is not set (0): participant details (names, organisations, "
    "drijfveren) are kept until their workshop is deleted. To scrub them automatically after "
    "a number of quiet days, set e.g. ATELIER_RETENTION_DAYS=90."
)


async def _retention_loop(engine: Engine, settings: Settings) -> None:
    """Scrub expired participant details at start-up and every hour after."""
    while settings.retention_days > 0:
        run = await to_thread.run_sync(
            lambda: run_retention(engine, retention_days=settings.retention_days, whole_log=False)
        )
        if run.participants:
            log.info("retention: scrubbed %d participants", run.participants)
        await asyncio.sleep(3600)


async def _window_loop(hub: Hub, engine: Engine, settings: Settings) -> None:
    """Close after-windows whose time has passed: at start-up (a window that ended while the
    server was down closes now) and every half minute, through the workshop's lane like any
    command, so the room hears it at once (:mod:`app.workshops.after_window`)."""
    while True:
        try:
            for workshop_id in await to_thread.run_sync(lambda: after_window.due(engine)):
                await hub.lanes.submit(
                    workshop_id, after_window.WindowExpiry(group_size=settings.min_group_size)
                )
        except Exception:  # a database away for a moment: try again at the next sweep
            log.exception("after-window sweep failed")
        await asyncio.sleep(after_window.SWEEP_SECONDS)


#: New objects between two collections of the youngest generation (Python's default: 700).
GC_YOUNG_THRESHOLD = 10_000


def _settle_heap() -> None:
    """Take what start-up made out of the garbage collector's sight, and collect less often.

    Modules, models and compiled schemas are some 150,000 objects that live as long as the
    process. A full collection walks every tracked object, and in a room of a thousand phones
    each walk over start-up's objects stopped the server for 130–330 ms: the slowest dots of a
    vote burst. Frozen objects are never walked again (nor freed, which they never would be).
    The youngest generation is collected after 10,000 new objects instead of 700: a vote burst
    allocates fast, and with the default every few milliseconds went to the collector, which
    also made full collections come round more often (see ``bench/load.py``'s vote burst).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, 10, 10)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    install_handlers()  # the app executes commands: the composition root names their handlers

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        migrate(settings.database_url)
        engine = make_engine(settings.database_url)
        broker = make_broker(
            settings.broker_url,
            database_url=settings.database_url,
            on_reconnect=lambda: metrics.broker_reconnected(broker.name),
        )
        app.state.settings = settings
        app.state.engine = engine
        app.state.images = LocalImageStore(settings.image_dir)
        app.state.hub = Hub(
            engine=engine,
            settings=settings,
            broker=broker,
            images=app.state.images,
            presence=make_presence(settings.redis_url),
        )
        await app.state.hub.start()
        from app.limiting import RateLimits, Slots  # (issue 11; may move up to the imports)
        from app.realtime.budget import FrameBudget

        limits = app.state.limits = RateLimits.from_settings(settings)  # Redis or this process
        app.state.join_gate = WrongCodeGate(
            limits,
            limit=settings.join_failures_per_minute,
            delay=settings.join_wrong_code_delay_seconds,
        )
        app.state.join_rate = JoinRate(
            limits,
            per_address=settings.joins_per_address,
            per_workshop=settings.joins_per_workshop,
            window_seconds=settings.join_window_minutes * 60,
        )
        app.state.upload_limiter = WindowLimiter(
            limits, "uploads", limit=settings.uploads_per_minute
        )
        app.state.share_limiter = share_limiter(limits)
        app.state.suggestion_limiter = WindowLimiter(
            limits, "suggestions", limit=SUGGESTIONS_PER_MINUTE
        )
        app.state.frame_budget = FrameBudget(settings, limits)
        app.state.handshakes = Slots(settings.sockets_before_hello_per_address)
        app.state.login_throttle = LoginThrottle(settings, limits)
        app.state.password_gate = HashGate(
            capacity=settings.password_hashes_at_once,
            wait_seconds=settings.password_hash_wait_seconds,
        )
        app.state.image_decodes = CapacityLimiter(settings.image_decodes_at_once)
        # The decoy hash for logins with an unknown email, made beside the start-up (not at
        # import, which every ``atelier`` command pays) and before the first login needs it.
        app.state.decoy_hash = asyncio.create_task(to_thread.run_sync(dummy_hash))
        # The model loads in the service's worker on first use, not here: start-up stays fast.
        app.state.suggestions = SuggestionService() if settings.suggestions else None
        if settings.retention_days == 0:
            log.warning(RETENTION_WARNING)
        retention = asyncio.create_task(_retention_loop(engine, settings))
        windows = asyncio.create_task(_window_loop(app.state.hub, engine, settings))
        if settings.workers == 1:  # with several, `atelier serve` made the one link
            announce_setup_link(engine, settings)
        _settle_heap()
        try:
            yield
        finally:
            health.shutting_down(app)  # first: /readyz says 503 while the rest closes
            retention.cancel()
            windows.cancel()
            if app.state.suggestions is not None:
                app.state.suggestions.close()
            await app.state.hub.close()
            await app.state.limits.close()
            engine.dispose()

    production = settings.environment == "production"
    app = FastAPI(
        title="Opgave Atelier",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(refuse_nul)],  # text from outside holds no NUL (app/inputs.py)
    )
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(BodyTooLarge, body_too_large_handler)
    app.include_router(accounts_router, responses=COMMON_RESPONSES)
    app.include_router(workshops_router, responses=COMMON_RESPONSES)
    app.include_router(record_router, responses=COMMON_RESPONSES)
    app.include_router(assisted_router, responses=COMMON_RESPONSES)
    app.include_router(realtime_router)
    app.include_router(pages_router, responses=COMMON_RESPONSES)
    app.include_router(helper_pages_router, responses=COMMON_RESPONSES)
    app.include_router(address_router, responses=COMMON_RESPONSES)
    app.include_router(record_pages_router, responses=COMMON_RESPONSES)
    app.include_router(privacy_router, responses=COMMON_RESPONSES)
    app.include_router(accessibility_router, responses=COMMON_RESPONSES)
    app.include_router(screen_pairing_router, responses=COMMON_RESPONSES)
    app.include_router(sharing_router, responses=COMMON_RESPONSES)
    app.include_router(before_moderation_router, responses=COMMON_RESPONSES)
    app.include_router(theme_router)
    app.include_router(images_router, responses=COMMON_RESPONSES)
    app.include_router(exports_router, responses=COMMON_RESPONSES)
    app.include_router(suggest_router, responses=COMMON_RESPONSES)
    app.add_middleware(
        BodyLimit,
        limit_for=upload_aware_limits(
            body_bytes=settings.max_body_bytes,
            upload_bytes=settings.max_upload_bytes + MULTIPART_OVERHEAD,
        ),
    )
    app.add_middleware(
        SecurityHeaders, hsts=production and settings.public_url.startswith("https://")
    )
    if not production:
        add_api_docs(app)  # before /static: its files are under /static/docs
    app.mount(VERSIONED_PREFIX, VersionedStatic(), name="static-versioned")  # before /static
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    health.install(app)  # /healthz, /readyz, /metrics; the HTTP request counter
    # Pages, scripts, style sheets and JSON compressed (app/web/compression.py); a room socket
    # passes untouched (and RoomSockets, outside it, hands sockets on before it anyway).
    app.add_middleware(Compression)
    app.add_middleware(RequestIds)  # an id for each request's log lines and response
    app.add_middleware(RoomSockets)  # last, so outermost: a room socket skips the layers above
    return app
