"""Joining participants and driving a room, shared by the real-time tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.client import RoomClient
from tests.support.server import Server

PEOPLE = [
    ("Annie", "inwoner"),
    ("Bram", "ervaringsdeskundige"),
    ("Chantal", "ketenpartner"),
    ("Dirk", "inwoner"),
    ("Esra", "beleid"),
]


def join(server: Server, code: str, name: str | None, group: str, **extra: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{server.url}/api/join",
        json={"code": code, "display_name": name, "stakeholder_group": group, **extra},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def facilitator_client(server: Server, workshop: dict[str, Any], cookie: str) -> RoomClient:
    return await RoomClient.connect(
        server.ws_url, workshop["id"], cookie=cookie, name="facilitator"
    )


async def participant_clients(
    server: Server, workshop: dict[str, Any], people: list[tuple[str, str]] = PEOPLE
) -> list[RoomClient]:
    clients = []
    for name, group in people:
        joined = join(server, workshop["join_code"], name, group)
        client = await RoomClient.connect(
            server.ws_url, workshop["id"], token=joined["token"], name=name
        )
        client.token = joined["token"]  # type: ignore[attr-defined]
        clients.append(client)
    return clients


async def goto(facilitator: RoomClient, phase: str, open_items: str | None = "close") -> None:
    """Move the room on; a vote or round still open is closed (``open_items``) by default."""
    agenda = facilitator.state["workshop"]["agenda"]  # type: ignore[index]
    await facilitator.command("phase.set", index=agenda.index(phase), open_items=open_items)
