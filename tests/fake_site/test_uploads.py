"""Image upload: server actions, presigned PUT/GET URLs, attachments in a chat
(protocol reference 2.6; checklist 13.3, 13.4)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from lmarena_client.testing import FakeArena

from .conftest import MakeArena, MakeHttp
from .helpers import (
    IMAGE_EDIT,
    NO_VISION,
    STEALTH,
    TEXT_PLAIN,
    VISION_OBJECT,
    VISION_TRUE,
    attachment,
    call_action,
    create,
    discover_actions,
    get_page,
    png_bytes,
    sign_up,
    upload,
)


@pytest.fixture
async def actions(arena: FakeArena, http: aiohttp.ClientSession, user: str) -> dict[str, str]:
    return await discover_actions(http, arena)


@pytest.mark.parametrize(
    "page",
    ["/?chat-modality=image", "/", "/c/019a41a7-b8bc-743a-9a4f-0123456789ab", "/text/direct"],
)
async def test_generate_upload_url_answers_rsc_rows(
    arena: FakeArena,
    http: aiohttp.ClientSession,
    user: str,
    actions: dict[str, str],
    page: str,
) -> None:
    answer = await call_action(
        http, arena.url + page, actions["generateUploadUrl"], ["name.png", "image/png"]
    )
    assert answer.status == 200
    assert answer.content_type == "text/x-component"
    lines = answer.text.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r'0:\{"a":"\$@1","f":"","b":"\w+"\}', lines[0])
    assert lines[1].startswith("1:{")
    result = answer.result()
    assert result["success"] is True
    key = result["data"]["key"]
    assert re.fullmatch(re.escape(user) + r"/\d{13}-name\.png", key)
    query = parse_qs(urlsplit(result["data"]["uploadUrl"]).query)
    assert query["x-id"] == ["PutObject"] and query["X-Amz-Expires"] == ["3600"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]


async def test_the_whole_upload_and_a_vision_chat(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, actions: dict[str, str]
) -> None:
    data = png_bytes(2048)
    key, url = await upload(http, arena, actions, "secure-view.png", "image/png", data)
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert query["x-id"] == ["GetObject"] and query["X-Amz-Expires"] == ["3600"]
    assert re.fullmatch(r"\d{8}T\d{6}Z", query["X-Amz-Date"][0])
    async with http.get(url) as response:
        assert response.status == 200
        assert response.content_type == "image/png"
        assert await response.read() == data
    for model in (VISION_TRUE, VISION_OBJECT, IMAGE_EDIT):
        modality = "image" if model == IMAGE_EDIT else "chat"
        stream, ids = await create(
            http,
            arena,
            "what is in the picture?",
            model=model,
            modality=modality,
            attachments=[attachment(key, "image/png", url)],
        )
        assert stream.status == 200, (model, stream.body)
        assert arena.sessions[ids.session].turns[0].attachments[0]["name"] == key


@pytest.mark.parametrize("legacy", [False, True], ids=["userMessage", "messages"])
@pytest.mark.parametrize("model", [NO_VISION, STEALTH])
async def test_non_vision_model_refuses_an_image(
    arena: FakeArena,
    http: aiohttp.ClientSession,
    user: str,
    actions: dict[str, str],
    model: str,
    legacy: bool,
) -> None:
    key, url = await upload(http, arena, actions, "a.png", "image/png", png_bytes())
    stream, _ = await create(
        http,
        arena,
        "describe",
        model=model,
        legacy=legacy,
        attachments=[attachment(key, "image/png", url)],
    )
    assert stream.status == 400
    assert isinstance(stream.json()["error"], str)
    assert not arena.sessions


async def test_attachment_must_match_its_signed_url(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, actions: dict[str, str]
) -> None:
    key_a, url_a = await upload(http, arena, actions, "a.png", "image/png", png_bytes())
    key_b, url_b = await upload(http, arena, actions, "b.png", "image/png", png_bytes())
    assert key_a != key_b
    path_swapped = url_b.replace(urlsplit(url_b).path, urlsplit(url_a).path)
    cases = [
        attachment(key_a, "image/png", url_b),  # name of one object, URL of another
        attachment(key_a, "image/png", path_swapped),  # signature of b on the path of a
        attachment(key_a, "image/jpeg", url_a),  # wrong content type
        attachment(key_a, "image/png", url_a.replace("X-Amz-Expires=3600", "X-Amz-Expires=99999")),
        attachment(key_a, "image/png", url_a.replace(arena.url, "https://messages-prod.example")),
        attachment(key_a, "image/png", "data:image/png;base64,iVBORw0KGgo="),
    ]
    for item in cases:
        stream, _ = await create(http, arena, "describe", attachments=[item])
        assert stream.status == 400, item
    assert not arena.sessions


async def test_expired_attachment_url_is_refused(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, actions: dict[str, str]
) -> None:
    key, url = await upload(http, arena, actions, "a.png", "image/png", png_bytes())
    arena.advance_clock(3601)
    async with http.get(url) as response:
        assert response.status == 403
    await get_page(http, arena.url + "/")  # the page refreshes the auth cookie, expired too
    stream, _ = await create(
        http, arena, "describe", attachments=[attachment(key, "image/png", url)]
    )
    assert stream.status == 400


async def test_put_with_another_content_type_is_403(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, actions: dict[str, str]
) -> None:
    made = await call_action(
        http, arena.url + "/", actions["generateUploadUrl"], ["a.png", "image/png"]
    )
    upload_url = made.result()["data"]["uploadUrl"]
    async with http.put(upload_url, data=png_bytes(), headers={"Content-Type": "image/jpeg"}) as r:
        assert r.status == 403
        assert "<Error>" in await r.text()
    async with http.put(upload_url, data=png_bytes(), headers={"Content-Type": "image/png"}) as r:
        assert r.status == 200
        assert r.headers["ETag"]


async def test_expired_put_url_is_403(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, actions: dict[str, str]
) -> None:
    made = await call_action(
        http, arena.url + "/", actions["generateUploadUrl"], ["a.png", "image/png"]
    )
    upload_url = made.result()["data"]["uploadUrl"]
    arena.advance_clock(3601)
    async with http.put(upload_url, data=png_bytes(), headers={"Content-Type": "image/png"}) as r:
        assert r.status == 403
    assert not arena.state.storage.objects


async def test_put_to_an_edited_or_unannounced_url_is_403(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, actions: dict[str, str]
) -> None:
    made = await call_action(
        http, arena.url + "/", actions["generateUploadUrl"], ["a.png", "image/png"]
    )
    upload_url = made.result()["data"]["uploadUrl"]
    edited = upload_url.replace("a.png", "b.png")
    async with http.put(edited, data=png_bytes(), headers={"Content-Type": "image/png"}) as r:
        assert r.status == 403
    as_get = upload_url.replace("x-id=PutObject", "x-id=GetObject")
    async with http.put(as_get, data=png_bytes(), headers={"Content-Type": "image/png"}) as r:
        assert r.status == 403
    assert not arena.state.storage.objects


async def test_too_large_upload_is_413(make_arena: MakeArena, make_http: MakeHttp) -> None:
    arena = await make_arena(max_upload_bytes=1000)
    http = await make_http()
    await sign_up(http, arena)
    actions = await discover_actions(http, arena)
    made = await call_action(
        http, arena.url + "/", actions["generateUploadUrl"], ["big.png", "image/png"]
    )
    upload_url = made.result()["data"]["uploadUrl"]
    async with http.put(
        upload_url, data=png_bytes(1001), headers={"Content-Type": "image/png"}
    ) as r:
        assert r.status == 413
    assert not arena.state.storage.objects
    async with http.put(
        upload_url, data=png_bytes(1000), headers={"Content-Type": "image/png"}
    ) as r:
        assert r.status == 200


async def test_storage_preflight(arena: FakeArena, http: aiohttp.ClientSession) -> None:
    async with http.options(
        arena.url + "/__storage__/messages-prod/u/1-a.png",
        headers={"Origin": arena.url, "Access-Control-Request-Method": "PUT"},
    ) as response:
        assert response.status == 204
        assert "PUT" in response.headers["Access-Control-Allow-Methods"]


async def test_get_signed_url_of_an_unknown_key_fails(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, actions: dict[str, str]
) -> None:
    answer = await call_action(http, arena.url + "/", actions["getSignedUrl"], [f"{user}/1-x.png"])
    assert answer.status == 200
    result = answer.result()
    assert result["success"] is False and isinstance(result["error"], str)


async def test_get_signed_url_strips_a_leading_slash(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, actions: dict[str, str]
) -> None:
    key, _ = await upload(http, arena, actions, "a.png", "image/png", png_bytes())
    answer = await call_action(http, arena.url + "/", actions["getSignedUrl"], ["/" + key])
    assert answer.result()["success"] is True


@pytest.mark.parametrize(
    "args",
    [
        ["a.png"],
        ["a.png", "image/png", "extra"],
        ["../a.png", "image/png"],
        ["a.png", "application/x-msdownload"],
        ["", "image/png"],
        [1, 2],
        {"name": "a.png"},
    ],
    ids=["one-arg", "three-args", "slash", "type", "empty", "numbers", "object"],
)
async def test_generate_upload_url_refuses_bad_arguments(
    arena: FakeArena,
    http: aiohttp.ClientSession,
    user: str,
    actions: dict[str, str],
    args: object,
) -> None:
    answer = await call_action(http, arena.url + "/", actions["generateUploadUrl"], args)  # type: ignore[arg-type]
    assert answer.status == 200
    result = answer.result()
    assert result["success"] is False and isinstance(result["error"], str)


async def test_actions_need_a_signed_in_user(
    arena: FakeArena, http: aiohttp.ClientSession, make_http: MakeHttp
) -> None:
    actions = await discover_actions(http, arena)  # page only, no sign-up
    answer = await call_action(
        http, arena.url + "/", actions["generateUploadUrl"], ["a.png", "image/png"]
    )
    assert answer.status == 200
    assert answer.result()["success"] is False


async def test_unknown_action_is_404_and_no_action_header_is_405(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    answer = await call_action(http, arena.url + "/", "7f" + "0" * 40, ["a.png", "image/png"])
    assert answer.status == 404
    async with http.post(
        arena.url + "/", data='["a.png","image/png"]', headers={"Content-Type": TEXT_PLAIN}
    ) as response:
        assert response.status == 405


async def test_action_body_must_be_text_plain(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, actions: dict[str, str]
) -> None:
    answer = await call_action(
        http,
        arena.url + "/",
        actions["generateUploadUrl"],
        ["a.png", "image/png"],
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.result()["success"] is False


async def test_file_names_with_percent_signs_round_trip(
    arena: FakeArena, http: aiohttp.ClientSession, user: str, actions: dict[str, str]
) -> None:
    """Storage keys are URL-quoted once in the presigned URL and must be unquoted once."""
    data = png_bytes(100)
    key, url = await upload(http, arena, actions, "report%41 50%.png", "image/png", data)
    assert key.endswith("-report%41 50%.png")
    async with http.get(url) as response:
        assert response.status == 200
        assert await response.read() == data
    stream, _ = await create(
        http, arena, "describe", attachments=[attachment(key, "image/png", url)]
    )
    assert stream.status == 200, stream.body
