"""Two server processes, a Redis of the test's own, and devices that move between the processes.

What the cluster tests share: :class:`Cluster` (servers A and B on one PostgreSQL database, one
facilitator and one workshop), :class:`Member` (a phone, the console or the projector, whose
socket can resume on the other process), checks of each socket's ``seq``/``prev`` chain and of the
event log, and the means to break things on purpose: a private :class:`RedisServer` that can be
killed and restarted, and the database's server processes ended from the SQL side.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import os
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import psycopg
import websockets

from tests.accounts.factories import make_facilitator, migrated_engine
from tests.realtime.helpers import PEOPLE
from tests.support.client import Rejected, RoomClient
from tests.support.databases import POSTGRES_ADMIN, postgres_database
from tests.support.redis import RedisServer
from tests.support.server import Facilitator, Server

#: Rooms look in the database only this often here, so what arrives sooner came by a notice.
ROOM_POLL_SECONDS = 60
#: A notice crosses from one process to the other's sockets within this (a few seconds, on a
#: shared two-core machine; far below the poll).
NOTICE_SECONDS = 5.0
#: A listener that lost its connection is back (reconnect with back-off) and has caught up.
RECONNECT_SECONDS = 15.0
#: Presence shared through Redis follows a change (a phone connecting or leaving) within this.
PRESENCE_SECONDS = 20.0

FACILITATOR_EMAIL = "fenna@gemeente.example"
FACILITATOR_PASSWORD = "lang-en-geheim-wachtwoord"

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


# ---------------------------------------------------------------------------------- processes


class Node(Server):
    """A server process of the cluster, with a short label (``A``, ``B``) for messages."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.label = label


@dataclass
class Cluster:
    """Servers A and B: one database, one secret, one Redis; a facilitator and a workshop."""

    a: Node
    b: Node
    db_url: str
    redis: RedisServer
    http: Facilitator
    workshop: dict[str, Any]

    def with_new_workshop(self) -> Cluster:
        """The same processes, with a workshop of its own (a test's own room)."""
        trajectory = self.http.post("/api/trajectories", {"theme": "Eenzaamheid onder ouderen"})
        workshop = self.http.post(
            f"/api/trajectories/{trajectory['id']}/workshops", {"title": "Sessie"}
        )
        return replace(self, workshop=workshop)

    @property
    def workshop_id(self) -> int:
        return int(self.workshop["id"])

    def other(self, node: Server | None) -> Node:
        return self.b if node is self.a else self.a


def cluster_env(redis_url: str, **env: str) -> dict[str, str]:
    return {
        "ATELIER_ROOM_POLL_SECONDS": str(ROOM_POLL_SECONDS),
        "ATELIER_REDIS_URL": redis_url,
        **env,
    }


# ------------------------------------------------------------------------------------ sockets

#: Every socket a test opened through these helpers; :func:`bounded` closes them afterwards.
_opened: list[RoomClient] = []


async def connect(
    node: Server,
    workshop_id: int,
    *,
    name: str,
    token: str | None = None,
    cookie: str | None = None,
    last_seq: int | None = None,
    state: dict[str, Any] | None = None,
    epoch: str | None = None,
) -> RoomClient:
    """A socket that was let in (``welcome``) and is caught up (``synced``)."""
    client = await RoomClient.connect(
        node.ws_url,
        workshop_id,
        token=token,
        cookie=cookie,
        last_seq=last_seq,
        state=state,
        epoch=epoch,
        name=name,
    )
    _opened.append(client)
    assert client.welcome is not None, f"{name}: refused: {client.messages}"
    assert any(m["type"] == "synced" for m in client.messages), f"{name}: {client.messages}"
    return client


async def close_opened() -> None:
    while _opened:
        client = _opened.pop()
        with suppress(Exception):
            await asyncio.wait_for(client.close(), 5)


def bounded(seconds: float) -> Callable[[F], F]:
    """Fail the test if it takes longer than ``seconds``; close its sockets in any case."""

    def wrap(test: F) -> F:
        @functools.wraps(test)
        async def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return await asyncio.wait_for(test(*args, **kwargs), seconds)
            finally:
                await close_opened()

        return run  # type: ignore[return-value]

    return wrap


@dataclass
class Member:
    """A device in the room — a phone, the console, the projector — that can resume elsewhere.

    Resuming opens a new socket on any process with the old one's ``last_seq`` and state, as the
    reference client does; with no sticky sessions, a phone whose process died comes back on the
    other one. Commands are sent until acknowledged, with the same ``cid`` each time.
    """

    name: str
    workshop_id: int
    token: str | None = None
    cookie: str | None = None
    participant_id: int | None = None
    node: Node | None = None
    #: Every socket this member had, oldest first, with the ``last_seq`` it resumed from.
    sockets: list[tuple[RoomClient, int | None]] = field(default_factory=list)

    @property
    def client(self) -> RoomClient:
        assert self.sockets, f"{self.name} never connected"
        return self.sockets[-1][0]

    async def connect(self, node: Node, *, resume: bool = False) -> RoomClient:
        old = self.sockets[-1][0] if self.sockets else None
        last_seq = old.last_seq if resume and old is not None and old.state else None
        client = await connect(
            node,
            self.workshop_id,
            name=f"{self.name}.{node.label}{len(self.sockets) + 1}",
            token=self.token,
            cookie=self.cookie,
            last_seq=last_seq,
            state=old.state if last_seq is not None and old is not None else None,
            epoch=old.epoch if old is not None else None,
        )
        self.node = node
        self.sockets.append((client, last_seq))
        return client

    async def fresh(self, node: Node) -> RoomClient:
        """A second, fresh socket of the same credential: a snapshot to compare with."""
        return await connect(
            node,
            self.workshop_id,
            name=f"{self.name}.fresh{node.label}",
            token=self.token,
            cookie=self.cookie,
        )

    async def send_until_acked(
        self, type_: str, *, cid: str, fallback: Node, attempts: int = 20, **fields: Any
    ) -> dict[str, Any]:
        """Send a command until it is acknowledged: after ``rate_limited`` or ``internal`` the
        same ``cid`` again a little later; after a lost connection, resume on ``fallback`` and
        send the same ``cid`` again (the protocol's exactly-once)."""
        for _ in range(attempts):
            try:
                return await self.client.command(type_, cid=cid, **fields)
            except Rejected as exc:
                if exc.code not in ("rate_limited", "internal"):
                    raise
                await asyncio.sleep(0.2)
            except (ConnectionError, websockets.ConnectionClosed):
                await self.connect(fallback, resume=True)
        raise AssertionError(f"{self.name}: {cid} not acknowledged after {attempts} attempts")

    def assert_complete(self) -> None:
        for client, start in self.sockets:
            assert_complete(client, start)


def assert_complete(client: RoomClient, start: int | None = None) -> None:
    """The socket's stream was whole: each event names as ``prev`` the one before it (or the
    catch-up's ``seq``), ``seq`` only rises. RoomClient checks the same as it reads; a failed
    check there ends its reader, so its error is raised here rather than lost."""
    reader = client._reader
    if reader.done() and not reader.cancelled() and reader.exception() is not None:
        raise AssertionError(f"{client.name}: {reader.exception()!r}")
    last = start
    for message in client.messages:
        if message["type"] == "snapshot":
            last = message["seq"]
        elif message["type"] == "synced":
            last = max(last or 0, message["seq"])
        elif message["type"] == "event":
            assert last is not None, f"{client.name}: an event before the catch-up"
            assert message["seq"] > last and message["prev"] == last, (
                f"{client.name}: after seq {last} came seq {message['seq']} "
                f"with prev {message['prev']}"
            )
            last = message["seq"]


async def everyone_reaches(clients: list[RoomClient], seq: int, *, within: float) -> None:
    """Every socket has applied the log up to ``seq`` within ``within`` seconds."""
    try:
        await asyncio.wait_for(
            asyncio.gather(*(c.until_seq(seq, timeout=within + 1) for c in clients)), within
        )
    except TimeoutError:
        behind = {c.name: c.last_seq for c in clients if c.last_seq < seq}
        raise AssertionError(f"not at seq {seq} within {within}s: {behind}") from None


async def wait_presence(
    client: RoomClient,
    predicate: Callable[[dict[str, Any]], bool],
    *,
    within: float = PRESENCE_SECONDS,
    start: int = 0,
) -> dict[str, Any]:
    """The first ``presence`` message from ``start`` on that satisfies ``predicate``."""
    try:
        return await client.wait_for(
            lambda m: m["type"] == "presence" and predicate(m), timeout=within, start=start
        )
    except TimeoutError:
        seen = [m for m in client.messages[start:] if m["type"] == "presence"]
        last = seen[-1] if seen else None
        raise AssertionError(
            f"{client.name}: no such presence within {within}s; the last one: {last}"
        ) from None


# --------------------------------------------------------------------------------------- room

_numbers = itertools.count(1)


async def join(node: Server, code: str, name: str, group: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=node.url, timeout=10) as http:
        response = await http.post(
            "/api/join", json={"code": code, "display_name": name, "stakeholder_group": group}
        )
    assert response.status_code == 201, f"join on {node.url}: {response.text}"
    return dict(response.json())


@dataclass
class Room:
    """A workshop with its console, its projector and phones spread over both processes."""

    cluster: Cluster
    console: Member
    projector: Member
    phones: list[Member]

    def members(self) -> list[Member]:
        return [self.console, self.projector, *self.phones]

    def on(self, node: Node) -> list[Member]:
        """The members whose current socket is on ``node``."""
        return [m for m in self.members() if m.node is node]

    def phones_on(self, node: Node) -> list[Member]:
        return [m for m in self.phones if m.node is node]

    def clients(self, node: Node | None = None) -> list[RoomClient]:
        return [m.client for m in (self.members() if node is None else self.on(node))]

    async def add_phone(self, *, join_via: Node, on: Node) -> Member:
        number = next(_numbers)
        name, group = PEOPLE[number % len(PEOPLE)]
        joined = await join(join_via, self.cluster.workshop["join_code"], f"{name} {number}", group)
        phone = Member(
            name=f"{name}_{number}",  # also the prefix of its sockets' command ids
            workshop_id=self.cluster.workshop_id,
            token=joined["token"],
            participant_id=joined["participant_id"],
        )
        await phone.connect(on)
        self.phones.append(phone)
        return phone

    def participant_ids(self, node: Node | None = None) -> set[int]:
        phones = self.phones if node is None else self.phones_on(node)
        return {p.participant_id for p in phones if p.participant_id is not None}


async def open_room(
    cluster: Cluster,
    phones_on: list[Node],
    *,
    console_on: Node | None = None,
    projector_on: Node | None = None,
) -> Room:
    """The console (default on A), the projector (default on B), and a phone on each node of
    ``phones_on``; each phone joins over HTTP on the process it does not connect to every
    other time, since a token is valid on every process."""
    console = Member(
        name="console", workshop_id=cluster.workshop_id, cookie=cluster.http.cookie_header
    )
    await console.connect(console_on or cluster.a)
    projector = Member(
        name="projector", workshop_id=cluster.workshop_id, token=cluster.workshop["screen_token"]
    )
    await projector.connect(projector_on or cluster.b)
    room = Room(cluster, console, projector, [])
    for index, node in enumerate(phones_on):
        await room.add_phone(join_via=node if index % 2 == 0 else cluster.other(node), on=node)
    return room


def spread(cluster: Cluster, count: int) -> list[Node]:
    """``count`` places, half on A and half on B."""
    return [cluster.a if i % 2 == 0 else cluster.b for i in range(count)]


def factor_texts(state: dict[str, Any] | None) -> list[str]:
    assert state is not None
    return [card["text"] for card in state["cards"].values() if card["kind"] == "factor"]


# ----------------------------------------------------------------------------------- database


def _admin() -> psycopg.Connection[Any]:
    return psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5)


def database_name(db_url: str) -> str:
    return db_url.rsplit("/", 1)[1]


def event_log(db_url: str, workshop_id: int) -> tuple[list[int], int]:
    """The workshop's logged ``seq`` numbers in order, and its ``last_seq``."""
    dsn = db_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, connect_timeout=5) as conn:
        seqs = [
            int(row[0])
            for row in conn.execute(
                "SELECT seq FROM event WHERE workshop_id = %s ORDER BY seq", (workshop_id,)
            )
        ]
        row = conn.execute("SELECT last_seq FROM workshop WHERE id = %s", (workshop_id,)).fetchone()
    assert row is not None
    return seqs, int(row[0])


@dataclass(frozen=True)
class Backend:
    pid: int
    client_port: int | None
    query: str


def backends(db_url: str) -> list[Backend]:
    """The database's server processes (the connections to it), this one's own excepted."""
    with _admin() as admin:
        rows = admin.execute(
            "SELECT pid, client_port, query FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (database_name(db_url),),
        ).fetchall()
    return [Backend(int(pid), port, query or "") for pid, port, query in rows]


def terminate_backends(db_url: str, *, client_ports: set[int] | None = None) -> list[Backend]:
    """End the database's connections from the SQL side, as an administrator or a crashed
    backend would (``pg_terminate_backend``): all of them, or those from ``client_ports``."""
    chosen = [b for b in backends(db_url) if client_ports is None or b.client_port in client_ports]
    with _admin() as admin:
        for backend in chosen:
            admin.execute("SELECT pg_terminate_backend(%s)", (backend.pid,))
    return chosen


@contextmanager
def connections_refused(db_url: str) -> Iterator[None]:
    """While inside, the database accepts no new connection (open ones keep working), as a
    database that is down does for whoever lost their connection to it."""
    name = database_name(db_url)
    with _admin() as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    try:
        yield
    finally:
        with _admin() as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def _process_tree(pid: int) -> set[int]:
    """``pid`` and its descendants (``atelier serve`` may run its server in a child)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, ValueError, IndexError):
            # "pid (name) state ppid ...": the name may hold spaces, so split after its ")".
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
    tree, grew = {pid}, True
    while grew:
        children = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= children
        grew = bool(children)
    return tree


def database_ports(pid: int) -> set[int]:
    """The local TCP ports of the connections that process ``pid`` (and its children) hold to
    PostgreSQL: what ``pg_stat_activity.client_port`` shows for them. Reads ``/proc``."""
    postgres_port = urlsplit(POSTGRES_ADMIN).port or 5432
    inodes = set()
    for process in _process_tree(pid):
        with suppress(OSError):
            for fd in Path(f"/proc/{process}/fd").iterdir():
                with suppress(OSError):
                    target = os.readlink(fd)
                    if target.startswith("socket:["):
                        inodes.add(target[len("socket:[") : -1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, remote, inode = fields[1], fields[2], fields[9]
                if inode in inodes and int(remote.rsplit(":", 1)[1], 16) == postgres_port:
                    ports.add(int(local.rsplit(":", 1)[1], 16))
    return ports


@contextmanager
def running_cluster(data_dir: Path, **env: str) -> Iterator[Cluster]:
    """Servers A and B (with ``env``) on a new PostgreSQL database and a new Redis: the database
    migrated and the facilitator added here, the two servers started side by side, a workshop
    made through A. Everything is stopped, and the database dropped, on the way out."""
    redis = RedisServer(data_dir)  # before the database: without redis-server, nothing to drop
    nodes: list[Node] = []
    http: Facilitator | None = None
    with postgres_database() as db_url:
        try:
            redis.start()
            with migrated_engine(db_url) as engine:  # the servers' own migration is a no-op
                make_facilitator(engine, email=FACILITATOR_EMAIL, password=FACILITATOR_PASSWORD)
            settings = cluster_env(redis.url, **env)
            nodes += [
                Node(label, data_dir=data_dir, database_url=db_url, **settings) for label in "AB"
            ]
            with ThreadPoolExecutor(2) as starting:
                for started in [starting.submit(node.start) for node in nodes]:
                    started.result()
            http = Facilitator(nodes[0], email=FACILITATOR_EMAIL, password=FACILITATOR_PASSWORD)
            a, b = nodes
            cluster = Cluster(a, b, db_url=db_url, redis=redis, http=http, workshop={})
            yield cluster.with_new_workshop()
        finally:
            if http is not None:
                http.close()
            for node in nodes:
                node.stop()
            redis.stop()
            for node in nodes:  # shown with a failing test's report only
                print(f"--- server {node.label} (port {node.port}), the end of its log:")
                print("\n".join(node.log().splitlines()[-40:]))
