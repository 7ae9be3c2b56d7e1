"""What does "each role receives only what it needs" cost when an event fans out to a room?

Before per-viewer projection, an event was serialised once and the same string was queued on
every socket (baseline). Now :func:`app.realtime.hub.fan_out` projects it per viewer class
(facilitator, screen, participant, the author) and builds a short frame per socket with its own
``prev``. Both are timed here, in one run, for a room of ROOM phones plus a facilitator and a
projector, for three kinds of event: a card posted (personal to its author), a participant
joining (personal to them), and a phase change (the same for everyone). In-process and without
sockets, so only the work per event is measured, not the network.

    .venv/bin/python -m bench.audience_cost [--phones N] [--samples N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from app.realtime.commands import Actor
from app.realtime.hub import fan_out
from app.realtime.models import Event
from app.realtime.protocol import EventMessage, event_adapter
from app.types import Role


class Socket:
    """Stands in for :class:`app.realtime.connection.Connection`: it only queues."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.cursor = 0
        self.sent_seq = 0
        self.queued: list[str] = []

    def offer(self, message: str) -> None:
        self.queued.append(message)


def room(phones: int) -> list[Socket]:
    sockets = [Socket(Actor(Role.FACILITATOR, facilitator_id=1)), Socket(Actor(Role.SCREEN))]
    sockets += [Socket(Actor(Role.PARTICIPANT, participant_id=n)) for n in range(1, phones + 1)]
    return sockets


def events() -> dict[str, dict[str, Any]]:
    card = {
        "id": 7,
        "kind": "factor",
        "text": "De bus rijdt op zondag niet meer, dus oma komt nergens.",
        "author_id": 3,
        "author_named": True,
        "mine": False,
        "world": None,
        "factor_ids": [],
        "tags": [],
        "hidden": False,
        "merged_into_id": None,
        "cluster_id": None,
        "image": None,
        "created_at": "2026-11-25T10:00:00Z",
    }
    participant = {
        "id": 3,
        "display_name": "Annie",
        "stakeholder_group": "inwoner",
        "organisation": "Buurtzorg",
        "drijfveer": "Mijn moeder woont alleen",
        "contribution": "meeformuleren",
        "left": False,
    }
    return {
        "card.posted": {"type": "card.posted", "card": card},
        "participant.joined": {"type": "participant.joined", "participant": participant},
        "phase.changed": {"type": "phase.changed", "phase_index": 2, "phase": "factoren"},
    }


def baseline(event: Event, sockets: list[Socket]) -> None:
    """The old delivery: one message for everyone who may see the event."""
    message = EventMessage(
        type="event",
        seq=event.seq,
        prev=event.seq - 1,
        event=event_adapter.validate_python(event.data),
    ).model_dump_json()
    for socket in sockets:
        if event.seq > socket.cursor:
            if event.audience is None or event.audience == socket.actor.participant_id:
                socket.offer(message)
            socket.cursor = event.seq


def timed(
    deliver: Callable[[Event, list[Socket]], None], data: dict[str, Any], phones: int, samples: int
) -> float:
    """Median milliseconds to fan one event out to the whole room."""
    times = []
    for seq in range(1, samples + 1):
        sockets = room(phones)
        event = Event(workshop_id=1, seq=seq, type=data["type"], audience=None, data=data)
        for socket in sockets:
            socket.cursor = socket.sent_seq = seq - 1
        start = time.perf_counter()
        deliver(event, sockets)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    print(f"room: {args.phones} phones + facilitator + projector; median of {args.samples}")
    print("| event | baseline (one message) | per viewer (fan_out) | ratio |")
    print("|---|---|---|---|")
    for name, data in events().items():
        before = timed(baseline, data, args.phones, args.samples)
        after = timed(fan_out, data, args.phones, args.samples)  # type: ignore[arg-type]
        print(f"| {name} | {before:.2f} ms | {after:.2f} ms | {after / before:.2f} |")


if __name__ == "__main__":
    main()
