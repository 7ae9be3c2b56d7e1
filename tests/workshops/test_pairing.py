"""Pairing codes: shape, single use, expiry, one live code per workshop, races, and deletion."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from app.clock import utcnow
from app.db import session_scope
from app.images.storage import LocalImageStore
from app.realtime.commands import Actor
from app.types import Role
from app.workshops import pairing
from app.workshops.access import resolve
from app.workshops.lifecycle import delete_workshop
from app.workshops.models import Workshop
from app.workshops.pairing import Outcome, ScreenPairing
from app.workshops.routes import create_workshop_row
from tests.workshops.scripted import facilitator_and_trajectory

SECRET = "k" * 40


@pytest.fixture
def workshop(engine) -> tuple[int, str]:
    """A workshop and its current screen token."""
    _, trajectory = facilitator_and_trajectory(engine, ["inwoner"])
    row, token = create_workshop_row(engine, trajectory_id=trajectory, title="Sessie")
    assert row.id is not None
    return row.id, token


def screen_hash(engine, workshop_id: int) -> str:
    with session_scope(engine) as session:
        row = session.get(Workshop, workshop_id)
        assert row is not None
        return row.screen_token_hash


def test_codes_are_eight_unambiguous_symbols_shown_in_two_halves():
    for _ in range(200):
        code = pairing.new_code()
        assert pairing.well_formed(code)
        assert not set(code) & set("01OIL")
    assert pairing.display("ABCDEFGH") == "ABCD-EFGH"
    assert pairing.normalise(" abcd-efgh ") == "ABCDEFGH"
    assert not pairing.well_formed("ABCD")
    assert not pairing.well_formed("ABCDEFG0")


def test_only_a_keyed_hash_is_stored(engine, workshop):
    workshop_id, _ = workshop
    issued = pairing.issue(engine, workshop_id=workshop_id, secret_key=SECRET)
    with session_scope(engine) as session:
        (row,) = session.exec(select(ScreenPairing)).all()
    assert issued.code not in row.code_hash
    assert row.code_hash == pairing.code_hash(SECRET, issued.code)
    assert row.code_hash != pairing.code_hash("another-key" * 4, issued.code)
    assert row.expires_at - row.created_at == pairing.VALID_FOR


def test_a_right_code_pairs_once_and_renews_the_screen_link(engine, workshop):
    workshop_id, old_token = workshop
    issued = pairing.issue(engine, workshop_id=workshop_id, secret_key=SECRET)

    redeemed = pairing.redeem(engine, typed=issued.display.lower(), secret_key=SECRET)

    assert redeemed.outcome is Outcome.PAIRED
    assert redeemed.workshop_id == workshop_id and redeemed.screen_token
    access = resolve(
        engine, workshop_id=workshop_id, token=redeemed.screen_token, facilitator_id=None
    )
    assert access is not None and access.actor == Actor(Role.SCREEN)
    assert resolve(engine, workshop_id=workshop_id, token=old_token, facilitator_id=None) is None
    # Used: the second try changes nothing.
    before = screen_hash(engine, workshop_id)
    again = pairing.redeem(engine, typed=issued.code, secret_key=SECRET)
    assert again.outcome is Outcome.USED and again.screen_token is None
    assert screen_hash(engine, workshop_id) == before


@pytest.mark.parametrize("typed", ["", "ABCD", "ABCD-EFGH", "A" * 40, "ZZZZ-ZZZZ", "ABCD-EFG0"])
def test_a_wrong_code_changes_nothing(engine, workshop, typed):
    workshop_id, token = workshop
    issued = pairing.issue(engine, workshop_id=workshop_id, secret_key=SECRET)
    while pairing.normalise(typed) == issued.code:  # one in 31**8: a new code replaces it
        issued = pairing.issue(engine, workshop_id=workshop_id, secret_key=SECRET)
    redeemed = pairing.redeem(engine, typed=typed, secret_key=SECRET)
    assert redeemed.outcome is Outcome.UNKNOWN
    assert resolve(engine, workshop_id=workshop_id, token=token, facilitator_id=None) is not None
    # ... and the real code still works afterwards.
    assert pairing.redeem(engine, typed=issued.code, secret_key=SECRET).outcome is Outcome.PAIRED


def test_a_code_made_with_another_key_is_unknown(engine, workshop):
    workshop_id, _ = workshop
    issued = pairing.issue(engine, workshop_id=workshop_id, secret_key=SECRET)
    redeemed = pairing.redeem(engine, typed=issued.code, secret_key="other" * 8)
    assert redeemed.outcome is Outcome.UNKNOWN


def test_an_expired_code_changes_nothing(engine, workshop):
    workshop_id, token = workshop
    then = utcnow() - pairing.VALID_FOR - timedelta(seconds=1)
    issued = pairing.issue(engine, workshop_id=workshop_id, secret_key=SECRET, now=then)
    redeemed = pairing.redeem(engine, typed=issued.code, secret_key=SECRET)
    assert redeemed.outcome is Outcome.EXPIRED
    assert resolve(engine, workshop_id=workshop_id, token=token, facilitator_id=None) is not None
    # Just inside its ten minutes it would still have worked.
    fresh = pairing.issue(engine, workshop_id=workshop_id, secret_key=SECRET, now=then)
    inside = then + pairing.VALID_FOR - timedelta(seconds=1)
    late = pairing.redeem(engine, typed=fresh.code, secret_key=SECRET, now=inside)
    assert late.outcome is Outcome.PAIRED


def test_a_new_code_voids_the_older_ones_of_that_workshop_only(engine, workshop):
    workshop_id, _ = workshop
    _, trajectory = facilitator_and_trajectory(engine, ["inwoner"])
    other, _ = create_workshop_row(engine, trajectory_id=trajectory, title="Andere")
    assert other.id is not None
    first = pairing.issue(engine, workshop_id=workshop_id, secret_key=SECRET)
    elsewhere = pairing.issue(engine, workshop_id=other.id, secret_key=SECRET)
    second = pairing.issue(engine, workshop_id=workshop_id, secret_key=SECRET)

    assert pairing.redeem(engine, typed=first.code, secret_key=SECRET).outcome is Outcome.UNKNOWN
    assert pairing.redeem(engine, typed=second.code, secret_key=SECRET).workshop_id == workshop_id
    assert pairing.redeem(engine, typed=elsewhere.code, secret_key=SECRET).workshop_id == other.id


def test_long_expired_codes_are_cleared_when_a_code_is_made(engine, workshop):
    workshop_id, _ = workshop
    _, trajectory = facilitator_and_trajectory(engine, ["inwoner"])
    other, _ = create_workshop_row(engine, trajectory_id=trajectory, title="Andere")
    assert other.id is not None
    long_ago = utcnow() - pairing.KEPT_FOR - pairing.VALID_FOR - timedelta(minutes=1)
    pairing.issue(engine, workshop_id=other.id, secret_key=SECRET, now=long_ago)
    pairing.issue(engine, workshop_id=workshop_id, secret_key=SECRET)
    with session_scope(engine) as session:
        left = session.exec(select(ScreenPairing.workshop_id)).all()
    assert left == [workshop_id]


def test_two_browsers_racing_with_one_code_pair_only_one(engine, workshop):
    workshop_id, _ = workshop
    issued = pairing.issue(engine, workshop_id=workshop_id, secret_key=SECRET)
    results: list[pairing.Redeemed] = []
    start = threading.Barrier(4)

    def attempt() -> None:
        start.wait()
        results.append(pairing.redeem(engine, typed=issued.code, secret_key=SECRET))

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    paired = [r for r in results if r.outcome is Outcome.PAIRED]
    assert len(results) == 4 and len(paired) == 1
    assert {r.outcome for r in results} - {Outcome.PAIRED} <= {Outcome.USED}
    winner = paired[0].screen_token
    assert resolve(engine, workshop_id=workshop_id, token=winner, facilitator_id=None) is not None


def test_deleting_the_workshop_deletes_its_codes(engine, workshop, tmp_path):
    workshop_id, _ = workshop
    issued = pairing.issue(engine, workshop_id=workshop_id, secret_key=SECRET)
    delete_workshop(engine, LocalImageStore(tmp_path / "images"), workshop_id=workshop_id)
    with session_scope(engine) as session:
        assert session.exec(select(ScreenPairing)).all() == []
    assert pairing.redeem(engine, typed=issued.code, secret_key=SECRET).outcome is Outcome.UNKNOWN
