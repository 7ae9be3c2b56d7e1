"""Every operator setting, read once from ``ATELIER_*`` environment variables.

One place for each knob: the rest of the code receives a :class:`Settings` instance
(on ``app.state.settings``) instead of reading the environment itself.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from pydantic import Field, PrivateAttr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from app.theme import Theme


class Settings(BaseSettings):
    """Operator configuration. Defaults run a workshop on one laptop with SQLite."""

    model_config = SettingsConfigDict(env_prefix="ATELIER_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str = ""
    public_url: str = "http://127.0.0.1:8000"
    secret_key: str = ""
    broker_url: str = Field(
        default="",
        description="how processes tell each other 'workshop N reached seq S': empty chooses "
        "postgres:// (LISTEN/NOTIFY) on PostgreSQL and memory:// (one process) on SQLite",
    )
    host: str = "127.0.0.1"
    port: int = 8000

    image_dir: Path = Field(default=Path(), description="default: <data_dir>/images")
    max_upload_bytes: int = 15 * 1024 * 1024
    images_per_participant: int = 20
    uploads_per_minute: int = 6

    # Scale-out: several processes and hosts (docs/deploy.md)
    redis_url: str = Field(
        default="",
        description="redis://host:6379/0 shares presence and rate limits between processes; "
        "empty keeps them in this process (enough for one process)",
    )
    workers: int = Field(
        default=1, ge=1, le=64, description="server processes `atelier serve` starts (PostgreSQL)"
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="further addresses (scheme://host[:port]) the pages and the live socket may "
        'be opened under, beside ATELIER_PUBLIC_URL; JSON list, e.g. ["http://192.168.1.20:8000"]',
    )

    @field_validator("allowed_origins")
    @classmethod
    def _origins_are_origins(cls, value: list[str]) -> list[str]:
        """Each entry as browsers send ``Origin``; a path, a wildcard or a typo fails at start."""
        return [normalised_origin(entry) for entry in value]

    log_format: Literal["text", "json"] = Field(
        default="text", description="json: one JSON object per log line"
    )
    log_level: Literal["debug", "info", "warning"] = Field(
        default="info",
        description="the app's log level; debug adds the traceback of a command that failed",
    )
    metrics_token: str = Field(
        default="",
        description="/metrics requires `Authorization: Bearer <token>`; empty: /metrics answers "
        "only loopback and private addresses (docs/observability.md)",
    )

    # Real-time room
    ws_max_size: int = Field(default=65_536, description="uvicorn drops frames above this (1009)")
    message_max_bytes: int = Field(default=16_384, description="larger frames get an error")
    send_queue_size: int = 512
    max_replay_events: int = 500
    heartbeat_seconds: float = 20.0
    tally_interval_seconds: float = Field(
        default=0.1, gt=0, description="at most one vote tally per interval (to staff screens)"
    )
    presence_interval_seconds: float = 0.5
    room_poll_seconds: float = 5.0
    frames_per_second: float = Field(
        default=10.0, description="frames one sender may send, across all of its sockets"
    )
    frames_burst: float = 30.0
    sockets_per_sender: int = Field(
        default=4, ge=1, description="open sockets per participant, screen or facilitator"
    )
    sockets_before_hello_per_address: int = Field(
        default=200,
        ge=1,
        description="sockets from one address (IPv6: its /64) that have not said hello yet, "
        "per process; more are closed with 4029 and reconnect a few seconds later",
    )
    session_recheck_seconds: float = Field(
        default=30.0,
        description="how often open facilitator and projector sockets re-check their credential",
    )

    # Privacy
    retention_days: int = Field(
        default=0,
        ge=0,
        description="scrub participant details after this many quiet days (0: never)",
    )
    min_group_size: int = Field(
        default=3,
        ge=2,
        description="k: a stakeholder group with fewer people is merged or suppressed wherever "
        "ratings, votes or contributions are shown per group",
    )
    suggestions: bool = Field(
        default=True,
        description="offer cluster, name and duplicate suggestions from the local model on the "
        "console's board (needs the 'suggest' extra; no card text ever leaves the server)",
    )

    # Network
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="addresses of reverse proxies whose X-Forwarded-For is believed; "
        'JSON list of addresses or networks, e.g. ["10.0.0.5", "10.1.0.0/16"], or ["*"]',
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: list[str]) -> list[str]:
        """Each entry an IP address, a network or ``*``. uvicorn quietly keeps anything else as
        a literal that no connection ever matches, so a typo ("10.0.0.5:443", a host name) would
        leave every visitor counted as the proxy's one address: refused at start instead."""
        tidy = [entry.strip() for entry in value]
        if "*" in tidy:
            if len(tidy) > 1:
                raise ValueError('"*" trusts every address; list it alone')
            return tidy
        for entry in tidy:
            try:
                ipaddress.ip_network(entry) if "/" in entry else ipaddress.ip_address(entry)
            except ValueError as error:
                raise ValueError(
                    f"{entry!r} is not an IP address or network (e.g. 10.0.0.5 or 10.1.0.0/16)"
                ) from error
        return tidy

    # Joining
    join_failures_per_minute: int = 10
    joins_per_address: int = Field(
        default=1000,
        ge=1,
        description="joins with the right code from one address (IPv6: its /64) per "
        "join_window_minutes: a whole town hall behind one NAT address fits (docs/security.md)",
    )
    joins_per_workshop: int = Field(
        default=1500,
        ge=1,
        description="joins into one workshop per join_window_minutes, from all addresses",
    )
    join_window_minutes: int = Field(
        default=10, ge=1, le=1440, description="the window of both join limits"
    )
    session_max_age_days: int = 14

    # Accounts
    session_idle_minutes: int = Field(
        default=8 * 60, ge=1, description="a facilitator session unused this long ends"
    )
    login_failures_per_account: int = Field(
        default=5, ge=1, description="wrong passwords for one email address per window"
    )
    login_failures_per_address: int = Field(
        default=50, ge=1, description="wrong passwords from one network address per window"
    )
    login_failure_window_minutes: int = Field(default=15, ge=1)
    password_hashes_at_once: int = Field(
        default=2, ge=1, description="Argon2 hashes in parallel (64 MiB each); others queue"
    )
    password_hash_wait_seconds: float = Field(
        default=10.0, ge=0, description="a login queued longer than this gets 503"
    )

    # Sign-in with the organisation's account: OpenID Connect (docs/sign-in.md)
    oidc_discovery_url: str = Field(
        default="",
        description="the provider's https://…/.well-known/openid-configuration; set, "
        "facilitators can log in with the organisation's account",
    )
    oidc_client_id: str = Field(default="", max_length=500, description="the app's client id")
    oidc_client_secret: str = Field(
        default="", description="the app's client secret (or ATELIER_OIDC_CLIENT_SECRET_FILE)"
    )
    oidc_client_secret_file: Path | None = Field(
        default=None, description="a file holding the client secret (a Kubernetes secret)"
    )
    oidc_organisation: str = Field(
        default="",
        max_length=80,
        description="the organisation on the login button: 'Inloggen met <organisation>'",
    )
    oidc_scopes: str = Field(
        default="openid email profile", description="scopes asked for; must include openid"
    )
    oidc_allowed_domains: list[str] = Field(
        default_factory=list,
        description="e-mail domains whose people get an account at their first login (only "
        'with email_verified true); JSON list, e.g. ["gemeente.example"]',
    )
    oidc_groups_claim: str = Field(
        default="groups", description="the claim with the person's groups or roles"
    )
    oidc_allowed_groups: list[str] = Field(
        default_factory=list,
        description="values of that claim that let a person in; JSON list",
    )
    oidc_only: bool = Field(
        default=False,
        description="switch local passwords off: facilitators log in only with the "
        "organisation's account",
    )

    @model_validator(mode="after")
    def _oidc_is_complete(self) -> Settings:
        """An incomplete sign-in configuration stops the start with a sentence that says what
        is missing, rather than a login button that fails in front of a facilitator."""
        from app.accounts.oidc_settings import checked_oidc_settings

        checked_oidc_settings(self)
        return self

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if "public_url" not in self.model_fields_set:
            # The address this server listens on, so that ATELIER_PORT=8101 alone gives links
            # and a setup link that work; still "not set" (app/web/address.py tells them apart).
            self.public_url = listening_url(self.host, self.port)
            self.__pydantic_fields_set__.discard("public_url")
        if self.image_dir == Path():
            self.image_dir = self.data_dir / "images"
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'atelier.db'}"
        if not self.secret_key:
            if self.environment == "production":
                raise ValueError("ATELIER_SECRET_KEY must be set in production")
            self.secret_key = _development_secret(self.data_dir)
        elif self.environment == "production" and len(self.secret_key) < 32:
            raise ValueError("ATELIER_SECRET_KEY must be at least 32 characters in production")
        return self

    # Hardening
    max_body_bytes: int = Field(
        default=65_536, ge=1024, description="largest JSON or form body; larger gets 413"
    )
    max_image_pixels: int = Field(
        default=24_000_000,
        ge=1,
        description="larger photos are refused before decoding (phones send at most 2048 px)",
    )
    image_decodes_at_once: int = Field(
        default=2, ge=1, description="photos decoded at the same time; others wait their turn"
    )
    images_per_workshop: int = Field(default=300, ge=0, description="photos in one workshop")
    join_wrong_code_delay_seconds: float = Field(
        default=3.0,
        ge=0,
        description="after too many wrong codes from one address, each further wrong code "
        "from it is answered one at a time, this long apart",
    )

    @model_validator(mode="after")
    def _production_is_safe(self) -> Settings:
        if self.environment != "production":
            return self
        if not self.public_url.startswith("https://"):
            raise ValueError("ATELIER_PUBLIC_URL must start with https:// in production")
        if "change" in self.secret_key.lower():  # a placeholder left in a template
            raise ValueError(f"ATELIER_SECRET_KEY is too predictable: {MAKE_A_SECRET}")
        from app.accounts.policy import PRODUCT_WORDS, dutch_words
        from app.guessing import guessing_bits

        bits = guessing_bits(self.secret_key, known=(*PRODUCT_WORDS, *dutch_words()))
        if bits < MIN_SECRET_BITS:
            raise ValueError(
                f"ATELIER_SECRET_KEY is too predictable (about {bits:.0f} bits where "
                f"{MIN_SECRET_BITS} are needed): {MAKE_A_SECRET}"
            )
        return self

    @property
    def public_origin(self) -> str:
        """``scheme://host[:port]`` of the public URL, as browsers send it in ``Origin``."""
        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}".lower()

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    # Privacy page
    privacy_organisation: str = Field(
        default="",
        max_length=200,
        description="the organisation responsible for participants' data, named on /privacy",
    )
    privacy_contact: str = Field(
        default="",
        max_length=300,
        description="email address or https:// address where people ask about their data",
    )
    privacy_page: Path | None = Field(
        default=None,
        description="Markdown file that replaces the built-in /privacy text; {lang} in the "
        "name becomes nl or en (Dutch is the fallback)",
    )

    @model_validator(mode="after")
    def _privacy_page_exists(self) -> Settings:
        """A mistyped path fails at start-up, not as a silent fallback in front of residents."""
        if self.privacy_page is not None and str(self.privacy_page) in ("", "."):
            self.privacy_page = None  # ATELIER_PRIVACY_PAGE= (empty) means: no own text
        if self.privacy_page is not None:
            dutch = Path(str(self.privacy_page).replace("{lang}", "nl"))
            if not dutch.is_file():
                raise ValueError(f"ATELIER_PRIVACY_PAGE: no such file: {dutch}")
        return self

    # The organisation's own look
    theme_dir: Path | None = Field(
        default=None,
        description="folder with theme.json (the organisation's name, colours as NL Design "
        "System tokens) and logo.svg and/or logo.png; read and checked once at start "
        "(docs/theming.md)",
    )
    _theme: Theme | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _theme_is_usable(self) -> Settings:
        """A theme that fails contrast or has an unsafe logo stops the start: never half a look."""
        if self.theme_dir is not None and str(self.theme_dir) in ("", "."):
            self.theme_dir = None  # ATELIER_THEME_DIR= (empty) means: the app's own look
        if self.theme_dir is not None:
            from app.theme import load_theme

            self._theme = load_theme(self.theme_dir)
        return self

    @property
    def theme(self) -> Theme | None:
        """The checked theme of ``theme_dir``, or ``None`` for the app's own look."""
        return self._theme


#: How hard the production secret key must be to guess (:func:`app.guessing.guessing_bits`):
#: 32 random bytes (``token_urlsafe(32)``) come to about 140 by that estimate.
MIN_SECRET_BITS = 128
MAKE_A_SECRET = (
    "use 32 random bytes, e.g. the output of "
    "python3 -c 'import secrets; print(secrets.token_urlsafe(32))' (or openssl rand -base64 48)"
)

DEFAULT_PORTS = {"http": 80, "https": 443}
#: Hosts that mean "every interface": no browser can open them, loopback stands in.
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def listening_url(host: str, port: int, *, wildcard: str = "127.0.0.1") -> str:
    """``http://host:port`` for a server listening on ``host`` and ``port``; a wildcard host
    (``0.0.0.0``, ``::``) becomes ``wildcard``, an IPv6 address goes in brackets."""
    host = host.strip().strip("[]")
    if host in WILDCARD_HOSTS:
        host = wildcard
    shown = f"[{host}]" if ":" in host else host
    return normalised_origin(f"http://{shown}:{port}")


_HOST = re.compile(r"[a-z0-9.-]+|\[[0-9a-f:.]+\]")


def normalised_origin(value: str) -> str:
    """``scheme://host[:port]`` as a browser sends it in ``Origin``, or ValueError.

    Lower case, without a trailing slash or dot, without the scheme's default port
    (``HTTP://Host.example:80/`` is ``http://host.example``). Only ``http`` and ``https``.
    """
    example = "e.g. http://192.168.1.20:8000"
    parts = urlsplit(value.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{value!r}: the port is not a number from 0 to 65535") from None
    host = (parts.hostname or "").rstrip(".")
    host = f"[{host}]" if ":" in host else host  # IPv6, in brackets as in a URL
    if scheme not in DEFAULT_PORTS or not _HOST.fullmatch(host):
        raise ValueError(f"{value!r}: expected http:// or https:// and a host name, {example}")
    if parts.username is not None or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{value!r}: only scheme://host[:port], no path, {example}")
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def _development_secret(data_dir: Path) -> str:
    """A per-install secret kept in the data folder, so sessions survive restarts in dev."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # only the server reads it
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
