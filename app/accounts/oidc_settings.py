"""The sign-in settings (``ATELIER_OIDC_*``) checked together at start.

A half-configured provider would show a login button that fails in front of a facilitator, or
worse, let in everyone the provider knows; so the start stops instead, with one sentence that
says what to set. The settings themselves are fields of :class:`app.settings.Settings`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from app.settings import Settings

DISCOVERY_PATH = "/.well-known/openid-configuration"
#: Where the provider sends the browser back to, after ``ATELIER_PUBLIC_URL``.
CALLBACK_PATH = "/login/oidc/callback"


def oidc_enabled(settings: Settings) -> bool:
    """Whether facilitators can log in with the organisation's account."""
    return bool(settings.oidc_discovery_url)


def passwords_enabled(settings: Settings) -> bool:
    """Whether the login page offers, and the app accepts, a local password."""
    return not (oidc_enabled(settings) and settings.oidc_only)


def issuer_of(discovery_url: str) -> str:
    """The issuer a discovery URL belongs to: the URL without ``/.well-known/…``.

    OpenID Connect Discovery requires the document's ``issuer`` to be exactly this, which is
    how a document served from somewhere else is recognised.
    """
    return discovery_url[: -len(DISCOVERY_PATH)]


def checked_oidc_settings(settings: Settings) -> None:
    """Complete the sign-in settings (the secret from its file, domains in lower case) or raise
    ``ValueError`` with a sentence for the operator."""
    named = {
        "ATELIER_OIDC_CLIENT_ID": settings.oidc_client_id,
        "ATELIER_OIDC_CLIENT_SECRET": settings.oidc_client_secret,
        "ATELIER_OIDC_CLIENT_SECRET_FILE": settings.oidc_client_secret_file,
        "ATELIER_OIDC_ALLOWED_DOMAINS": settings.oidc_allowed_domains,
        "ATELIER_OIDC_ALLOWED_GROUPS": settings.oidc_allowed_groups,
        "ATELIER_OIDC_ONLY": settings.oidc_only,
    }
    url = settings.oidc_discovery_url.strip()
    settings.oidc_discovery_url = url
    if not url:
        given = [name for name, value in named.items() if value]
        if given:
            raise ValueError(
                f"{given[0]} is set but ATELIER_OIDC_DISCOVERY_URL is not: set the provider's "
                "discovery URL, or remove the ATELIER_OIDC_ settings (docs/sign-in.md)"
            )
        return
    parts = urlsplit(url)
    if (
        parts.scheme not in ("https", "http")
        or not parts.netloc
        or not url.endswith(DISCOVERY_PATH)
    ):
        raise ValueError(
            f"ATELIER_OIDC_DISCOVERY_URL {url!r} is not a discovery URL: expected "
            f"https://<provider>/…{DISCOVERY_PATH}"
        )
    if settings.environment == "production" and parts.scheme != "https":
        raise ValueError("ATELIER_OIDC_DISCOVERY_URL must start with https:// in production")
    if not settings.oidc_client_id.strip():
        raise ValueError(
            "ATELIER_OIDC_CLIENT_ID is not set: register the app with the provider and set "
            "its client id"
        )
    _read_secret(settings)
    if "openid" not in settings.oidc_scopes.split():
        raise ValueError("ATELIER_OIDC_SCOPES must include openid")
    settings.oidc_allowed_domains = [
        domain.strip().lstrip("@").lower() for domain in settings.oidc_allowed_domains
    ]
    if not any(settings.oidc_allowed_domains) and not any(settings.oidc_allowed_groups):
        raise ValueError(
            "set ATELIER_OIDC_ALLOWED_DOMAINS or ATELIER_OIDC_ALLOWED_GROUPS (or both): without "
            "either, nobody the provider knows could be told apart from a facilitator"
        )
    if not settings.oidc_groups_claim.strip():
        raise ValueError("ATELIER_OIDC_GROUPS_CLAIM must name a claim (default: groups)")


def _read_secret(settings: Settings) -> None:
    path = settings.oidc_client_secret_file
    if path is not None and str(path) in ("", "."):
        path = settings.oidc_client_secret_file = None  # set but empty: no file
    if path is not None:
        try:
            from_file = path.read_text().strip()
        except OSError as exc:
            raise ValueError(
                f"ATELIER_OIDC_CLIENT_SECRET_FILE {str(path)!r} cannot be read: {exc.strerror}"
            ) from None
        # Checked against the file's text, not for emptiness: validating again is harmless.
        if settings.oidc_client_secret and settings.oidc_client_secret != from_file:
            raise ValueError(
                "set ATELIER_OIDC_CLIENT_SECRET or ATELIER_OIDC_CLIENT_SECRET_FILE, not both"
            )
        settings.oidc_client_secret = from_file
    if not settings.oidc_client_secret:
        raise ValueError(
            "ATELIER_OIDC_CLIENT_SECRET (or ATELIER_OIDC_CLIENT_SECRET_FILE) is not set: the "
            "provider gives the app a client secret when it is registered"
        )
