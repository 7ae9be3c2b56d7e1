"""The fan-out caches one body per viewer class: the author's own view must never be shared."""

from __future__ import annotations

import json

from app.realtime.commands import Actor
from app.realtime.hub import fan_out
from app.realtime.models import Event
from app.types import Role
from bench.audience_cost import Socket, events


def test_one_fan_out_gives_the_author_mine_and_everyone_else_no_author():
    sockets = [
        Socket(Actor(Role.PARTICIPANT, participant_id=2)),  # someone else first: fills the cache
        Socket(Actor(Role.PARTICIPANT, participant_id=3)),  # the author
        Socket(Actor(Role.PARTICIPANT, participant_id=4)),
        Socket(Actor(Role.SCREEN)),
        Socket(Actor(Role.FACILITATOR, facilitator_id=1)),
    ]
    data = events()["card.posted"]
    fan_out(Event(workshop_id=1, seq=5, type="card.posted", data=data), sockets)  # type: ignore[arg-type]
    cards = [json.loads(s.queued[0])["event"]["card"] for s in sockets]
    assert [c["mine"] for c in cards] == [False, True, False, False, False]
    assert [c["author_id"] for c in cards] == [None, None, None, None, 3]
    assert all(json.loads(s.queued[0])["prev"] == 0 for s in sockets)


def test_a_private_event_reaches_only_its_participant_and_prev_shows_the_gap():
    sockets = [Socket(Actor(Role.PARTICIPANT, participant_id=n)) for n in (2, 3)]
    private = Event(
        workshop_id=1,
        seq=1,
        type="my_dots.changed",
        audience=3,
        data={"type": "my_dots.changed", "vote_id": 1, "dots": []},
    )
    public = Event(workshop_id=1, seq=2, type="phase.changed", data=events()["phase.changed"])
    for event in (private, public):
        fan_out(event, sockets)  # type: ignore[arg-type]
    other, owner = ([json.loads(m) for m in s.queued] for s in sockets)
    assert [(m["seq"], m["prev"]) for m in other] == [(2, 0)]
    assert [(m["seq"], m["prev"]) for m in owner] == [(1, 0), (2, 1)]
