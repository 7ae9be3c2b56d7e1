"""Argon2id hashing: never plaintext, mismatches and junk are ``False``, weak hashes get renewed."""

from __future__ import annotations

from argon2 import PasswordHasher

from app.accounts.passwords import (
    hash_password,
    needs_rehash,
    verify_password,
)


def test_a_hash_is_salted_argon2id_and_never_the_password():
    first = hash_password("een-lang-wachtwoord")
    second = hash_password("een-lang-wachtwoord")
    assert first.startswith("$argon2id$")
    assert "een-lang-wachtwoord" not in first
    assert first != second, "each hash has its own salt"
    assert verify_password(first, "een-lang-wachtwoord")
    assert verify_password(second, "een-lang-wachtwoord")


def test_a_wrong_password_is_refused():
    hashed = hash_password("een-lang-wachtwoord")
    assert not verify_password(hashed, "een-ander-wachtwoord")
    assert not verify_password(hashed, "")
    assert not verify_password(hashed, "EEN-LANG-WACHTWOORD")


def test_a_malformed_hash_is_a_refusal_not_a_crash():
    assert not verify_password("not-a-hash", "een-lang-wachtwoord")
    assert not verify_password("", "een-lang-wachtwoord")
    assert needs_rehash("not-a-hash")


def test_hashes_with_weaker_parameters_need_renewing():
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("een-lang-wachtwoord")
    assert verify_password(weak, "een-lang-wachtwoord"), "old hashes keep working"
    assert needs_rehash(weak)
    assert not needs_rehash(hash_password("een-lang-wachtwoord"))
