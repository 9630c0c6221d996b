"""The one error tree of ``lmarena_client``.

Every exception the library raises on purpose derives from :class:`LMArenaError`::

    LMArenaError
    ├── ConfigError                      settings that cannot work
    ├── InputError (ValueError)          bad input, raised before anything is sent
    │   ├── EmptyMessageError            no text and no images
    │   ├── ModelNotFoundError           unknown model name; .suggestions holds close names
    │   ├── VoteRefusedError             a vote the site refused (given twice, wrong chat)
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
    │   ├── ActionFailedError            a server action answered success: false; .reason
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

Errors that usually mean the site changed under the client (a bootstrap that does not
complete, models or action ids not found, a reply in a format the client does not read, a token
the site keeps refusing, a request body or endpoint the site no longer takes) say so: their
``looks_like_site_change`` is true and their message ends with :data:`DOCTOR_HINT`, which points
to ``lmarena-doctor``.
"""

from __future__ import annotations

from typing import ClassVar

DOCTOR_HINT = (
    "this looks like a change of the site: run `lmarena-doctor` (or `python -m lmarena_client "
    "doctor`) to see which step changed, and attach the file of `lmarena-doctor --capture "
    "trace.json` to a bug report"
)
# UpstreamError statuses that mean "the site no longer takes this request": a body rule it now
# refuses (400), an endpoint or action that moved (404, 405) or is gone (410).
_SITE_CHANGE_STATUSES = frozenset({400, 404, 405, 410})


class LMArenaError(Exception):
    """Base of every error this library raises on purpose."""

    #: Whether this kind of failure usually means that the site changed under the client.
    site_change_suspected: ClassVar[bool] = False

    @property
    def looks_like_site_change(self) -> bool:
        """True when the failure looks like a change of the site (run ``lmarena-doctor``)."""
        return self.site_change_suspected

    @property
    def doctor_hint(self) -> str | None:
        """:data:`DOCTOR_HINT` when the failure looks like a change of the site, else None."""
        return DOCTOR_HINT if self.looks_like_site_change else None

    def __str__(self) -> str:
        message = super().__str__()
        hint = self.doctor_hint
        return f"{message} ({hint})" if hint and hint not in message else message


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

    site_change_suspected = True


class TokenMintError(BrowserError):
    """grecaptcha did not return a token."""

    site_change_suspected = True


class ProtocolError(LMArenaError):
    """Data from the site that does not follow the expected format."""

    site_change_suspected = True


class ActionFailedError(ProtocolError):
    """A server action answered ``success: false``; ``.reason`` is the site's word for why."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the server action failed: {reason}")
        self.reason = reason


class VoteRefusedError(InputError):
    """The site refused a vote: already given, or not a two-model chat of this identity."""


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
    """The site refused the reCAPTCHA token (raised once fresh tokens and a fresh page did not
    help: the site key or the token's action may have changed)."""

    site_change_suspected = True


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

    @property
    def looks_like_site_change(self) -> bool:
        return self.status in _SITE_CHANGE_STATUSES


class SiteUnreachableError(SiteError):
    """The connection failed before the site answered."""


class StreamError(LMArenaError):
    """The reply stream failed; ``partial_text`` holds the text received before the failure."""

    def __init__(self, message: str, *, partial_text: str = "") -> None:
        self.partial_text = partial_text
        super().__init__(message)


class TruncatedStreamError(StreamError):
    """The stream ended without its finish line (``ad:``)."""

    site_change_suspected = True


class ReplyFailedError(StreamError):
    """The site reported a failure inside a 200 reply (an ``a3:`` line or its error marker)."""


class SiteTimeoutError(LMArenaError, TimeoutError):
    """Connecting, the first byte or a gap between chunks took longer than allowed."""
