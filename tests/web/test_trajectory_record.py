"""The trajectory page as the team's record: the chain as a tree, who was at the table and who was
heard, what changed between vertrekpunten, which one is current and why, and the SSD step notes.

Workshops are scripted through the real command executor on the server's own database
(``Runner``); the page is read over HTTP from a real server, as the facilitator's browser would.
"""

from __future__ import annotations

import html
import io
import re
import secrets
from typing import Any

from PIL import Image
from sqlalchemy.engine import Engine

from app.db import make_engine, session_scope
from app.images.storage import LocalImageStore, file_key
from app.realtime.commands import execute
from app.realtime.protocol import CardPostImage
from app.workshops.models import Vertrekpunt, WorkshopSettings
from app.workshops.presets import PRESETS, Plan
from app.workshops.routes import create_workshop_row
from app.workshops.runner import Runner
from tests.support.server import Facilitator, Server
from tests.web.test_trajectory_pages import csrf


def words(page: str) -> str:
    """The page's text without tags, so assertions read like the page."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (40, 120, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def adopt(room: Runner, kind: str, **fields: Any) -> int:
    """Post a proposal, let everyone rate it 5, and adopt it."""
    room.phase(kind)
    proposal = room.do(room.people[0], type="proposal.create", kind=kind, **fields)["proposal_id"]
    round_id = room.do(room.facilitator, type="round.open", kind=kind)["round_id"]
    for person in room.people:
        room.do(person, type="rating.give", round_id=round_id, proposal_id=proposal, score=5)
    room.do(room.facilitator, type="round.close", round_id=round_id)
    room.do(room.facilitator, type="proposal.adopt", proposal_id=proposal)
    assert proposal is not None
    return proposal


def chain_workshop(engine: Engine, server: Server, facilitator_id: int, trajectory_id: int) -> str:
    """A kick-off with a photo, a cluster with a tag and dots, and proposals citing both; saved.

    Returns the photo's image key.
    """
    workshop, _ = create_workshop_row(
        engine,
        trajectory_id=trajectory_id,
        title="Startbijeenkomst",
        plan=Plan.from_request(PRESETS["startbijeenkomst"]),
    )
    room = Runner(engine, workshop, facilitator_id)
    for i in range(3):
        room.join(
            f"Inwoner{i}",
            "inwoner",
            drijfveer=f"Drijfveer van inwoner {i}",
            drijfveer_use="record" if i == 0 else "facilitator",
            contribution="aan_tafel",
            contribution_use="record",
        )
    for i in range(3):
        room.join(f"Beleid{i}", "beleid", contribution="ondersteunen", contribution_use="record")
    people, f = room.people, room.facilitator
    key = f"{room.workshop_id}/{secrets.token_hex(16)}"
    store = LocalImageStore(server.data_dir / "images")
    for size in ("thumb", "display"):
        store.put(file_key(key, size), photo())
    room.phase("beelden")
    # As the upload route does once it has stored the photo (it is the only one that may).
    bench = execute(
        engine,
        workshop_id=room.workshop_id,
        actor=people[0],
        command=CardPostImage(
            type="card.post_image",
            cid="photo-1",
            text="Een leeg bankje",
            image_key=key,
            width=60,
            height=40,
        ),
        images=store,
    ).ack.result["card_id"]
    room.phase("factoren")
    closed = room.do(people[1], type="card.post", kind="factor", text="Buurthuis dicht")["card_id"]
    room.phase("consequenties")
    alone = room.do(
        people[2],
        type="card.post",
        kind="consequentie",
        text="Dagen zonder gesprek",
        world="leefwereld",
        factor_ids=[closed],
    )["card_id"]
    costs = room.do(
        people[3],
        type="card.post",
        kind="consequentie",
        text="Meer vraag naar thuiszorg",
        world="systeemwereld",
    )["card_id"]
    room.phase("clusteren")
    meeting = room.do(f, type="cluster.create", title="Ontmoeten", card_ids=[bench, closed, alone])[
        "cluster_id"
    ]
    room.do(f, type="cluster.tag", cluster_id=meeting, tags=["hefboom"])
    room.phase("prioriteren")
    room.do(f, type="vote.open")
    for person in people[:2]:
        room.do(person, type="vote.cast", target_type="cluster", target_id=meeting)
    room.do(f, type="vote.close")
    adopt(
        room,
        "waarom",
        text="Niemand hoeft alleen te zijn",
        cited_cluster_ids=[meeting],
        cited_card_ids=[costs],
    )
    adopt(room, "opgave", text="Ontmoeting in de wijk", in_scope=["buurthuizen"])
    room.phase("afronding")
    room.do(f, type="vertrekpunt.save")
    return key


def quick_vertrekpunt(
    engine: Engine,
    facilitator_id: int,
    trajectory_id: int,
    *,
    people: list[tuple[str, str]],
    waarom: str,
    in_scope: list[str],
    out_of_scope: list[str],
    core_themes: list[str],
) -> int:
    """A workshop with only a waarom and an opgave, saved; returns the vertrekpunt's id."""
    workshop, _ = create_workshop_row(
        engine,
        trajectory_id=trajectory_id,
        title=f"Sessie over {waarom}",
        plan=Plan.from_request(None),
    )
    room = Runner(engine, workshop, facilitator_id)
    for name, group in people:
        room.join(name, group)
    adopt(room, "waarom", text=waarom)
    adopt(
        room,
        "opgave",
        text="Meer groen",
        in_scope=in_scope,
        out_of_scope=out_of_scope,
        core_themes=core_themes,
    )
    room.phase("afronding")
    saved = room.do(room.facilitator, type="vertrekpunt.save")["vertrekpunt_id"]
    assert saved is not None
    return saved


def new_trajectory(facilitator: Facilitator, groups: list[str]) -> tuple[int, int]:
    trajectory = facilitator.post(
        "/api/trajectories", {"theme": "Eenzaamheid in de wijk", "expected_groups": groups}
    )
    return trajectory["id"], facilitator.get("/api/me")["id"]


def test_the_page_shows_the_chain_as_a_tree_and_who_was_heard(
    server: Server, facilitator: Facilitator
):
    trajectory_id, facilitator_id = new_trajectory(facilitator, ["inwoner", "beleid", "bestuur"])
    engine = make_engine(server.database_url)
    try:
        key = chain_workshop(engine, server, facilitator_id, trajectory_id)
    finally:
        engine.dispose()
    page = facilitator.http.get(f"/trajectories/{trajectory_id}")
    assert page.status_code == 200
    tree = page.text[page.text.index('class="chain-tree"') : page.text.index('id="at-table-title"')]
    text = words(tree)
    # Opgave ← waarom ← cluster (tag, dots) ← beeld, factor, consequentie (with its factor) ←
    # and the loose card the waarom cites.
    order = [
        "Ontmoeting in de wijk",
        "Niemand hoeft alleen te zijn",
        "Cluster Ontmoeten",
        "Hefboom",
        "2 stippen",
        "Beeld Een leeg bankje",
        "Factor Buurthuis dicht",
        "Consequentie Dagen zonder gesprek",
        "Leefwereld",
        "Consequentie Meer vraag naar thuiszorg",
        "Systeemwereld",
    ]
    places = [text.index(part) for part in order]
    assert places == sorted(places), text
    # Four levels deep: opgave, waarom, cluster, consequentie ← the factor it follows from.
    consequence = tree[tree.index("Dagen zonder gesprek") :]
    assert tree.count('class="chain-children"') == 4
    assert words(consequence[: consequence.index("</li>")]).count("Factor Buurthuis dicht") == 1
    assert f'src="/images/{key}-thumb.jpg"' in tree
    image = facilitator.http.get(f"/images/{key}-thumb.jpg")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"

    everything = words(page.text)
    assert "Wie er gehoord is" in everything
    heard = words(page.text[page.text.index('id="heard-title"') :])
    # Inwoners: 3 people, 3 cards, 2 proposals, 2 dots; beleid: 3 people, 1 card: of the six
    # things said it said one (17%) against half the people, so it mostly listened.
    assert "Inwoner 3 3 2 2 0 50% 83%" in heard, heard
    assert "Beleid (vooral geluisterd) 3 1 0 0 0 50% 17%" in heard, heard
    assert "Drijfveer van inwoner 0" in everything, "consented: in the record without a name"
    assert "Drijfveer van inwoner 1" not in everything, "not consented: the facilitator's only"
    assert "Inwoner: Een volwaardige plek aan tafel (3)" in everything
    for name in ("Inwoner0", "Inwoner1", "Beleid0"):
        assert name not in page.text, "the record names nobody"
    assert "Ontbreekt: Bestuur" in everything


def test_what_changed_is_complete_in_both_directions(server: Server, facilitator: Facilitator):
    trajectory_id, facilitator_id = new_trajectory(facilitator, ["inwoner", "beleid"])
    engine = make_engine(server.database_url)
    try:
        quick_vertrekpunt(
            engine,
            facilitator_id,
            trajectory_id,
            people=[("Annie", "inwoner"), ("Bert", "beleid")],
            waarom="Meer groen.",
            in_scope=["parken", "pleinen"],
            out_of_scope=["geveltuinen", "bomen"],
            core_themes=["spelen"],
        )
        quick_vertrekpunt(
            engine,
            facilitator_id,
            trajectory_id,
            people=[("Bram", "inwoner")],
            waarom="Groen dichtbij huis.",
            in_scope=["parken", "geveltuinen"],
            out_of_scope=["pleinen"],
            core_themes=["ontmoeten"],
        )
    finally:
        engine.dispose()
    page = words(facilitator.http.get(f"/trajectories/{trajectory_id}").text)
    changed = page[page.index("Wat er veranderde sinds") :]
    for line in (
        "Het waarom is anders geformuleerd; eerst: Meer groen.",
        "Van buiten naar binnen de opgave verplaatst: geveltuinen",
        "Van binnen naar buiten de opgave verplaatst: pleinen",
        "Niet meer buiten de opgave: bomen",
        "Nieuw kernthema: ontmoeten",
        "Kernthema vervallen: spelen",
        "Niet meer aan tafel: Beleid",
    ):
        assert line in changed, line
    assert "Nu binnen de opgave: geveltuinen" not in changed, "a move is one line, not two"


def test_making_an_older_vertrekpunt_current_needs_a_reason(
    server: Server, facilitator: Facilitator
):
    trajectory_id, facilitator_id = new_trajectory(facilitator, ["inwoner"])
    other_id, _ = new_trajectory(facilitator, ["inwoner"])
    engine = make_engine(server.database_url)
    try:
        first, second, elsewhere = (
            quick_vertrekpunt(
                engine,
                facilitator_id,
                target,
                people=[("Annie", "inwoner")],
                waarom=waarom,
                in_scope=[],
                out_of_scope=[],
                core_themes=[],
            )
            for target, waarom in (
                (trajectory_id, "Het eerste waarom."),
                (trajectory_id, "Het tweede waarom."),
                (other_id, "Een ander traject."),
            )
        )
    finally:
        engine.dispose()
    url = f"/trajectories/{trajectory_id}"
    page = facilitator.http.get(url).text
    assert f'name="vertrekpunt_id" value="{first}"' in page
    assert f'name="vertrekpunt_id" value="{second}"' not in page, "the current one has no form"

    refused = facilitator.http.post(
        f"{url}/current",
        data={"csrf_token": csrf(page), "vertrekpunt_id": str(first), "reason": "  "},
    )
    assert refused.status_code == 400
    assert "Zeg waarom dit vertrekpunt weer het huidige wordt." in words(refused.text)
    assert 'role="alert"' in refused.text
    assert facilitator.get(f"/api{url}")["current_vertrekpunt_id"] == second, "nothing changed"

    foreign = facilitator.http.post(
        f"{url}/current",
        data={"csrf_token": csrf(page), "vertrekpunt_id": str(elsewhere), "reason": "Waarom niet"},
    )
    assert foreign.status_code == 409
    assert "Dat vertrekpunt hoort niet bij dit traject." in words(foreign.text)

    made = facilitator.http.post(
        f"{url}/current",
        data={
            "csrf_token": csrf(page),
            "vertrekpunt_id": str(first),
            "reason": "Het tweede ging uit van verkeerde cijfers.",
        },
    )
    assert made.status_code == 303
    assert facilitator.get(f"/api{url}")["current_vertrekpunt_id"] == first
    page = facilitator.http.get(url).text
    history = words(page[page.index('id="current-history-title"') :])
    assert "weer huidig gemaakt" in history
    assert "Reden: Het tweede ging uit van verkeerde cijfers." in history
    assert history.count("Bewaard door de sessie") == 2, "both saves are in the history"
    assert words(page[page.index('id="current-title"') :]).count("Het eerste waarom.") >= 1

    again = facilitator.http.post(
        f"{url}/current",
        data={"csrf_token": csrf(page), "vertrekpunt_id": str(first), "reason": "Nog eens"},
    )
    assert again.status_code == 409
    assert "Dat vertrekpunt is al het huidige." in words(again.text)


def test_step_notes_are_saved_and_shown_and_a_bad_address_saves_nothing(
    server: Server, facilitator: Facilitator
):
    trajectory_id, _ = new_trajectory(facilitator, ["inwoner"])
    url = f"/trajectories/{trajectory_id}"
    page = facilitator.http.get(url).text
    saved = facilitator.http.post(
        f"{url}/steps/2",
        data={
            "csrf_token": csrf(page),
            "notes": "Interviews met twaalf bewoners.\nSysteemanalyse met de GGD.",
            "link_title": ["Verslag interviews", "", ""],
            "link_url": ["https://example.org/verslag", "", ""],
            "started_on": "2026-02-01",
            "ended_on": "2026-03-15",
        },
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("#step-2")
    page = facilitator.http.get(url).text
    step = page[page.index('id="step-2"') : page.index('id="step-3"')]
    assert "Interviews met twaalf bewoners.\nSysteemanalyse met de GGD." in html.unescape(step)
    assert (
        '<a href="https://example.org/verslag" rel="noopener noreferrer">Verslag interviews</a>'
        in step
    )
    assert "Gestart 1 februari 2026" in words(step) and "Afgerond 15 maart 2026" in words(step)

    bad = facilitator.http.post(
        f"{url}/steps/2",
        data={
            "csrf_token": csrf(page),
            "notes": "Iets anders",
            "link_title": ["Verslag"],
            "link_url": ["javascript:alert(1)"],
        },
    )
    assert bad.status_code == 400
    assert "Link 1: geef een volledig webadres, dat begint met https://" in words(bad.text)
    assert ">Iets anders</textarea>" in bad.text, "the form comes back as typed"
    (step_2,) = [s for s in facilitator.get(f"/api{url}/steps") if s["step"] == 2]
    assert (
        step_2["notes"].startswith("Interviews")
        and step_2["links"][0]["title"] == "Verslag interviews"
    )

    backwards = facilitator.http.post(
        f"{url}/steps/4",
        data={"csrf_token": csrf(page), "started_on": "2026-05-01", "ended_on": "2026-04-01"},
    )
    assert backwards.status_code == 400
    assert "De stap kan niet eindigen voordat hij begint." in words(backwards.text)
    assert (
        facilitator.http.post(f"{url}/steps/6", data={"csrf_token": csrf(page)}).status_code == 404
    )


def test_a_version_1_record_shows_its_flat_chain(server: Server, facilitator: Facilitator):
    trajectory_id, facilitator_id = new_trajectory(facilitator, ["inwoner"])
    engine = make_engine(server.database_url)
    try:
        saved = quick_vertrekpunt(
            engine,
            facilitator_id,
            trajectory_id,
            people=[("Annie", "inwoner")],
            waarom="Oud waarom.",
            in_scope=[],
            out_of_scope=[],
            core_themes=[],
        )
        with session_scope(engine) as session:
            row = session.get(Vertrekpunt, saved)
            assert row is not None
            old = {k: v for k, v in row.record.items() if k not in ("tree", "heard", "consented")}
            old["version"] = 1
            old["chain"] = [
                {"kind": "factor", "text": "Een oude factor", "world": None, "tags": ["angel"]}
            ]
            row.record = old
            session.add(row)
    finally:
        engine.dispose()
    page = facilitator.http.get(f"/trajectories/{trajectory_id}")
    assert page.status_code == 200
    text = words(page.text)
    assert "voordat de keten als boom werd vastgelegd" in text
    assert "Factor Een oude factor Angel" in text
    assert "Wie er gehoord is" not in text, "a version-1 record has no such figures"


def test_the_record_states_the_rule_its_proposals_were_measured_by(
    server: Server, facilitator: Facilitator
):
    """A workshop where every group had to carry it (70%): the page says so under the
    statements, as the verslag does; a room of two is one group for that rule."""
    trajectory_id, facilitator_id = new_trajectory(facilitator, ["inwoner"])
    engine = make_engine(server.database_url)
    try:
        workshop, _ = create_workshop_row(
            engine,
            trajectory_id=trajectory_id,
            title="Iedereen mee",
            plan=Plan.from_request(None),
            settings=WorkshopSettings(carried_by_every_group=True, group_agree_share=0.7),
        )
        room = Runner(engine, workshop, facilitator_id)
        room.join("Annie", "inwoner")
        room.join("Bert", "beleid")
        adopt(room, "waarom", text="Iedereen doet mee.")
        adopt(room, "opgave", text="Een plek voor iedereen")
        room.phase("afronding")
        room.do(room.facilitator, type="vertrekpunt.save")
    finally:
        engine.dispose()
    text = words(facilitator.http.get(f"/trajectories/{trajectory_id}").text)
    assert (
        "Regel: minstens 75% geeft een 4 of 5, hoogstens 0 bezwaren, en minstens 67% van de "
        "aanwezigen gaf een score. Ook: elke groep minstens 70% voor, geen bezwaar."
    ) in text
