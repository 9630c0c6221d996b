"""Library settings: one pydantic-settings object read from ``LM_ARENA_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_ORIGIN = "https://arena.ai"
# Fallback only: the key in the page's enterprise.js?render=<key> wins.
DEFAULT_SITE_KEY = "6LeTGMcsAAAAALuIlkVwIxaAuZA8VledA6d3Nnb0"
# The site's Turnstile widget (votes); its script is loaded only when the page has none.
DEFAULT_TURNSTILE_SITE_KEY = "0x4AAAAAAA65vWDmG-O_lPtT"
DEFAULT_TURNSTILE_SCRIPT = "https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit"


def _env(name: str, *legacy: str) -> AliasChoices:
    return AliasChoices(f"LM_ARENA_{name}", *(f"LM_ARENA_{old}" for old in legacy))


class ClientSettings(BaseSettings):
    """Everything the library can be told; each field reads ``LM_ARENA_<FIELD NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix="LM_ARENA_", extra="ignore", frozen=True, populate_by_name=True
    )

    origin: str = Field(DEFAULT_ORIGIN, description="Site origin; redirects are followed.")
    boot_path: str = Field("/text/direct", description="Page opened at bootstrap.")
    image_path: str = Field(
        "/?chat-modality=image", description="Page that upload actions post to."
    )
    recaptcha_site_key: str = Field(DEFAULT_SITE_KEY, description="Used when the page names none.")
    turnstile_site_key: str = Field(DEFAULT_TURNSTILE_SITE_KEY, description="Votes' Turnstile.")
    turnstile_script_url: str = Field(
        DEFAULT_TURNSTILE_SCRIPT, description="Loaded when the page has no Turnstile of its own."
    )

    browser_executable_path: Path | None = None
    browser_user_data_dir: Path | None = None
    browser_profile_directory: str | None = None
    browser_incognito: bool = Field(False, validation_alias=_env("BROWSER_INCOGNITO", "INCOGNITO"))
    browser_headless: bool = Field(False, validation_alias=_env("BROWSER_HEADLESS", "HEADLESS"))
    state_dir: Path | None = Field(
        None,
        description="Where the browser identity is kept between runs; "
        "None: the platform's state directory (identity_file.default_state_dir()).",
    )
    ephemeral: bool = Field(
        False, description="Keep no identity on disk: each run starts with a fresh one."
    )

    bootstrap_timeout: float = Field(180.0, gt=0, description="Seconds for the whole bootstrap.")
    connect_timeout: float = Field(15.0, gt=0)
    first_byte_timeout: float = Field(120.0, gt=0, description="Seconds to the reply's first byte.")
    idle_timeout: float = Field(120.0, gt=0, description="Longest gap between reply chunks.")
    max_attempts: int = Field(3, ge=1, le=10, description="Tries per message before text flows.")

    max_image_bytes: int = Field(10 * 1024 * 1024, gt=0)
    image_fetch_timeout: float = Field(30.0, gt=0)
    allow_private_image_urls: bool = Field(
        False, description="Let http(s) images resolve to loopback/private addresses."
    )

    @field_validator("origin")
    @classmethod
    def _origin_without_path(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("origin must start with http:// or https://")
        return value

    @field_validator("boot_path", "image_path")
    @classmethod
    def _absolute_path(cls, value: str) -> str:
        return value if value.startswith("/") else "/" + value
