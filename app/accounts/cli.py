"""``atelier create-facilitator``: make an account from the command line."""

from __future__ import annotations

import getpass
import sys

from app.accounts.service import AccountError, create_facilitator
from app.db import make_engine, migrate
from app.settings import Settings


def create_facilitator_command(
    settings: Settings, *, email: str, name: str, password_stdin: bool
) -> int:
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Wachtwoord: ")
        if getpass.getpass("Nog een keer: ") != password:
            print("De wachtwoorden verschillen.", file=sys.stderr)
            return 1
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        facilitator = create_facilitator(engine, email=email, name=name, password=password)
    except AccountError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"Account aangemaakt voor {facilitator.name} <{facilitator.email}>.")
    return 0
