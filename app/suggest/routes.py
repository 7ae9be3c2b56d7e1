"""HTTP API of the model's suggestions on the console's board: clusters for the cards not yet in a
cluster, and possible duplicates. Facilitators of the workshop only.

The answers carry card ids, suggested names and figures, never a card's text: the console has
the texts already, so a text travels no further than it must. Nothing here logs a text either.
The suggestions decide nothing: the console turns an accepted one into an ordinary
``cluster.create`` command, and a merge into ``card.merge``, so both are in the log and undoable.

The third question, placements, is where the model helps most and errs least: the facilitator
starts a few clusters and the model suggests, for each loose card, which of them it belongs to.
The console takes a placement over as ``cluster.move`` (one card) or ``cluster.place`` (all the
confident ones as one undoable step).

Model work is the costliest thing a facilitator can ask for, so it is bounded twice: at most
:data:`PER_MINUTE` requests per facilitator per minute (counted in the app's rate limits, so
across processes through Redis), and one job of each kind per workshop at a time in a process
(:class:`~app.suggest.service.SuggestionBusy`); both are answered 429 with a plain message.
"""

from __future__ import annotations

import logging
from typing import Literal

from anyio import to_thread
from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import Engine

from app.deps import CurrentFacilitator, EngineDep, Id
from app.suggest.engine import Unavailable
from app.suggest.placing import CONFIDENT
from app.suggest.room import load_board
from app.suggest.service import SuggestionBusy, SuggestionService, SuggestionTimeout
from app.workshops.access import resolve
from app.workshops.ratelimit import WindowLimiter

router = APIRouter(prefix="/api/workshops", tags=["suggestions"])
log = logging.getLogger(__name__)

#: Suggestion requests per facilitator per minute, the three kinds together. The console asks
#: for duplicates by itself at most every 2 s while cards come in, for placements at most every
#: 4 s while cards are sorted (board_suggest.js), and for clusters when the facilitator presses
#: the button: a person at a console stays under it.
PER_MINUTE = 30
TOO_MANY = "Too many suggestion requests; wait a minute and ask again."

#: The reason given when the operator switched the feature off. English, like every message id:
#: the console translates the sentences it knows (board_suggest.js).
SWITCHED_OFF = (
    "Suggestions are switched off on this server. The operator can switch them on with "
    "ATELIER_SUGGESTIONS=true."
)


class NotAvailable(BaseModel):
    """The feature is off, or the extra with the model is not installed; ``reason`` says how to
    enable it."""

    model_config = ConfigDict(extra="forbid")

    available: Literal[False] = False
    reason: str


class SuggestedCluster(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    card_ids: list[int]
    #: Two or three of ``card_ids``, the most central first: the cards that show what it is about.
    representatives: list[int]


class Clusters(BaseModel):
    """Suggested clusters for the cards on the board that are in no cluster yet."""

    model_config = ConfigDict(extra="forbid")

    available: Literal[True] = True
    model: str
    clusters: list[SuggestedCluster]
    ungrouped: list[int]


class Placement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    card_id: int
    cluster_id: int
    #: 0 to 1; from ``confident`` on, the console's "Plaats alle zekere" takes it.
    confidence: float


class Placements(BaseModel):
    """Where the cards in no cluster go among the facilitator's own clusters."""

    model_config = ConfigDict(extra="forbid")

    available: Literal[True] = True
    model: str
    #: The confidence from which a placement counts as sure.
    confident: float
    placements: list[Placement]
    unplaced: list[int]


class Pair(BaseModel):
    model_config = ConfigDict(extra="forbid")

    card_id: int
    other_id: int
    similarity: float


class Duplicates(BaseModel):
    """Pairs of cards on the board that may say the same thing (same kind: mergeable)."""

    model_config = ConfigDict(extra="forbid")

    available: Literal[True] = True
    pairs: list[Pair]


async def _service(
    request: Request, engine: Engine, workshop_id: int, facilitator_id: int
) -> SuggestionService | NotAvailable:
    """The service, once the caller may see the workshop (404 otherwise, like every console
    route) and the operator has the feature on."""
    access = await to_thread.run_sync(
        lambda: resolve(engine, workshop_id=workshop_id, token=None, facilitator_id=facilitator_id)
    )
    if access is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such workshop.")
    service: SuggestionService | None = getattr(request.app.state, "suggestions", None)
    if not request.app.state.settings.suggestions or service is None:
        return NotAvailable(reason=SWITCHED_OFF)
    limiter: WindowLimiter = request.app.state.suggestion_limiter
    if not await limiter.hit(f"f:{facilitator_id}"):
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, TOO_MANY, headers={"Retry-After": "60"}
        )
    return service


def _busy(error: SuggestionBusy) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS, str(error), headers={"Retry-After": "5"}
    )


@router.get("/{workshop_id}/suggestions/clusters")
async def suggest_clusters(
    request: Request, workshop_id: Id, engine: EngineDep, facilitator_id: CurrentFacilitator
) -> Clusters | NotAvailable:
    """Clusters suggested for the cards not yet in a cluster, each with a short name; cards that
    fit nowhere are ``ungrouped`` rather than forced in. Re-running leaves clustered cards out."""
    service = await _service(request, engine, workshop_id, facilitator_id)
    if isinstance(service, NotAvailable):
        return service
    cards, _clusters = await to_thread.run_sync(lambda: load_board(engine, workshop_id=workshop_id))
    loose = {card.id: card.text for card in cards if card.cluster_id is None}
    try:
        found = await service.clusters(loose, workshop=workshop_id)
    except Unavailable as error:
        return NotAvailable(reason=str(error))
    except SuggestionBusy as error:
        raise _busy(error) from error
    except SuggestionTimeout as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error)) from error
    log.info(
        "suggestions: workshop %d, %d cards, %d clusters",
        workshop_id,
        len(loose),
        len(found.clusters),
    )
    return Clusters(
        model=found.model,
        clusters=[
            SuggestedCluster(
                name=c.name, card_ids=list(c.card_ids), representatives=list(c.representatives)
            )
            for c in found.clusters
        ],
        ungrouped=list(found.ungrouped),
    )


@router.get("/{workshop_id}/suggestions/duplicates")
async def suggest_duplicates(
    request: Request, workshop_id: Id, engine: EngineDep, facilitator_id: CurrentFacilitator
) -> Duplicates | NotAvailable:
    """Pairs of cards on the board that may be duplicates, most similar first. Only pairs of the
    same kind: only those can be merged."""
    service = await _service(request, engine, workshop_id, facilitator_id)
    if isinstance(service, NotAvailable):
        return service
    cards, _clusters = await to_thread.run_sync(lambda: load_board(engine, workshop_id=workshop_id))
    kinds = {card.id: card.kind for card in cards}
    try:
        found = await service.duplicates(
            {card.id: card.text for card in cards}, workshop=workshop_id
        )
    except Unavailable as error:
        return NotAvailable(reason=str(error))
    except SuggestionBusy as error:
        raise _busy(error) from error
    except SuggestionTimeout as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error)) from error
    pairs = [
        Pair(card_id=p.card_id, other_id=p.other_id, similarity=round(p.similarity, 4))
        for p in found
        if kinds.get(p.card_id) is not None and kinds.get(p.card_id) == kinds.get(p.other_id)
    ]
    return Duplicates(pairs=sorted(pairs, key=lambda p: -p.similarity))


@router.get("/{workshop_id}/suggestions/placements")
async def suggest_placements(
    request: Request, workshop_id: Id, engine: EngineDep, facilitator_id: CurrentFacilitator
) -> Placements | NotAvailable:
    """For each card in no cluster, the facilitator's cluster it most likely belongs to, with a
    confidence; cards that fit no cluster well enough are ``unplaced``."""
    service = await _service(request, engine, workshop_id, facilitator_id)
    if isinstance(service, NotAvailable):
        return service
    cards, clusters = await to_thread.run_sync(lambda: load_board(engine, workshop_id=workshop_id))
    try:
        found = await service.placements(cards, clusters, workshop=workshop_id)
    except Unavailable as error:
        return NotAvailable(reason=str(error))
    except SuggestionBusy as error:
        raise _busy(error) from error
    except SuggestionTimeout as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error)) from error
    log.info(
        "suggestions: workshop %d, %d placements, %d unplaced",
        workshop_id,
        len(found.placements),
        len(found.unplaced),
    )
    return Placements(
        model=found.model,
        confident=CONFIDENT,
        placements=[
            Placement(card_id=p.card_id, cluster_id=p.cluster_id, confidence=round(p.confidence, 4))
            for p in found.placements
        ],
        unplaced=list(found.unplaced),
    )
