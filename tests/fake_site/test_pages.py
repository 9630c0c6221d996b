"""Boot pages, flight data, JS chunks with server-action ids, and the model catalog
(protocol reference 2.1, 2.5, 2.6, 7; checklist 13.1-13.3)."""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

import aiohttp
import pytest

from lmarena_client.testing import FakeArena

from .conftest import MakeArena
from .helpers import (
    PROVISIONAL_COOKIE,
    action_refs,
    call_action,
    cookie,
    cookie_names,
    discover_actions,
    evaluation_chunk_paths,
    flight_rows,
    get_page,
    new_http,
    page_models,
    page_props,
    push_chunks,
    uuid7,
)

PAGES = ("/", "/?mode=direct", "/?chat-modality=image", "/text/direct", "/c/{session}")


def _inputs(model: dict[str, Any]) -> dict[str, Any]:
    caps: dict[str, Any] = model["capabilities"]["inputCapabilities"]
    return caps


def _outputs(model: dict[str, Any]) -> dict[str, Any]:
    caps: dict[str, Any] = model["capabilities"]["outputCapabilities"]
    return caps


@pytest.mark.parametrize("path", PAGES)
async def test_page_carries_everything_clients_bootstrap_from(
    arena: FakeArena, http: aiohttp.ClientSession, path: str
) -> None:
    session = uuid7()
    async with http.get(arena.url + path.format(session=session)) as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        html = await response.text()
    chunks_with_models = [c for c in push_chunks(html) if '"initialModels"' in c]
    assert len(chunks_with_models) == 1
    props = page_props(html)
    assert props["initialModels"], "the page lists no models"
    assert props["initialModelAId"] == props["initialModels"][0]["id"]
    assert props["initialModelBId"] == props["initialModels"][1]["id"]
    if path.startswith("/c/"):
        assert props["initialEvaluationSessionId"] == session
    assert evaluation_chunk_paths(html)
    assert re.search(
        r'<script src="[^"]*enterprise\.js\?render=' + re.escape(arena.site_key) + '"', html
    )
    assert re.search(r'<textarea[^>]*name="message"', html)
    assert re.search(r'<body class="[^"]*\bno-js\b', html)
    assert cookie(http, PROVISIONAL_COOKIE) is not None
    assert "__cf_bm" in cookie_names(http)


async def test_models_row_is_one_react_element_on_one_line(
    arena: FakeArena, http: aiohttp.ClientSession
) -> None:
    html = await get_page(http, arena.url + "/?mode=direct")
    # The row is a 4-element React element (SEED walks data[3]) ...
    row = next(r for r in flight_rows(html) if '"initialModels"' in r)
    assert re.fullmatch(r'[0-9a-f]+:\["\$","\$L[0-9a-f]+",null,\{.*\}\]', row)
    props = page_props(html)
    assert list(props)[:2] == ["initialModels", "initialModelAId"]
    # ... and the JS-escaped form sits on one raw HTML line (G4F scans splitlines()).
    lines = [x for x in html.splitlines() if '\\"initialModels\\"' in x]
    assert len(lines) == 1 and '\\"initialModelAId\\"' in lines[0]


async def test_flight_json_is_compact_as_next_writes_it(
    arena: FakeArena, http: aiohttp.ClientSession
) -> None:
    """Next.js writes flight rows with JSON.stringify (no spaces); GN's regex depends on it:
    ``{\\"initialModels\\":(\\[.*?\\]),\\"initialModel[A-Z]Id``."""
    html = await get_page(http, arena.url + "/?mode=direct")
    match = re.search(r'\{\\"initialModels\\":(\[.*?\]),\\"initialModel[A-Z]Id', html)
    assert match is not None, "GN's initialModels regex does not match the page"
    row = next(r for r in flight_rows(html) if '"initialModels"' in r)
    start = row.index('"initialModels":') + len('"initialModels":')
    models, end = json.JSONDecoder().raw_decode(row, start)
    assert row[end:].startswith(',"initialModelAId":')
    assert models == page_models(html)
    for row in flight_rows(html):
        payload = row.partition(":")[2].removeprefix("I")
        with contextlib.suppress(ValueError):
            value = json.loads(payload)
            assert payload == json.dumps(value, separators=(",", ":"), ensure_ascii=False)


async def test_models_cover_the_capability_mix(
    arena: FakeArena, http: aiohttp.ClientSession
) -> None:
    models = page_models(await get_page(http, arena.url + "/"))
    for model in models:
        uuid_re = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        assert re.fullmatch(uuid_re, model["id"])
        assert isinstance(model["publicName"], str)
    images = [_inputs(m).get("image") for m in models]
    assert True in images, "no vision model with image: true"
    assert any(isinstance(i, dict) for i in images), "no vision model with the object form"
    assert False in images, "no model with image: false"
    assert any("image" in _outputs(m) for m in models), "no image-output model"
    assert any("text" in _outputs(m) for m in models)
    names = [m["publicName"] for m in models]
    duplicated = {n for n in names if names.count(n) > 1}
    assert duplicated, "no duplicated publicName"
    for name in duplicated:
        assert len({m["id"] for m in models if m["publicName"] == name}) > 1
    assert any("organization" not in m for m in models), "no stealth model"
    assert any("organization" in m for m in models)


async def test_public_chunks_carry_server_action_references(arena: FakeArena) -> None:
    async with new_http(cookies=False) as bare:  # G4F fetches chunks without cookies
        html = await get_page(bare, arena.url + "/")
        texts = []
        for path in evaluation_chunk_paths(html):
            assert re.fullmatch(r"static/chunks/[\w.-]+\.js\?dpl=dpl_\w+", path)
            async with bare.get(f"{arena.url}/_next/{path}") as response:
                assert response.status == 200
                assert "javascript" in response.content_type
                texts.append(await response.text())
    with_refs = [t for t in texts if "createServerReference" in t]
    assert len(with_refs) == 1
    chunk = with_refs[0]
    assert "\n" not in chunk.strip(), "minified chunks are one line"
    refs = action_refs(chunk)
    assert {"generateUploadUrl", "getSignedUrl"} <= set(refs)
    for action_id in refs.values():
        assert re.fullmatch(r"[0-9a-f]{42}", action_id)
    assert refs == dict(arena.state.build.action_ids)
    # G4F's regex (no DOTALL) finds the same pairs
    g4f = dict(
        (name, ident) for ident, name in re.findall(r'\("([a-f0-9]{40,})".*?"(\w+)"\)', chunk)
    )
    assert g4f["generateUploadUrl"] == refs["generateUploadUrl"]


async def test_unknown_chunk_is_404(arena: FakeArena, http: aiohttp.ClientSession) -> None:
    async with http.get(arena.url + "/_next/static/chunks/1234-0123456789abcdef.js") as response:
        assert response.status == 404


async def test_rotating_action_ids_changes_them_and_retires_the_old_ones(
    arena: FakeArena, http: aiohttp.ClientSession, user: str
) -> None:
    before = await discover_actions(http, arena)
    old_chunks = evaluation_chunk_paths(await get_page(http, arena.url + "/"))
    rotated = arena.rotate_action_ids()
    after = await discover_actions(http, arena)
    assert after == rotated
    assert set(before.values()).isdisjoint(after.values())
    old = await call_action(http, arena.url + "/", before["getSignedUrl"], ["x/1-a.png"])
    assert old.status == 404
    new = await call_action(http, arena.url + "/", after["getSignedUrl"], ["x/1-a.png"])
    assert new.status == 200 and new.content_type == "text/x-component"
    # the chunk that held the old ids is gone with the old deployment
    gone = set(old_chunks) - set(evaluation_chunk_paths(await get_page(http, arena.url + "/")))
    assert len(gone) == 1
    async with http.get(f"{arena.url}/_next/{gone.pop()}") as response:
        assert response.status == 404


async def test_model_catalog_lists_groups(arena: FakeArena, http: aiohttp.ClientSession) -> None:
    async with http.get(arena.url + "/nextjs-api/model-catalog") as response:
        assert response.status == 200
        assert response.content_type == "application/json"
        groups = await response.json()
    assert isinstance(groups, list) and groups
    arenas = {g["arena"] for g in groups}
    assert {"text", "text-to-image"} <= arenas
    for group in groups:
        assert isinstance(group["models"], list)
        assert isinstance(group["complete"], bool)
    text = next(g for g in groups if g["arena"] == "text")
    entry = text["models"][0]
    assert {"id", "publicName", "displayName", "userSelectable", "capabilities"} <= set(entry)
    page_ids = {m["id"] for m in page_models(await get_page(http, arena.url + "/"))}
    catalog_ids = {m["id"] for g in groups for m in g["models"]}
    assert page_ids <= catalog_ids


async def test_models_in_page_off_empties_the_page_but_not_the_catalog(
    make_arena: MakeArena, http: aiohttp.ClientSession
) -> None:
    arena = await make_arena(models_in_page=False, catalog_only_models=2)
    props = page_props(await get_page(http, arena.url + "/text/direct"))
    assert props["initialModels"] == []
    assert props["initialModelAId"] is None
    async with http.get(arena.url + "/nextjs-api/model-catalog") as response:
        groups = await response.json()
    names = {m["publicName"] for g in groups for m in g["models"]}
    assert {"gemini-3-pro", "catalog-only-model-1", "catalog-only-model-2"} <= names


async def test_catalog_only_models_are_not_in_the_page(
    make_arena: MakeArena, http: aiohttp.ClientSession
) -> None:
    arena = await make_arena(catalog_only_models=1)
    names = {m["publicName"] for m in page_models(await get_page(http, arena.url + "/"))}
    assert "catalog-only-model-1" not in names
    assert "gemini-3-pro" in names


@pytest.mark.parametrize("on_input", [False, True])
async def test_signup_on_input_switches_the_page_script(
    make_arena: MakeArena, http: aiohttp.ClientSession, on_input: bool
) -> None:
    arena = await make_arena(signup_on_input=on_input)
    html = await get_page(http, arena.url + "/")
    assert f"ON_INPUT = {'true' if on_input else 'false'}" in html
    assert "grecaptcha" in html and "sign_up" in html
