"""A room of 1,000 phones on two cores (issue 11): the app against a bare-stack floor.

Every scenario runs the same load client against the real server (``python -m app serve``, a
fresh data folder and database) and then against the floor (``bench/floor.py``: a bare Starlette
app on the same uvicorn with the same websocket implementation and options, no logic, no
database), one after the other, and reports medians and p99s with the ratio app/floor. The
server runs on CPU 1 and the load client on CPU 0: the benchmark starts the server with
``taskset -c 1`` and re-executes itself under ``taskset -c 0`` (``--no-pin`` to skip).

How to run (``.venv/bin/python -m bench.load …``; every run stops by itself)::

    python -m bench.load fanout [--phones 100 200 500 1000] [--rate 10] [--duration 10]
    python -m bench.load rate [--phones 200] [--rates 40 60 …] [--rate-duration 4] [--limit-ms 150]
    python -m bench.load join [--phones 1000] [--spread 20]
    python -m bench.load vote [--phones 1000] [--dots 5] [--vote-spread 10]
    python -m bench.load memory [--phones 1000]
    python -m bench.load multiprocess [--phones 1000] [--processes 2]    (PostgreSQL + Redis)
    python -m bench.load all                                               (about 8-10 minutes)

Common options: ``--json PATH`` (the raw results), ``--database postgres`` (a fresh PostgreSQL
database on ``postgresql://postgres@127.0.0.1:5432``, dropped afterwards; ``ATELIER_BENCH_POSTGRES``
points elsewhere), ``--server-env KEY=VALUE`` (more settings for the app server), ``--server-cpu``
and ``--client-cpu``, ``--keep`` (keep the temp folder with the server logs).

What is measured:

1. **fan-out** (``fanout``): N phones connected (plus the console and the projector); sender
   phones post factor cards at R posts/s for D s (open loop, the senders taking turns; one phone
   posts at most 8/s, under the frame budget of 10/s, so the default 10/s uses two sender phones).
   Latency: from sending a post until each of the N phones has the event, p50/p99 over all
   (post, phone) pairs; deliveries still missing 10 s after the last post are counted. One room
   grows from the smallest N to the largest (everyone joins first, sockets are added per step);
   the room's first posts (2 s, before the first size) are not measured.
   ``rate``: at 200 phones, the highest rate whose p99 (a missing delivery counting as late)
   is <= 150 ms, stepping up from 40/s by an eighth at a time (40, 45, 51, … 375/s) in short runs
   (4 s, after an unmeasured 2 s at the lowest rate) until a step fails. The sender pool is sized
   for the highest rate (47 phones at 375/s), all connected throughout: the room holds 200
   measured phones plus the senders, the console and the projector.
2. **join storm** (``join``): 1000 phones start joining evenly over 20 s; each does
   the join form (``GET /join/{code}``, ``POST /join/{code}``, then the phone page ``/w/{id}``,
   each on a connection of its own, as a phone joins), opens the socket, sends ``hello`` and waits
   for ``synced``. The console and the projector are open. Reported: whether all succeeded (and
   why not: ``join 429`` is the app turning a right code away), join start -> synced and its two
   halves, when the last phone synced.
3. **vote burst** (``vote``): 1000 joined phones, the room in prioriteren with an open dot vote
   (budget 5, ten cards), each casts 5 dots; the 5000 sends are spread evenly over 10 s. Reported:
   acknowledged count, send -> ack, and send -> the projector's first ``tally`` whose ``dots``
   includes the dot (the k-th acknowledged dot in send order is included once ``tally.dots >= k``).
   Then the console closes the vote: the dots in ``vote.closed`` and in the database must be
   5000. The floor answers each dot with the sender's own list and an ack, as the app
   does, and sends the staff's screens a coalesced tally every 0.1 s (the app's default interval).
   ``all`` runs the vote on the phones of the join storm.
4. **idle memory** (``memory``): server RSS with no socket open (after ten phones connected and
   left, so first-use set-up is not counted), then with 1000 idle phones that synced, and after
   they all closed; KiB per idle connection = the difference / 1000.
5. **multi-process** (``multiprocess``): the fan-out with the phones (and the senders) spread
   over two app processes on one PostgreSQL database and one Redis database (``--redis-db``,
   default 14, emptied before and after), against one process on the same database and Redis.
   Both processes run on the server CPU. It needs the PostgreSQL broker (chosen by the app when
   the database is PostgreSQL) and ``ATELIER_REDIS_URL``; without them the run reports the error.

Settings: the app runs with its defaults (frame budget 10/s burst 30, four sockets per sender,
send queue 512, join throttles) — nothing is raised. On SQLite ``ATELIER_BROKER_URL=memory://``
is set explicitly (the documented default for SQLite). The load respects the limits instead: a
phone never posts more than 8 cards/s nor casts more than one dot per 2 s, each phone is one
sender with one socket, set-up joins run at most 32 at a time (the app allows 64 joins in flight
per address — a whole room behind one community-centre address), and every join uses the right
code. The join storm is open loop and does not limit itself: if the app turned joins away, that
would show as failures.

Reading the numbers. Latencies depend on how much CPU the server gets, and on a shared machine
other processes take some of it even on a pinned core. Each run therefore also reports, over
its sending window: the server's and the client's CPU use (share of one core); ``w``, the time
the server's threads were ready to run but waited for a CPU (summed over threads, so it can
exceed 100%: other processes on the machine, or its own threads queueing for the one core); how
busy the server's core was; and the server's CPU time per unit of work (per delivery, per join,
per dot), which depends much less on the machine's load than latencies do. The median latency
per quarter of a fan-out run shows a growing backlog (a server that cannot keep up).

The client: one process, one uvloop event loop, the ``websockets`` asyncio client, one reader
task per socket that checks the message type on the frame's first bytes and parses JSON only for
acks, tallies and the console's ``vote.closed`` (``bench/load_client.py``). Each run reports the
client's and the server's CPU use (share of one core) over the sending window: a client near 100%
would mean the numbers measure the client. Open-file limits are raised in the client and (in the
child, before exec) in the server. Temp folders, databases, Redis keys and child processes are
removed on exit, Ctrl-C and failure.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.load_client import close_all
from bench.load_scenarios import (
    Options,
    Room,
    app_room,
    fanout_series,
    floor_room,
    idle_memory,
    join_storm,
    rate_search,
    vote_burst,
    vote_targets,
)
from bench.load_servers import ROOT, raise_nofile, redis_available

KINDS = ("app", "floor")
#: The rate steps: 40/s and up by an eighth each time, to 375/s. Equal ratios between steps, so
#: the highest rate is known to within 12.5 % for the app and the floor alike (steps of 40/s or
#: 50/s, as before, put 25 % between 160 and 200: more than the margin the goal is about).
DEFAULT_RATES = [float(round(40 * 1.125**k)) for k in range(20)]
PINNED = "ATELIER_BENCH_PINNED"


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- running


async def _with_room(kind: str, options: Options, body: Callable[[Room], Awaitable[Any]]) -> Any:
    opener = app_room(options) if kind == "app" else floor_room(options)
    async with opener as room:
        return await body(room)


async def _both(
    name: str, options: Options, body: Callable[[Room], Awaitable[Any]]
) -> dict[str, Any]:
    """Run ``body`` against the app, then the floor; an error is reported, not raised."""
    out: dict[str, Any] = {}
    for kind in KINDS:
        log(f"== {name}: {kind}")
        started = time.monotonic()
        load_before = os.getloadavg()[0]
        try:
            out[kind] = await _with_room(kind, options, body)
        except Exception as exc:
            log(f"  {kind} failed: {type(exc).__name__}: {exc}")
            out[kind] = {"error": f"{type(exc).__name__}: {exc}"}
        if not isinstance(out[kind], dict):
            out[kind] = {"runs": out[kind]}
        out[kind]["loadavg_before"] = load_before
        out[kind]["elapsed_s"] = round(time.monotonic() - started, 1)
    return out


async def scenario_fanout(args: argparse.Namespace, options: Options) -> dict[str, Any]:
    async def body(room: Room) -> Any:
        return await fanout_series(
            room, args.phones, rate=args.rate, duration=args.duration, log=log
        )

    return await _both("fan-out", options, body)


async def scenario_rate(args: argparse.Namespace, options: Options) -> dict[str, Any]:
    async def body(room: Room) -> Any:
        return await rate_search(
            room,
            phones=args.rate_phones,
            rates=args.rates,
            duration=args.rate_duration,
            limit_ms=args.limit_ms,
            log=log,
        )

    return await _both("rate", options, body)


async def scenario_join_vote(
    args: argparse.Namespace, options: Options, *, storm: bool, vote: bool
) -> dict[str, Any]:
    """The join storm, then (``vote``) the vote burst on the same phones; or a quick set-up."""

    async def body(room: Room) -> Any:
        await room.open_console()
        await room.open_screen()
        await room.goto("factoren")
        targets = await vote_targets(room) if vote else []
        out: dict[str, Any] = {}
        if storm:
            out["join"], phones = await join_storm(
                room, phones=args.join_phones, spread=args.spread
            )
            log(f"  {_join_line(out['join'])}")
        else:
            tokens = await room.join_many(args.vote_phones)
            phones, failures = await room.connect_many(tokens, first=0)
            out["setup_failures"] = dict(failures)
        if vote:
            await asyncio.sleep(2.0)
            log(f"  {room.kind}: {len(phones)} phones; prioriteren, vote open, casting dots…")
            out["vote"] = await vote_burst(
                room, phones, targets, dots_each=args.dots, spread=args.vote_spread
            )
            log(f"  {_vote_line(out['vote'])}")
        await close_all(phones)
        return out

    return await _both("join storm" if storm else "vote burst", options, body)


async def scenario_memory(args: argparse.Namespace, options: Options) -> dict[str, Any]:
    async def body(room: Room) -> Any:
        return await idle_memory(room, phones=args.memory_phones, log=log)

    return await _both("idle memory", options, body)


async def scenario_multiprocess(args: argparse.Namespace, options: Options) -> dict[str, Any]:
    """The fan-out on PostgreSQL + Redis: one app process, then the phones spread over several."""
    if not redis_available():
        return {"error": "Redis is not reachable at 127.0.0.1:6379"}
    pg = Options(**{**options.__dict__, "database": "postgres"})
    out: dict[str, Any] = {}
    for processes in (1, args.processes):
        label = f"{processes} process" + ("es" if processes > 1 else "")
        log(f"== multi-process: {label} (PostgreSQL, Redis db {pg.redis_db})")
        load_before = os.getloadavg()[0]
        try:
            async with app_room(
                pg, processes=processes, redis=True, name=f"app{processes}p"
            ) as room:
                runs = await fanout_series(
                    room, args.mp_phones, rate=args.rate, duration=args.duration, log=log
                )
            out[str(processes)] = {"runs": runs, "loadavg_before": load_before}
        except Exception as exc:
            log(f"  failed: {type(exc).__name__}: {str(exc)[-2000:]}")
            out[str(processes)] = {"error": f"{type(exc).__name__}: {str(exc)[-2000:]}"}
    return out


# ----------------------------------------------------------------------------- reports


def _join_line(r: dict[str, Any]) -> str:
    return (
        f"join storm: {r['succeeded']}/{r['phones']} synced, join -> synced p50 "
        f"{r['join_to_synced']['p50']} ms, p99 {r['join_to_synced']['p99']} ms, failures "
        f"{r['failures'] or 'none'}, server CPU {r['cpu']['server_cpu']:.0%}"
    )


def _vote_line(r: dict[str, Any]) -> str:
    return (
        f"vote burst: {r['acknowledged']}/{r['sent']} acked, ack p50 {r['ack']['p50']} ms, "
        f"p99 {r['ack']['p99']} ms; tally p50 {r['tally']['p50']} ms, p99 {r['tally']['p99']} ms; "
        f"durable {r.get('durability', {}).get('ok', 'n/a')}, server CPU {r['cpu']['server_cpu']:.0%}"
    )


def _num(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    if isinstance(value, float) and math.isnan(value):
        return "–"
    return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


def _ratio(app: Any, floor: Any) -> str:
    if not isinstance(app, int | float) or not isinstance(floor, int | float):
        return "–"
    if math.isinf(app) or math.isinf(floor) or floor == 0:
        return "–"
    return f"{app / floor:.2f}"


def _pct(value: Any) -> str:
    return "–" if value is None else f"{value:.0%}"


def _cpu(run: Any) -> str:
    """The server's CPU use, and (w) the share of time its threads waited for a CPU."""
    used, waited = _get(run, "cpu", "server_cpu"), _get(run, "cpu", "server_run_delay")
    if used is None:
        return "–"
    return f"{used:.0%}" + (f" (w {waited:.0%})" if waited is not None else "")


def _get(data: Any, *path: Any) -> Any:
    for key in path:
        if isinstance(data, dict):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and -len(data) <= key < len(data):
            data = data[key]
        else:
            return None
    return data


def _errors(results: dict[str, Any]) -> list[str]:
    return [
        f"*{kind}: {str(results[kind]['error']).strip().splitlines()[-1]}*"
        for kind in results
        if _get(results, kind, "error")
    ]


def table_fanout(results: dict[str, Any], title: str = "Fan-out") -> str:
    app_runs = _get(results, "app", "runs") or []
    floor_runs = _get(results, "floor", "runs") or []
    floor_by = {r["requested_phones"]: r for r in floor_runs}
    lines = [
        f"### {title}",
        "",
        "latency from sending a post until each phone has the event, all (post, phone) pairs",
        "",
        "| phones | posts/s | app p50 | floor p50 | ratio | app p99 | floor p99 | ratio | missing app / floor | server CPU app / floor | server CPU µs per delivery app / floor (ratio) | client CPU app / floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    sizes = [r["requested_phones"] for r in app_runs] + [
        r["requested_phones"]
        for r in floor_runs
        if r["requested_phones"] not in {a["requested_phones"] for a in app_runs}
    ]
    app_by = {r["requested_phones"]: r for r in app_runs}
    for size in sizes:
        a, f = app_by.get(size, {}), floor_by.get(size, {})
        lines.append(
            f"| {_num(_get(a, 'phones') or _get(f, 'phones'))} | {_num(_get(a, 'rate') or _get(f, 'rate'), 0)} "
            f"| {_num(_get(a, 'latency', 'p50'))} ms | {_num(_get(f, 'latency', 'p50'))} ms "
            f"| {_ratio(_get(a, 'latency', 'p50'), _get(f, 'latency', 'p50'))} "
            f"| {_num(_get(a, 'latency', 'p99'))} ms | {_num(_get(f, 'latency', 'p99'))} ms "
            f"| {_ratio(_get(a, 'latency', 'p99'), _get(f, 'latency', 'p99'))} "
            f"| {_num(_get(a, 'latency', 'missing'))} / {_num(_get(f, 'latency', 'missing'))} "
            f"| {_cpu(a)} / {_cpu(f)} "
            f"| {_num(_get(a, 'server_cpu_us_per_delivery'))} / {_num(_get(f, 'server_cpu_us_per_delivery'))} "
            f"({_ratio(_get(a, 'server_cpu_us_per_delivery'), _get(f, 'server_cpu_us_per_delivery'))}) "
            f"| {_pct(_get(a, 'cpu', 'client_cpu'))} / {_pct(_get(f, 'cpu', 'client_cpu'))} |"
        )
    return "\n".join([*lines, *_errors(results)])


def table_rate(results: dict[str, Any]) -> str:
    a_steps = {s["rate"]: s for s in _get(results, "app", "steps") or []}
    f_steps = {s["rate"]: s for s in _get(results, "floor", "steps") or []}
    limit = _get(results, "app", "limit_ms") or _get(results, "floor", "limit_ms")
    phones = _get(results, "app", "phones") or _get(results, "floor", "phones")
    lines = [
        f"### Highest post rate at {_num(phones)} phones with p99 <= {_num(limit, 0)} ms",
        "",
        "(a missing delivery counts as late; a step over the limit is run once more, and the "
        "search stops at the first step over it twice; the table shows a step's last attempt, "
        "marked ² when it was the second)",
        "",
        "| posts/s | app p50 | app p99 | app missing | floor p50 | floor p99 | floor missing | server CPU app / floor |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def cells(step: dict[str, Any] | None) -> str:
        if step is None:
            return "– | – | –"
        latency = step["latency"]
        p99 = latency.get("p99_incl_missing", latency["p99"])
        again = "²" if step.get("attempt") == 2 else ""
        return f"{_num(latency['p50'])} ms | {_num(p99)} ms{again} | {_num(latency['missing'])}"

    for rate in sorted(set(a_steps) | set(f_steps)):
        a, f = a_steps.get(rate), f_steps.get(rate)
        lines.append(f"| {rate:g} | {cells(a)} | {cells(f)} | {_cpu(a)} / {_cpu(f)} |")
    best_a, best_f = _get(results, "app", "highest_rate"), _get(results, "floor", "highest_rate")
    tested = sorted(set(a_steps) | set(f_steps))

    def best(value: Any, steps: dict[float, Any]) -> str:
        if value is not None:
            more = (
                "" if len(steps) < len(tested) or not tested or value < tested[-1] else " (or more)"
            )
            return f"{value:g}/s{more}"
        return f"< {min(steps):g}/s" if steps else "–"

    lines += [
        "",
        f"Highest rate within the limit: app **{best(best_a, a_steps)}**, floor "
        f"**{best(best_f, f_steps)}** (ratio app/floor {_ratio(best_a, best_f)}).",
    ]
    return "\n".join([*lines, *_errors(results)])


def table_join(results: dict[str, Any]) -> str:
    a, f = _get(results, "app", "join"), _get(results, "floor", "join")
    phones = _get(a, "phones") or _get(f, "phones")
    spread = _get(a, "spread_s") or _get(f, "spread_s")

    def ok(r: Any) -> str:
        if not r:
            return "–"
        fails = ", ".join(f"{k}: {v}" for k, v in (r["failures"] or {}).items())
        return (
            ("yes" if r["all_succeeded"] else "**no**")
            + f" ({r['succeeded']}/{r['phones']}"
            + (f"; {fails})" if fails else ")")
        )

    rows = [f"| all succeeded | {ok(a)} | {ok(f)} | |"]
    for label, key in (
        ("join start → synced", "join_to_synced"),
        ("… HTTP join", "http_join"),
        ("… socket open → synced", "socket_to_synced"),
    ):
        for q in ("p50", "p99"):
            va, vf = _get(a, key, q), _get(f, key, q)
            rows.append(f"| {label} {q} | {_num(va)} ms | {_num(vf)} ms | {_ratio(va, vf)} |")
    va, vf = _get(a, "last_synced_after_s"), _get(f, "last_synced_after_s")
    rows.append(
        f"| last phone synced, s after the first started | {_num(va, 2)} | {_num(vf, 2)} | {_ratio(va, vf)} |"
    )
    rows.append(f"| server CPU during the storm | {_cpu(a)} | {_cpu(f)} | |")
    va, vf = _get(a, "server_cpu_ms_per_join"), _get(f, "server_cpu_ms_per_join")
    rows.append(
        f"| server CPU time per join | {_num(va, 2)} ms | {_num(vf, 2)} ms | {_ratio(va, vf)} |"
    )
    lines = [
        f"### Join storm: {_num(phones)} phones within {_num(spread, 0)} s",
        "",
        "| | app | floor | app/floor |",
        "|---|---|---|---|",
        *rows,
    ]
    return "\n".join([*lines, *_errors(results)])


def table_vote(results: dict[str, Any]) -> str:
    a, f = _get(results, "app", "vote"), _get(results, "floor", "vote")
    phones = _get(a, "phones") or _get(f, "phones")
    dots = _get(a, "dots_each") or _get(f, "dots_each")
    spread = _get(a, "spread_s") or _get(f, "spread_s")

    def acked(r: Any) -> str:
        if not r:
            return "–"
        extra = ", ".join(f"{k}: {v}" for k, v in (r["errors"] or {}).items())
        return f"{r['acknowledged']}/{r['sent']}" + (f" ({extra})" if extra else "")

    rows = [f"| acknowledged | {acked(a)} | {acked(f)} | |"]
    for label, key in (("send → ack", "ack"), ("send → tally includes it", "tally")):
        for q in ("p50", "p99"):
            va, vf = _get(a, key, q), _get(f, key, q)
            rows.append(f"| {label} {q} | {_num(va)} ms | {_num(vf)} ms | {_ratio(va, vf)} |")
    durable = _get(a, "durability")
    if durable:
        mark = "✓" if durable["ok"] else "**✗**"
        rows.append(
            f"| dots in vote.closed / in the database (of {_num(durable['expected'])}) "
            f"| {_num(durable['vote_closed_results'])} / {_num(durable['database'])} {mark} | n/a | |"
        )
        if not durable["ok"]:
            refused = ", ".join(f"{k}: {v}" for k, v in durable["refused_in_the_end"].items())
            rows.append(
                f"| … acknowledged in the end (refused; unanswered) "
                f"| {_num(durable['acknowledged_in_the_end'])} ({refused or 'none'}; "
                f"{_num(durable['unanswered_in_the_end'])}); counts "
                f"{'match the acks' if durable['consistent'] else '**do not match the acks**'} | | |"
            )
    rows.append(f"| server CPU during the burst | {_cpu(a)} | {_cpu(f)} | |")
    va, vf = _get(a, "server_cpu_ms_per_dot"), _get(f, "server_cpu_ms_per_dot")
    rows.append(
        f"| server CPU time per dot | {_num(va, 3)} ms | {_num(vf, 3)} ms | {_ratio(va, vf)} |"
    )
    lines = [
        f"### Vote burst: {_num(phones)} phones × {_num(dots)} dots within {_num(spread, 0)} s",
        "",
        "| | app | floor | app/floor |",
        "|---|---|---|---|",
        *rows,
    ]
    return "\n".join([*lines, *_errors(results)])


def table_memory(results: dict[str, Any]) -> str:
    a, f = results.get("app", {}), results.get("floor", {})
    phones = _get(a, "phones") or _get(f, "phones")
    rows = []
    for label, key, scale in (
        ("RSS, no socket", "rss_0_kib", 1024),
        (f"RSS, {_num(phones)} idle phones", "rss_idle_kib", 1024),
        ("RSS after they closed", "rss_after_close_kib", 1024),
        ("per idle connection", "kib_per_connection", 1),
    ):
        va, vf = _get(a, key), _get(f, key)
        unit = "MiB" if scale == 1024 else "KiB"
        sa = None if va is None else float(va) / scale
        sf = None if vf is None else float(vf) / scale
        rows.append(f"| {label} | {_num(sa)} {unit} | {_num(sf)} {unit} | {_ratio(sa, sf)} |")
    lines = [
        "### Idle memory (server RSS)",
        "",
        "| | app | floor | app/floor |",
        "|---|---|---|---|",
        *rows,
    ]
    return "\n".join([*lines, *_errors(results)])


def table_multiprocess(results: dict[str, Any], processes: int) -> str:
    if "error" in results:
        return f"### Multi-process\n\n*{results['error']}*"
    one = {r["requested_phones"]: r for r in _get(results, "1", "runs") or []}
    many = {r["requested_phones"]: r for r in _get(results, str(processes), "runs") or []}
    lines = [
        f"### Multi-process: fan-out over {processes} app processes against 1 (PostgreSQL + Redis)",
        "",
        f"| phones | posts/s | 1 process p50 | {processes} processes p50 | ratio | 1 process p99 | {processes} processes p99 | ratio | missing 1 / {processes} | server CPU 1 / {processes} | server CPU µs per delivery 1 / {processes} |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size in sorted(set(one) | set(many)):
        a, b = one.get(size, {}), many.get(size, {})
        lines.append(
            f"| {_num(_get(a, 'phones') or _get(b, 'phones'))} | {_num(_get(a, 'rate') or _get(b, 'rate'), 0)} "
            f"| {_num(_get(a, 'latency', 'p50'))} ms | {_num(_get(b, 'latency', 'p50'))} ms "
            f"| {_ratio(_get(b, 'latency', 'p50'), _get(a, 'latency', 'p50'))} "
            f"| {_num(_get(a, 'latency', 'p99'))} ms | {_num(_get(b, 'latency', 'p99'))} ms "
            f"| {_ratio(_get(b, 'latency', 'p99'), _get(a, 'latency', 'p99'))} "
            f"| {_num(_get(a, 'latency', 'missing'))} / {_num(_get(b, 'latency', 'missing'))} "
            f"| {_cpu(a)} / {_cpu(b)} "
            f"| {_num(_get(a, 'server_cpu_us_per_delivery'))} / {_num(_get(b, 'server_cpu_us_per_delivery'))} |"
        )
    for key in ("1", str(processes)):
        if _get(results, key, "error"):
            lines.append(f"\n*{key} process(es): {results[key]['error']}*")
    lines.append("")
    lines.append(f"(ratio = {processes} processes / 1 process; server CPU summed over processes)")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load",
        description="Load benchmark: the app against a bare-stack floor (see the module docstring).",
    )
    parser.add_argument(
        "scenario", choices=["fanout", "rate", "join", "vote", "memory", "multiprocess", "all"]
    )
    parser.add_argument("--json", type=Path, help="write the raw results here")
    parser.add_argument("--phones", type=int, nargs="+", help="phones (fanout: several sizes)")
    parser.add_argument("--rate", type=float, default=10.0, help="fan-out posts per second")
    parser.add_argument("--duration", type=float, default=10.0, help="fan-out seconds per size")
    parser.add_argument("--rates", type=float, nargs="+", default=DEFAULT_RATES)
    parser.add_argument("--rate-duration", type=float, default=4.0, help="seconds per rate step")
    parser.add_argument("--limit-ms", type=float, default=150.0)
    parser.add_argument("--spread", type=float, default=20.0, help="join storm: seconds")
    parser.add_argument("--dots", type=int, default=5, help="vote burst: dots per phone")
    parser.add_argument("--vote-spread", type=float, default=10.0, help="vote burst: seconds")
    parser.add_argument("--processes", type=int, default=2, help="multi-process: processes")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--redis-db", type=int, default=14, help="emptied before and after")
    parser.add_argument("--server-env", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--server-cpu", default="1")
    parser.add_argument("--client-cpu", default="0")
    parser.add_argument("--no-pin", action="store_true", help="do not pin the client")
    parser.add_argument("--keep", action="store_true", help="keep temp folders (server logs)")
    parser.add_argument("--max-minutes", type=float, default=30.0, help="stop everything after")
    return parser


def _pin(args: argparse.Namespace) -> None:
    """Run the client under ``taskset -c CLIENT_CPU`` (re-executing this command once)."""
    if args.no_pin or os.environ.get(PINNED) == "1":
        return
    if (os.cpu_count() or 1) < 2:
        log("one CPU only: not pinning")
        return
    os.environ[PINNED] = "1"
    os.execvp(
        "taskset",
        ["taskset", "-c", args.client_cpu, sys.executable, "-m", "bench.load", *sys.argv[1:]],
    )


def _meta(args: argparse.Namespace) -> dict[str, Any]:
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "app"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "git_head": head,
        "app_modified_in_tree": bool(dirty),
        "command": " ".join(sys.argv[1:]),
        "client_affinity": sorted(os.sched_getaffinity(0)),
        "server_cpu": args.server_cpu,
        "database": args.database,
        "loadavg": os.getloadavg(),
        "cpus": os.cpu_count(),
    }


async def _run(
    args: argparse.Namespace, options: Options, results: dict[str, Any]
) -> dict[str, Any]:
    """Run the scenarios, filling ``results`` as each one finishes (kept when interrupted)."""
    results["meta"] = _meta(args)
    todo = (
        [args.scenario]
        if args.scenario != "all"
        else ["fanout", "rate", "join", "memory", "multiprocess"]
    )
    for scenario in todo:
        if scenario == "fanout":
            results["fanout"] = await scenario_fanout(args, options)
        elif scenario == "rate":
            results["rate"] = await scenario_rate(args, options)
        elif scenario == "join":
            both = await scenario_join_vote(args, options, storm=True, vote=args.scenario == "all")
            results["join"] = both
        elif scenario == "vote":
            results["vote"] = await scenario_join_vote(args, options, storm=False, vote=True)
        elif scenario == "memory":
            results["memory"] = await scenario_memory(args, options)
        elif scenario == "multiprocess":
            results["multiprocess"] = await scenario_multiprocess(args, options)
    results["meta"]["finished"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    results["meta"]["loadavg_after"] = os.getloadavg()
    return results


def report(results: dict[str, Any], args: argparse.Namespace) -> str:
    meta = results["meta"]
    parts = [
        f"## Load benchmark ({meta['started']}, {meta['git_head']}"
        + (", app/ modified in the tree" if meta["app_modified_in_tree"] else "")
        + f"; {meta['database']}"
        + ("; multi-process on PostgreSQL" if "multiprocess" in results else "")
        + f"; server on CPU {meta['server_cpu']}, client on CPU "
        f"{','.join(map(str, meta['client_affinity']))}; load average "
        f"{meta['loadavg'][0]:.2f} before, {meta.get('loadavg_after', [math.nan])[0]:.2f} after)",
    ]
    parts.append(
        "CPU columns: the process's CPU time as a share of one core over the sending window; "
        "(w …): the share of that time its threads were ready to run but waiting for a CPU "
        "(other processes on the machine, or its own threads)."
    )
    if "fanout" in results:
        parts.append(table_fanout(results["fanout"]))
    if "rate" in results:
        parts.append(table_rate(results["rate"]))
    if "join" in results:
        parts.append(table_join(results["join"]))
        if _get(results, "join", "app", "vote") or _get(results, "join", "floor", "vote"):
            parts.append(table_vote(results["join"]))
    if "vote" in results:
        parts.append(table_vote(results["vote"]))
    if "memory" in results:
        parts.append(table_memory(results["memory"]))
    if "multiprocess" in results:
        parts.append(table_multiprocess(results["multiprocess"], args.processes))
    return "\n\n".join(parts) + "\n"


def _json_default(value: Any) -> Any:
    return str(value)


def _finite(data: Any) -> Any:
    """JSON has no infinity: a latency that never came is written as null."""
    if isinstance(data, float) and (math.isinf(data) or math.isnan(data)):
        return None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(v) for v in data]
    return data


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _pin(args)
    raise_nofile()
    phones = args.phones
    args.phones = phones or [100, 200, 500, 1000]
    args.rate_phones = (phones or [200])[0]
    args.join_phones = (phones or [1000])[0]
    args.vote_phones = (phones or [1000])[0]
    args.memory_phones = (phones or [1000])[0]
    args.mp_phones = phones or [1000]
    env = {}
    for item in args.server_env:
        key, _, value = item.partition("=")
        env[key] = value
    options = Options(
        server_cpu=args.server_cpu,
        database=args.database,
        redis_db=args.redis_db,
        server_env=env,
        keep=args.keep,
        log=log,
    )
    import uvloop

    results: dict[str, Any] = {}

    async def guarded() -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
        async with asyncio.timeout(args.max_minutes * 60):
            return await _run(args, options, results)

    started = time.monotonic()
    status = 0
    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(guarded())
    except (KeyboardInterrupt, asyncio.CancelledError):
        log("interrupted: servers stopped, temp folders and databases removed")
        status = 130
    except TimeoutError:
        log(f"stopped after --max-minutes {args.max_minutes:g}")
        status = 1
    if "meta" not in results:
        return status
    results["meta"]["elapsed_s"] = round(time.monotonic() - started, 1)
    results["meta"].setdefault("loadavg_after", os.getloadavg())
    print(report(results, args))
    if args.json:
        args.json.write_text(json.dumps(_finite(results), indent=1, default=_json_default) + "\n")
        log(f"raw results: {args.json}")
    log(f"elapsed: {results['meta']['elapsed_s']} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
