"""``atelier seed-demo``: a realistic trajectory so a newcomer sees the app in use.

Gemeente Waterland-Oost works on loneliness among older residents. The demo holds one finished
workshop as a real room would leave it (thirty people in six groups with their consent mixed,
about 120 cards with two photos, clusters, a closed dot vote, two agreement rounds on the waarom
and one on the opgave, both adopted, and a saved vertrekpunt) and one workshop waiting in its
lobby, to join live. What was said is :mod:`app.demo_content`; this module only plays it.

Everything goes through the real command executor (:class:`app.workshops.runner.Runner`), and
the photos through the real image pipeline and store, so the event log is complete and the
exports read what a live room would give them: ``scripts/examples`` makes ``docs/examples/``
from this workshop. Seeding again adds a new pair of workshops to the same demo trajectory; it
never touches anything else.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select

from app import demo_content as content
from app.accounts.models import Facilitator
from app.accounts.service import create_facilitator
from app.db import make_engine, migrate, session_scope
from app.demo_photos import photo as draw_photo
from app.images.storage import ImageStore, LocalImageStore
from app.realtime.commands import Actor
from app.settings import Settings
from app.workshops.models import Trajectory
from app.workshops.presets import PRESETS, Plan
from app.workshops.routes import create_workshop_row
from app.workshops.runner import Runner

DEMO_EMAIL = "demo@atelier.example"
THEME = content.THEME


@dataclass(frozen=True)
class DemoResult:
    trajectory_id: int
    finished_workshop_id: int
    lobby_workshop_id: int
    join_code: str
    screen_token: str
    password: str | None


def _facilitator(engine: Engine) -> tuple[int, str | None]:
    with session_scope(engine) as session:
        found = session.exec(select(Facilitator.id).where(Facilitator.email == DEMO_EMAIL)).first()
    if found is not None:
        return found, None
    password = secrets.token_urlsafe(12)
    created = create_facilitator(
        engine, email=DEMO_EMAIL, name="Demo facilitator", password=password
    )
    assert created.id is not None
    return created.id, password


def _trajectory(engine: Engine, facilitator_id: int) -> int:
    with session_scope(engine) as session:
        found = session.exec(
            select(Trajectory.id).where(
                Trajectory.owner_id == facilitator_id, Trajectory.theme == THEME
            )
        ).first()
        if found is not None:
            return found
        trajectory = Trajectory(
            owner_id=facilitator_id,
            theme=THEME,
            expected_groups=content.EXPECTED,
            description=content.DESCRIPTION,
        )
        session.add(trajectory)
        session.flush()
        assert trajectory.id is not None
        return trajectory.id


class _Room:
    """The runner, and the ids the script's keys stand for (people, cards, clusters, proposals)."""

    def __init__(self, runner: Runner, images: ImageStore) -> None:
        self.runner = runner
        self.images = images
        self.person: dict[str, Actor] = {}
        self.card: dict[str, int] = {}
        self.cluster: dict[str, int] = {}
        self.proposal: dict[str, int] = {}

    def join(self, person: content.Person) -> None:
        self.person[person.key] = self.runner.join(
            person.name,
            person.group,
            organisation=person.organisation,
            drijfveer=person.drijfveer,
            contribution=person.contribution,
            drijfveer_use=person.drijfveer_use,
            contribution_use=person.contribution_use,
            name_in_verslag=person.name_in_verslag,
        )

    def actor(self, key: str) -> Actor:
        return self.runner.facilitator if key == content.FACILITATOR else self.person[key]

    def as_(self, key: str, **message: Any) -> dict[str, bool | int | None]:
        return self.runner.do(self.actor(key), **message)

    def facilitate(self, **message: Any) -> dict[str, bool | int | None]:
        return self.runner.do(self.runner.facilitator, **message)

    def phase(self, name: str) -> None:
        self.runner.phase(name)

    def photo(self, photo: content.Photo) -> None:
        result = self.runner.post_photo(
            self.actor(photo.author),
            photo=draw_photo(photo.scene),
            caption=photo.caption,
            images=self.images,
        )
        self._keep(self.card, photo.key, result["card_id"])

    def cards(self, cards: list[content.CardText], kind: str) -> None:
        for card in cards:
            extra: dict[str, Any] = {}
            if card.world is not None:
                extra["world"] = card.world
            if card.factors:
                extra["factor_ids"] = [self.card[key] for key in card.factors]
            result = self.as_(card.author, type="card.post", kind=kind, text=card.text, **extra)
            self._keep(self.card, card.key, result["card_id"])

    def propose(self, proposal: content.ProposalText, *, amends: str | None = None) -> None:
        fields: dict[str, Any] = {
            "text": proposal.text,
            "cited_card_ids": [self.card[key] for key in proposal.cites_cards],
            "cited_cluster_ids": [self.cluster[key] for key in proposal.cites_clusters],
            "in_scope": list(proposal.in_scope),
            "out_of_scope": list(proposal.out_of_scope),
            "core_themes": list(proposal.core_themes),
        }
        if amends is None:
            result = self.as_(proposal.author, type="proposal.create", kind=proposal.kind, **fields)
        else:
            result = self.as_(
                proposal.author,
                type="proposal.amend",
                proposal_id=self.proposal[amends],
                **fields,
            )
        self._keep(self.proposal, proposal.key, result["proposal_id"])

    def rate(self, kind: str, scores: dict[str, list[int]]) -> None:
        """One agreement round: open, everyone rates every proposal in it, close."""
        round_id = self.facilitate(type="round.open", kind=kind)["round_id"]
        for proposal_key, line in scores.items():
            for person, score in zip(content.PEOPLE, line, strict=True):
                self.as_(
                    person.key,
                    type="rating.give",
                    round_id=round_id,
                    proposal_id=self.proposal[proposal_key],
                    score=score,
                    reason=content.REASONS.get((person.key, proposal_key), ""),
                )
        self.facilitate(type="round.close", round_id=round_id)

    @staticmethod
    def _keep(ids: dict[str, int], key: str, value: bool | int | None) -> None:
        assert isinstance(value, int) and not isinstance(value, bool), (key, value)
        ids[key] = value


def _finished_workshop(
    engine: Engine, trajectory_id: int, facilitator_id: int, images: ImageStore
) -> int:
    workshop, _ = create_workshop_row(
        engine,
        trajectory_id=trajectory_id,
        title=content.TITLE,
        plan=Plan.from_request(PRESETS["startbijeenkomst"]),
        theme_question=content.QUESTION,
    )
    room = _Room(Runner(engine, workshop, facilitator_id), images)
    for person in content.PEOPLE:
        room.join(person)

    room.phase("beelden")
    for photo in content.PHOTOS:
        room.photo(photo)
    room.cards(content.BEELDEN, "beeld")
    room.phase("factoren")
    room.cards(content.FACTOREN, "factor")
    for duplicate, kept in content.MERGES:
        room.facilitate(type="card.merge", card_id=room.card[duplicate], into_id=room.card[kept])
    for hidden in content.HIDDEN:
        room.facilitate(type="card.hide", card_id=room.card[hidden], hidden=True)
    room.phase("consequenties")
    room.cards(content.CONSEQUENTIES, "consequentie")

    room.phase("clusteren")
    for cluster in content.CLUSTERS:
        cluster_id = room.facilitate(
            type="cluster.create",
            title=cluster.title,
            card_ids=[room.card[key] for key in cluster.cards],
        )["cluster_id"]
        assert cluster_id is not None
        room.cluster[cluster.key] = cluster_id
        if cluster.tags:
            room.facilitate(type="cluster.tag", cluster_id=cluster_id, tags=list(cluster.tags))
    for key, tags in content.CARD_TAGS.items():
        room.facilitate(type="card.tag", card_id=room.card[key], tags=tags)

    room.phase("prioriteren")
    room.facilitate(type="vote.open", budget=3)
    for person_key, targets in content.DOTS.items():
        for target in targets:
            room.as_(
                person_key, type="vote.cast", target_type="cluster", target_id=room.cluster[target]
            )
    room.facilitate(type="vote.close")

    room.phase("waarom")
    room.propose(content.WAAROM_BELEID)
    room.propose(content.WAAROM_KEES)
    room.rate("waarom", content.ROUND_ONE)
    room.as_(
        content.WAAROM_BELEID.author,
        type="proposal.withdraw",
        proposal_id=room.proposal[content.WITHDRAWN],
    )
    room.propose(content.WAAROM_AMENDED, amends=content.WAAROM_KEES.key)
    room.rate("waarom", content.ROUND_TWO)
    room.facilitate(type="proposal.adopt", proposal_id=room.proposal[content.WAAROM_AMENDED.key])

    room.phase("opgave")
    room.propose(content.OPGAVE)
    room.rate("opgave", content.ROUND_OPGAVE)
    room.facilitate(type="proposal.adopt", proposal_id=room.proposal[content.OPGAVE.key])
    room.phase("afronding")
    room.facilitate(type="vertrekpunt.save")
    return room.runner.workshop_id


def seed_demo(engine: Engine, images: ImageStore) -> DemoResult:
    """Create (or extend) the demo trajectory; its photos go to ``images``. Blocking; cost
    independent of other rooms."""
    facilitator_id, password = _facilitator(engine)
    trajectory_id = _trajectory(engine, facilitator_id)
    finished = _finished_workshop(engine, trajectory_id, facilitator_id, images)
    lobby, screen_token = create_workshop_row(
        engine,
        trajectory_id=trajectory_id,
        title="Tweede bijeenkomst: herijken",
        plan=Plan.from_request(PRESETS["herijking"]),
        theme_question="Klopt ons vertrekpunt nog, en wie missen we aan tafel?",
    )
    assert lobby.id is not None
    return DemoResult(trajectory_id, finished, lobby.id, lobby.join_code, screen_token, password)


def seed_demo_command(settings: Settings) -> int:
    from app.workshops.joincode import display

    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        result = seed_demo(engine, LocalImageStore(settings.image_dir))
    finally:
        engine.dispose()
    url = settings.public_url
    print(f"Demo trajectory: {url}/trajectories/{result.trajectory_id}")
    print(f"Finished workshop (console): {url}/console/{result.finished_workshop_id}")
    print(
        f"Join the live workshop: {url}/join/{result.join_code}  (code {display(result.join_code)})"
    )
    print(f"Its projector: {url}/screen/{result.lobby_workshop_id}#token={result.screen_token}")
    if result.password:
        print(f"Log in as {DEMO_EMAIL} with password {result.password} (shown once).")
    else:
        print(f"Log in as {DEMO_EMAIL} (password as printed when the demo was first seeded).")
    return 0
