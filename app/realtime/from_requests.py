"""Commands that come in over HTTP instead of a socket: a photo upload, a page's form, leaving
the room, revoking a helper code.

They go through the same executor as a socket's commands (one transaction, the event log, the
role, phase and privacy checks). This is the one place that applies such a command from a request
and then tells the room's sockets, with the server's k (``ATELIER_MIN_GROUP_SIZE``) as the hub
applies a socket's commands with it.
"""

from __future__ import annotations

import secrets

from anyio import to_thread
from fastapi import Request
from sqlalchemy.engine import Engine

from app.images.storage import ImageStore
from app.realtime.commands import Actor, Outcome, execute
from app.realtime.protocol import Command


def server_cid(source: str) -> str:
    """A fresh command id for a command the server sends on someone's behalf (a page's form,
    a revoke): never repeated, so it is applied once; ``source`` says where it came from."""
    return f"{source}-{secrets.token_hex(8)}"


async def run_from_request(
    request: Request,
    engine: Engine,
    *,
    workshop_id: int,
    actor: Actor,
    command: Command,
    images: ImageStore | None = None,
) -> Outcome:
    """Apply ``command`` as ``actor`` (in a worker thread: it blocks on the database), then
    deliver its events to the room's sockets in every process.

    Raises :class:`app.realtime.commands.CommandError`, having changed nothing, when it is
    refused; the caller says so in its own way (a page, a JSON error). A repeated command (the
    same ``cid`` again) wrote nothing new, so nothing is delivered for it.
    """
    k = request.app.state.settings.min_group_size
    outcome = await to_thread.run_sync(
        lambda: execute(
            engine,
            workshop_id=workshop_id,
            actor=actor,
            command=command,
            images=images,
            group_size=k,
        )
    )
    if outcome.last_seq is not None and not outcome.repeated:
        await request.app.state.hub.notify(workshop_id, outcome.last_seq)
    return outcome
