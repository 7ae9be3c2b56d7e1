"""A NUL character (U+0000) in any text from outside is bad input: 422 or ``invalid``, nothing
stored, on SQLite and on PostgreSQL (which cannot store one and answered 500 or ``internal``).

Every text field of every route and every command gets a NUL in turn; the failures are
collected and reported together. The lists below are held to the app: a route or a command
with a text field the lists do not name fails ``test_the_lists_name_every_text_field``.
"""

from __future__ import annotations

import copy
import json
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.params import Form
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from app.db import make_engine
from app.inputs import nul_at
from app.main import create_app
from app.realtime.protocol import AnyCommand, Hello, client_message_adapter
from app.settings import Settings
from tests.images.samples import png_with_alpha
from tests.realtime.helpers import facilitator_client, goto, join
from tests.support.client import RoomClient
from tests.support.server import Facilitator, Server

pytestmark = pytest.mark.anyio

NUL = "\x00"
Path_ = tuple[str | int, ...]


@dataclass
class Case:
    """One route, sent as it would be sent for real, with each named field in turn holding a NUL.

    ``fields`` are paths into ``body`` (``("links", 0, "title")``), or ``("path", name)`` /
    ``("query", name)`` for the URL's parameters, which the URL template holds as ``{name}``.
    """

    method: str
    url: str
    as_: str  # "json", "form", "multipart" or "none"
    who: str  # "facilitator", "participant" or "anyone"
    body: dict[str, Any] = field(default_factory=dict)
    fields: list[Path_] = field(default_factory=list)
    url_values: dict[str, str] = field(default_factory=dict)


def cases(ids: dict[str, Any]) -> list[Case]:
    t, w, code = ids["trajectory"], ids["workshop"], ids["code"]
    trajectory_form = {
        "theme": "Thema",
        "description": "Uitleg",
        "expected_groups": "inwoner",
        "target_group": "inwoner",
        "target": "3",
        "often_missing": "inwoner",
    }
    join_body = {
        "code": code,
        "display_name": "Gerda",
        "stakeholder_group": "inwoner",
        "organisation": "Buurtkamer",
        "drijfveer": "Ik woon hier",
    }
    join_form = {
        **{k: v for k, v in join_body.items() if k != "code"},
        "contribution": "meeformuleren",
        "drijfveer_use": "facilitator",
        "contribution_use": "record",
    }
    workshop_form = {
        "title": "Sessie",
        "theme_question": "Waarom?",
        "preset": "custom",
        "step_phase": "lobby",
        "step_minutes": "10",
        "language": "nl",
        "ssd_step": "1",
        "starts_at": "2030-01-01T10:00",
        "agree_share": "75",
        "min_participation": "67",
        "allow_objections": "0",
        "dot_budget": "5",
    }
    step_form = {
        "notes": "Notities",
        "link_title": "Verslag",
        "link_url": "https://example.org/verslag",
        "started_on": "2030-01-01",
        "ended_on": "2030-02-01",
    }
    return [
        Case("POST", "/login", "form", "anyone", {"email": "a@b.nl", "password": "geheim-woord"},
             [("email",), ("password",), ("csrf_token",)]),
        Case("GET", "/setup/{token}", "none", "anyone", fields=[("path", "token")],
             url_values={"token": "x" * 32}),
        Case("POST", "/setup/{token}", "form", "anyone",
             {"email": "a@b.nl", "name": "Ans", "password": "lang-en-geheim-wachtwoord"},
             [("path", "token"), ("email",), ("name",), ("password",)], {"token": "x" * 32}),
        Case("POST", "/account/password", "form", "facilitator",
             {"current": "oud-wachtwoord", "new": "vier-losse-woorden-hier",
              "again": "vier-losse-woorden-hier"},
             [("current",), ("new",), ("again",)]),
        Case("POST", "/api/session", "json", "anyone", {"email": "a@b.nl", "password": "x"},
             [("email",), ("password",)]),
        Case("POST", "/api/trajectories", "json", "facilitator",
             {"theme": "Thema", "description": "Uitleg", "expected_groups": ["inwoner"],
              "often_missing": ["inwoner"]},
             [("theme",), ("description",), ("expected_groups", 0), ("often_missing", 0)]),
        Case("POST", f"/api/trajectories/{t}/workshops", "json", "facilitator",
             {"title": "Sessie", "theme_question": "Waarom?", "preset": "startbijeenkomst",
              "settings": {"language": "nl", "before_opens_at": "2030-01-01T09:00:00Z",
                           "before_closes_at": "2030-01-03T09:00:00Z"}},
             [("title",), ("theme_question",), ("preset",), ("settings", "language"),
              ("settings", "before_opens_at"), ("settings", "before_closes_at")]),
        Case("GET", "/api/join/{code}", "none", "anyone", fields=[("path", "code")],
             url_values={"code": code}),
        Case("POST", "/api/join", "json", "anyone", join_body,
             [("code",), ("display_name",), ("stakeholder_group",), ("organisation",),
              ("drijfveer",)]),
        Case("POST", f"/api/workshops/{w}/leave", "json", "participant", {"cid": "weg-1"},
             [("cid",)]),
        Case("POST", f"/api/trajectories/{t}/current", "json", "facilitator",
             {"vertrekpunt_id": 1, "reason": "Omdat"}, [("reason",)]),
        Case("PUT", f"/api/trajectories/{t}/steps/2", "json", "facilitator",
             {"notes": "Notities", "links": [{"title": "Verslag", "url": "https://example.org/"}]},
             [("notes",), ("links", 0, "title"), ("links", 0, "url")]),
        Case("POST", "/join", "form", "anyone", {"code": code}, [("code",)]),
        Case("POST", "/api/hulp", "json", "anyone", {"code": "ABCD2345"}, [("code",)]),
        Case("POST", "/hulp", "form", "anyone", {"code": "ABCD2345"}, [("code",)]),
        Case("GET", "/join/{code}", "none", "anyone", fields=[("path", "code")],
             url_values={"code": code}),
        Case("POST", "/join/{code}", "form", "anyone", join_form,
             [("path", "code"), *[(name,) for name in join_form]], {"code": code}),
        Case("GET", "/join/{code}/qr.svg", "none", "anyone", fields=[("path", "code")],
             url_values={"code": code}),
        Case("POST", "/trajectories", "form", "facilitator", trajectory_form,
             [(name,) for name in trajectory_form]),
        Case("POST", f"/workshops/{w}/delete", "form", "facilitator", {"confirm": "yes"},
             [("confirm",)]),
        Case("POST", f"/trajectories/{t}/edit", "form", "facilitator", trajectory_form,
             [(name,) for name in trajectory_form]),
        Case("POST", f"/trajectories/{t}/workshops", "form", "facilitator", workshop_form,
             [(name,) for name in workshop_form]),
        Case("POST", f"/trajectories/{t}/current", "form", "facilitator",
             {"vertrekpunt_id": "1", "reason": "Omdat"}, [("vertrekpunt_id",), ("reason",)]),
        Case("POST", f"/trajectories/{t}/steps/2", "form", "facilitator", step_form,
             [(name,) for name in step_form]),
        Case("POST", "/screen", "form", "anyone", {"code": "ABCD-EFGH"}, [("code",)]),
        Case("POST", f"/trajectories/{t}/shares", "form", "facilitator",
             {"email": "collega@gemeente.example"}, [("email",)]),
        Case("POST", f"/api/workshops/{w}/beelden?cid={{cid}}", "multipart", "participant",
             {"caption": "Een bankje", "cid": "foto-1"},
             [("caption",), ("cid",), ("query", "cid")], {"cid": "foto-1"}),
        Case("GET", f"/images/{w}/{{name}}", "none", "participant", fields=[("path", "name")],
             url_values={"name": "0" * 32 + "-display.jpg"}),
        Case("GET", f"/api/workshops/{w}/export.{{extension}}?lang={{lang}}", "none",
             "facilitator", fields=[("path", "extension"), ("query", "lang")],
             url_values={"extension": "md", "lang": "nl"}),
        Case("GET", f"/api/workshops/{w}/export/{{table}}.csv", "none", "facilitator",
             fields=[("path", "table")], url_values={"table": "cards"}),
        Case("GET", "/address?next={next}", "none", "anyone", fields=[("query", "next")],
             url_values={"next": "/w/1"}),
        Case("GET", "/login/oidc/callback?state={state}&code={code}&error={error}&iss={iss}",
             "none", "anyone",
             fields=[("query", "state"), ("query", "code"), ("query", "error"), ("query", "iss")],
             url_values={"state": "s", "code": "c", "error": "", "iss": "https://idp.example"}),
        Case("GET", "/theme/{version}/theme.css", "none", "anyone", fields=[("path", "version")],
             url_values={"version": "0123abcd"}),
        Case("GET", "/theme/{version}/logo.{extension}", "none", "anyone",
             fields=[("path", "version"), ("path", "extension")],
             url_values={"version": "0123abcd", "extension": "png"}),
    ]  # fmt: skip


def poisoned(value: Any, where: Path_) -> Any:
    """``value`` with a NUL in the middle of the text at ``where``."""
    copied = copy.deepcopy(value)
    *outer, last = where
    holder = copied
    for step in outer:
        holder = holder[step]
    text = str(holder[last])
    holder[last] = text[: len(text) // 2] + NUL + text[len(text) // 2 :]
    return copied


def send(clients: dict[str, httpx.Client], case: Case, where: Path_) -> httpx.Response:
    client = clients[case.who]
    url_values = dict(case.url_values)
    body = dict(case.body)
    if case.as_ == "form":  # as a browser posts it: the page's token in a field
        body["csrf_token"] = client.headers.get("X-CSRF-Token", "")
    if where[0] in ("path", "query"):
        url_values = poisoned(url_values, where[1:])
    else:
        body = poisoned(body, where)
    url = case.url.format(**{k: v.replace(NUL, "%00") for k, v in url_values.items()})
    if case.as_ == "json":
        return client.request(case.method, url, json=body)
    if case.as_ == "form":
        return client.request(case.method, url, data=body)
    if case.as_ == "multipart":
        files = {"photo": ("p.png", png_with_alpha(), "image/png")}
        return client.request(case.method, url, data=body, files=files)
    return client.request(case.method, url)


def refused_for_nul(response: httpx.Response) -> bool:
    """422, and the answer says it was the NUL (not some other problem with the request)."""
    return response.status_code == 422 and "NUL" in response.text


# ----------------------------------------------------------------------------- what is stored


def stored(engine: Engine) -> tuple[dict[str, int], list[str]]:
    """Rows per table, and where any stored text holds a NUL (JSON columns included)."""
    counts: dict[str, int] = {}
    nuls: list[str] = []
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            counts[table.name] = connection.execute(
                select(func.count()).select_from(table)
            ).scalar_one()
            for row in connection.execute(select(table)).mappings():
                where = nul_at(dict(row))
                if where is not None:
                    nuls.append(f"{table.name}.{where[0]}")
    return counts, nuls


@pytest.fixture
def database(server: Server) -> Iterator[Engine]:
    engine = make_engine(server.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def anyone(server: Server) -> Iterator[httpx.Client]:
    """A browser without an account: its CSRF token in the header, as forms and scripts send."""
    client = httpx.Client(base_url=server.url, timeout=15)
    client.headers["X-CSRF-Token"] = client.get("/api/csrf").json()["csrf_token"]
    yield client
    client.close()


async def test_a_nul_in_any_text_field_of_any_route_is_refused_and_stores_nothing(
    server: Server,
    facilitator: Facilitator,
    workshop: dict[str, Any],
    anyone: httpx.Client,
    database: Engine,
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    await goto(fac, "beelden")  # so that the photo upload reads its form
    await fac.close()
    joined = join(server, workshop["join_code"], "Annie", "inwoner")
    phone = httpx.Client(base_url=server.url, timeout=15)
    phone.headers["Authorization"] = f"Bearer {joined['token']}"
    clients = {"facilitator": facilitator.http, "participant": phone, "anyone": anyone}
    ids = {
        "trajectory": workshop["trajectory_id"],
        "workshop": workshop["id"],
        "code": workshop["join_code"],
    }
    before, _ = stored(database)
    failures = []
    for case in cases(ids):
        for where in case.fields:
            try:
                response = send(clients, case, where)
            except httpx.HTTPError as error:  # a server that breaks off is a failure too
                failures.append((case.method, case.url, where, repr(error)))
                continue
            if not refused_for_nul(response):
                failures.append((case.method, case.url, where, response.status_code))
    phone.close()
    after, nuls = stored(database)
    assert failures == [], "\n".join(map(str, failures))
    assert nuls == []
    assert after == before


async def test_a_nul_in_any_text_field_of_any_command_is_invalid_and_applies_nothing(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any], database: Engine
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    joined = join(server, workshop["join_code"], "Bert", "inwoner")  # for a hello with a token
    before, _ = stored(database)
    failures = []
    for number, (type_, where, message) in enumerate(command_cases()):
        clean = json.loads(json.dumps(message).replace("\\u0000", ""))
        client_message_adapter.validate_python(clean)  # without the NUL, a valid message
        start, cid = len(fac.messages), f"nul-{number}"
        await fac.send({**message, "cid": cid})
        reply = await fac.wait_for(
            lambda m, cid=cid: m["type"] in ("ack", "error") and m.get("cid") == cid, start=start
        )
        if reply.get("code") != "invalid" or "NUL" not in reply.get("message", ""):
            failures.append((type_, where, reply))
    # And in the hello's token and epoch: refused as invalid, not looked up.
    for name, hello in (
        ("token", {"token": "abc" + NUL + "def"}),
        ("epoch", {"token": joined["token"], "last_seq": 1, "epoch": "ab" + NUL + "cd"}),
    ):
        phone = await RoomClient.connect(server.ws_url, workshop["id"], hello=False)
        await phone.send({"type": "hello", "last_seq": None, **hello})
        reply = await phone.wait_for(lambda m: m["type"] == "error")
        if reply["code"] != "invalid":
            failures.append(("hello", (name,), reply))
        await phone.close()
    await fac.close()
    after, nuls = stored(database)
    assert failures == [], "\n".join(map(str, failures))
    assert nuls == []
    assert after == before


# ----------------------------------------------------------------------------- held to the app

#: A valid message of each command that has a field of free text, but for its text.
COMMANDS: dict[str, dict[str, Any]] = {
    "workshop.configure": {"title": "t", "theme_question": "q"},
    "card.post": {"kind": "factor", "text": "t"},
    "card.edit": {"card_id": 1, "text": "t"},
    "cluster.create": {"title": "t"},
    "cluster.rename": {"cluster_id": 1, "title": "t"},
    "proposal.create": {"kind": "opgave", "text": "t", "in_scope": ["a"],
                        "out_of_scope": ["b"], "core_themes": ["c"]},
    "proposal.amend": {"proposal_id": 1, "text": "t", "in_scope": ["a"], "out_of_scope": ["b"],
                       "core_themes": ["c"]},
    "proposal.merge": {"proposal_ids": [1, 2], "text": "t", "in_scope": ["a"],
                       "out_of_scope": ["b"], "core_themes": ["c"]},
    "rating.give": {"round_id": 1, "proposal_id": 1, "score": 1, "reason": "r"},
    "variant.create": {"redraft_id": 1, "text": "t", "answers": [0]},
    "proposal.adopt": {"proposal_id": 1, "reason": "r"},
    "assisted.add": {"stakeholder_group": "inwoner", "display_name": "n"},
}  # fmt: skip


def command_cases() -> Iterator[tuple[str, Path_, dict[str, Any]]]:
    """Each free-text field of each command, holding a NUL (lists: their first line)."""
    for type_, fields in COMMANDS.items():
        message = {"type": type_, "cid": "c", **fields}
        for name, value in fields.items():
            if isinstance(value, str) and name != "kind":
                yield type_, (name,), poisoned(message, (name,))
            elif isinstance(value, list) and value and isinstance(value[0], str):
                yield type_, (name, 0), poisoned(message, (name, 0))


def _texts(annotation: Any, prefix: str) -> set[str]:
    """The dotted names of the free-text fields in ``annotation`` (lists and models walked)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _texts(typing.get_args(annotation)[0], prefix)
    if origin in (typing.Union, types.UnionType, list):
        return set().union(*(_texts(arg, prefix) for arg in typing.get_args(annotation)))
    if annotation is str:
        return {prefix}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found: set[str] = set()
        for name, info in annotation.model_fields.items():
            if not any(getattr(m, "pattern", None) for m in info.metadata):
                found |= _texts(info.annotation, f"{prefix}.{name}".lstrip("."))
        return found
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return set()
    return set()


def test_the_lists_name_every_text_field(tmp_path: Path):
    """Every text field a route or command declares is among the cases above (a new one must
    be added there), so "every field" stays every field."""
    ids = {"trajectory": 1, "workshop": 1, "code": "ABCDEF"}
    listed = {
        (case.method, _template(case.url), ".".join(str(p) for p in where if isinstance(p, str)))
        for case in cases(ids)
        for where in case.fields
    }
    app = create_app(Settings(data_dir=tmp_path / "enumerate"))
    declared: set[tuple[str, str, str]] = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        for method in route.methods:
            for param in route.dependant.path_params:
                if _texts(param.field_info.annotation, "x"):
                    declared.add((method, route.path, f"path.{param.name}"))
            for param in route.dependant.query_params:
                if _texts(param.field_info.annotation, "x"):
                    declared.add((method, route.path, f"query.{param.name}"))
            for param in route.dependant.body_params:
                embedded = isinstance(param.field_info, Form) or not (
                    isinstance(param.field_info.annotation, type)
                    and issubclass(param.field_info.annotation, BaseModel)
                )
                names = _texts(param.field_info.annotation, param.name if embedded else "")
                declared |= {(method, route.path, name) for name in names}
    assert declared - listed == set()
    commands = typing.get_args(typing.get_args(AnyCommand)[0])
    texts = {
        type_
        for model in commands
        if _texts(model, "")
        for type_ in typing.get_args(model.model_fields["type"].annotation)
    }
    assert texts == set(COMMANDS)
    assert _texts(Hello, "") == {"token", "epoch"}


def _template(url: str) -> str:
    """The route's path template for a case's URL (ids back to their parameter names)."""
    path = url.split("?")[0]
    replacements = {
        "/api/trajectories/1/": "/api/trajectories/{trajectory_id}/",
        "/trajectories/1/": "/trajectories/{trajectory_id}/",
        "/api/workshops/1/": "/api/workshops/{workshop_id}/",
        "/workshops/1/": "/workshops/{workshop_id}/",
        "/images/1/": "/images/{workshop_id}/",
        "/steps/2": "/steps/{step}",
    }
    for concrete, template in replacements.items():
        path = path.replace(concrete, template)
    return path
