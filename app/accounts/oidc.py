"""The app as an OpenID Connect client of the organisation's provider (Entra ID, Keycloak, …).

The authorisation code flow with PKCE (S256), ``state`` and ``nonce``; the provider found by its
discovery document; the ID token checked (signature against the provider's JWKS, ``iss``,
``aud``, ``exp``, ``iat``, ``nonce``, ``azp``, ``at_hash``) by Authlib's ``CodeIDToken`` on
joserfc, the same checks Authlib's own framework clients make. Authlib's framework clients are
not used whole: they keep the flow's secrets in a server-side session store this app does not
have, and its httpx client warns of a change of HTTP library. The flow's secrets travel instead
in a signed, short-lived cookie (:mod:`app.accounts.oidc_routes`), so any server process can
finish a login another one started.

One :class:`OidcClient` per process (on ``app.state``); it keeps the discovery document and the
provider's keys for an hour, and fetches the keys again when a token names a key it does not
know (the provider rotated them).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

import httpx
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from app.accounts.oidc_settings import CALLBACK_PATH, issuer_of
from app.settings import Settings

#: How long the discovery document and the keys are kept before they are fetched again.
CACHE_SECONDS = 3600
#: Clock difference between this server and the provider that is forgiven (``exp``, ``iat``).
LEEWAY_SECONDS = 60
TIMEOUT_SECONDS = 10.0


class ProviderError(Exception):
    """The provider could not be reached, answered something unusable, or its token failed a
    check. The message is for the log, never for the person (they see a plain sentence)."""


@dataclass(frozen=True)
class Flow:
    """The secrets of one login in progress: kept by the browser (signed), checked on return."""

    state: str
    nonce: str
    verifier: str


@dataclass(frozen=True)
class SignedIn:
    """What the provider said about the person, after every check passed."""

    issuer: str
    subject: str
    claims: dict[str, Any]
    id_token: str


class OidcClient:
    """The provider's endpoints and keys, and the three calls a login makes to it."""

    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        self.issuer = issuer_of(settings.oidc_discovery_url)
        self.redirect_uri = settings.public_url.rstrip("/") + CALLBACK_PATH
        self._transport = transport
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None
        self._keys_at = 0.0

    def _http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            timeout=TIMEOUT_SECONDS, transport=self._transport, follow_redirects=False
        )

    async def _get_json(self, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            async with self._http() as http:
                response = await http.get(url, **kwargs)
                response.raise_for_status()
                data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderError(f"GET {url}: {exc}") from exc
        if not isinstance(data, dict):
            raise ProviderError(f"GET {url}: not a JSON object")
        return data

    async def metadata(self) -> dict[str, Any]:
        """The discovery document, checked to belong to the configured issuer."""
        if self._metadata is not None and time.monotonic() - self._metadata_at < CACHE_SECONDS:
            return self._metadata
        data = await self._get_json(self.settings.oidc_discovery_url)
        if data.get("issuer") != self.issuer:
            raise ProviderError(
                f"the discovery document names issuer {data.get('issuer')!r}, not {self.issuer!r}"
            )
        for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(data.get(endpoint), str):
                raise ProviderError(f"the discovery document has no {endpoint}")
        self._metadata, self._metadata_at = data, time.monotonic()
        return data

    async def _key_set(self, *, fresh: bool = False) -> KeySet:
        if (
            not fresh
            and self._keys is not None
            and time.monotonic() - self._keys_at < CACHE_SECONDS
        ):
            return self._keys
        jwks = await self._get_json((await self.metadata())["jwks_uri"])
        try:
            self._keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise ProviderError(f"the provider's keys cannot be read: {exc}") from exc
        self._keys_at = time.monotonic()
        return self._keys

    async def end_session_endpoint(self) -> str | None:
        """Where to send the browser to log out at the provider, if it offers that."""
        try:
            endpoint = (await self.metadata()).get("end_session_endpoint")
        except ProviderError:
            return None
        return endpoint if isinstance(endpoint, str) else None

    # ------------------------------------------------------------------------- the flow

    @staticmethod
    def new_flow() -> Flow:
        """Fresh ``state``, ``nonce`` and PKCE verifier (43+ characters, as RFC 7636 asks)."""
        return Flow(state=generate_token(32), nonce=generate_token(32), verifier=generate_token(64))

    async def authorization_url(self, flow: Flow, *, language: str) -> str:
        """Where the browser goes to log in at the provider."""
        endpoint = (await self.metadata())["authorization_endpoint"]
        params = {
            "response_type": "code",
            "client_id": self.settings.oidc_client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.settings.oidc_scopes,
            "state": flow.state,
            "nonce": flow.nonce,
            "code_challenge": create_s256_code_challenge(flow.verifier),  # type: ignore[no-untyped-call]
            "code_challenge_method": "S256",
            "ui_locales": language,
        }
        return str(add_params_to_uri(endpoint, params))

    async def finish(self, flow: Flow, *, code: str) -> SignedIn:
        """Exchange the code (with the PKCE verifier), check the ID token, read the person's
        claims: those of the ID token, completed from the userinfo endpoint when the provider
        has one (many send e-mail and groups only there)."""
        metadata = await self.metadata()
        token = await self._exchange(metadata["token_endpoint"], flow, code)
        id_token = token.get("id_token")
        access_token = token.get("access_token")
        if not isinstance(id_token, str) or not isinstance(access_token, str):
            raise ProviderError("the token response has no id_token or access_token")
        claims = await self._checked_id_token(id_token, access_token, nonce=flow.nonce)
        userinfo_endpoint = metadata.get("userinfo_endpoint")
        if isinstance(userinfo_endpoint, str):
            userinfo = await self._get_json(
                userinfo_endpoint, headers={"Authorization": f"Bearer {access_token}"}
            )
            if userinfo.get("sub") != claims["sub"]:
                raise ProviderError("userinfo is about another subject than the ID token")
            claims = {**userinfo, **claims}  # the signed token wins where both say something
        return SignedIn(
            issuer=self.issuer, subject=str(claims["sub"]), claims=claims, id_token=id_token
        )

    async def _exchange(self, endpoint: str, flow: Flow, code: str) -> dict[str, Any]:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": flow.verifier,
        }
        # client_secret_basic, the default every provider supports (RFC 6749 section 2.3.1:
        # id and secret form-encoded before they are joined).
        auth = httpx.BasicAuth(
            _form_encoded(self.settings.oidc_client_id),
            _form_encoded(self.settings.oidc_client_secret),
        )
        try:
            async with self._http() as http:
                response = await http.post(
                    endpoint, data=form, auth=auth, headers={"Accept": "application/json"}
                )
                data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderError(f"POST {endpoint}: {exc}") from exc
        if response.status_code != 200 or not isinstance(data, dict):
            raise ProviderError(f"POST {endpoint}: {response.status_code} {data!r:.300}")
        return data

    async def _checked_id_token(
        self, id_token: str, access_token: str, *, nonce: str
    ) -> dict[str, Any]:
        metadata = await self.metadata()
        algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        registry = JWSRegistry(algorithms=[a for a in algorithms if a != "none"])
        try:
            try:
                token = jwt.decode(id_token, await self._key_set(), registry=registry)
            except InvalidKeyIdError:
                token = jwt.decode(id_token, await self._key_set(fresh=True), registry=registry)
            claims = CodeIDToken(
                token.claims,
                token.header,
                {
                    "iss": {"essential": True, "value": self.issuer},
                    "aud": {"essential": True, "value": self.settings.oidc_client_id},
                },
                {
                    "nonce": nonce,
                    "client_id": self.settings.oidc_client_id,
                    "access_token": access_token,
                },
            )
            claims.validate(leeway=LEEWAY_SECONDS)
        except (JoseError, ValueError) as exc:
            raise ProviderError(f"the ID token failed a check: {exc}") from exc
        return dict(claims)

    async def logout_url(
        self, *, id_token: str | None, post_logout_redirect_uri: str
    ) -> str | None:
        """RP-initiated logout at the provider, or ``None`` when it offers none."""
        endpoint = await self.end_session_endpoint()
        if endpoint is None:
            return None
        params = {
            "client_id": self.settings.oidc_client_id,
            "post_logout_redirect_uri": post_logout_redirect_uri,
        }
        if id_token:
            params["id_token_hint"] = id_token
        return str(add_params_to_uri(endpoint, params))


def _form_encoded(value: str) -> str:
    return quote_plus(value)
