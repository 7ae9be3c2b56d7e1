"""One console leads at a time, and only accounts the trajectory is shared with may lead.

Checked inside each command's transaction, so a removed share ends a co-facilitator's commands at
once, in every server process, not only when their socket is next re-checked.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from app.accounts.models import Facilitator
from app.db import session_scope
from app.realtime.commands import Actor, CommandError
from app.types import Role
from app.workshops.routes import create_workshop_row
from app.workshops.runner import Runner
from app.workshops.sharing import unshare
from tests.web.test_reducer_parity import co_facilitator
from tests.workshops.scripted import facilitator_and_trajectory


def refused(room: Runner, actor: Actor, code: str, **message: object) -> None:
    with pytest.raises(CommandError) as caught:
        room.do(actor, **message)
    assert caught.value.code == code


def test_leading_taking_over_and_losing_the_share(engine: Engine):
    owner_id, trajectory_id = facilitator_and_trajectory(engine, ["inwoner"])
    workshop, _ = create_workshop_row(engine, trajectory_id=trajectory_id, title="Sessie")
    room = Runner(engine, workshop, owner_id)
    co = Actor(Role.FACILITATOR, facilitator_id=co_facilitator(engine, trajectory_id))
    with session_scope(engine) as session:
        stranger = Facilitator(email="s@x.nl", name="Sam", password_hash="x")
        session.add(stranger)
        session.flush()
        outsider = Actor(Role.FACILITATOR, facilitator_id=stranger.id)

    room.do(room.facilitator, type="timer.start", seconds=60)  # the owner leads by default
    refused(room, co, "not_driver", type="timer.stop")
    refused(room, outsider, "unauthorised", type="console.take_over")
    room.do(co, type="console.take_over")
    refused(room, co, "invalid", type="console.take_over")  # already leading: nothing to do
    refused(room, room.facilitator, "not_driver", type="timer.stop")
    room.do(co, type="timer.stop")

    assert unshare(engine, trajectory_id=trajectory_id, account_id=co.facilitator_id or 0)
    refused(room, co, "unauthorised", type="timer.start", seconds=60)
    refused(room, co, "unauthorised", type="console.take_over")
    room.do(room.facilitator, type="console.take_over")  # the owner takes the wheel back
    room.do(room.facilitator, type="timer.start", seconds=60)
