"""The Prometheus metrics of the server, and one small function to record each.

The engine calls the functions (``metrics.socket_opened(role)``), never the metric objects, so
every label value passes through one place that keeps it to a known, small set: a role, a command
type from the protocol, an outcome, a route template. Nothing here is ever labelled with an id, a
name, a path or anything a user typed.

Imports nothing of the app at import time, so any module may import it. The recording functions
are cheap (a lock and an addition, or an ``mmap`` write in multiprocess mode) and safe from worker
threads.

Multiprocess mode (:mod:`app.observability.multiprocess`) is decided when ``prometheus_client``
is first imported in the process: with ``PROMETHEUS_MULTIPROC_DIR`` set, values live in files there
and :func:`render` adds up those of every worker; gauges of open things use ``livesum``, so a
worker that is gone stops counting.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, ParamSpec, TypeVar, get_args

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    values,
)
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from app.observability import multiprocess

if TYPE_CHECKING:
    from app.version import BuildInfo

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

#: The content type of :func:`render`'s output (Prometheus text format).
CONTENT_TYPE: Final = CONTENT_TYPE_LATEST

# --------------------------------------------------------------------------- mode

#: Whether this process's values live in ``PROMETHEUS_MULTIPROC_DIR`` (fixed at first import of
#: prometheus_client: the variable must be set before that, as ``atelier serve`` does).
MULTIPROCESS: Final[bool] = bool(getattr(values.ValueClass, "_multiprocess", False))
DIRECTORY: Final[Path | None] = multiprocess.configured_dir() if MULTIPROCESS else None

if DIRECTORY is not None:
    multiprocess.check_dir(DIRECTORY)
    # Before any metric below opens its file: a live gauge left by an earlier process with this
    # same id (ids repeat in containers) must not become this process's starting value.
    multiprocess.sweep(DIRECTORY, this_process_starts=True)
elif multiprocess.configured_dir() is not None:
    log.warning(
        "%s was set after prometheus_client was imported: /metrics shows this process only",
        multiprocess.ENV,
    )

# --------------------------------------------------------------------------- label values

Role = Literal["participant", "facilitator", "screen"]
Outcome = Literal["applied", "refused", "repeated", "error", "rate_limited"]
Backend = Literal["postgres", "redis", "memory"]

ROLES: Final = frozenset(get_args(Role))
OUTCOMES: Final = frozenset(get_args(Outcome))
BACKENDS: Final = frozenset(get_args(Backend))
METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: What a label value outside its known set is recorded as.
OTHER: Final = "other"


@functools.cache
def command_types() -> frozenset[str]:
    """Every command type of the protocol (a bounded set), the internal ones included."""
    from app.realtime.protocol import INTERNAL_COMMANDS, command_types

    return frozenset(command_types()) | frozenset(INTERNAL_COMMANDS)


def _known(value: object, allowed: frozenset[str]) -> str:
    text = str(value)
    return text if text in allowed else OTHER


# --------------------------------------------------------------------------- the metrics

# No ``*_created`` series beside every counter and histogram: twice the series, for a start
# time that ``process_start_time_seconds`` already gives.
disable_created_metrics()  # type: ignore[no-untyped-call]

#: Command execution: a few milliseconds on a quiet SQLite file, up to seconds when a
#: transaction waits for the workshop's lock or a vertrekpunt is built.
COMMAND_BUCKETS: Final = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
)  # fmt: skip
#: Delivery lag: milliseconds when the broker's notice arrives; a lost notice waits for the
#: room's poll (ATELIER_ROOM_POLL_SECONDS, 5 s), hence the tail.
LAG_BUCKETS: Final = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
)  # fmt: skip

OPEN_SOCKETS = Gauge(
    "atelier_open_sockets",
    "Open room sockets (after hello and catch-up), by role.",
    ["role"],
    multiprocess_mode="livesum",
)
DEPENDENCY_UP = Gauge(
    "atelier_dependency_up",
    "Whether a dependency answered this process's last readiness check (1) or not (0); "
    "the lowest over the processes (database and broker: needed; redis: degraded without).",
    ["dependency"],
    multiprocess_mode="livemin",
)
OPEN_ROOMS = Gauge(
    "atelier_open_rooms",
    "Workshops with open sockets, summed over the server processes "
    "(a workshop with sockets in two processes counts twice).",
    multiprocess_mode="livesum",
)
COMMANDS = Counter(
    "atelier_commands_total",
    "Commands handled, by command type and outcome "
    "(applied, refused, repeated: a known command id, error: failed inside, "
    "rate_limited: refused before execution for its sender's frame budget).",
    ["type", "outcome"],
)
COMMAND_SECONDS = Histogram(
    "atelier_command_duration_seconds",
    "Time from submitting a command until its answer is ready (waiting for its batch, the "
    "transaction, and for sockets the delivery of its events), whatever the outcome.",
    buckets=COMMAND_BUCKETS,
)
DELIVERY_LAG = Histogram(
    "atelier_delivery_lag_seconds",
    "Time from an event's commit to its being offered to the room's sockets in this process.",
    buckets=LAG_BUCKETS,
)
EVENT_MESSAGES = Counter(
    "atelier_event_messages_total",
    "Event messages offered to sockets (one per event and socket that may see it).",
)
SLOW_CLIENT_DISCONNECTS = Counter(
    "atelier_slow_client_disconnects_total",
    "Sockets closed with 4008 because their send queue was full.",
)
BROKER_RECONNECTS = Counter(
    "atelier_broker_reconnects_total",
    "Times the broker's connection was made again after it was lost, by backend.",
    ["backend"],
)
BROKER_NOTICES = Counter(
    "atelier_broker_notices_total",
    "Broker notices ('workshop N reached seq S') received by the rooms of this process.",
)
JOINS = Counter("atelier_joins_total", "Participants who joined a workshop.")
#: Info-style (a gauge at 1 whose labels carry the facts): prometheus-client's ``Info`` has no
#: multiprocess mode. ``livemax``: one series whatever the number of workers, gone with them.
BUILD_INFO = Gauge(
    "atelier_build_info",
    "The release this process runs: version, and the commit and build date when the image's "
    "build recorded them (else empty). Always 1.",
    ["version", "commit", "date"],
    multiprocess_mode="livemax",
)
HTTP_REQUESTS = Counter(
    "atelier_http_requests_total",
    "HTTP requests, by route template (unmatched: no route), method and status class.",
    ["route", "method", "status"],
)

for _role in sorted(ROLES):  # present at 0 from the start: a dashboard needs no special case
    OPEN_SOCKETS.labels(role=_role)

# --------------------------------------------------------------------------- recording


def socket_opened(role: str) -> None:
    """A socket joined its room (call once, after the catch-up was queued)."""
    OPEN_SOCKETS.labels(role=_known(role, ROLES)).inc()


def socket_closed(role: str) -> None:
    """A socket that :func:`socket_opened` counted has gone (call exactly once for each)."""
    OPEN_SOCKETS.labels(role=_known(role, ROLES)).dec()


DEPENDENCIES: Final = frozenset({"database", "redis", "broker"})


def dependency_up(dependency: str, *, up: bool) -> None:
    """A readiness check's result (``/readyz``, and before each ``/metrics`` scrape)."""
    DEPENDENCY_UP.labels(_known(dependency, DEPENDENCIES)).set(1 if up else 0)


def rooms_open(count: int) -> None:
    """How many rooms this process holds now (``len(hub.rooms)``, after every change)."""
    OPEN_ROOMS.set(count)


def command_type(command: object) -> str:
    """The label of a command: its ``type`` (a command model, or the type itself)."""
    kind = command if isinstance(command, str) else getattr(command, "type", OTHER)
    return _known(kind, command_types())


def command_done(command: object, outcome: Outcome, seconds: float | None = None) -> None:
    """Count one command (a command model, or its type); ``seconds`` goes into the histogram."""
    COMMANDS.labels(type=command_type(command), outcome=_known(outcome, OUTCOMES)).inc()
    if seconds is not None:
        COMMAND_SECONDS.observe(max(0.0, seconds))


class CommandTiming:
    """Set ``repeated`` inside a :func:`command_timer` block when the command id was known."""

    __slots__ = ("repeated",)

    def __init__(self) -> None:
        self.repeated = False


@contextmanager
def command_timer(command: object, *, refused: type[BaseException]) -> Iterator[CommandTiming]:
    """Count and time one command (a command model, or its type) around the code handling it.

    A clean exit is ``applied`` (``repeated`` when the block set ``timing.repeated``); the
    exception ``refused`` (``CommandError``) is ``refused``; any other exception ``error``.
    Exceptions propagate; a cancelled task (shutdown) is not counted.
    """
    kind = command_type(command)
    timing = CommandTiming()
    started = time.perf_counter()
    try:
        yield timing
    except refused:
        command_done(kind, "refused", time.perf_counter() - started)
        raise
    except Exception:
        command_done(kind, "error", time.perf_counter() - started)
        raise
    outcome: Outcome = "repeated" if timing.repeated else "applied"
    command_done(kind, outcome, time.perf_counter() - started)


def timed_command(*, refused: type[BaseException]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a blocking executor that takes the command as the keyword argument ``command``
    and returns something with a ``repeated`` attribute: :func:`command_timer` around each call.
    """

    def decorate(execute: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(execute)
        def timed(*args: P.args, **kwargs: P.kwargs) -> R:
            with command_timer(kwargs.get("command"), refused=refused) as timing:
                result = execute(*args, **kwargs)
                timing.repeated = bool(getattr(result, "repeated", False))
            return result

        return timed

    return decorate


def delivered(committed_at: datetime, sockets: int, *, now: datetime | None = None) -> None:
    """An event committed at ``committed_at`` was offered to ``sockets`` sockets just now.

    ``committed_at`` is the event's ``created_at`` (a naive value is taken as UTC, as the
    database returns it). Clocks of different hosts may disagree a little: never below zero.
    """
    if committed_at.tzinfo is None:
        committed_at = committed_at.replace(tzinfo=UTC)
    lag = ((now or datetime.now(UTC)) - committed_at).total_seconds()
    DELIVERY_LAG.observe(max(0.0, lag))
    if sockets > 0:
        EVENT_MESSAGES.inc(sockets)


def slow_client_disconnected() -> None:
    """A socket is being closed with 4008 (its send queue was full)."""
    SLOW_CLIENT_DISCONNECTS.inc()


def broker_reconnected(backend: str) -> None:
    """The broker connected again after losing its connection (not at the first connect)."""
    BROKER_RECONNECTS.labels(backend=_known(backend, BACKENDS)).inc()


def broker_notice() -> None:
    """A room received a broker notice."""
    BROKER_NOTICES.inc()


def joined() -> None:
    """A participant joined a workshop (by code, over HTTP or the join form)."""
    JOINS.inc()


def build(info: BuildInfo) -> None:
    """Record which release this process runs (once, at start-up)."""
    BUILD_INFO.labels(version=info.version, commit=info.commit, date=info.date).set(1)


def http_request(route: str, method: str, status: int) -> None:
    """One HTTP request; ``route`` is a route template (``/api/workshops/{workshop_id}``)."""
    HTTP_REQUESTS.labels(
        route=route, method=_known(method, METHODS), status=f"{min(max(status // 100, 1), 5)}xx"
    ).inc()


# --------------------------------------------------------------------------- exposition


def render(directory: Path | None = None) -> bytes:
    """The metrics in the Prometheus text format.

    In multiprocess mode (or with an explicit ``directory``), those of every process writing to
    the directory, after sweeping the live gauges of processes that are gone; else this
    process's default registry (with the ``process_*`` and ``python_*`` metrics).
    """
    directory = directory or DIRECTORY
    if directory is None:
        return generate_latest(REGISTRY)
    multiprocess.sweep(directory)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))  # type: ignore[no-untyped-call]
    return generate_latest(registry)


def process_exiting() -> None:
    """At shutdown: this process's open sockets and rooms stop counting (multiprocess mode)."""
    if DIRECTORY is not None:
        mark_process_dead(os.getpid(), str(DIRECTORY))  # type: ignore[no-untyped-call]
