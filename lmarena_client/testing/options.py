"""How a FakeArena behaves: its options and the default shape of its replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .faults import Fault
from .turnstile import DEFAULT_TURNSTILE_SITE_KEY

if TYPE_CHECKING:
    from .replay import Capture

DEFAULT_SITE_KEY = "6Led_uYrAAAAAKjxDIF58fgFtX3t8loNAK85bW9I"


@dataclass(frozen=True)
class ReplyScript:
    """The default reply; a prompt can override any field with ``[fake: key=value ...]``.

    ``images=None`` means one image for image-output models and none for text models.
    ``delay`` is the pause between stream lines, ``first_byte_delay`` the pause before the
    response starts (both in seconds).
    """

    words: int = 12
    delay: float = 0.005
    first_byte_delay: float = 0.0
    reasoning: bool = False
    images: int | None = None
    citations: int = 0
    heartbeats: int = 1
    usage: bool = True


@dataclass(frozen=True)
class FakeArenaOptions:
    """Switches for the site's bootstrap variants, drift and limits."""

    interstitial: bool = False
    turnstile_click: bool = False
    split_auth_cookie: bool = False
    signup_on_input: bool = False
    legacy_origin: bool = False
    models_in_page: bool = True
    site_key: str = DEFAULT_SITE_KEY
    turnstile_site_key: str = DEFAULT_TURNSTILE_SITE_KEY
    token_ttl: float = 120.0
    reply: ReplyScript = field(default_factory=ReplyScript)
    catalog_only_models: int = 0
    max_upload_bytes: int = 15 * 1024 * 1024
    signed_url_ttl: int = 3600
    access_token_ttl: int = 3600
    clearance_ttl: float = 1800.0
    faults: tuple[Fault, ...] = ()
    # A doctor capture to answer from (replay.py); see replay.replay_options.
    replay: Capture | None = field(default=None, compare=False)
