"""Creating a workshop from a template or an own agenda, its printable draaiboek, and the
facilitator guide at ``/guide``; the trajectory page and the draaiboek in a real browser.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx

from app.db import make_engine, session_scope
from app.i18n import translations
from app.workshops.models import AgreementRound, Workshop
from app.workshops.presets import PRESETS
from tests.support.server import Facilitator, Server, facilitator_with_workshop
from tests.web.pages import Watched
from tests.web.test_trajectory_pages import csrf
from tests.web.test_trajectory_record import chain_workshop, quick_vertrekpunt, words
from tests.workshops.scripted import run_to_vertrekpunt

OWN_AGENDA = {
    "preset": "custom",
    "step_phase": ["lobby", "waarom", "waarom", "afronding", ""],
    "step_minutes": ["5", "20", "10", "5", ""],
}


def workshop_row(server: Server, workshop_id: int) -> Workshop:
    engine = make_engine(server.database_url)
    try:
        with session_scope(engine) as session:
            found = session.get(Workshop, workshop_id)
            assert found is not None
            return found
    finally:
        engine.dispose()


def create(facilitator: Facilitator, trajectory_id: int, **form: Any) -> httpx.Response:
    page = facilitator.http.get(f"/trajectories/{trajectory_id}").text
    return facilitator.http.post(
        f"/trajectories/{trajectory_id}/workshops", data={"csrf_token": csrf(page), **form}
    )


def created_id(response: httpx.Response) -> int:
    assert response.status_code == 303, response.text[:2000]
    return int(response.headers["location"].rsplit("/", 1)[1])


def test_each_template_gives_its_agenda_and_minutes(server: Server, facilitator: Facilitator):
    trajectory = facilitator.post(
        "/api/trajectories", {"theme": "Groen in Grou", "expected_groups": ["inwoner"]}
    )
    engine = make_engine(server.database_url)
    try:
        _, current = run_to_vertrekpunt(
            engine,
            facilitator_id=facilitator.get("/api/me")["id"],
            trajectory_id=trajectory["id"],
            people=[("Annie", "inwoner")],
            waarom="Meer groen.",
            opgave="Groen in elke straat",
            in_scope=[],
            core_themes=[],
        )
    finally:
        engine.dispose()
    page = facilitator.http.get(f"/trajectories/{trajectory['id']}").text
    assert "Startbijeenkomst, twee uur" in page and "(120 minuten)" in page
    assert "Herijking, een uur" in page and "(60 minuten)" in page
    assert "het waarom en de opgave daarvan zijn de eerste voorstellen" in words(page)
    for key, preset in PRESETS.items():
        made = create(facilitator, trajectory["id"], title=f"Sessie {key}", preset=key)
        workshop = workshop_row(server, created_id(made))
        assert workshop.agenda == [phase.value for phase in preset.agenda], key
        assert workshop.phase_minutes == preset.minutes, key
        assert workshop.ssd_step == preset.ssd_step, key
        assert workshop.starts_from_id == (current if preset.reframe else None), key
    assert workshop_row(
        server, created_id(create(facilitator, trajectory["id"], title="Standaard"))
    ).agenda == [
        "lobby",
        "beelden",
        "factoren",
        "consequenties",
        "clusteren",
        "prioriteren",
        "waarom",
        "opgave",
        "afronding",
    ], "a form without a template gets the full default agenda"


def test_an_own_agenda_repeats_a_step_and_sets_the_thresholds(
    server: Server, facilitator: Facilitator
):
    trajectory = facilitator.post("/api/trajectories", {"theme": "Eenzaamheid"})
    made = create(
        facilitator,
        trajectory["id"],
        title="Twee rondes",
        theme_question="Waarom doen we dit?",
        starts_at="2026-03-10T19:30",
        agree_share="80",
        min_participation="67",
        allow_objections="1",
        carried_by_every_group="on",
        group_agree_share="70",
        dot_budget="3",
        ssd_step="3",
        language="en",
        anonymous="on",
        **OWN_AGENDA,
    )
    workshop = workshop_row(server, created_id(made))
    assert workshop.agenda == ["lobby", "waarom", "waarom", "afronding"]
    assert workshop.phase_minutes == [5, 20, 10, 5]
    assert workshop.ssd_step == 3 and workshop.starts_from_id is None
    assert workshop.starts_at == datetime(2026, 3, 10, 18, 30, tzinfo=UTC), "19:30 in Amsterdam"
    settings = workshop.workshop_settings()
    assert (settings.agree_share, settings.allow_objections, settings.dot_budget) == (0.8, 1, 3)
    assert settings.min_participation == 2 / 3, "67 shown is the exact default, not 0.67"
    assert settings.anonymous and settings.language == "en"
    assert settings.carried_by_every_group and settings.group_agree_share == 0.7
    assert "Ook: elke groep minstens 70% voor, geen bezwaar." in words(
        facilitator.http.get(f"/console/{workshop.id}/draaiboek").text
    )

    count = len(facilitator.get(f"/api/trajectories/{trajectory['id']}")["workshops"])
    refused = create(
        facilitator,
        trajectory["id"],
        title="",
        theme_question="Blijft staan",
        preset="custom",
        step_phase=["lobby", "opgave"],
        step_minutes=["5", "veel"],
        agree_share="150",
        group_agree_share="0",
    )
    assert refused.status_code == 400
    text = words(refused.text)
    assert "De sessie is niet aangemaakt:" in text
    assert "Een sessie heeft een titel nodig." in text
    assert "Stap 2: geef de minuten als heel getal van 1 tot 240." in text
    assert "Geef het nodige draagvlak als percentage van 1 tot 100." in text
    assert "Geef het nodige draagvlak in elke groep als percentage van 1 tot 100." in text
    assert ">Blijft staan</textarea>" in refused.text and 'value="veel"' in refused.text
    assert 'id="preset-custom" name="preset" value="custom" checked' in refused.text
    assert re.search(r'id="title"[^>]*aria-invalid="true"', refused.text)
    assert re.search(r'id="agree_share"[^>]*aria-invalid="true"', refused.text)
    assert re.search(r'id="group_agree_share"[^>]*aria-invalid="true"', refused.text)
    assert len(facilitator.get(f"/api/trajectories/{trajectory['id']}")["workshops"]) == count


def test_the_draaiboek_gives_clock_times_from_the_start_and_the_minutes(
    server: Server, facilitator: Facilitator
):
    trajectory = facilitator.post("/api/trajectories", {"theme": "Eenzaamheid"})
    workshop_id = created_id(
        create(
            facilitator,
            trajectory["id"],
            title="Avond",
            theme_question="Wat maakt dat ouderen zich eenzaam voelen?",
            starts_at="2026-03-10T19:30",
            dot_budget="4",
            **OWN_AGENDA,
        )
    )
    page = facilitator.http.get(f"/console/{workshop_id}/draaiboek")
    assert page.status_code == 200
    text = words(page.text)
    assert "dinsdag 10 maart 2026, van 19:30 tot 20:10 (40 minuten)" in text
    steps = re.findall(r"(\d\d:\d\d–\d\d:\d\d) (\d)\. (\w+)( \(ronde 2\))?", text)
    assert steps == [
        ("19:30–19:35", "1", "Lobby", ""),
        ("19:35–19:55", "2", "Waarom", ""),
        ("19:55–20:05", "3", "Waarom", " (ronde 2)"),
        ("20:05–20:10", "4", "Afronding", ""),
    ]
    assert "Nog een ronde: lees de bezwaren en hun redenen voor" in text, "round 2 says what's new"
    assert "Welkom. Scan de QR-code" in text and "Telefoons tonen" in text
    workshop = facilitator.get(f"/api/workshops/{workshop_id}")
    code = workshop["join_code"]
    assert f"{code[:3]}-{code[3:]}" in text and f"{server.url}/join" in text
    assert "minstens 75% van de scores een 4 of 5 is" in text
    assert "@media print" in facilitator.http.get("/static/draaiboek.css").text

    unplanned = created_id(create(facilitator, trajectory["id"], title="Later", **OWN_AGENDA))
    text = words(facilitator.http.get(f"/console/{unplanned}/draaiboek").text)
    assert "Nog geen geplande start" in text and "minuut 0–5 1. Lobby" in text
    assert "minuut 35–40 4. Afronding" in text

    assert (
        httpx.get(f"{server.url}/console/{workshop_id}/draaiboek").headers["location"] == "/login"
    )
    stranger, _ = facilitator_with_workshop(server)
    try:
        assert stranger.http.get(f"/console/{workshop_id}/draaiboek").status_code == 404
    finally:
        stranger.close()


def test_the_guide_is_served_in_dutch_and_english(server: Server):
    dutch = httpx.get(f"{server.url}/guide")
    assert dutch.status_code == 200 and '<html lang="nl">' in dutch.text
    assert "<h1>Handleiding voor de facilitator</h1>" in dutch.text
    assert "<table>" in dutch.text and "<strong>angel</strong>" in dutch.text
    english = httpx.get(f"{server.url}/guide?lang=en")
    assert '<html lang="en">' in english.text and "<h1>Facilitator guide</h1>" in english.text
    assert "<script" not in english.text.split("<article", 1)[1].split("</article>", 1)[0]


def test_trajectory_page_and_draaiboek_in_a_browser(
    server: Server, facilitator: Facilitator, chromium: Any
):
    trajectory = facilitator.post(
        "/api/trajectories",
        {"theme": "Eenzaamheid in de wijk", "expected_groups": ["inwoner", "beleid", "bestuur"]},
    )
    facilitator_id = facilitator.get("/api/me")["id"]
    engine = make_engine(server.database_url)
    try:
        quick_vertrekpunt(
            engine,
            facilitator_id,
            trajectory["id"],
            people=[("Bram", "inwoner")],
            waarom="Niemand alleen.",
            in_scope=["buurthuizen", "bankjes"],
            out_of_scope=["zorg"],
            core_themes=["ontmoeten"],
        )
        chain_workshop(engine, server, facilitator_id, trajectory["id"])
    finally:
        engine.dispose()
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [
            {"name": k, "value": v, "domain": "127.0.0.1", "path": "/"}
            for k, v in facilitator.http.cookies.items()
        ]
    )
    desk = Watched(context, "trajectory page")
    page = desk.page
    try:
        page.goto(f"{server.url}/trajectories/{trajectory['id']}")
        page.wait_for_selector(".chain-tree img")
        assert page.eval_on_selector(".chain-tree img", "img => img.naturalWidth") > 0
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        desk.accessible("trajectory page, everything open")

        # The agenda editor: a template fills the list; repeating a step makes it one's own.
        page.check("#preset-verkenning")
        assert page.locator("#agenda-rows > li").count() == 7
        page.get_by_role("button", name="Stap 2 herhalen").click()
        assert page.locator("#agenda-rows > li").count() == 8
        assert page.is_checked("#preset-custom")
        assert page.input_value("#agenda-3-phase") == "beelden"
        page.get_by_role("button", name="Stap 8 weghalen").click()
        page.get_by_role("button", name="Stap 1 omlaag").click()
        assert page.input_value("#agenda-2-phase") == "lobby"
        assert page.locator("#agenda-total").inner_text() == "7 stappen, 105 minuten in totaal"
        desk.accessible("agenda edited")
        page.fill("#title", "Verkenning met twee rondes beelden")
        page.fill("#starts_at", "2026-04-02T14:00")
        page.click("#create-workshop")
        page.wait_for_url(re.compile(r"/console/\d+$"))
        workshop_id = int(page.url.rsplit("/", 1)[1])
        workshop = workshop_row(server, workshop_id)
        assert workshop.agenda == [
            "beelden",
            "lobby",
            "beelden",
            "factoren",
            "consequenties",
            "clusteren",
            "prioriteren",
        ]
        assert workshop.phase_minutes == [20, 10, 20, 15, 15, 15, 10]

        page.goto(f"{server.url}/console/{workshop_id}/draaiboek")
        assert page.locator(".running-order > li").count() == 7
        assert page.locator(".running-order .clock").first.inner_text() == "14:00–14:20"
        desk.accessible("draaiboek")
        page.emulate_media(media="print")
        assert not page.is_visible("header.top") and not page.is_visible(".site-footer")
        assert page.is_visible(".running-order")
        page.emulate_media(media="screen")
        page.goto(f"{server.url}/guide")
        desk.accessible("guide")
        assert not desk.problems, desk.problems
    finally:
        context.close()


def test_the_draaiboek_says_what_fits_the_workshops_settings(
    server: Server, facilitator: Facilitator
):
    """An anonymous workshop's script does not invite names; the lines said aloud are in the
    workshop's language, the rest of the page in the facilitator's."""
    trajectory = facilitator.post("/api/trajectories", {"theme": "Eenzaamheid"})
    agenda = {
        "preset": "custom",
        "step_phase": ["lobby", "prioriteren", "afronding", ""],
        "step_minutes": ["5", "10", "5", ""],
    }
    dutch_anonymous = created_id(
        create(facilitator, trajectory["id"], title="Anoniem", anonymous="on", **agenda)
    )
    text = words(facilitator.http.get(f"/console/{dutch_anonymous}/draaiboek").text)
    assert "Doe mee met je naam of anoniem" not in text
    assert "Iedereen doet anoniem mee: niemand wordt om een naam gevraagd" in text

    english = created_id(
        create(facilitator, trajectory["id"], title="In English", language="en", **agenda)
    )
    page = facilitator.http.get(f"/console/{english}/draaiboek").text
    text = words(page)
    assert "Take part with your name or anonymously" in text
    assert "Doe mee met je naam" not in text and "Everyone has 5 dots." in text
    assert "Telefoons tonen" in text and "Wat je zegt" in text, "the page stays Dutch"
    assert re.search(r'<p class="say" lang="en">Welcome\. Scan the QR code', page)

    both = created_id(
        create(facilitator, trajectory["id"], title="Both", language="en", anonymous="on", **agenda)
    )
    text = words(facilitator.http.get(f"/console/{both}/draaiboek?lang=en").text)
    assert "Everyone takes part anonymously" in text
    assert "Take part with your name or anonymously" not in text


#: Buttons and fields of the clustering board that the guide names, by their message ids: the
#: guide quotes each in the words the console shows.
BOARD_LABELS = (
    "Move selection to",
    "Move",
    "New cluster from selection",
    "Find cards",
    "Select all shown",
    "Select its cards",
    "Undo",
    "Dissolve",
    "Merge duplicates",
    "Accept",
    "Decline",
    "Suggest clusters",
    "Take over",
    "Not a duplicate",
)


def test_the_guide_explains_the_clustering_board(server: Server):
    for language, heading, words_of_it in (
        ("nl", "Het clusterbord op de console", ("Slepen", "spatiebalk", "Ctrl+Z", "⠿")),
        ("en", "The clustering board on the console", ("Dragging", "space bar", "Ctrl+Z", "⠿")),
    ):
        guide = words(httpx.get(f"{server.url}/guide?lang={language}").text)
        assert heading in guide, language
        board = guide.split(heading, 1)[1].split("Prioriteren", 1)[0]
        gettext = translations(language).gettext
        missing = [label for label in BOARD_LABELS if f"“{gettext(label)}”" not in board] + [
            word for word in words_of_it if word not in board
        ]
        assert not missing, (language, missing)


def test_the_draaiboek_shows_before_the_room_and_afterwards(
    server: Server, facilitator: Facilitator
):
    """The timeline at the top: the before-window as the form set it, the evening, and the
    after-window once opened (with the rule for an objection); unplanned moments say how."""
    trajectory = facilitator.post("/api/trajectories", {"theme": "Eenzaamheid"})
    workshop_id = created_id(
        create(
            facilitator,
            trajectory["id"],
            title="Avond",
            starts_at="2026-03-12T19:30",
            before_opens_at="2026-03-02T09:00",
            before_closes_at="2026-03-11T12:00",
            **OWN_AGENDA,
        )
    )
    text = words(facilitator.http.get(f"/console/{workshop_id}/draaiboek").text)
    timeline = text[text.index("Vooraf, in de zaal, na afloop") : text.index("Stap voor stap")]
    assert "Vooraf: beelden insturen" in timeline
    assert "Van maandag 2 maart 2026, 09:00 tot woensdag 11 maart 2026, 12:00. Gesloten." in (
        timeline
    ), timeline
    assert (
        f"/api/workshops/{workshop_id}/handout.pdf?size=A5"
        in facilitator.http.get(f"/console/{workshop_id}/draaiboek").text
    )
    assert "In de zaal donderdag 12 maart 2026, van 19:30 tot 20:10" in timeline, timeline
    assert "Ik ben er niet bij in de zaal" in timeline and "tafelhulp" in timeline
    assert "Na afloop: meewegen Kan, hoeft niet." in timeline
    assert "Een bezwaar van na afloop telt als een bezwaar in de zaal." in timeline

    # Once the after-window is open, its date; the rule it was opened under.
    engine = make_engine(server.database_url)
    try:
        with session_scope(engine) as session:
            workshop = session.get(Workshop, workshop_id)
            assert workshop is not None
            settings = dict(workshop.settings, window_objection="reported")
            workshop.settings = settings
            room = AgreementRound(workshop_id=workshop_id, kind="waarom", number=1, eligible=3)
            room.is_open = False
            session.add_all([workshop, room])
            session.flush()
            session.add(
                AgreementRound(
                    workshop_id=workshop_id,
                    kind="waarom",
                    number=1,
                    eligible=1,
                    after_round_id=room.id,
                    window_until=datetime(2026, 3, 20, 16, 0, tzinfo=UTC),
                )
            )
    finally:
        engine.dispose()
    text = words(facilitator.http.get(f"/console/{workshop_id}/draaiboek").text)
    timeline = text[text.index("Vooraf, in de zaal, na afloop") : text.index("Stap voor stap")]
    assert "Open tot vrijdag 20 maart 2026, 17:00." in timeline, timeline
    assert "Een bezwaar van na afloop wordt vermeld, maar houdt niets tegen." in timeline

    unplanned = created_id(create(facilitator, trajectory["id"], title="Later", **OWN_AGENDA))
    text = words(facilitator.http.get(f"/console/{unplanned}/draaiboek").text)
    assert "Vooraf: beelden insturen Niet gepland." in text
