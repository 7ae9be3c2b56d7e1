"""The password policy: long enough, not common, not made of the person's own details."""

from __future__ import annotations

import pytest

from app.accounts.policy import PERSONAL, TOO_COMMON, TOO_SHORT, password_problem
from app.accounts.service import AccountError, create_facilitator
from tests.accounts.factories import migrated_engine


@pytest.mark.parametrize(
    "password",
    [
        "password123",
        "1234567890",
        "qwertyuiop",
        "iloveyou12",
        "P@ssw0rd2024",
        "Welkom01!!",
        "wachtwoord123",
        "gemeente2024",
        "aaaaaaaaaaaa",
    ],
)
def test_common_and_guessable_passwords_are_refused(password):
    assert password_problem(password, email="fenna@gemeente.example", name="Fenna") == TOO_COMMON


@pytest.mark.parametrize("password", ["Fenna2024!!x", "mijn-naam-is-FENNA", "xfenna.dejong99"])
def test_passwords_with_the_name_or_email_are_refused(password):
    problem = password_problem(
        password, email="fenna.dejong@gemeente.example", name="Fenna de Jong"
    )
    assert problem == PERSONAL


@pytest.mark.parametrize(
    "password",
    ["lang-en-geheim-wachtwoord", "correct-paard-batterij-nietje", "x7#Kq!2vLp"],
)
def test_long_or_random_passwords_pass(password):
    assert password_problem(password, email="fenna@gemeente.example", name="Fenna") is None


def test_short_passwords_are_refused_first():
    assert password_problem("Kq!2vLp", email="", name="") == TOO_SHORT


def test_a_very_long_password_is_checked_quickly_and_accepted():
    assert password_problem("lange-zin-" * 100, email="a@b.nl", name="A") is None


def test_the_refusal_says_in_dutch_what_to_do(db_url):
    with migrated_engine(db_url) as engine, pytest.raises(AccountError) as refused:
        create_facilitator(engine, email="fenna@gemeente.nl", name="Fenna", password="Welkom01!!")
    assert "te makkelijk te raden" in str(refused.value)
    assert "vier of vijf losse woorden" in str(refused.value)
    assert "easy to guess" in refused.value.say("en")


FENNA = {"email": "fenna@gemeente.example", "name": "Fenna"}
B = {"email": "b@example.org", "name": "Bo"}


@pytest.mark.parametrize(
    ("password", "person", "problem"),
    [
        # One known word with a year and signs: a Dutch greeting, season, town, the product.
        ("Welkom2026!!", FENNA, TOO_COMMON),
        ("Zomer2026!!", FENNA, TOO_COMMON),
        ("Rotterdam2026!", FENNA, TOO_COMMON),
        ("Opgave-Atelier-1", FENNA, TOO_COMMON),
        ("OpgaveAtelier2026", FENNA, TOO_COMMON),
        ("Herfst2025?!", FENNA, TOO_COMMON),
        ("januari-2026-!!", FENNA, TOO_COMMON),
        ("2026Amsterdam!", FENNA, TOO_COMMON),
        ("Feyenoord1908!", FENNA, TOO_COMMON),
        ("Summer2026!!", FENNA, TOO_COMMON),  # zxcvbn's own words count too
        # Two common Dutch words and nothing else: zxcvbn now knows them.
        ("rood-paard", FENNA, TOO_COMMON),
        # A local part too short to count alone: the whole address, and with the domain's name.
        ("b@example.org1", B, PERSONAL),
        ("bexample2026!!", B, PERSONAL),
        ("B.Example-2026", B, PERSONAL),
        # Accepted: unrelated words with hyphens, a long sentence, random characters.
        ("zwaluw-kompas-regenjas-tafel", FENNA, None),
        ("fiets-wolk-lepel-kraan", FENNA, None),
        ("correct-paard-batterij-nietje", B, None),
        ("Zomer-Rotterdam-paraplu-2026", FENNA, None),
        ("x7#Kq!2vLp", B, None),
    ],
)
def test_the_policy_table(password: str, person: dict[str, str], problem: str | None):
    assert password_problem(password, **person) == problem
