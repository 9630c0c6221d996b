"""API settings from ``LM_ARENA_*`` environment variables."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LM_ARENA_", extra="ignore", populate_by_name=True)

    host: str = "127.0.0.1"
    port: int = Field(1337, ge=1, le=65535)
    redis_url: str | None = Field(None, description="Unset: one process with an in-memory broker.")
    redis_timeout: float = Field(
        2.0, gt=0, description="Seconds before an unanswered Redis command fails."
    )
    transcript_ttl: int = Field(
        7 * 24 * 3600,
        gt=0,
        description="Seconds a completed turn stays mappable for clients that send whole "
        "histories (older histories are carried into a new session).",
    )
    transcript_max: int = Field(
        100_000, ge=3, description="Most transcript keys kept (3 per turn); the oldest go first."
    )
    max_prompt_bytes: int = Field(
        1024 * 1024, gt=0, description="Largest message text sent to the site (UTF-8 bytes)."
    )
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated Bearer keys; empty: no auth."
    )
    allow_public_without_keys: bool = Field(
        False, description="Allow a non-loopback host without API keys (not recommended)."
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Without API keys: Host names answered besides loopback and the bound host "
        "(comma-separated; '*': any). Others get 421 (DNS rebinding).",
    )
    max_queue: int = Field(
        32, ge=1, description="Jobs waiting for the worker (not running) beyond this answer 429."
    )
    max_body_bytes: int = Field(20 * 1024 * 1024, gt=0)
    max_body_bytes_in_flight: int = Field(
        64 * 1024 * 1024,
        gt=0,
        description="Request body bytes all requests together may be reading at once; "
        "past it a request waits briefly, then answers 503.",
    )
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

    @field_validator("api_keys", "cors_origins", "allowed_hosts", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _budget_holds_a_body(self) -> ApiSettings:
        if self.max_body_bytes_in_flight < self.max_body_bytes:
            raise ValueError(
                "max_body_bytes_in_flight must be at least max_body_bytes "
                "(one body of the largest size must fit)"
            )
        return self

    @property
    def loopback_only(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False
