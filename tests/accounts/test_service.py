"""Account rules: validation, login, and the single-use setup link of a fresh install."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.accounts.models import Facilitator, SetupToken
from app.accounts.passwords import verify_password
from app.accounts.service import (
    AccountError,
    authenticate,
    consume_setup_token,
    create_facilitator,
    ensure_setup_link,
    facilitator_exists,
    setup_token_valid,
)
from app.db import session_scope
from tests.accounts.factories import PASSWORD, make_facilitator, migrated_engine


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    with migrated_engine(db_url) as engine:
        yield engine


def token_of(link: str) -> str:
    return link.rsplit("/setup/", 1)[1]


def stored_facilitators(engine: Engine) -> list[Facilitator]:
    with session_scope(engine) as session:
        return list(session.exec(select(Facilitator)).all())


def stored_token_hashes(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return [token.token_hash for token in session.exec(select(SetupToken)).all()]


# ----------------------------------------------------------------------------- creating


def test_an_account_stores_a_normalised_email_and_only_a_hash(engine):
    created = make_facilitator(engine, email="  Fenna@Gemeente.Example ", name=" Fenna ")
    [stored] = stored_facilitators(engine)
    assert stored.id == created.id
    assert (stored.email, stored.name) == ("fenna@gemeente.example", "Fenna")
    assert PASSWORD not in stored.password_hash
    assert verify_password(stored.password_hash, PASSWORD)


def test_an_email_has_one_account_whatever_its_case(engine):
    make_facilitator(engine, email="fenna@gemeente.example")
    with pytest.raises(AccountError, match="bestaat al"):
        make_facilitator(engine, email="FENNA@gemeente.example ", name="Tweede")
    assert len(stored_facilitators(engine)) == 1


def test_a_password_needs_ten_characters(engine):
    with pytest.raises(AccountError, match="minstens 10 tekens"):
        make_facilitator(engine, password="x" * 9)
    assert not facilitator_exists(engine)
    make_facilitator(engine, password="x7#Kq!2vLp")
    assert facilitator_exists(engine)


@pytest.mark.parametrize("email", ["", "geen-email", "twee@@gemeente.nl", "spatie in@g.nl", "a@b"])
def test_a_malformed_email_is_refused(engine, email):
    with pytest.raises(AccountError, match="e-mailadres"):
        make_facilitator(engine, email=email)
    assert not facilitator_exists(engine)


def test_a_blank_name_is_refused(engine):
    with pytest.raises(AccountError, match="naam"):
        make_facilitator(engine, name="   ")


# ----------------------------------------------------------------------------- logging in


def test_authenticate_accepts_the_right_password_in_any_email_case(engine):
    created = make_facilitator(engine)
    found = authenticate(engine, email=" FENNA@gemeente.example", password=PASSWORD)
    assert found is not None and found.id == created.id


def test_authenticate_refuses_a_wrong_password_and_an_unknown_email(engine):
    make_facilitator(engine)
    assert authenticate(engine, email="fenna@gemeente.example", password=PASSWORD + "!") is None
    assert authenticate(engine, email="fenna@gemeente.example", password="") is None
    assert authenticate(engine, email="niemand@gemeente.example", password=PASSWORD) is None


def test_logging_in_renews_a_hash_made_with_weaker_parameters(engine):
    created = make_facilitator(engine)
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    with session_scope(engine) as session:
        stored = session.get(Facilitator, created.id)
        assert stored is not None
        stored.password_hash = weak
    assert authenticate(engine, email="fenna@gemeente.example", password=PASSWORD) is not None
    [stored] = stored_facilitators(engine)
    assert stored.password_hash != weak
    assert stored.password_hash.startswith("$argon2id$")
    assert verify_password(stored.password_hash, PASSWORD)


# ----------------------------------------------------------------------------- setup link


def test_a_fresh_install_gets_a_setup_link_whose_token_is_stored_hashed(engine, settings):
    link = ensure_setup_link(engine, settings)
    assert link is not None and link.startswith(f"{settings.public_url}/setup/")
    token = token_of(link)
    assert len(token) >= 32
    assert stored_token_hashes(engine) == [hashlib.sha256(token.encode()).hexdigest()]
    assert setup_token_valid(engine, token)


def test_a_new_setup_link_replaces_the_old_one(engine, settings):
    old = ensure_setup_link(engine, settings)
    new = ensure_setup_link(engine, settings)
    assert old and new and old != new
    assert not setup_token_valid(engine, token_of(old))
    assert setup_token_valid(engine, token_of(new))
    assert len(stored_token_hashes(engine)) == 1


def test_a_setup_link_creates_the_first_account_once(engine, settings):
    link = ensure_setup_link(engine, settings)
    assert link is not None
    created = consume_setup_token(
        engine, token=token_of(link), email="Eerste@Gemeente.nl", name="Eerste", password=PASSWORD
    )
    assert created.email == "eerste@gemeente.nl"
    assert authenticate(engine, email="eerste@gemeente.nl", password=PASSWORD) is not None
    assert stored_token_hashes(engine) == []
    with pytest.raises(AccountError, match="niet \\(meer\\) geldig"):
        consume_setup_token(
            engine, token=token_of(link), email="tweede@gemeente.nl", name="T", password=PASSWORD
        )
    assert [f.email for f in stored_facilitators(engine)] == ["eerste@gemeente.nl"]
    assert ensure_setup_link(engine, settings) is None, "no new link once someone can log in"


def test_a_setup_link_dies_when_an_account_is_made_another_way(engine, settings):
    link = ensure_setup_link(engine, settings)
    assert link is not None
    make_facilitator(engine)  # e.g. with ``atelier create-facilitator``
    assert not setup_token_valid(engine, token_of(link))
    with pytest.raises(AccountError):
        consume_setup_token(
            engine, token=token_of(link), email="ander@gemeente.nl", name="A", password=PASSWORD
        )
    assert len(stored_facilitators(engine)) == 1


def test_an_unknown_setup_token_creates_nothing(engine, settings):
    assert ensure_setup_link(engine, settings) is not None
    with pytest.raises(AccountError):
        consume_setup_token(
            engine, token="geraden", email="a@gemeente.nl", name="A", password=PASSWORD
        )
    assert not facilitator_exists(engine)


def test_a_refused_form_leaves_the_setup_link_usable(engine, settings):
    link = ensure_setup_link(engine, settings)
    assert link is not None
    with pytest.raises(AccountError):
        consume_setup_token(
            engine, token=token_of(link), email="a@gemeente.nl", name="A", password="kort"
        )
    assert setup_token_valid(engine, token_of(link))
    consume_setup_token(
        engine, token=token_of(link), email="a@gemeente.nl", name="A", password=PASSWORD
    )
    assert facilitator_exists(engine)


def test_create_facilitator_is_usable_before_and_after_the_setup_link(engine, settings):
    """The CLI path works on an install that also printed a link (no ordering between them)."""
    assert ensure_setup_link(engine, settings) is not None
    create_facilitator(engine, email="cli@gemeente.nl", name="Cli", password=PASSWORD)
    create_facilitator(engine, email="nog-een@gemeente.nl", name="Nog", password=PASSWORD)
    assert ensure_setup_link(engine, settings) is None
    assert len(stored_facilitators(engine)) == 2
