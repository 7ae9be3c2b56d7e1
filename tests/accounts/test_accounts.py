"""Facilitator accounts: Argon2 hashes, the one-time setup link, login with CSRF, sessions."""

from __future__ import annotations

import re

import httpx
import pytest

from app.accounts.passwords import hash_password, verify_password
from app.accounts.service import AccountError, authenticate, create_facilitator
from app.db import make_engine, migrate


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def test_passwords_are_hashed_with_argon2id():
    hashed = hash_password("een-lang-wachtwoord")
    assert hashed.startswith("$argon2id$") and "een-lang-wachtwoord" not in hashed
    assert verify_password(hashed, "een-lang-wachtwoord")
    assert not verify_password(hashed, "een-ander-wachtwoord")
    assert not verify_password("not-a-hash", "x")


def test_accounts_refuse_duplicates_short_passwords_and_bad_email(db_url: str):
    migrate(db_url)
    engine = make_engine(db_url)
    create_facilitator(engine, email="Fenna@Gemeente.nl ", name="Fenna", password="lang-genoeg-1")
    with pytest.raises(AccountError):
        create_facilitator(engine, email="fenna@gemeente.nl", name="F", password="lang-genoeg-2")
    with pytest.raises(AccountError):
        create_facilitator(engine, email="kort@gemeente.nl", name="K", password="kort")
    with pytest.raises(AccountError):
        create_facilitator(engine, email="geen-email", name="G", password="lang-genoeg-3")
    assert authenticate(engine, email="FENNA@gemeente.nl", password="lang-genoeg-1") is not None
    assert authenticate(engine, email="fenna@gemeente.nl", password="fout-wachtwoord") is None
    assert authenticate(engine, email="niemand@gemeente.nl", password="lang-genoeg-1") is None
    engine.dispose()


def test_first_start_prints_a_one_time_setup_link(make_server):
    server = make_server()
    server.start()
    match = re.search(r"(http://\S+/setup/\S+)", server.log())
    assert match, server.log()
    link = match.group(1)
    with httpx.Client(base_url=server.url) as browser:
        form = browser.get(link)
        assert form.status_code == 200 and "csrf_token" in form.text
        no_token = browser.post(link, data={"email": "a@b.nl", "name": "A", "password": "x" * 12})
        assert no_token.status_code == 403
        created = browser.post(
            link,
            data={
                "email": "eerste@gemeente.nl",
                "name": "Eerste",
                "password": "lang-wachtwoord",
                "csrf_token": csrf_from(form.text),
            },
        )
        assert created.status_code == 303 and "atelier_session" in created.headers["set-cookie"]
        assert browser.get("/api/me").json()["email"] == "eerste@gemeente.nl"
        again = browser.get(link)
        assert again.status_code == 404, "the link works once"
    server.stop()
    server.start()
    assert server.log().count("No facilitator yet") == 1, "no new link once a facilitator exists"


def test_login_logout_and_forged_sessions(server, facilitator):
    with httpx.Client(base_url=server.url) as browser:
        assert browser.get("/").status_code == 303
        page = browser.get("/login")
        token = csrf_from(page.text)
        wrong = browser.post(
            "/login",
            data={"email": "fenna@gemeente.example", "password": "nee", "csrf_token": token},
        )
        assert wrong.status_code == 400 and "atelier_session" not in wrong.headers.get(
            "set-cookie", ""
        )
        forged_csrf = browser.post(
            "/login",
            data={
                "email": "fenna@gemeente.example",
                "password": "lang-en-geheim-wachtwoord",
                "csrf_token": "0" * 64,
            },
        )
        assert forged_csrf.status_code == 403
        ok = browser.post(
            "/login",
            data={
                "email": "fenna@gemeente.example",
                "password": "lang-en-geheim-wachtwoord",
                "csrf_token": token,
            },
        )
        assert ok.status_code == 303
        home = browser.get("/")
        assert home.status_code == 200 and "Fenna" in home.text
        session = browser.cookies["atelier_session"]
        browser.post("/logout", data={"csrf_token": csrf_from(home.text)})
        assert browser.get("/api/me").status_code == 401
    tampered = session[:-4] + ("AAAA" if not session.endswith("AAAA") else "BBBB")
    assert (
        httpx.get(f"{server.url}/api/me", cookies={"atelier_session": tampered}).status_code == 401
    )
    assert (
        httpx.get(f"{server.url}/api/me", cookies={"atelier_session": session}).status_code == 200
    ), "a signed session stays valid until it expires"
