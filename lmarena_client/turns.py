"""One turn on the site: a stream request, tried again where that is safe, its events fed to a
reply builder per participant ("a", and "b" in the two-model modes)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeGuard

from .errors import (
    AuthError,
    CloudflareError,
    ConversationLostError,
    EmptyMessageError,
    InputError,
    LMArenaError,
    RecaptchaError,
    ReplyFailedError,
    SiteUnreachableError,
    StreamError,
)
from .protocol import (
    CitationPart,
    ErrorPart,
    Finish,
    ImageOutput,
    ReasoningDelta,
    StreamEvent,
    StreamParser,
    TextDelta,
    encode_body,
)
from .replies import ReplyBuilder, ReplyEvent
from .site import SiteInfo

if TYPE_CHECKING:
    from .client import Client

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StreamRequest:
    """One attempt's stream request."""

    method: str
    path: str
    body: dict[str, Any]
    session_id: str
    message_ids: Mapping[str, str]  # participant -> the id of its reply


MakeRequest = Callable[[SiteInfo], Awaitable[StreamRequest]]
Builders = Mapping[str, ReplyBuilder]


def check_text(text: str, *, with_images: bool) -> None:
    """A user message's text as a turn may send it; raised before anything is sent."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    if not text.strip() and not with_images:
        raise EmptyMessageError("the message has no text and no images")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(f"the message is not valid Unicode: {exc.reason}") from None


class _RetryWith:
    """What to do before the next attempt."""

    FRESH_TOKEN = "fresh token"
    REBOOTSTRAP = "bootstrap again"
    AGAIN = "try again"


async def run_turn(
    client: Client,
    make_request: MakeRequest,
    builders: Builders,
    on_success: Callable[[StreamRequest], None],
) -> AsyncIterator[ReplyEvent]:
    """The turn's events, with fresh ids and tokens for each attempt; ``on_success`` once the
    site has sent every participant's whole reply. The caller serializes turns."""
    attempts = client.settings.max_attempts
    for attempt in range(1, attempts + 1):
        try:
            async for event in _attempt(client, make_request, builders, on_success):
                yield event
            return
        except LMArenaError as exc:
            action = _retry_action(exc, attempt=attempt, emitted=_emitted(builders))
            if action is None or attempt == attempts:
                _attach_partial_text(exc, builders)
                raise
            log.warning("attempt %d/%d failed (%s); %s", attempt, attempts, exc, action)
            await _before_retry(client, action)


async def _before_retry(client: Client, action: str) -> None:
    if action == _RetryWith.REBOOTSTRAP:
        await client._rebootstrap("the site refused our identity or challenge")
    elif action == _RetryWith.FRESH_TOKEN:
        client.tokens.invalidate()


async def _attempt(
    client: Client,
    make_request: MakeRequest,
    builders: Builders,
    on_success: Callable[[StreamRequest], None],
) -> AsyncIterator[ReplyEvent]:
    site = await client._ready()
    request = await make_request(site)
    opened = await client.transport.open_stream(
        request.method,
        site.origin + request.path,
        encode_body(request.body),
        referer_path=f"/c/{request.session_id}",
    )
    client._note_origin(opened.origin)
    for participant, builder in builders.items():
        builder.streaming_session_id = request.session_id
        builder.message_id = request.message_ids[participant]
    parser = StreamParser(tuple(builders))
    async for chunk in client.transport.chunks(opened.response):
        for event in parser.feed(chunk):
            if _take(event, builders):
                yield event
    for event in parser.close():
        if _take(event, builders):
            yield event
    on_success(request)
    for builder in builders.values():
        builder.session_id = request.session_id


def _take(event: StreamEvent, builders: Builders) -> TypeGuard[ReplyEvent]:
    """Whether the event belongs to a reply (and add it there); a side's error ends the turn."""
    builder = builders.get(event.participant)
    if builder is None:
        return False
    if isinstance(event, ErrorPart):
        side = f" (model {event.participant.upper()})" if len(builders) > 1 else ""
        raise ReplyFailedError(f"the site reported an error{side}: {event.message}")
    if not isinstance(event, TextDelta | ReasoningDelta | ImageOutput | CitationPart | Finish):
        return False
    builder.add(event)
    return True


def _emitted(builders: Builders) -> bool:
    return any(b.text or b.reasoning or b.images or b.citations for b in builders.values())


def _retry_action(exc: LMArenaError, *, attempt: int, emitted: bool) -> str | None:
    """Whether (and how) to try again; never once the caller has seen part of the reply."""
    if emitted or isinstance(exc, ReplyFailedError):
        return None
    if isinstance(exc, RecaptchaError):
        # A second refusal suggests a rotated site key: reload the page to learn the new one.
        return _RetryWith.FRESH_TOKEN if attempt == 1 else _RetryWith.REBOOTSTRAP
    if isinstance(exc, ConversationLostError):
        # Once: the browser may hold an older identity than the store; after that it is gone.
        return _RetryWith.REBOOTSTRAP if attempt == 1 else None
    if isinstance(exc, (CloudflareError, AuthError)):
        return _RetryWith.REBOOTSTRAP
    if isinstance(exc, SiteUnreachableError):
        return _RetryWith.AGAIN
    if isinstance(exc, StreamError) and not exc.partial_text:
        return _RetryWith.AGAIN  # a cut or empty reply before any text
    return None


def _attach_partial_text(exc: LMArenaError, builders: Builders) -> None:
    first = next(iter(builders.values()))
    if isinstance(exc, StreamError) and not exc.partial_text and first.partial_text:
        exc.partial_text = first.partial_text
