"""Two models at once: side-by-side (both named) and battle (the site picks two in secret),
their streams, regeneration of one side, and the vote that reveals a battle's models."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, overload

from .discovery import ModelInfo
from .errors import (
    ActionFailedError,
    InputError,
    ProtocolError,
    VisionNotSupportedError,
    VoteRefusedError,
)
from .protocol import (
    MODE_BATTLE,
    RECAPTCHA_ACTION_CHAT,
    RECAPTCHA_ACTION_RETRY,
    RECAPTCHA_ACTION_VOTE,
    STREAM_CREATE_PATH,
    TURNSTILE_ACTION_VOTE,
    VOTE_ACTION,
    VOTE_WIRE,
    Attachment,
    TextDelta,
    build_chat_body,
    build_retry_body,
    build_vote_args,
    stream_post_path,
    stream_retry_path,
    uuid7,
)
from .replies import ChatReply, ClosingStream, ReplyBuilder, ReplyEvent
from .server_actions import ServerActions
from .site import SiteInfo
from .turns import MakeRequest, StreamRequest, check_text, run_turn

if TYPE_CHECKING:
    from .client import Client, ImageInput

Side = Literal["a", "b"]
Winner = Literal["a", "b", "tie", "both_bad"]
SIDES: tuple[Side, Side] = ("a", "b")
ArenaMode = Literal["side-by-side", "battle"]


@dataclass(frozen=True)
class ArenaReply:
    """Both replies of one turn. In a battle, ``model`` of each side is "" until the vote."""

    a: ChatReply
    b: ChatReply
    evaluation_session_id: str
    mode: str

    def side(self, side: Side) -> ChatReply:
        return self.a if side == "a" else self.b


@dataclass(frozen=True)
class VoteResult:
    """The verdict as the site took it, and the two models' public names (a battle's too)."""

    winner: Winner
    models: dict[Side, str]


class ArenaStream(ClosingStream):
    """Iterate for ``(side, text)`` deltas, or :meth:`events` for typed events (each has
    ``participant`` "a" or "b"). After the end, :attr:`reply` holds the :class:`ArenaReply`
    (for a regenerated side, the other side is the earlier reply; on a session resumed since,
    that one has its message id and no text)."""

    def __init__(
        self,
        source: AsyncIterator[ReplyEvent],
        session: ArenaSession,
        builders: dict[str, ReplyBuilder],
    ) -> None:
        self._source = source
        self._session = session
        self._builders = builders
        self.reply: ArenaReply | None = None

    def text(self, side: Side) -> str:
        """The text of ``side`` received so far."""
        builder = self._builders.get(side)
        return builder.partial_text if builder else ""

    @property
    def evaluation_session_id(self) -> str | None:
        first = next(iter(self._builders.values()))
        return first.session_id or first.streaming_session_id or None

    async def events(self) -> AsyncIterator[ReplyEvent]:
        async for event in self._source:
            yield event
        self.reply = self._session._finish(self._builders)

    def __aiter__(self) -> AsyncIterator[tuple[Side, str]]:
        return self._text_deltas()

    async def _text_deltas(self) -> AsyncIterator[tuple[Side, str]]:
        async for event in self.events():
            if isinstance(event, TextDelta):
                yield ("a" if event.participant == "a" else "b"), event.text


class ArenaSession:
    """One side-by-side or battle chat. Turns run one after another, both sides at once."""

    def __init__(
        self,
        client: Client,
        mode: ArenaMode,
        models: tuple[ModelInfo, ModelInfo] | None,
        evaluation_session_id: str | None = None,
        last_message_ids: tuple[str, str] | None = None,
    ) -> None:
        if (mode == MODE_BATTLE) != (models is None):
            raise InputError("side-by-side takes two models; a battle takes none")
        self._client = client
        self.mode = mode
        self._models = models
        self.evaluation_session_id = evaluation_session_id
        self.last_message_ids = last_message_ids  # (a, b) of the latest turn: what a vote judges
        self.revealed: dict[Side, str] | None = None
        self._last: ArenaReply | None = None
        self._turn_lock = asyncio.Lock()

    def model(self, side: Side) -> str:
        """A side's public name; "" in a battle before the vote."""
        if self._models is not None:
            return self._models[0 if side == "a" else 1].public_name
        return self.revealed[side] if self.revealed else ""

    @overload
    async def send(
        self,
        text: str,
        *,
        images: Sequence[ImageInput] | None = ...,
        attachments: Sequence[Attachment] | None = ...,
        stream: Literal[False] = ...,
    ) -> ArenaReply: ...

    @overload
    async def send(
        self,
        text: str,
        *,
        images: Sequence[ImageInput] | None = ...,
        attachments: Sequence[Attachment] | None = ...,
        stream: Literal[True],
    ) -> ArenaStream: ...

    async def send(
        self,
        text: str,
        *,
        images: Sequence[ImageInput] | None = None,
        attachments: Sequence[Attachment] | None = None,
        stream: bool = False,
    ) -> ArenaReply | ArenaStream:
        """The next user message, answered by both sides. ``images`` are loaded and uploaded
        first; ``attachments`` were uploaded earlier (:meth:`Client.upload_image`)."""
        given = list(attachments or ())
        attachments = [*given, *await self._prepare(text, images or (), bool(given))]

        async def request(site: SiteInfo) -> StreamRequest:
            return await self._send_request(site, text, attachments)

        return await self._reply(request, SIDES, stream)

    @overload
    async def regenerate(self, side: Side, *, stream: Literal[False] = ...) -> ArenaReply: ...

    @overload
    async def regenerate(self, side: Side, *, stream: Literal[True]) -> ArenaStream: ...

    async def regenerate(self, side: Side, *, stream: bool = False) -> ArenaReply | ArenaStream:
        """A new reply of one side in place of its latest (the site retries one message)."""
        if side not in SIDES:
            raise InputError(f"side must be 'a' or 'b', got {side!r}")
        session_id, ids = self.evaluation_session_id, self.last_message_ids
        if session_id is None or ids is None:
            raise InputError("nothing to regenerate: this chat has no reply yet")
        target = ids[SIDES.index(side)]

        async def request(site: SiteInfo) -> StreamRequest:
            token = await self._client.tokens.take(site.site_key, RECAPTCHA_ACTION_RETRY)
            path = stream_retry_path(session_id, target)
            body = build_retry_body(recaptcha_token=token)
            return StreamRequest("PUT", path, body, session_id, {side: target})

        return await self._reply(request, (side,), stream)

    async def vote(self, winner: Winner) -> VoteResult:
        """Judge the latest turn (once per chat); the answer names both models."""
        if winner not in VOTE_WIRE:
            raise InputError(f"winner must be one of {', '.join(VOTE_WIRE)}; got {winner!r}")
        session_id, ids = self.evaluation_session_id, self.last_message_ids
        if session_id is None or ids is None:
            raise InputError("nothing to vote on: this chat has no reply yet")
        site = await self._client._ready()
        for attempt in (1, 2):
            try:
                data = await self._send_vote(site, session_id, ids, winner)
                break
            except ActionFailedError as exc:
                # A refused token is worth one try with fresh ones; other refusals are final.
                if attempt == 1 and "validation failed" in exc.reason:
                    continue
                raise VoteRefusedError(f"the site refused the vote: {exc.reason}") from exc
        self.revealed = {side: _model_name(site, data, side) for side in SIDES}
        return VoteResult(winner, dict(self.revealed))

    async def _send_vote(
        self, site: SiteInfo, session_id: str, ids: tuple[str, str], winner: str
    ) -> object:
        client = self._client
        # Minted on demand, not from the token stock: votes are rare.
        recaptcha = await client.browser.mint_token(site.site_key, RECAPTCHA_ACTION_VOTE)
        turnstile = await client.browser.mint_turnstile(TURNSTILE_ACTION_VOTE)
        args = build_vote_args(
            session_id=session_id,
            message_ids=ids,
            winner=winner,
            turnstile_token=turnstile,
            recaptcha_token=recaptcha,
        )
        actions = ServerActions(client.transport, client.settings.boot_path)
        return await actions.call(site, VOTE_ACTION, args)

    # -- internals -------------------------------------------------------------------------

    async def _reply(
        self, request: MakeRequest, sides: Sequence[Side], stream: bool
    ) -> ArenaReply | ArenaStream:
        builders: dict[str, ReplyBuilder] = {s: ReplyBuilder(self.model(s)) for s in sides}
        arena_stream = ArenaStream(self._exchange(request, builders), self, builders)
        if stream:
            return arena_stream
        async for _ in arena_stream.events():
            pass
        assert arena_stream.reply is not None
        return arena_stream.reply

    async def _exchange(
        self, request: MakeRequest, builders: dict[str, ReplyBuilder]
    ) -> AsyncIterator[ReplyEvent]:
        async with self._turn_lock:
            async for event in run_turn(self._client, request, builders, self._succeeded):
                yield event

    def _succeeded(self, request: StreamRequest) -> None:
        self.evaluation_session_id = request.session_id
        if set(request.message_ids) == set(SIDES):
            self.last_message_ids = (request.message_ids["a"], request.message_ids["b"])

    def _finish(self, builders: dict[str, ReplyBuilder]) -> ArenaReply:
        built = {side: builder.build() for side, builder in builders.items()}
        a, b = (built.get(side) or self._earlier(side) for side in SIDES)
        self._last = ArenaReply(a, b, self.evaluation_session_id or "", self.mode)
        return self._last

    def _earlier(self, side: Side) -> ChatReply:
        """The side a regenerate left alone: its latest reply, or, on a session resumed since,
        one with its id and no text (the text was never fetched)."""
        if self._last is not None:
            return self._last.side(side)
        ids = self.last_message_ids
        return ChatReply(
            text="",
            evaluation_session_id=self.evaluation_session_id or "",
            model=self.model(side),
            message_id=ids[SIDES.index(side)] if ids else "",
        )

    async def _prepare(
        self, text: str, images: Sequence[ImageInput], attached: bool
    ) -> list[Attachment]:
        check_text(text, with_images=bool(images) or attached)
        if not images and not attached:
            return []
        if self._models is None or not all(m.vision for m in self._models):
            raise VisionNotSupportedError(
                "images need two models that take image input (a battle takes none)"
            )
        return await self._client._upload_all(images) if images else []

    async def _send_request(
        self, site: SiteInfo, text: str, attachments: list[Attachment]
    ) -> StreamRequest:
        creating = self.evaluation_session_id is None
        session_id = uuid7() if creating else self.evaluation_session_id
        assert session_id is not None
        ids = {"a": uuid7(), "b": uuid7()}
        body = build_chat_body(
            session_id=session_id,
            model_a_id=self._models[0].id if self._models else None,
            model_b_id=self._models[1].id if self._models else None,
            user_message_id=uuid7(),
            model_a_message_id=ids["a"],
            model_b_message_id=ids["b"],
            text=text,
            attachments=attachments,
            modality=self._models[0].modality if self._models else "chat",
            recaptcha_token=await self._client.tokens.take(site.site_key, RECAPTCHA_ACTION_CHAT),
            mode=self.mode,
        )
        path = STREAM_CREATE_PATH if creating else stream_post_path(session_id)
        return StreamRequest("POST", path, body, session_id, ids)


def _model_name(site: SiteInfo, data: object, side: Side) -> str:
    key = "modelAId" if side == "a" else "modelBId"
    model_id = data.get(key) if isinstance(data, dict) else None
    if not isinstance(model_id, str) or not model_id:
        raise ProtocolError(f"the vote's answer has no {key!r}")
    return site.models.name_of(model_id) or model_id
