"""Images through the site's upload actions, in every input form."""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from lmarena_client import Client
from lmarena_client.errors import (
    ForbiddenAddressError,
    ImageTooLargeError,
    UnsupportedImageTypeError,
    VisionNotSupportedError,
)
from lmarena_client.testing import FakeArena

from .conftest import MakeClient

pytestmark = pytest.mark.browser

PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63f8dfc0f01f000680027f104c1be10000000049454e44ae426082"
)
GIF_1X1 = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@pytest.fixture
async def image_server() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/dot.png", lambda _: web.Response(body=PNG_1X1, content_type="image/png"))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def vision_chat(client: Client):  # type: ignore[no-untyped-def]
    return await client.chats.create(model="gemini-3-pro")


@pytest.mark.parametrize("form", ["bytes", "data_uri", "path", "file_like"])
async def test_local_input_forms(
    client: Client, arena: FakeArena, tmp_path: Path, form: str
) -> None:
    path = tmp_path / "dot.png"
    path.write_bytes(PNG_1X1)
    source = {
        "bytes": PNG_1X1,
        "data_uri": "data:image/png;base64," + base64.b64encode(PNG_1X1).decode(),
        "path": str(path),
        "file_like": io.BytesIO(PNG_1X1),
    }[form]
    chat = await vision_chat(client)
    reply = await chat.send("what is this?", images=[(source, None)])
    assert reply.text
    attachments = arena.requests[-1].body["userMessage"]["experimental_attachments"]
    assert len(attachments) == 1
    assert attachments[0]["contentType"] == "image/png"


async def test_http_url_input(arena: FakeArena, make_client: MakeClient, image_server: str) -> None:
    client = await make_client(arena, allow_private_image_urls=True)
    chat = await vision_chat(client)
    reply = await chat.send("and this?", images=[(f"{image_server}/dot.png", None)])
    assert reply.text


async def test_private_url_is_refused_by_default(
    client: Client, arena: FakeArena, image_server: str
) -> None:
    chat = await vision_chat(client)
    uploads = arena.counters.uploads
    with pytest.raises(ForbiddenAddressError):
        await chat.send("x", images=[(f"{image_server}/dot.png", None)])
    assert arena.counters.uploads == uploads


async def test_two_images_and_the_cache(client: Client, arena: FakeArena) -> None:
    chat = await vision_chat(client)
    await chat.send("two", images=[(PNG_1X1, "a.png"), (GIF_1X1, "b.gif")])
    uploads = arena.counters.uploads
    assert uploads == 2
    await chat.send("same again", images=[(PNG_1X1, "a.png")])
    assert arena.counters.uploads == uploads  # the signed URL came from the cache


async def test_vision_is_checked_before_anything_is_uploaded(
    client: Client, arena: FakeArena
) -> None:
    blind = next(m for m in await client.models() if m.text_output and not m.vision)
    chat = await client.chats.create(model=blind.public_name)
    with pytest.raises(VisionNotSupportedError):
        await chat.send("see?", images=[(PNG_1X1, None)])
    assert arena.counters.uploads == 0


async def test_bad_images_are_refused_before_sending(
    arena: FakeArena, make_client: MakeClient
) -> None:
    client = await make_client(arena, max_image_bytes=1024)
    chat = await vision_chat(client)
    with pytest.raises(ImageTooLargeError):
        await chat.send("big", images=[(PNG_1X1 + b"\0" * 2048, None)])
    with pytest.raises(UnsupportedImageTypeError):
        await chat.send("what", images=[(b"%PDF-1.7 not an image", None)])
    assert arena.counters.uploads == 0


async def test_rotated_action_ids_are_found_again(client: Client, arena: FakeArena) -> None:
    chat = await vision_chat(client)
    await chat.send("one", images=[(PNG_1X1, None)])
    arena.rotate_action_ids()
    await chat.send("two", images=[(GIF_1X1, None)])
    assert arena.counters.uploads == 2
