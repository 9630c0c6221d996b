"""API settings from ``LM_ARENA_*`` environment variables."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LM_ARENA_", extra="ignore", populate_by_name=True)

    host: str = "127.0.0.1"
    port: int = Field(1337, ge=1, le=65535)
    redis_url: str | None = Field(None, description="Unset: one process with an in-memory broker.")
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated Bearer keys; empty: no auth."
    )
    allow_public_without_keys: bool = Field(
        False, description="Allow a non-loopback host without API keys (not recommended)."
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_queue: int = Field(
        32, ge=1, description="Jobs waiting for the worker (not running) beyond this answer 429."
    )
    max_body_bytes: int = Field(20 * 1024 * 1024, gt=0)
    max_content_parts: int = Field(64, ge=1)
    max_images: int = Field(8, ge=0)
    max_image_bytes: int = Field(10 * 1024 * 1024, gt=0)
    allow_private_image_urls: bool = Field(
        False, description="Let image URLs point at loopback/private addresses (tests, LANs)."
    )
    queue_timeout: float = Field(120.0, gt=0, description="Longest wait in the queue (seconds).")
    reply_timeout: float = Field(600.0, gt=0, description="Longest a whole reply may take.")
    idle_timeout: float = Field(180.0, gt=0, description="Longest silence from the worker.")
    first_event_wait: float = Field(
        5.0,
        ge=0,
        description="Streams wait this long for the first event to answer errors "
        "with a real HTTP status before the SSE stream starts.",
    )
    ping_interval: float = Field(10.0, gt=0)

    @field_validator("api_keys", "cors_origins", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def loopback_only(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False
