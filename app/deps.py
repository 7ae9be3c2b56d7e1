"""FastAPI dependencies, as ``Annotated`` aliases the routes can name in their signatures."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request, status
from sqlalchemy.engine import Engine

from app.accounts.security import check_csrf, facilitator_id_from_session
from app.settings import Settings
from app.types import MAX_ID


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]

#: A row id in a URL path. Bounded so that a huge number is a clean 422, not an overflow deep in
#: the database driver (a 500); 0 and negative numbers never name a row either.
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def optional_facilitator(request: Request) -> int | None:
    return facilitator_id_from_session(request)


def current_facilitator(
    facilitator_id: Annotated[int | None, Depends(optional_facilitator)],
) -> int:
    if facilitator_id is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Log in as a facilitator first.")
    return facilitator_id


async def csrf_protected(request: Request, settings: SettingsDep) -> None:
    await check_csrf(request, settings)


OptionalFacilitator = Annotated[int | None, Depends(optional_facilitator)]
CurrentFacilitator = Annotated[int, Depends(current_facilitator)]
CSRFProtected = Depends(csrf_protected)

#: The answers any route may give besides its own, documented once for the OpenAPI schema (and
#: so checked by the schemathesis suite): who may not, what is not there, what is too much.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    303: {"description": "See another page (forms and pages that need a login)"},
    400: {"description": "The request cannot be carried out as sent"},
    401: {"description": "Log in, or join, first"},
    403: {"description": "Not allowed (wrong CSRF token, not yours)"},
    404: {"description": "Not found, or not yours to see"},
    409: {"description": "In conflict with the room's state"},
    413: {"description": "The body is too large"},
    429: {"description": "Too many attempts; the Retry-After header says when to try again"},
    503: {"description": "Busy; try again shortly"},
}
