"""Replies: what a finished message holds, and the stream that yields it as ``str`` deltas."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from .protocol import (
    Citation,
    CitationPart,
    Finish,
    ImageOutput,
    ReasoningDelta,
    TextDelta,
    Usage,
)

ReplyEvent = TextDelta | ReasoningDelta | ImageOutput | CitationPart | Finish


@dataclass(frozen=True)
class ChatReply:
    """One assistant message."""

    text: str
    evaluation_session_id: str
    model: str
    message_id: str = ""  # the site's id of this reply (what ``regenerate`` retries)
    finish_reason: str | None = None
    usage: Usage | None = None
    reasoning: str = ""
    images: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)


@dataclass
class ReplyBuilder:
    """Accumulates reply events into a ChatReply."""

    model: str
    session_id: str = ""  # set once the site has accepted the whole reply
    streaming_session_id: str = ""  # the session of the attempt whose reply is streaming
    message_id: str = ""  # the reply's id in the attempt that is streaming
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    finish: Finish | None = None

    def add(self, event: ReplyEvent) -> None:
        if isinstance(event, TextDelta):
            self.text.append(event.text)
        elif isinstance(event, ReasoningDelta):
            self.reasoning.append(event.text)
        elif isinstance(event, ImageOutput):
            self.images.append(event.url)
        elif isinstance(event, CitationPart):
            self.citations.extend(event.citations)
        else:
            self.finish = event

    @property
    def partial_text(self) -> str:
        return "".join(self.text)

    def build(self) -> ChatReply:
        return ChatReply(
            text=self.partial_text,
            evaluation_session_id=self.session_id,
            model=self.model,
            message_id=self.message_id,
            finish_reason=self.finish.finish_reason if self.finish else None,
            usage=self.finish.usage if self.finish else None,
            reasoning="".join(self.reasoning),
            images=list(self.images),
            citations=list(self.citations),
        )


class ClosingStream:
    """A stream over an event source that ``aclose`` (or leaving ``async with``) stops early,
    freeing its connection."""

    _source: AsyncIterator[ReplyEvent]

    async def aclose(self) -> None:
        aclose = getattr(self._source, "aclose", None)
        if aclose is not None:
            await aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class ReplyStream(ClosingStream):
    """Iterate for ``str`` text deltas; or use :meth:`events` for every typed event.

    After the stream ends, :attr:`reply` holds the whole :class:`ChatReply`. Use one of the two
    iterations, once. ``async with`` (or :meth:`aclose`) stops a reply early and frees the
    connection.
    """

    def __init__(self, source: AsyncIterator[ReplyEvent], builder: ReplyBuilder) -> None:
        self._source = source
        self._builder = builder
        self.reply: ChatReply | None = None

    @property
    def text(self) -> str:
        """The text received so far."""
        return self._builder.partial_text

    @property
    def evaluation_session_id(self) -> str | None:
        """The chat's id as soon as the site answers (before the reply ends), else None."""
        return self._builder.session_id or self._builder.streaming_session_id or None

    async def events(self) -> AsyncIterator[ReplyEvent]:
        async for event in self._source:
            yield event
        self.reply = self._builder.build()

    def __aiter__(self) -> AsyncIterator[str]:
        return self._text_deltas()

    async def _text_deltas(self) -> AsyncIterator[str]:
        async for event in self._source:
            if isinstance(event, TextDelta):
                yield event.text
        self.reply = self._builder.build()
