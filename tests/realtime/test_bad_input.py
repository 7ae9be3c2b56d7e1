"""Bad input gets a clear error and changes nothing."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import websockets

from app.realtime.protocol import CLOSE_WRONG_ADDRESS
from tests.realtime.helpers import facilitator_client, goto, join, participant_clients
from tests.support.client import Rejected, RoomClient
from tests.support.server import Facilitator, Server

pytestmark = pytest.mark.anyio


async def unchanged(server: Server, workshop: dict[str, Any], cookie: str, before: dict[str, Any]):
    """A fresh facilitator view equals ``before`` (the same seq and the same state)."""
    fresh = await RoomClient.connect(server.ws_url, workshop["id"], cookie=cookie, name="check")
    assert fresh.snapshot["seq"] == before["seq"]
    assert fresh.state == before["state"]
    await fresh.close()


async def snapshot(server: Server, workshop: dict[str, Any], cookie: str) -> dict[str, Any]:
    client = await RoomClient.connect(server.ws_url, workshop["id"], cookie=cookie, name="before")
    result = {"seq": client.snapshot["seq"], "state": client.state}
    await client.close()
    return result


async def test_malformed_frames_get_errors_and_change_nothing(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    await goto(fac, "factoren")
    (annie,) = await participant_clients(server, workshop, [("Annie", "inwoner")])
    before = await snapshot(server, workshop, facilitator.cookie_header)

    cases: list[tuple[str, str]] = [
        ("{not json", "bad_json"),
        (json.dumps({"type": "card.explode", "cid": "x1"}), "unknown_type"),
        (json.dumps({"cid": "x2", "kind": "factor", "text": "no type"}), "unknown_type"),
        (json.dumps({"type": "card.post", "cid": "x3", "kind": "factor", "text": 42}), "invalid"),
        (json.dumps({"type": "card.post", "cid": "x4", "kind": "meme", "text": "x"}), "invalid"),
        (
            json.dumps(
                {"type": "card.post", "cid": "x5", "kind": "factor", "text": "x", "evil": 1}
            ),
            "invalid",
        ),
        (json.dumps({"type": "card.post", "cid": "", "kind": "factor", "text": "x"}), "invalid"),
        (
            json.dumps({"type": "card.post", "cid": "x6", "kind": "factor", "text": "x" * 5000}),
            "invalid",
        ),
        (json.dumps([1, 2, 3]), "invalid"),
        (json.dumps({"type": "hello"}), "protocol"),
        (
            json.dumps({"type": "card.post", "cid": "x7", "kind": "factor", "text": "y" * 20_000}),
            "too_large",
        ),
    ]
    for raw, code in cases:
        start = len(annie.messages)
        await annie.send(raw)
        reply = await annie.wait_for(lambda m: m["type"] == "error", start=start)
        assert reply["code"] == code, (raw[:60], reply)
        assert reply["message"]
    # Still connected and working after all that.
    assert (await annie.send({"type": "ping"})) is None
    await annie.wait_for(lambda m: m["type"] == "pong")
    await unchanged(server, workshop, facilitator.cookie_header, before)
    for client in (fac, annie):
        await client.close()


async def test_frame_over_the_protocol_limit_closes_with_1009(
    server: Server, workshop: dict[str, Any]
):
    joined = join(server, workshop["join_code"], "Annie", "inwoner")
    client = await RoomClient.connect(server.ws_url, workshop["id"], token=joined["token"])
    await client.send("x" * 100_000)
    with pytest.raises(ConnectionError):
        await client.wait_for(lambda _m: False)
    assert client.close_code == 1009


async def test_role_phase_budget_and_scale_errors(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    annie, bram = await participant_clients(
        server, workshop, [("Annie", "inwoner"), ("Bram", "beleid")]
    )
    screen = await RoomClient.connect(server.ws_url, workshop["id"], token=workshop["screen_token"])

    async def refused(client: RoomClient, code: str, type_: str, **fields: Any) -> None:
        before = await snapshot(server, workshop, facilitator.cookie_header)
        with pytest.raises(Rejected) as error:
            await client.command(type_, **fields)
        assert error.value.code == code, error.value.error
        await unchanged(server, workshop, facilitator.cookie_header, before)

    # Participants and screens may not steer the room.
    await refused(annie, "forbidden", "phase.set", index=3)
    await refused(annie, "forbidden", "vote.open")
    await refused(screen, "forbidden", "card.post", kind="factor", text="screen is read-only")
    # Out of phase: a factor in the lobby, a rating without a round, a save before afronding.
    await refused(annie, "wrong_phase", "card.post", kind="factor", text="te vroeg")
    await refused(fac, "wrong_phase", "vertrekpunt.save")
    await goto(fac, "factoren")
    await refused(annie, "wrong_phase", "card.post", kind="beeld", text="verkeerde fase")
    card = await annie.command("card.post", kind="factor", text="Buurthuis dicht")
    await refused(
        bram, "forbidden", "card.edit", card_id=card["result"]["card_id"], text="niet van mij"
    )

    await goto(fac, "prioriteren")
    await fac.command("vote.open", budget=2)
    target = {"target_type": "card", "target_id": card["result"]["card_id"]}
    await annie.command("vote.cast", **target)
    await annie.command("vote.cast", **target)
    await refused(annie, "over_budget", "vote.cast", **target)
    await refused(annie, "not_found", "vote.cast", target_type="card", target_id=999_999)
    await fac.command("vote.close")

    await goto(fac, "waarom")
    proposal = await bram.command("proposal.create", kind="waarom", text="Niemand alleen.")
    round_ = await fac.command("round.open", kind="waarom")
    rating = {
        "round_id": round_["result"]["round_id"],
        "proposal_id": proposal["result"]["proposal_id"],
    }
    for score in (0, 6, -1):
        start = len(annie.messages)
        await annie.send({"type": "rating.give", "cid": f"s{score}", "score": score, **rating})
        reply = await annie.wait_for(lambda m, s=score: m.get("cid") == f"s{s}", start=start)
        assert reply["type"] == "error" and reply["code"] == "invalid"
    await refused(annie, "reason_required", "rating.give", score=1, **rating)
    for client in (fac, annie, bram, screen):
        await client.close()


async def test_forged_and_foreign_tokens_are_refused(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    other = facilitator.post(
        f"/api/trajectories/{workshop['trajectory_id']}/workshops", {"title": "Andere sessie"}
    )
    elsewhere = join(server, other["join_code"], "Zeno", "inwoner")
    forged_cookie = "atelier_session=eyJmIjoxfQ.forged.signature"
    for kwargs in (
        {"token": "not-a-real-token"},
        {"token": elsewhere["token"]},  # a participant of another workshop
        {"token": other["screen_token"]},  # the screen of another workshop
        {"cookie": forged_cookie},
        {},
    ):
        client = await RoomClient.connect(server.ws_url, workshop["id"], name="intruder", **kwargs)
        error = next(m for m in client.messages if m["type"] == "error")
        assert error["code"] == "unauthorised"
        with pytest.raises(ConnectionError):
            await client.wait_for(lambda _m: False)
        assert client.close_code == 4001
        assert not any(m["type"] in ("snapshot", "event") for m in client.messages)
    # The HTTP side refuses forged sessions and missing CSRF tokens as well.
    assert (
        httpx.get(
            f"{server.url}/api/workshops/{workshop['id']}", headers={"Cookie": forged_cookie}
        ).status_code
        == 401
    )
    no_csrf = httpx.post(
        f"{server.url}/api/trajectories",
        json={"theme": "x"},
        cookies=dict(facilitator.http.cookies),
    )
    assert no_csrf.status_code == 403


async def test_foreign_origin_handshake_is_refused(server: Server, workshop: dict[str, Any]):
    """A page on another site gets nothing of the room: the socket is closed at once with 4012
    and the address to open (a page of our own, opened under a wrong address, can say so)."""
    joined = join(server, workshop["join_code"], "Annie", "inwoner")
    async with websockets.connect(
        f"{server.ws_url}/ws/workshops/{workshop['id']}", origin="https://evil.example"
    ) as ws:
        with pytest.raises(websockets.ConnectionClosed) as refused:
            # Closed before a hello can be sent: no welcome, no snapshot, whatever it says.
            await ws.send(json.dumps({"type": "hello", "token": joined["token"], "last_seq": 0}))
            await ws.recv()
    assert refused.value.rcvd is not None and refused.value.rcvd.code == CLOSE_WRONG_ADDRESS
    ok = await RoomClient.connect(
        server.ws_url, workshop["id"], token=joined["token"], origin=server.url
    )
    assert ok.welcome is not None
    await ok.close()


async def test_sockets_on_other_paths_are_refused(server: Server, workshop: dict[str, Any]):
    """Room sockets skip the app's layers (``RoomSockets``); any other socket path still goes
    through the router and is refused, a room id that is no number too."""
    base = server.ws_url.rstrip("/")
    for path in ("/ws/workshops/abc", "/ws/workshops/", "/ws/other", "/api/join"):
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(base + path, open_timeout=10):
                pass
        assert refused.value.response.status_code == 403, path
    joined = join(server, workshop["join_code"], "Annie", "inwoner")
    ok = await RoomClient.connect(server.ws_url, workshop["id"], token=joined["token"])
    assert ok.welcome is not None and ok.welcome["workshop_id"] == workshop["id"]
    await ok.close()


async def test_join_attempts_are_rate_limited(server: Server, workshop: dict[str, Any]):
    statuses = [
        httpx.post(
            f"{server.url}/api/join",
            json={"code": "ZZZZZZ", "stakeholder_group": "inwoner"},
        ).status_code
        for _ in range(12)
    ]
    assert statuses[:10] == [404] * 10
    assert statuses[10:] == [429, 429]
    # The right code still joins: a room shares one address (see WrongCodeGate; issue 10).
    right = httpx.post(
        f"{server.url}/api/join",
        json={"code": workshop["join_code"], "stakeholder_group": "inwoner"},
    )
    assert right.status_code == 201
