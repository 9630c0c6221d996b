"""Async client for LMArena (arena.ai): Chromium for identity and tokens, aiohttp for calls.

The heavy parts (nodriver, the browser) load on first use of :class:`Client`, so importing the
errors, settings or pure helpers stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    ActionFailedError,
    AuthError,
    BlockedError,
    BootstrapError,
    BrowserError,
    CloudflareError,
    ConfigError,
    ContentRejectedError,
    ConversationLostError,
    ConversationNotFoundError,
    DiscoveryError,
    EmptyMessageError,
    ForbiddenAddressError,
    ImageError,
    ImageFetchError,
    ImageTooLargeError,
    InputError,
    LMArenaError,
    ModelNotFoundError,
    ProtocolError,
    RateLimitError,
    RecaptchaError,
    ReplyFailedError,
    SiteError,
    SiteTimeoutError,
    SiteUnreachableError,
    StreamError,
    TokenMintError,
    TruncatedStreamError,
    UnsupportedImageTypeError,
    UpstreamError,
    VisionNotSupportedError,
    VoteRefusedError,
)

if TYPE_CHECKING:
    from .arena import ArenaReply, ArenaSession, ArenaStream, VoteResult
    from .client import Chats, ChatSession, Client, Conversation
    from .config import ClientSettings
    from .discovery import ModelInfo
    from .protocol import Attachment, Citation, Usage
    from .replies import ChatReply, ReplyStream

__version__ = "0.1.0"

_LAZY = {
    "ArenaReply": "arena",
    "ArenaSession": "arena",
    "ArenaStream": "arena",
    "VoteResult": "arena",
    "Client": "client",
    "Chats": "client",
    "ChatSession": "client",
    "Conversation": "client",
    "ClientSettings": "config",
    "ModelInfo": "discovery",
    "Attachment": "protocol",
    "Citation": "protocol",
    "Usage": "protocol",
    "ChatReply": "replies",
    "ReplyStream": "replies",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "ActionFailedError",
    "ArenaReply",
    "ArenaSession",
    "ArenaStream",
    "Attachment",
    "AuthError",
    "BlockedError",
    "BootstrapError",
    "BrowserError",
    "ChatReply",
    "ChatSession",
    "Chats",
    "Citation",
    "Client",
    "ClientSettings",
    "CloudflareError",
    "ConfigError",
    "ContentRejectedError",
    "Conversation",
    "ConversationLostError",
    "ConversationNotFoundError",
    "DiscoveryError",
    "EmptyMessageError",
    "ForbiddenAddressError",
    "ImageError",
    "ImageFetchError",
    "ImageTooLargeError",
    "InputError",
    "LMArenaError",
    "ModelInfo",
    "ModelNotFoundError",
    "ProtocolError",
    "RateLimitError",
    "RecaptchaError",
    "ReplyFailedError",
    "ReplyStream",
    "SiteError",
    "SiteTimeoutError",
    "SiteUnreachableError",
    "StreamError",
    "TokenMintError",
    "TruncatedStreamError",
    "UnsupportedImageTypeError",
    "UpstreamError",
    "Usage",
    "VisionNotSupportedError",
    "VoteRefusedError",
    "VoteResult",
    "__version__",
]
