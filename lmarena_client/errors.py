"""The one error tree of ``lmarena_client``.

Every exception the library raises on purpose derives from :class:`LMArenaError`::

    LMArenaError
    ├── ConfigError                      settings that cannot work
    ├── InputError (ValueError)          bad input, raised before anything is sent
    │   ├── EmptyMessageError            no text and no images
    │   ├── ModelNotFoundError           unknown model name; .suggestions holds close names
    │   └── ImageError                   an image that cannot be sent
    │       ├── ImageTooLargeError
    │       ├── UnsupportedImageTypeError
    │       ├── ImageFetchError          an http(s) image that could not be fetched
    │       ├── ForbiddenAddressError    an image URL pointing at a private/loopback address
    │       └── VisionNotSupportedError  images for a model without image input
    ├── BrowserError                     Chromium could not start, bootstrap or mint a token
    │   ├── BootstrapError
    │   └── TokenMintError
    ├── ProtocolError                    the site's data did not parse
    │   └── DiscoveryError               models, action ids or site key not found
    ├── SiteError                        the site answered with an HTTP error; .status, .detail
    │   ├── AuthError                    401: missing, expired or foreign identity
    │   │   └── ConversationLostError    the chat belongs to an identity the site dropped
    │   ├── BlockedError                 403
    │   │   ├── CloudflareError          a Cloudflare challenge page
    │   │   └── RecaptchaError           "recaptcha validation failed"
    │   ├── RateLimitError               429; .retry_after in seconds (or None)
    │   ├── ContentRejectedError         422 moderation, 400 "Invalid content"
    │   ├── ConversationNotFoundError    404: no chat with that evaluationSessionId
    │   ├── UpstreamError                any other status (5xx, 405 after a redirect, ...)
    │   └── SiteUnreachableError         no HTTP answer at all (refused, reset, DNS)
    ├── StreamError                      the stream failed; .partial_text holds what came
    │   ├── TruncatedStreamError         the stream ended without its finish line
    │   └── ReplyFailedError             the site reported a failure inside the reply (a3:)
    └── SiteTimeoutError (TimeoutError)  connect, first byte or idle gap took too long
"""

from __future__ import annotations


class LMArenaError(Exception):
    """Base of every error this library raises on purpose."""


class ConfigError(LMArenaError):
    """A setting that cannot work (for example a browser executable that does not exist)."""


class InputError(LMArenaError, ValueError):
    """Bad input from the caller, detected before anything is sent to the site."""


class EmptyMessageError(InputError):
    """A message with neither text nor images."""


class ModelNotFoundError(InputError):
    """A model name the site does not offer."""

    def __init__(self, name: str, suggestions: list[str] | None = None) -> None:
        self.name = name
        self.suggestions = list(suggestions or [])
        hint = f"; closest: {', '.join(self.suggestions)}" if self.suggestions else ""
        super().__init__(f"unknown model {name!r}{hint}")


class ImageError(InputError):
    """An image that cannot be sent."""


class ImageTooLargeError(ImageError):
    """An image over the configured size limit."""


class UnsupportedImageTypeError(ImageError):
    """Bytes whose type is not an image type the site accepts."""


class ImageFetchError(ImageError):
    """An http(s) image URL that could not be fetched."""


class ForbiddenAddressError(ImageError):
    """An image URL resolving to a loopback, private, link-local or otherwise internal address."""


class VisionNotSupportedError(ImageError):
    """Images given to a model that does not take image input."""


class BrowserError(LMArenaError):
    """Chromium could not be started or driven."""


class BootstrapError(BrowserError):
    """The bootstrap flow (page, challenge, auth cookie, grecaptcha) did not complete."""


class TokenMintError(BrowserError):
    """grecaptcha did not return a token."""


class ProtocolError(LMArenaError):
    """Data from the site that does not follow the expected format."""


class DiscoveryError(ProtocolError):
    """Models, action ids or the reCAPTCHA site key could not be found."""


class SiteError(LMArenaError):
    """The site answered with an HTTP error status."""

    def __init__(self, message: str, *, status: int | None = None, detail: str | None = None):
        self.status = status
        self.detail = detail
        super().__init__(message)


class AuthError(SiteError):
    """401: the identity cookie is missing, expired or does not own the session."""


class ConversationLostError(AuthError):
    """401 "does not have access to evaluation session": the chat belongs to another identity,
    one the site no longer accepts (revoked, or replaced by a fresh one). Start a new chat;
    retrying this one cannot succeed."""


class BlockedError(SiteError):
    """403 from the site."""


class CloudflareError(BlockedError):
    """A Cloudflare challenge or block page."""


class RecaptchaError(BlockedError):
    """The site refused the reCAPTCHA token."""


class RateLimitError(SiteError):
    """429: too many requests; ``retry_after`` is the wait in seconds the site asked for."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = 429,
        detail: str | None = None,
        retry_after: float | None = None,
    ):
        self.retry_after = retry_after
        super().__init__(message, status=status, detail=detail)


class ContentRejectedError(SiteError):
    """The site refused the content (moderation 422, or 400 "Invalid content")."""


class ConversationNotFoundError(SiteError):
    """The site knows no chat with the given ``evaluationSessionId``."""


class UpstreamError(SiteError):
    """Any other error status from the site."""


class SiteUnreachableError(SiteError):
    """The connection failed before the site answered."""


class StreamError(LMArenaError):
    """The reply stream failed; ``partial_text`` holds the text received before the failure."""

    def __init__(self, message: str, *, partial_text: str = "") -> None:
        self.partial_text = partial_text
        super().__init__(message)


class TruncatedStreamError(StreamError):
    """The stream ended without its finish line (``ad:``)."""


class ReplyFailedError(StreamError):
    """The site reported a failure inside a 200 reply (an ``a3:`` line or its error marker)."""


class SiteTimeoutError(LMArenaError, TimeoutError):
    """Connecting, the first byte or a gap between chunks took longer than allowed."""
