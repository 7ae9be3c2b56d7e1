"""Password hashing with Argon2id (argon2-cffi), the OWASP-recommended default.

Each hash or verification takes 64 MiB for a moment. :class:`HashGate` lets only a few run at
once in the server, so thirty logins at the same moment queue instead of taking 2 GB.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import anyio
from anyio import to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.accounts.policy import MIN_PASSWORD_LENGTH

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "HashGate",
    "HashGateBusy",
    "dummy_hash",
    "hash_password",
    "verify_password",
]

T = TypeVar("T")
_hasher = PasswordHasher()


@functools.cache
def dummy_hash() -> str:
    """Verified against when the email is unknown, so timing does not reveal which emails exist.

    Made on the first login with an unknown email rather than at import: a hash is 64 MiB and a
    fifth of a second, which every start-up and every ``atelier`` command would pay.
    """
    return _hasher.hash("not-a-real-password-ever")


def hash_password(password: str) -> str:
    """An Argon2id hash with a fresh salt; the parameters travel inside the hash string."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches; a mismatch or a malformed hash is ``False``, never an error."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's, so login should renew it."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


class HashGateBusy(Exception):
    """Too many password checks queued for too long: the caller answers 503, try again soon."""


class HashGate:
    """At most ``capacity`` password hashes at once; a caller waits ``wait_seconds`` for a turn."""

    def __init__(self, *, capacity: int, wait_seconds: float) -> None:
        self.semaphore = anyio.Semaphore(capacity)
        self.wait_seconds = wait_seconds

    async def run(self, work: Callable[[], T]) -> T:
        """Run ``work`` (which hashes) in a worker thread once a turn is free."""
        try:
            self.semaphore.acquire_nowait()
        except anyio.WouldBlock:
            acquired = False
            with anyio.move_on_after(self.wait_seconds):
                await self.semaphore.acquire()
                acquired = True
            if not acquired:
                raise HashGateBusy from None
        try:
            return await to_thread.run_sync(work)
        finally:
            self.semaphore.release()
