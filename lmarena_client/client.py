"""The public API: ``Client``, ``client.chats`` and ``ChatSession.send``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, Self, overload

from .arena import ArenaSession
from .browser import BrowserSession, Credentials
from .config import ClientSettings
from .discovery import ModelInfo
from .errors import (
    InputError,
    UpstreamError,
    VisionNotSupportedError,
)
from .identity import IdentityStore
from .identity_file import FileIdentityStore, default_state_dir
from .images import ImageBlob, ImageSource, load_image
from .protocol import (
    MODE_BATTLE,
    MODE_SIDE_BY_SIDE,
    RECAPTCHA_ACTION_CHAT,
    RECAPTCHA_ACTION_RETRY,
    STREAM_CREATE_PATH,
    Attachment,
    build_chat_body,
    build_retry_body,
    stream_post_path,
    stream_retry_path,
    uuid7,
)
from .replies import ChatReply, ReplyBuilder, ReplyEvent, ReplyStream
from .safe_fetch import SafeFetcher, redact_url
from .site import SiteInfo, discover, find_action_ids
from .tokens import TokenSupply
from .transport import Transport
from .turns import MakeRequest, StreamRequest, check_text, run_turn
from .uploads import Uploader

log = logging.getLogger(__name__)

ImageInput = tuple[ImageSource, str | None]


@dataclass
class Conversation:
    """The resume key of a chat: the site keeps history per evaluation session."""

    evaluation_session_id: str | None = None


class Client:
    """Talks to LMArena through one Chromium (identity, tokens) and aiohttp (API calls)."""

    def __init__(
        self,
        settings: ClientSettings | None = None,
        *,
        identity_store: IdentityStore | None = None,
        **overrides: Any,
    ) -> None:
        """``identity_store`` keeps the site identity between runs; by default a file in the
        state dir, none when ephemeral, incognito or using a persistent browser profile."""
        if settings is not None and overrides:
            settings = ClientSettings(**{**settings.model_dump(), **overrides})
        self.settings = settings or ClientSettings(**overrides)
        store = identity_store or default_identity_store(self.settings)
        self.browser = BrowserSession(self.settings, store)
        self.transport = Transport(self.settings, self._credentials)
        self.tokens = TokenSupply(self.browser.mint_token)
        self.uploader = Uploader(self.transport, self.settings.image_path)
        self.chats = Chats(self)
        self._site: SiteInfo | None = None
        self._ready_lock = asyncio.Lock()
        self._fetcher: SafeFetcher | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def bootstrap(self) -> None:
        """Start the browser, pass the site's checks and load models; a no-op once done."""
        await self._ready()

    async def list_models(self) -> list[str]:
        """Public names of the models that chat or make images, sorted."""
        return (await self._ready()).models.names()

    async def models(self) -> list[ModelInfo]:
        """Every model the site offers, with capabilities."""
        site = await self._ready()
        return [site.models.get(name) for name in site.models.names()]

    async def model(self, name: str) -> ModelInfo:
        """One model by public name; ModelNotFoundError lists the closest names."""
        return (await self._ready()).models.get(name)

    async def launch_browser(self) -> None:
        """Start Chromium now without loading the site, so a later bootstrap is quicker."""
        await self.browser.launch()

    async def stop_browser(self) -> None:
        """Stop Chromium but stay usable: the next call starts and bootstraps a new one."""
        async with self._ready_lock:
            self.tokens.invalidate()
            await self.browser.close()
            self._site = None

    async def close(self) -> None:
        """Stop the browser, delete its temporary profile and close HTTP sessions."""
        await self.tokens.close()
        await self.transport.close()
        if self._fetcher is not None:
            await self._fetcher.close()
            self._fetcher = None
        await self.browser.close()
        self._site = None

    # -- internals -------------------------------------------------------------------------

    async def _credentials(self, url: str) -> Credentials:
        return await self.browser.credentials(url)

    async def _ready(self) -> SiteInfo:
        """The discovered site; bootstraps first, and again when the browser was restarted."""
        async with self._ready_lock:
            page = await self.browser.ensure_ready()
            if self._site is None or self._site.page is not page:
                self.tokens.invalidate()
                self._site = await discover(page, self.transport, self.settings.recaptcha_site_key)
            return self._site

    async def _rebootstrap(self, reason: str) -> None:
        log.warning("bootstrapping again: %s", reason)
        async with self._ready_lock:
            self.tokens.invalidate()
            page = await self.browser.bootstrap()
            self._site = await discover(page, self.transport, self.settings.recaptcha_site_key)

    async def _refresh_action_ids(self) -> None:
        site = await self._ready()
        page = await self.browser.bootstrap()
        site.action_ids = await find_action_ids(page, self.transport)
        site.page = page

    async def upload_image(
        self, source: ImageSource, filename: str | None = None, *, model: str
    ) -> Attachment:
        """Upload one image for a later ``send(attachments=[...])`` to ``model``."""
        _require_vision(await self.model(model))
        (blob,) = await self._load_images([(source, filename)])
        return await self._upload(blob)

    async def download_image(self, url: str) -> ImageBlob:
        """An image by URL (a generated one, say), fetched under the image-URL rules."""
        (blob,) = await self._load_images([(url, None)])
        return blob

    async def _load_images(self, images: Sequence[ImageInput]) -> list[ImageBlob]:
        if not images:
            return []
        fetcher = await self._image_fetcher()
        limit = self.settings.max_image_bytes
        loads = (
            load_image(src, name, max_bytes=limit, fetcher=fetcher, index=i)
            for i, (src, name) in enumerate(images, 1)
        )
        return list(await asyncio.gather(*loads))

    async def _upload_all(self, images: Sequence[ImageInput]) -> list[Attachment]:
        """Load every image (at once), then upload them one by one, in order."""
        blobs = await self._load_images(images)
        return [await self._upload(blob) for blob in blobs]

    async def _upload(self, blob: ImageBlob) -> Attachment:
        try:
            return await self.uploader.upload(blob, await self._ready())
        except UpstreamError as exc:
            if exc.status != 404:
                raise
            # Action ids rotate with each deployment: find the new ones and try once more.
            await self._refresh_action_ids()
            return await self.uploader.upload(blob, await self._ready())

    def _note_origin(self, origin: str) -> None:
        if self._site is not None and origin != self._site.origin:
            log.warning(
                "the site now answers at %s (was %s)",
                redact_url(origin),  # a redirect's Location may carry user:password@
                redact_url(self._site.origin),
            )
            self._site.origin = origin
            self.browser.origin = origin

    async def _image_fetcher(self) -> SafeFetcher:
        if self._fetcher is None:
            self._fetcher = SafeFetcher(
                timeout=self.settings.image_fetch_timeout,
                max_bytes=self.settings.max_image_bytes,
                allow_private=self.settings.allow_private_image_urls,
            )
        return self._fetcher


class Chats:
    """``client.chats``: start or resume conversations."""

    def __init__(self, client: Client) -> None:
        self._client = client

    async def create(self, model: str) -> ChatSession:
        """A new chat; its evaluationSessionId is known once the first reply is complete."""
        info = await self._client.model(model)
        return ChatSession(self._client, info, Conversation())

    async def resume(self, model: str, chat_id: str) -> ChatSession:
        """Continue a chat by its evaluationSessionId; the site holds the history."""
        if not chat_id or not chat_id.strip():
            raise ValueError("chat_id (the evaluationSessionId) must not be empty")
        info = await self._client.model(model)
        return ChatSession(self._client, info, Conversation(chat_id.strip()))

    async def compare(self, model_a: str, model_b: str) -> ArenaSession:
        """A side-by-side chat: both named models answer every message."""
        if model_a == model_b:
            raise InputError("side-by-side needs two different models")
        infos = (await self._client.model(model_a), await self._client.model(model_b))
        return ArenaSession(self._client, MODE_SIDE_BY_SIDE, infos)

    async def battle(self) -> ArenaSession:
        """A battle: the site picks two anonymous models; a vote reveals them."""
        await self._client.bootstrap()
        return ArenaSession(self._client, MODE_BATTLE, None)

    async def resume_arena(
        self,
        chat_id: str,
        *,
        models: tuple[str, str] | None = None,
        last_message_ids: tuple[str, str] | None = None,
    ) -> ArenaSession:
        """Continue a side-by-side chat (``models``) or a battle (no models) by its id;
        ``last_message_ids`` (the latest turn's reply ids) make it possible to vote."""
        if not chat_id or not chat_id.strip():
            raise ValueError("chat_id (the evaluationSessionId) must not be empty")
        if models is None:
            await self._client.bootstrap()
            return ArenaSession(self._client, MODE_BATTLE, None, chat_id.strip(), last_message_ids)
        infos = (await self._client.model(models[0]), await self._client.model(models[1]))
        return ArenaSession(
            self._client, MODE_SIDE_BY_SIDE, infos, chat_id.strip(), last_message_ids
        )


class ChatSession:
    """One conversation with one model. Turns of one session run one after another."""

    def __init__(self, client: Client, model: ModelInfo, conversation: Conversation) -> None:
        self._client = client
        self.model_info = model
        self.conversation = conversation
        self.last_message_id: str | None = None  # the latest reply's id (``regenerate``)
        self._turn_lock = asyncio.Lock()

    @property
    def model(self) -> str:
        return self.model_info.public_name

    @overload
    async def send(
        self,
        text: str,
        *,
        images: Sequence[ImageInput] | None = ...,
        attachments: Sequence[Attachment] | None = ...,
        stream: Literal[False] = ...,
    ) -> ChatReply: ...

    @overload
    async def send(
        self,
        text: str,
        *,
        images: Sequence[ImageInput] | None = ...,
        attachments: Sequence[Attachment] | None = ...,
        stream: Literal[True],
    ) -> ReplyStream: ...

    async def send(
        self,
        text: str,
        *,
        images: Sequence[ImageInput] | None = None,
        attachments: Sequence[Attachment] | None = None,
        stream: bool = False,
    ) -> ChatReply | ReplyStream:
        """Send the next user message. Input errors are raised here, before anything is sent.

        ``images`` are loaded and uploaded first; ``attachments`` are images uploaded earlier
        with :meth:`Client.upload_image`. ``stream=True`` returns a :class:`ReplyStream` of
        ``str`` deltas; otherwise the whole :class:`ChatReply`.
        """
        attachments = [*(attachments or ()), *await self._prepare(text, images or (), attachments)]

        async def request(site: SiteInfo) -> StreamRequest:
            return await self._send_request(site, text, attachments)

        return await self._reply(request, stream)

    @overload
    async def regenerate(
        self, *, message_id: str | None = ..., stream: Literal[False] = ...
    ) -> ChatReply: ...

    @overload
    async def regenerate(
        self, *, message_id: str | None = ..., stream: Literal[True]
    ) -> ReplyStream: ...

    async def regenerate(
        self, *, message_id: str | None = None, stream: bool = False
    ) -> ChatReply | ReplyStream:
        """A new reply in place of the latest one (the site's retry), streamed like ``send``.

        ``message_id`` is that reply's id (``reply.message_id``); by default the one this
        session received last. The site regenerates only a session's latest reply.
        """
        session_id = self.conversation.evaluation_session_id
        target = message_id or self.last_message_id
        if session_id is None or target is None:
            raise InputError("nothing to regenerate: this chat has no reply yet")

        async def request(site: SiteInfo) -> StreamRequest:
            token = await self._client.tokens.take(site.site_key, RECAPTCHA_ACTION_RETRY)
            body = build_retry_body(recaptcha_token=token)
            path = stream_retry_path(session_id, target)
            return StreamRequest("PUT", path, body, session_id, {"a": target})

        return await self._reply(request, stream)

    async def _reply(self, request: MakeRequest, stream: bool) -> ChatReply | ReplyStream:
        builder = ReplyBuilder(self.model)
        reply_stream = ReplyStream(self._exchange(request, builder), builder)
        if stream:
            return reply_stream
        async for _ in reply_stream.events():
            pass
        assert reply_stream.reply is not None
        return reply_stream.reply

    async def _prepare(
        self,
        text: str,
        images: Sequence[ImageInput],
        attachments: Sequence[Attachment] | None,
    ) -> list[Attachment]:
        check_text(text, with_images=bool(images or attachments))
        if not images and not attachments:
            return []
        _require_vision(self.model_info)
        return await self._client._upload_all(images)

    async def _exchange(
        self, request: MakeRequest, builder: ReplyBuilder
    ) -> AsyncIterator[ReplyEvent]:
        async with self._turn_lock:
            async for event in run_turn(self._client, request, {"a": builder}, self._succeeded):
                yield event

    def _succeeded(self, request: StreamRequest) -> None:
        self.conversation.evaluation_session_id = request.session_id
        self.last_message_id = request.message_ids["a"]

    async def _send_request(
        self, site: SiteInfo, text: str, attachments: list[Attachment]
    ) -> StreamRequest:
        """Fresh ids each attempt (and a fresh session id when creating), a fresh token."""
        creating = self.conversation.evaluation_session_id is None
        session_id = uuid7() if creating else self.conversation.evaluation_session_id
        assert session_id is not None
        message_id = uuid7()
        body = build_chat_body(
            session_id=session_id,
            model_a_id=self.model_info.id,
            user_message_id=uuid7(),
            model_a_message_id=message_id,
            text=text,
            attachments=attachments,
            modality=self.model_info.modality,
            recaptcha_token=await self._client.tokens.take(site.site_key, RECAPTCHA_ACTION_CHAT),
        )
        path = STREAM_CREATE_PATH if creating else stream_post_path(session_id)
        return StreamRequest("POST", path, body, session_id, {"a": message_id})


def _require_vision(model: ModelInfo) -> None:
    if not model.vision:
        raise VisionNotSupportedError(f"model {model.public_name!r} does not take image input")


def default_identity_store(settings: ClientSettings) -> IdentityStore | None:
    """The identity file for this origin, unless the user asked for no trace (ephemeral,
    incognito) or keeps a browser profile (the profile holds the identity then)."""
    if settings.ephemeral or settings.browser_incognito or settings.browser_user_data_dir:
        return None
    return FileIdentityStore(settings.state_dir or default_state_dir(), settings.origin)
