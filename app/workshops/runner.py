"""Driving a workshop from code, through the same command executor the socket uses.

The demo seed and the tests script whole workshops with it; every change still goes through
``execute``, so the event log is as complete as in a live room.
"""

from __future__ import annotations

import itertools
import secrets
from typing import Any

from sqlalchemy.engine import Engine

from app.handlers import install_handlers
from app.images.pipeline import process
from app.images.quota import new_image_key
from app.images.storage import ImageStore, file_key
from app.realtime.commands import Actor, execute
from app.realtime.protocol import CardPostImage, command_adapter
from app.types import Role
from app.workshops.models import Workshop
from app.workshops.participants import JoinRequest, join


class Runner:
    """One workshop, its facilitator, and the participants joined through :meth:`join`."""

    def __init__(self, engine: Engine, workshop: Workshop, facilitator_id: int) -> None:
        assert workshop.id is not None
        install_handlers()  # no web app here to install them
        self.engine = engine
        self.workshop_id = workshop.id
        self.join_code = workshop.join_code
        self.agenda = list(workshop.agenda)
        self.facilitator = Actor(Role.FACILITATOR, facilitator_id=facilitator_id)
        self.people: list[Actor] = []
        self._cids = itertools.count(1)
        self._prefix = secrets.token_hex(4)  # two runners on one workshop never share an id

    def join(self, name: str | None, group: str, **profile: Any) -> Actor:
        joined = join(
            self.engine,
            workshop_id=self.workshop_id,
            request=JoinRequest(
                code=self.join_code, display_name=name, stakeholder_group=group, **profile
            ),
        )
        actor = Actor(Role.PARTICIPANT, participant_id=joined.participant_id)
        self.people.append(actor)
        return actor

    def do(self, actor: Actor, **message: Any) -> dict[str, bool | int | None]:
        """Send one command as ``actor``; raises ``CommandError`` when it is refused."""
        message.setdefault("cid", f"run-{self._prefix}-{next(self._cids)}")
        present = frozenset(p.participant_id for p in self.people if p.participant_id)
        outcome = execute(
            self.engine,
            workshop_id=self.workshop_id,
            actor=actor,
            command=command_adapter.validate_python(message),
            present=present,
        )
        return outcome.ack.result

    def post_photo(
        self, actor: Actor, *, photo: bytes, caption: str, images: ImageStore
    ) -> dict[str, bool | int | None]:
        """Post a beeld with a photo the way the upload route does (``app/images/routes.py``):
        re-encode it through the image pipeline (metadata stripped), put both sizes in the store
        under a fresh key, then apply the internal ``card.post_image`` command."""
        processed = process(photo)
        image_key = new_image_key(self.workshop_id, None)
        images.put(file_key(image_key, "display"), processed.display)
        images.put(file_key(image_key, "thumb"), processed.thumb)
        outcome = execute(
            self.engine,
            workshop_id=self.workshop_id,
            actor=actor,
            command=CardPostImage(
                type="card.post_image",
                cid=f"run-{self._prefix}-{next(self._cids)}",
                text=caption,
                image_key=image_key,
                width=processed.width,
                height=processed.height,
            ),
            images=images,
        )
        return outcome.ack.result

    def phase(self, name: str) -> None:
        self.do(
            self.facilitator, type="phase.set", index=self.agenda.index(name), open_items="close"
        )
