"""Text from outside: the one thing no field may hold, refused where input is read.

PostgreSQL cannot store a NUL character (U+0000) in a text column: the driver refuses the whole
statement, which was a 500 on a login, a join or a form, and ``internal`` on the socket. SQLite
stores it, and it then travels on into exports. No person types one; it comes from a script or
a fuzzer. So text from outside may not hold one, on both databases, and the refusal is ordinary
bad input: 422 over HTTP, ``invalid`` on the socket, nothing stored.

It is checked once per way in, before any route or command handler sees the input, never per
field or per route:

* **HTTP**: :func:`refuse_nul`, a dependency of the whole app (``app/main.py``), looks at the
  path, the query string and the body: the JSON or form FastAPI decoded for the route, or a
  url-encoded form the route reads itself (the join form, the workshop form, the step notes).
* **The socket**: :class:`WithoutNul`, the base of every message a client sends
  (``app/realtime/protocol.py``).
* **The photo upload**, whose route reads its multipart form itself once it knows the sender:
  its text fields are a :class:`WithoutNul` model (``app/images/routes.py``).

Other control characters are left alone: they are stored and escaped on the way out
(``app/exports/escaping.py``), as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, model_validator
from starlette.requests import HTTPConnection, Request

__all__ = ["NUL_REFUSED", "WithoutNul", "nul_at", "refuse_nul"]

NUL = "\x00"
NUL_REFUSED = "Text may not contain NUL characters (U+0000)."
#: Content types whose body :func:`refuse_nul` reads (the form ones only as a form).
_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"

Where = tuple[str | int, ...]


def nul_at(value: object) -> Where | None:
    """Where in ``value`` a string (or a mapping's key) holds a NUL, or ``None``.

    ``value`` is decoded input: strings, numbers, lists and mappings nested as deep as the
    input was (walked without recursion, so no nesting is too deep for it).
    """
    stack: list[tuple[Where, object]] = [((), value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return where
        elif isinstance(item, Mapping):
            for key, inner in item.items():
                if isinstance(key, str) and NUL in key:
                    return (*where, key.replace(NUL, "\\0"))
                stack.append(((*where, str(key)), inner))
        elif isinstance(item, list | tuple):
            stack.extend(((*where, number), inner) for number, inner in enumerate(item))
    return None


class WithoutNul(BaseModel):
    """A model of input from outside: refused, whole, when any text in it holds a NUL."""

    @model_validator(mode="before")
    @classmethod
    def _without_nul(cls, data: Any) -> Any:
        where = nul_at(data)
        if where is not None:
            raise ValueError(f"{'.'.join(map(str, where)) or 'text'}: {NUL_REFUSED}")
        return data


async def refuse_nul(connection: HTTPConnection) -> None:
    """422 for a request whose path, query string or body holds a NUL, before the route runs.

    A dependency of the whole app, so it runs first for every route (sockets included; their
    frames are checked by :class:`WithoutNul`). It reads no body a route would not read
    anyway: a body FastAPI decoded for the route is already in memory, a url-encoded form is
    read here and kept for the route (bounded by ``ATELIER_MAX_BODY_BYTES``), and a multipart
    form the route reads itself (the photo upload) is left to it.
    """
    parts: dict[str, object] = {
        "path": dict(connection.path_params),
        "query": {
            key: _one_or_all(connection.query_params.getlist(key))
            for key in connection.query_params
        },
    }
    if isinstance(connection, Request):
        parts["body"] = await _decoded_body(connection)
    where = nul_at(parts)
    if where is not None:
        raise RequestValidationError(
            [{"type": "nul_character", "loc": where, "msg": NUL_REFUSED, "input": None}]
        )


def _one_or_all(values: list[Any]) -> object:
    """A form field's text values: the one, or all of a repeated field (files left out)."""
    texts = [value for value in values if isinstance(value, str)]
    return texts[0] if len(texts) == 1 else texts


async def _decoded_body(request: Request) -> object:
    """The request's body as data, where it is text from outside and cheap to have."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    route = request.scope.get("route")
    decoded = isinstance(route, APIRoute) and route.body_field is not None  # by FastAPI, already
    if kind == _FORM or (kind == _MULTIPART and decoded):
        form = await request.form()
        return {key: _one_or_all(form.getlist(key)) for key in form}
    if decoded and (kind == "application/json" or kind.endswith("+json")):
        try:
            return await request.json()
        except ValueError:
            return None  # FastAPI answers it as malformed JSON
    return None
