"""Account commands: ``create-facilitator``, ``reset-password``, ``disable-/enable-facilitator``.

A password never comes from an argument, which would leave it in the shell history and the
process list: it is typed twice, or piped in on one line for scripts (``--password-stdin``).
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable

from sqlalchemy.engine import Engine

from app.accounts.models import Facilitator
from app.accounts.service import AccountError, create_facilitator, reset_password, set_disabled
from app.db import make_engine, migrate
from app.settings import Settings


def _read_password(password_stdin: bool) -> str | None:
    """The new password, or ``None`` (with the reason on stderr) if the two typed differ."""
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Wachtwoord: ")
    if getpass.getpass("Nog een keer: ") != password:
        print("De wachtwoorden verschillen.", file=sys.stderr)
        return None
    return password


def _run(settings: Settings, action: Callable[[Engine], Facilitator], done: str) -> int:
    """Migrate, run ``action``, print ``done`` (formatted with the account) or the refusal."""
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        facilitator = action(engine)
    except AccountError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(done.format(name=facilitator.name, email=facilitator.email))
    return 0


def create_facilitator_command(
    settings: Settings, *, email: str, name: str, password_stdin: bool
) -> int:
    """Create an account and return the exit code (1 with the reason on stderr when refused)."""
    password = _read_password(password_stdin)
    if password is None:
        return 1
    return _run(
        settings,
        lambda engine: create_facilitator(engine, email=email, name=name, password=password),
        "Account aangemaakt voor {name} <{email}>.",
    )


def reset_password_command(settings: Settings, *, email: str, password_stdin: bool) -> int:
    """Set a new password for someone who forgot theirs; every session of the account ends."""
    password = _read_password(password_stdin)
    if password is None:
        return 1
    return _run(
        settings,
        lambda engine: reset_password(engine, email=email, password=password),
        "Nieuw wachtwoord ingesteld voor {name} <{email}>. Alle sessies zijn beëindigd.",
    )


def set_disabled_command(settings: Settings, *, email: str, disabled: bool) -> int:
    """Disable an account (it cannot log in, its sessions end at once) or enable it again."""
    done = (
        "Account van {name} <{email}> uitgeschakeld; alle sessies zijn beëindigd."
        if disabled
        else "Account van {name} <{email}> weer ingeschakeld."
    )
    return _run(settings, lambda engine: set_disabled(engine, email=email, disabled=disabled), done)
