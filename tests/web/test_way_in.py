"""A resident's way in (issue 23): a first start with only a port, a light join page, the join
form's look-up beside SQLite's writer, and the join form in the browser's language.

Against real servers (``atelier serve``), a real database and headless Chromium.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from app.cli import listening_environment
from app.i18n import script_catalog
from app.settings import Settings
from app.web.static import static_url
from tests.support.server import Server, facilitator_with_workshop
from tests.test_cli_serve import Serve
from tests.web.pages import Watched, console, join_by_form, phone, projector

#: The issue's goal: the join page, all of its resources as the browser fetches them.
JOIN_PAGE_BUDGET = 15 * 1024


def test_only_a_port_gives_a_public_url_that_the_console_projector_and_phone_connect_to(
    chromium: Any, tmp_path: Path, db_url: str
):
    server = Serve(public_url=False, data_dir=tmp_path, database_url=db_url)
    server.start()
    try:
        log = server.log()
        assert f"runs at {server.url} " in log, log
        assert re.search(rf"{re.escape(server.url)}/setup/\S+", log), "the setup link is dead"
        assert "127.0.0.1:8000" not in log
        facilitator, workshop = facilitator_with_workshop(server)
        desk = console(chromium, server, facilitator, workshop)
        join_url = f"{server.url}/join/{workshop['join_code']}"
        assert join_url in desk.page.content(), "the console's join URL follows the port"
        qr = httpx.get(f"{join_url}/qr.svg")
        assert qr.status_code == 200
        screen = projector(chromium, server, workshop)
        annie = phone(chromium, "annie")
        join_by_form(annie, server, workshop["join_code"], "Annie", "Inwoner")
        # localhost is loopback's other name: a browser opened there connects too.
        bert = phone(chromium, "bert")
        bert.page.goto(f"http://localhost:{server.port}/join/{workshop['join_code']}")
        bert.page.fill("#display_name", "Bert")
        bert.page.select_option("#stakeholder_group", label="Inwoner")
        bert.page.click("form button[type=submit]")
        bert.page.wait_for_selector("#status[data-status=connected]")
        for watched in (desk, screen, annie, bert):
            assert not watched.problems, watched.problems
        # Another address the server does not answer to: the page says which one to open.
        wrong = httpx.get(
            f"{server.url}/w/{workshop['id']}", headers={"Host": f"192.0.2.7:{server.port}"}
        )
        assert wrong.status_code == 400
        assert f"{server.url}/w/{workshop['id']}" in wrong.text
        facilitator.close()
    finally:
        server.stop()


def test_a_socket_refused_for_its_address_leads_to_the_page_that_names_the_right_one(
    chromium: Any, make_server: Callable[..., Server]
):
    """Never "Reconnecting…" for ever: the client goes to /address, which links the right one."""
    server = make_server()
    server.start()
    facilitator, workshop = facilitator_with_workshop(server)
    facilitator.close()
    annie = phone(chromium, "annie")
    join_by_form(annie, server, workshop["join_code"], "Annie", "Inwoner")
    room = annie.page.evaluate("() => document.querySelector('#status').dataset.status")
    assert room == "connected"
    # What a page gets when its socket is refused for its address (close 4012).
    annie.page.evaluate(
        "async (url) => { const { Room } = await import(url); "
        "new Room({ workshopId: 1 })._closed(4012); }",
        static_url("js/socket.js"),
    )
    annie.page.wait_for_url(re.compile(r"/address\?next="))
    link = annie.page.locator("a.button.go")
    expect(link).to_have_attribute("href", f"{server.url}/w/{workshop['id']}")
    # Only a path of this site is linked.
    elsewhere = httpx.get(f"{server.url}/address?next=//evil.example")
    assert f'href="{server.url}/"' in elsewhere.text and "evil.example" not in elsewhere.text


def test_the_public_url_follows_the_listening_address_unless_set():
    assert Settings(port=8101, secret_key="s" * 40).public_url == "http://127.0.0.1:8101"
    assert "public_url" not in Settings(port=8101, secret_key="s" * 40).model_fields_set
    unset = Settings(secret_key="s" * 40)
    loopback = listening_environment(unset, host="127.0.0.1", port=8101, lan_address=None)
    assert loopback["ATELIER_PUBLIC_URL"] == "http://127.0.0.1:8101"
    assert "http://localhost:8101" in loopback["ATELIER_ALLOWED_ORIGINS"]
    everywhere = listening_environment(unset, host="0.0.0.0", port=80, lan_address="192.168.1.20")
    assert everywhere["ATELIER_PUBLIC_URL"] == "http://192.168.1.20"
    named = listening_environment(unset, host="atelier.lan", port=8101, lan_address=None)
    assert named == {"ATELIER_PUBLIC_URL": "http://atelier.lan:8101"}
    chosen = Settings(public_url="https://atelier.example", secret_key="s" * 40)
    assert listening_environment(chosen, host="0.0.0.0", port=8101, lan_address=None) == {}


def test_the_join_page_is_light_compressed_and_cached_and_carries_no_console_strings(
    chromium: Any, make_server: Callable[..., Server]
):
    server = make_server()
    server.start()
    facilitator, workshop = facilitator_with_workshop(server)
    facilitator.close()
    context = chromium.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    person = Watched(context, "joining")
    cdp = context.new_cdp_session(person.page)
    cdp.send("Network.enable")
    sizes: dict[str, int] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    person.page.goto(f"{server.url}/join/{workshop['join_code']}", wait_until="load")
    person.page.wait_for_timeout(300)  # anything fetched after load (an icon) counts too
    assert 0 < sum(sizes.values()) <= JOIN_PAGE_BUDGET, sizes
    html = person.page.content()
    assert 'id="i18n-catalog"' not in html, "the join page runs no script: no catalogue"
    assert not person.problems, person.problems

    # Compressed, and versioned files are kept a year; photos are not compressed again.
    gz = {"Accept-Encoding": "gzip"}
    page = httpx.get(f"{server.url}/join/{workshop['join_code']}", headers=gz)
    assert page.headers["content-encoding"] == "gzip"
    script = httpx.get(f"{server.url}{static_url('js/participant.js')}", headers=gz)
    assert script.headers["content-encoding"] == "gzip"
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert static_url("participant.css") in page.text
    stale = httpx.get(f"{server.url}/static/v/0000/js/participant.js")
    assert stale.status_code == 200 and stale.headers["cache-control"] == "no-cache"

    # The phone's catalogue holds the phone's strings and no console ones.
    phone_strings = script_catalog("nl", "participant.js")
    console_only = set(script_catalog("nl", "facilitator.js")) - set(phone_strings)
    assert console_only, "the console has strings of its own"
    assert not console_only & set(phone_strings)


def _sqlite_path(db_url: str) -> str | None:
    return db_url.split("sqlite:///", 1)[1] if db_url.startswith("sqlite:///") else None


def test_the_join_form_and_the_phone_page_read_beside_a_writer_holding_the_lock(
    make_server: Callable[..., Server], db_url: str
):
    path = _sqlite_path(db_url)
    if path is None:
        pytest.skip("SQLite's write lock; PostgreSQL readers never wait for writers")
    server = make_server()
    server.start()
    facilitator, workshop = facilitator_with_workshop(server)
    facilitator.close()
    code = workshop["join_code"]
    with httpx.Client(base_url=server.url) as annie:
        form = annie.get(f"/join/{code}")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        joined = annie.post(
            f"/join/{code}",
            data={
                "csrf_token": token.group(1),
                "display_name": "Annie",
                "stakeholder_group": "inwoner",
            },
        )
        assert joined.status_code == 303
        holding, release = threading.Event(), threading.Event()

        def writer() -> None:
            lock = sqlite3.connect(path, timeout=10)
            lock.execute("BEGIN IMMEDIATE")  # the write lock, as a busy command holds it
            holding.set()
            release.wait(10)
            lock.rollback()
            lock.close()

        thread = threading.Thread(target=writer)
        thread.start()
        try:
            assert holding.wait(10)
            for path_ in (f"/join/{code}", f"/w/{workshop['id']}"):
                started = time.monotonic()
                answer = annie.get(path_)
                took = time.monotonic() - started
                # (the form page sends someone who joined already on to the room: 303)
                assert answer.status_code in (200, 303), (path_, answer.status_code)
                assert took < 1.5, f"{path_} waited {took:.2f} s for the writer's lock"
        finally:
            release.set()
            thread.join(10)


def test_the_join_form_asks_name_and_group_first_in_the_browsers_language(
    chromium: Any, make_server: Callable[..., Server]
):
    server = make_server()
    server.start()
    facilitator, workshop = facilitator_with_workshop(server)
    facilitator.close()
    english = Watched(
        chromium.new_context(locale="en-GB", viewport={"width": 360, "height": 740}), "english"
    )
    page = english.page
    page.goto(f"{server.url}/join/{workshop['join_code']}")
    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page.locator("label[for=display_name]")).to_contain_text("Your name")
    expect(page.locator("label[for=name_in_verslag]")).to_be_visible()  # consent for the name
    more = page.locator("details#join-more")
    assert more.get_attribute("open") is None, "drijfveer and contribution start folded"
    expect(page.locator("#drijfveer")).to_be_hidden()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2 * 740, f"the folded join form is {height} px tall"
    page.click("details#join-more summary")  # one tap away
    expect(page.locator("#drijfveer")).to_be_visible()
    english.accessible("join form, unfolded")
    # The switch is kept: Dutch chosen once stays Dutch, the browser's English notwithstanding.
    page.click("nav.languages a[hreflang=nl]")
    page.goto(f"{server.url}/join/{workshop['join_code']}")
    assert page.evaluate("document.documentElement.lang") == "nl"
    page.fill("#display_name", "Annie")
    page.select_option("#stakeholder_group", label="Inwoner")
    page.click("form button[type=submit]")
    page.wait_for_selector("#status[data-status=connected]")
    assert page.evaluate("document.documentElement.lang") == "nl"
    assert not english.problems, english.problems
