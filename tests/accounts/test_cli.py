"""``atelier create-facilitator``, called in-process: password from stdin or typed twice."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from app.accounts import cli
from app.accounts.service import authenticate
from app.accounts.sessions import facilitator_for_session, start_session
from app.settings import Settings
from tests.accounts.factories import PASSWORD, make_facilitator, migrated_engine


def typed(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[str]:
    """Feed ``getpass`` the given answers; returns the prompts it showed."""
    prompts: list[str] = []
    queue: Iterator[str] = iter(answers)

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(queue)

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    return prompts


def can_log_in(settings: Settings, email: str, password: str) -> bool:
    with migrated_engine(settings.database_url) as engine:
        return authenticate(engine, email=email, password=password) is not None


def test_password_from_stdin_migrates_and_creates_the_account(settings, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\r\n"))
    code = cli.create_facilitator_command(
        settings, email="Fenna@Gemeente.nl", name="Fenna", password_stdin=True
    )
    assert code == 0
    assert "Fenna <fenna@gemeente.nl>" in capsys.readouterr().out
    assert can_log_in(settings, "fenna@gemeente.nl", PASSWORD)


def test_typed_password_is_asked_twice(settings, monkeypatch, capsys):
    prompts = typed(monkeypatch, PASSWORD, PASSWORD)
    code = cli.create_facilitator_command(
        settings, email="fenna@gemeente.nl", name="Fenna", password_stdin=False
    )
    assert code == 0 and len(prompts) == 2
    assert can_log_in(settings, "fenna@gemeente.nl", PASSWORD)


def test_two_different_typed_passwords_create_nothing(settings, monkeypatch, capsys):
    typed(monkeypatch, PASSWORD, PASSWORD + "x")
    code = cli.create_facilitator_command(
        settings, email="fenna@gemeente.nl", name="Fenna", password_stdin=False
    )
    assert code == 1
    assert "verschillen" in capsys.readouterr().err
    assert not can_log_in(settings, "fenna@gemeente.nl", PASSWORD)


def test_a_refused_account_exits_1_with_the_reason(settings, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("kort\n"))
    code = cli.create_facilitator_command(
        settings, email="fenna@gemeente.nl", name="Fenna", password_stdin=True
    )
    captured = capsys.readouterr()
    assert code == 1
    assert "minstens 10 tekens" in captured.err and captured.out == ""


def test_reset_password_sets_a_new_one_and_ends_every_session(settings, monkeypatch, capsys):
    with migrated_engine(settings.database_url) as engine:
        fenna = make_facilitator(engine, email="fenna@gemeente.nl")
        assert fenna.id is not None
        session_id = start_session(engine, settings, fenna.id)
    typed(monkeypatch, "nieuw-en-ook-geheim", "nieuw-en-ook-geheim")
    code = cli.reset_password_command(settings, email="Fenna@gemeente.nl", password_stdin=False)
    assert code == 0 and "sessies zijn beëindigd" in capsys.readouterr().out
    assert can_log_in(settings, "fenna@gemeente.nl", "nieuw-en-ook-geheim")
    assert not can_log_in(settings, "fenna@gemeente.nl", PASSWORD)
    with migrated_engine(settings.database_url) as engine:
        assert facilitator_for_session(engine, settings, session_id) is None


def test_reset_password_refuses_an_unknown_email_and_a_weak_password(settings, monkeypatch, capsys):
    with migrated_engine(settings.database_url) as engine:
        make_facilitator(engine, email="fenna@gemeente.nl")
    monkeypatch.setattr("sys.stdin", io.StringIO("nieuw-en-ook-geheim\n"))
    assert cli.reset_password_command(settings, email="x@gemeente.nl", password_stdin=True) == 1
    assert "geen account" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("wachtwoord123\n"))
    assert cli.reset_password_command(settings, email="fenna@gemeente.nl", password_stdin=True) == 1
    assert "te makkelijk te raden" in capsys.readouterr().err
    assert can_log_in(settings, "fenna@gemeente.nl", PASSWORD)


def test_a_disabled_account_cannot_log_in_until_enabled(settings, capsys):
    with migrated_engine(settings.database_url) as engine:
        fenna = make_facilitator(engine, email="fenna@gemeente.nl")
        assert fenna.id is not None
        session_id = start_session(engine, settings, fenna.id)
    assert cli.set_disabled_command(settings, email="fenna@gemeente.nl", disabled=True) == 0
    assert "uitgeschakeld" in capsys.readouterr().out
    assert not can_log_in(settings, "fenna@gemeente.nl", PASSWORD)
    with migrated_engine(settings.database_url) as engine:
        assert facilitator_for_session(engine, settings, session_id) is None
    assert cli.set_disabled_command(settings, email="fenna@gemeente.nl", disabled=False) == 0
    assert can_log_in(settings, "fenna@gemeente.nl", PASSWORD)
    assert cli.set_disabled_command(settings, email="x@gemeente.nl", disabled=True) == 1


def test_the_commands_are_registered(settings, monkeypatch):
    from app import cli as main_cli

    for command in ("reset-password", "disable-facilitator", "enable-facilitator"):
        with pytest.raises(SystemExit) as shown:
            main_cli.main([command, "--help"])
        assert shown.value.code == 0
