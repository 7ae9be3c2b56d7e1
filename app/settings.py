"""Every operator setting, read once from ``ATELIER_*`` environment variables.

One place for each knob: the rest of the code receives a :class:`Settings` instance
(on ``app.state.settings``) instead of reading the environment itself.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Operator configuration. Defaults run a workshop on one laptop with SQLite."""

    model_config = SettingsConfigDict(env_prefix="ATELIER_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str = ""
    public_url: str = "http://127.0.0.1:8000"
    secret_key: str = ""
    broker_url: str = Field(default="memory://", description="memory:// (one process) or redis://")
    host: str = "127.0.0.1"
    port: int = 8000

    image_dir: Path = Field(default=Path(), description="default: <data_dir>/images")
    max_upload_bytes: int = 15 * 1024 * 1024
    images_per_participant: int = 20
    uploads_per_minute: int = 6

    # Real-time room
    ws_max_size: int = Field(default=65_536, description="uvicorn drops frames above this (1009)")
    message_max_bytes: int = Field(default=16_384, description="larger frames get an error")
    send_queue_size: int = 512
    max_replay_events: int = 500
    heartbeat_seconds: float = 20.0
    tally_interval_seconds: float = 0.5
    presence_interval_seconds: float = 0.5
    room_poll_seconds: float = 5.0

    # Privacy
    retention_days: int = Field(
        default=0,
        ge=0,
        description="scrub participant details after this many quiet days (0: never)",
    )

    # Joining
    join_failures_per_minute: int = 10
    session_max_age_days: int = 14

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
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

    @property
    def public_origin(self) -> str:
        """``scheme://host[:port]`` of the public URL, as browsers send it in ``Origin``."""
        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}".lower()

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")


def _development_secret(data_dir: Path) -> str:
    """A per-install secret kept in the data folder, so sessions survive restarts in dev."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
