"""An incomplete sign-in configuration stops the start with a sentence that says what to set;
a complete one is completed (the secret from its file, the domains as the claims spell them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.accounts.oidc_settings import oidc_enabled, passwords_enabled
from app.settings import Settings

DISCOVERY = "https://login.gemeente.example/realms/atelier/.well-known/openid-configuration"
COMPLETE = {
    "oidc_discovery_url": DISCOVERY,
    "oidc_client_id": "opgave-atelier",
    "oidc_client_secret": "s3cret",
    "oidc_allowed_domains": ["@Gemeente.Example"],
}


def settings(tmp_path: Path, **fields: object) -> Settings:
    return Settings.model_validate({"data_dir": tmp_path, "secret_key": "x" * 40, **fields})


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        ({"oidc_client_id": "a"}, "ATELIER_OIDC_CLIENT_ID is set but ATELIER_OIDC_DISCOVERY_URL"),
        ({"oidc_only": True}, "ATELIER_OIDC_ONLY is set but ATELIER_OIDC_DISCOVERY_URL"),
        ({**COMPLETE, "oidc_discovery_url": "https://login.gemeente.example/"}, "not a discovery"),
        ({**COMPLETE, "oidc_client_id": ""}, "ATELIER_OIDC_CLIENT_ID is not set"),
        ({**COMPLETE, "oidc_client_secret": ""}, "ATELIER_OIDC_CLIENT_SECRET (or"),
        ({**COMPLETE, "oidc_client_secret_file": __file__}, "not both"),
        ({**COMPLETE, "oidc_allowed_domains": []}, "set ATELIER_OIDC_ALLOWED_DOMAINS or"),
        ({**COMPLETE, "oidc_scopes": "email profile"}, "must include openid"),
    ],
    ids=[
        "no-url",
        "only-without-url",
        "not-discovery",
        "no-id",
        "no-secret",
        "both-secrets",
        "nobody-admitted",
        "no-openid",
    ],
)
def test_an_incomplete_configuration_is_refused_with_a_sentence(
    tmp_path: Path, fields: dict[str, object], sentence: str
):
    with pytest.raises(ValidationError, match=sentence.replace("(", r"\(")):
        settings(tmp_path, **fields)


def test_production_needs_https_for_the_provider(tmp_path: Path):
    with pytest.raises(ValidationError, match="must start with https:// in production"):
        settings(
            tmp_path,
            **{**COMPLETE, "oidc_discovery_url": DISCOVERY.replace("https", "http")},
            environment="production",
            public_url="https://atelier.gemeente.example",
            secret_key="Vb3q-tY8w_Zr5m1KpL0x2nHs7cJd4fGe6aU9iO-TQ",
        )


def test_the_secret_comes_from_a_file_and_domains_are_normalised(tmp_path: Path):
    secret = tmp_path / "client-secret"
    secret.write_text("uit-een-kubernetes-secret\n")
    unreadable = {**COMPLETE, "oidc_client_secret": "", "oidc_client_secret_file": tmp_path / "x"}
    with pytest.raises(ValidationError, match="cannot be read"):
        settings(tmp_path, **unreadable)

    made = settings(tmp_path, **{**unreadable, "oidc_client_secret_file": secret})
    assert made.oidc_client_secret == "uit-een-kubernetes-secret"
    assert made.oidc_allowed_domains == ["gemeente.example"]
    assert oidc_enabled(made) and passwords_enabled(made)
    assert not passwords_enabled(settings(tmp_path, **COMPLETE, oidc_only=True))
    assert passwords_enabled(settings(tmp_path)) and not oidc_enabled(settings(tmp_path))
