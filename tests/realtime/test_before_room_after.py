"""One workshop through its three moments, over a real server and real sockets (issue #26):

1. **Before** — a window for beelden over two days: ten phones (six on the first day, four more
   and two returning on the second), with photos; each sees its own cards only; the facilitator
   hides one and merges a duplicate; the window closes and a late post is refused.
2. **The room** — twenty phones (six who sent in beforehand, fourteen new, two of them "Ik ben er
   niet bij in de zaal" and following the projector), the cards from before on the wall marked,
   a tafelhulp entering three things for two people without a phone, an agreement round that
   three people leave before.
3. **After** — an after-window for the round: the three who left and five new joiners (eight)
   rate, one of them objects; its figures stay hidden until it closes.

Then the wall, the figures per channel and per group, the record and every export. The two days
are two sessions of connections inside one window set around the real "now" (the server has no
clock to move); the window's edges are tested by moving the window (``workshop.configure``).

Groups (the trajectory expects inwoner, ervaringsdeskundige, ketenpartner and beleid; k = 3):
when the room first moves on, 24 people have joined — inwoner 10, ketenpartner 6, beleid 4,
ervaringsdeskundige 4 — so every group is shown under its own name in the room's figures.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.i18n import translations
from tests.exports.test_chain_exports import docx_text, odt_text, xlsx_book, xlsx_text
from tests.exports.test_export_privacy import pdf_text
from tests.images import samples
from tests.realtime.helpers import facilitator_client, goto, join
from tests.support.client import Rejected, RoomClient
from tests.support.server import Facilitator, Server

pytestmark = pytest.mark.anyio

NL = translations("nl").gettext


def moment(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


class Phone:
    """A person's phone: their token survives closing the socket, as a phone's cookie does."""

    def __init__(self, server: Server, workshop: dict[str, Any], name: str, group: str, **extra):
        self.server, self.workshop, self.name, self.group = server, workshop, name, group
        joined = join(server, workshop["join_code"], name, group, **extra)
        self.token: str = joined["token"]
        self.id: int = joined["participant_id"]
        self.client: RoomClient | None = None

    async def open(self) -> RoomClient:
        self.client = await RoomClient.connect(
            self.server.ws_url, self.workshop["id"], token=self.token, name=self.name
        )
        return self.client

    async def shut(self) -> None:
        if self.client is not None:
            await self.client.close()
            self.client = None

    @property
    def c(self) -> RoomClient:
        assert self.client is not None, f"{self.name} is not connected"
        return self.client

    def upload(self, caption: str, cid: str, *, on_behalf_of: int | None = None) -> int:
        data = {"caption": caption, "cid": cid}
        if on_behalf_of is not None:
            data["on_behalf_of"] = str(on_behalf_of)
        response = httpx.post(
            f"{self.server.url}/api/workshops/{self.workshop['id']}/beelden",
            headers={"Authorization": f"Bearer {self.token}"},
            files={"photo": ("foto.jpg", samples.jpeg_with_gps_rotated(), "image/jpeg")},
            data=data,
            timeout=30,
        )
        assert response.status_code == 201, response.text
        card_id: int = response.json()["result"]["card_id"]
        return card_id


#: Day one of the window: (name, group, kind, text, photo?)
DAY_ONE = [
    ("Annie", "inwoner", "beeld", "Het bankje bij de bushalte aan de Dorpsstraat is weggehaald", 1),
    (
        "Bram",
        "inwoner",
        "factor",
        "Sinds de bibliotheek dicht is, is er overdag geen plek om zomaar binnen te lopen",
        0,
    ),
    (
        "Chantal",
        "ketenpartner",
        "consequentie",
        "Wijkverpleegkundigen zijn vaak de enige die nog over de vloer komen",
        0,
    ),
    ("Dirk", "inwoner", "beeld", "Lege stoelen in de ontmoetingsruimte van het zorgcentrum", 1),
    (
        "Esra",
        "beleid",
        "factor",
        "De subsidieregeling voor buurtinitiatieven is te ingewikkeld voor vrijwilligers",
        0,
    ),
    (
        "Fenna",
        "ervaringsdeskundige",
        "factor",
        "Na het overlijden van mijn man belde niemand meer zomaar aan",
        0,
    ),
]
#: Day two: four new phones.
DAY_TWO = [
    ("Gijs", "inwoner", "beeld", "De buurtbus rijdt na zes uur 's avonds niet meer", 1),
    ("Hanna", "ketenpartner", "factor", "Mantelzorgers weten de dagbesteding niet te vinden", 0),
    ("Ilse", "ketenpartner", "factor", "Mantelzorgers kennen de dagbesteding in de wijk niet", 0),
    ("Joost", "ervaringsdeskundige", "factor", "Die hele gemeente luistert toch nooit", 0),
]
#: Fourteen people who join on the evening itself; the last two from elsewhere.
NEW_IN_ROOM = [
    ("Karin", "inwoner"),
    ("Lars", "inwoner"),
    ("Mirjam", "inwoner"),
    ("Nadia", "inwoner"),
    ("Oscar", "inwoner"),
    ("Priya", "ketenpartner"),
    ("Quinten", "ketenpartner"),
    ("Roos", "ketenpartner"),
    ("Sem", "beleid"),
    ("Tessa", "beleid"),
    ("Umut", "beleid"),
    ("Vera", "ervaringsdeskundige"),
    ("Wouter", "inwoner"),
    ("Yara", "ervaringsdeskundige"),
]
REMOTE = {"Wouter", "Yara"}
#: Who leaves before the round opens (and weighs in afterwards).
LEAVE_EARLY = {"Oscar", "Roos", "Umut"}
#: New joiners in the after-window; Zeger objects.
AFTER = [
    ("Zeger", "inwoner"),
    ("Aafke", "inwoner"),
    ("Bas", "ketenpartner"),
    ("Cor", "beleid"),
    ("Daan", "ervaringsdeskundige"),
]
WAAROM = (
    "Iedereen in Dorp-Oost heeft binnen tien minuten lopen een plek waar je zonder afspraak "
    "andere mensen ontmoet, omdat eenzaamheid begint waar die plekken verdwijnen"
)
OBJECTION = "Voor mensen in het buitengebied is tien minuten lopen onhaalbaar zonder buurtbus"


async def post(phone: Phone, kind: str, text: str) -> int:
    fields: dict[str, Any] = {"kind": kind, "text": text}
    if kind == "consequentie":
        fields["world"] = "leefwereld"
    ack = await phone.c.command("card.post", **fields)
    card_id: int = ack["result"]["card_id"]
    return card_id


def texts(client: RoomClient) -> set[str]:
    assert client.state is not None
    return {c["text"] for c in client.state["cards"].values() if c["text"]}


async def test_before_the_room_the_room_and_after_it(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    wid = workshop["id"]
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    screen = await RoomClient.connect(
        server.ws_url, wid, token=workshop["screen_token"], name="screen"
    )
    settings = dict(fac.state["workshop"]["settings"])  # type: ignore[index]
    window = {"before_opens_at": moment(-1), "before_closes_at": moment(47)}
    await fac.command("workshop.configure", settings={**settings, **window})

    # ------------------------------------------------------------------ before: two days
    phones: dict[str, Phone] = {}
    cards: dict[str, int] = {}
    for day in (DAY_ONE, DAY_TWO):
        for name, group, kind, text, photo in day:
            phone = phones[name] = Phone(server, workshop, name, group)
            await phone.open()
            if photo:
                cards[name] = phone.upload(text, f"{name}-photo")
            else:
                cards[name] = await post(phone, kind, text)
        if day is DAY_ONE:  # the evening of day one: everyone puts their phone away
            for name, *_ in day:
                await phones[name].shut()
    # Day two, Annie and Chantal look again: they find their own card, and nobody else's.
    for name in ("Annie", "Chantal"):
        client = await phones[name].open()
        own = DAY_ONE[[n for n, *_ in DAY_ONE].index(name)][3]
        assert texts(client) == {own}, (name, texts(client))
    await fac.until_seq(phones["Chantal"].c.last_seq)
    assert len(fac.state["cards"]) == 10  # type: ignore[index]
    for name in ("Gijs", "Hanna", "Ilse", "Joost"):
        assert len(texts(phones[name].c)) == 1, "a phone sees its own card only"
    assert screen.state["cards"] == {}, "the projector gets nothing sent in beforehand"  # type: ignore[index]
    assert not any(
        m["type"] == "event" and m["event"]["type"] == "card.posted" for m in screen.messages
    )
    # The facilitator moderates: Joost's remark is hidden, Ilse's duplicate merged into Hanna's.
    await fac.command("card.hide", card_id=cards["Joost"], hidden=True)
    await fac.command("card.merge", card_id=cards["Ilse"], into_id=cards["Hanna"])
    # The window closes (moved to a minute ago); a post after it changes nothing.
    closed = {"before_opens_at": moment(-48), "before_closes_at": moment(-1 / 60)}
    await fac.command("workshop.configure", settings={**settings, **closed})
    seq = fac.last_seq
    with pytest.raises(Rejected) as late:
        await post(phones["Gijs"], "factor", "Ik was nog iets vergeten")
    assert late.value.error["code"] == "window_closed"
    assert fac.last_seq == seq
    for phone in phones.values():
        await phone.shut()

    # ------------------------------------------------------------------ the room: twenty phones
    came = ["Annie", "Bram", "Chantal", "Gijs", "Hanna", "Joost"]
    for name, group in NEW_IN_ROOM:
        phones[name] = Phone(server, workshop, name, group, remote=name in REMOTE)
    room = [phones[n] for n in came] + [phones[n] for n, _ in NEW_IN_ROOM]
    assert len(room) == 20
    for phone in room:
        await phone.open()
    await fac.wait_for(lambda m: m["type"] == "presence" and m["participants"] == 20)
    presence = await fac.wait_for(
        lambda m: m["type"] == "presence" and (m.get("from_elsewhere") or {}).get("total") == 2
    )
    assert presence["from_elsewhere"]["by_group"] == {"ervaringsdeskundige": 1, "inwoner": 1}

    await goto(fac, "beelden")  # the room starts: what came in beforehand is on the wall
    for client in [screen, *(p.c for p in room)]:
        await client.until_seq(fac.last_seq)
        before = [c for c in client.state["cards"].values() if c["channel"] == "before"]  # type: ignore[index]
        assert len(before) == 10 and not any(c["held"] for c in before), client.name
        shown = {c["text"] for c in before if not c["hidden"]}
        assert DAY_ONE[0][3] in shown and DAY_TWO[3][3] not in shown, client.name
        photos = [c for c in before if c["image"]]
        assert len(photos) == 3, client.name
    # The two from elsewhere follow the projector: what it focuses reaches their phones too.
    await fac.command("screen.view", focus={"kind": "card", "id": cards["Annie"]})
    for name in REMOTE:
        changed = await phones[name].c.wait_for(
            lambda m: m["type"] == "event" and m["event"]["type"] == "screen.changed"
        )
        assert changed["event"]["screen"]["focus"] == {"kind": "card", "id": cards["Annie"]}
    await fac.command("screen.view")

    # A tafelhulp: a one-time code from the console, two people without a phone, three entries.
    made = facilitator.post(f"/api/workshops/{wid}/helper-codes", {})
    redeemed = httpx.post(f"{server.url}/api/hulp", json={"code": made["code"]}, timeout=10)
    assert redeemed.status_code == 201, redeemed.text
    helper_token = next(v for k, v in redeemed.cookies.items() if k.endswith(f"participant_{wid}"))
    helper = Phone.__new__(Phone)
    helper.server, helper.workshop, helper.name, helper.token = (
        server,
        workshop,
        "hulp",
        helper_token,
    )
    helper.client = await RoomClient.connect(server.ws_url, wid, token=helper_token, name="hulp")
    gerda = (
        await helper.c.command("assisted.add", display_name="Gerda", stakeholder_group="inwoner")
    )["result"]["participant_id"]
    wim = (await helper.c.command("assisted.add", stakeholder_group="ketenpartner"))["result"][
        "participant_id"
    ]
    paper = helper.upload(
        "Op de kaart: de supermarkt is het enige plein dat we nog hebben",
        "paper-1",
        on_behalf_of=wim,
    )

    await goto(fac, "factoren")
    for phone, text in zip(
        room[6:12],
        [
            "Jongeren en ouderen komen elkaar in de wijk nergens meer tegen",
            "Het buurthuis is alleen open als er een activiteit gepland staat",
            "Veel ouderen durven 's avonds niet over straat door slechte verlichting",
            "Mensen schamen zich om toe te geven dat ze zich alleen voelen",
            "Huisartsen hebben geen tijd voor een praatje",
            "De digitale nieuwsbrief bereikt juist de mensen die het nodig hebben niet",
        ],
        strict=True,
    ):
        await post(phone, "factor", text)
    assisted = (
        await helper.c.command(
            "card.post",
            kind="factor",
            text="Mijn kinderen wonen ver weg en bellen één keer per week",
            on_behalf_of=gerda,
        )
    )["result"]["card_id"]
    await fac.until_seq(helper.c.last_seq)
    for client in (fac, screen):
        for card_id in (assisted, paper):
            assert client.state["cards"][str(card_id)]["assisted"] is True  # type: ignore[index]
    # The projector shows the mark, never who entered for whom.
    assert "assisted_by" not in str(screen.messages)
    assert all(
        c["author_id"] is None
        for c in screen.state["cards"].values()  # type: ignore[index]
    )

    # The waarom, and a round that three people leave before.
    await goto(fac, "waarom")
    proposal = (await phones["Karin"].c.command("proposal.create", kind="waarom", text=WAAROM))[
        "result"
    ]["proposal_id"]
    for name in LEAVE_EARLY:
        await phones[name].shut()
    await fac.wait_for(lambda m: m["type"] == "presence" and m["participants"] == 17)
    rid = (await fac.command("round.open", kind="waarom"))["result"]["round_id"]
    raters = [p for p in room if p.name not in LEAVE_EARLY]
    for n, phone in enumerate(raters):
        score = 3 if n % 8 == 7 else 4 + n % 2
        await phone.c.command("rating.give", round_id=rid, proposal_id=proposal, score=score)
    await helper.c.command(
        "rating.give", round_id=rid, proposal_id=proposal, score=5, on_behalf_of=gerda
    )
    await fac.command("round.close", round_id=rid)
    await fac.until_seq(fac.last_seq)
    room_figures = fac.state["rounds"][str(rid)]["figures"][str(proposal)]  # type: ignore[index]
    assert room_figures["raters"] == 18 and room_figures["objections"] == 0
    assert room_figures["converged"] is True

    # ------------------------------------------------------------------ after: eight phones
    until = moment(48)
    window_id = (await fac.command("window.open", until=until))["result"]["round_id"]
    with pytest.raises(Rejected) as again:
        await phones["Annie"].c.command(
            "rating.give", round_id=window_id, proposal_id=proposal, score=1
        )
    assert again.value.error["code"] == "already_rated"
    after: list[Phone] = [phones[n] for n in sorted(LEAVE_EARLY)]
    for phone in after:
        await phone.open()
    for name, group in AFTER:
        phones[name] = Phone(server, workshop, name, group)
        await phones[name].open()
        after.append(phones[name])
    assert len(after) == 8
    for n, phone in enumerate(after):
        score, reason = (1, OBJECTION) if phone.name == "Zeger" else (4 + n % 2, "")
        await phone.c.command(
            "rating.give", round_id=window_id, proposal_id=proposal, score=score, reason=reason
        )
    everyone = [fac, screen, *(p.c for p in after), phones["Karin"].c]
    for client in everyone:
        await client.until_seq(after[-1].c.last_seq)
        shown = client.state["rounds"][str(window_id)]  # type: ignore[index]
        assert shown["figures"] == {} and shown["raters"] == 8, client.name
    assert OBJECTION not in str(fac.messages) + str(screen.messages), "hidden until it closes"
    await fac.command("window.close")
    for client in everyone:
        await client.until_seq(fac.last_seq)
        closed_figures = client.state["rounds"][str(window_id)]["figures"][str(proposal)]  # type: ignore[index]
        assert closed_figures["raters"] == 8 and closed_figures["objections"] == 1, client.name

    # ------------------------------------------------------------------ the record
    (record,) = facilitator.get(f"/api/workshops/{wid}/after-window")
    assert record["objection_rule"] == "counts" and record["raters"] == 8
    (figures,) = record["proposals"]
    assert figures["room"]["raters"] == 18 and figures["room"]["converged"] is True
    assert figures["window"]["raters"] == 8 and figures["window"]["objections"] == 1
    together = figures["together"]
    assert (together["raters"], together["objections"], together["converged"]) == (26, 1, False)
    room_groups = {g["group"]: g for g in figures["room"]["by_group"]}
    assert set(room_groups) == {"inwoner", "ketenpartner", "beleid", "ervaringsdeskundige"}

    # Per group (k = 3). The room's labels come from who was let in (all four groups shown,
    # beleid with its 2 raters of 4 people); the window's from who rated in it (inwoner 3, the
    # five others pooled); together names a group only where both channels name it, so that no
    # table less another gives back a group below k (ketenpartner, beleid and
    # ervaringsdeskundige: 4 + 2 + 3 in the room and 5 afterwards, 14 together).
    def groups(channel: str) -> dict[str, tuple[int, float, int]]:
        return {
            g["group"]: (g["raters"], round(g["agree_share"], 2), g["objections"])
            for g in figures[channel]["by_group"]
        }

    assert groups("room") == {
        "inwoner": (9, 0.78, 0),  # eight phones and Gerda, through the tafelhulp
        "ketenpartner": (4, 1.0, 0),
        "ervaringsdeskundige": (3, 1.0, 0),
        "beleid": (2, 1.0, 0),
    }
    assert groups("window") == {"inwoner": (3, 0.67, 1), "overige groepen": (5, 1.0, 0)}
    assert groups("together") == {"inwoner": (12, 0.75, 1), "overige groepen": (14, 1.0, 0)}
    summary = facilitator.get(f"/api/workshops/{wid}/export.json")
    before = summary["before"]
    # Ten came in; the hidden one is left out of the record, the merged one still counts.
    assert before["cards"] == 9, before
    assert before["by_group"] == {
        "inwoner": 4,
        "ketenpartner": 3,
        "beleid": 1,
        "ervaringsdeskundige": 1,
    }, before
    assert summary["from_elsewhere"]["total"] == 2
    assert summary["assisted"]["total"] == {"group": None, "people": 2, "cards": 2, "ratings": 1}
    lines = {line["group"]: line for line in summary["assisted"]["groups"]}
    assert (lines["inwoner"]["cards"], lines["inwoner"]["ratings"]) == (1, 1)
    assert (lines["ketenpartner"]["cards"], lines["ketenpartner"]["ratings"]) == (1, 0)
    marked = [c for c in summary["cards"] if c["channel"] == "before"]
    assert len(marked) == 9 and sum(c["assisted"] for c in summary["cards"]) == 2
    assert "Gerda" not in str(summary), "Gerda did not consent to her name in the record"
    (window_record,) = summary["after_windows"]
    assert window_record["proposals"][0]["together"]["objections"] == 1

    # Every export says the same, in its own form.
    get = facilitator.http.get
    headings = [
        NL(h)
        for h in (
            "Cards sent in beforehand",
            "Weighing in afterwards",
            "Entered by a table helper",
            "From elsewhere",
        )
    ]
    documents = {
        "md": get(f"/api/workshops/{wid}/export.md").text,
        "html": get(f"/api/workshops/{wid}/export.html").text,
        "pdf": pdf_text(get(f"/api/workshops/{wid}/export.pdf").content),
        "docx": docx_text(get(f"/api/workshops/{wid}/export.docx").content),
        "odt": odt_text(get(f"/api/workshops/{wid}/export.odt").content),
    }
    for name, text in documents.items():
        flat = " ".join(text.split())
        for heading in headings:
            assert heading in flat, (name, heading)
        assert OBJECTION in flat, (name, "the reason of the objection given afterwards")
        assert NL("sent in beforehand") in flat, (name, "the cards from before are marked")
        assert "Gerda" not in flat, (name, "no name without consent")
    book = xlsx_book(get(f"/api/workshops/{wid}/export.xlsx").content)
    for sheet in ("Table helper", "From elsewhere", "Weighing in afterwards"):
        assert NL(sheet)[:31] in book.sheetnames, (sheet, book.sheetnames)
    cards_sheet = list(book[NL("Cards")].iter_rows(values_only=True))
    column = cards_sheet[0].index(NL("Sent in beforehand"))
    assert sum(row[column] == NL("yes") for row in cards_sheet[1:]) == 9
    assert "Gerda" not in xlsx_text(get(f"/api/workshops/{wid}/export.xlsx").content)
    table = list(csv.DictReader(io.StringIO(get(f"/api/workshops/{wid}/export/cards.csv").text)))
    assert sum(row["channel"] == "before" for row in table) == 9
    for name in ("after_window", "assisted"):
        response = get(f"/api/workshops/{wid}/export/{name}.csv")
        assert response.status_code == 200 and len(response.text.splitlines()) >= 2, name

    for client in [fac, screen, helper.c, *(p.c for p in phones.values() if p.client)]:
        await client.close()
