"""Plain-HTTP helpers for the fake site's tests: sessions, sign-up, tokens, wire bodies, streams.

The wire bodies are written out here by hand from the protocol reference; nothing is imported
from the client's protocol code (the fake and the client must not share it).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from lmarena_client.testing import FakeArena

TEXT_PLAIN = "text/plain;charset=UTF-8"
APPLICATION_JSON = "application/json"
CONTENT_TYPES = (TEXT_PLAIN, APPLICATION_JSON)
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/136.0.0.0 Safari/537.36"
)
RECAPTCHA_FAILED = {"error": "recaptcha validation failed"}
AUTH_COOKIE = "arena-auth-prod-v1"
PROVISIONAL_COOKIE = "provisional_user_id"
CREATE_PATH = "/nextjs-api/stream/create-evaluation"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# Models of the fake's default catalogue, by publicName.
VISION_TRUE = "claude-opus-4-5-20251101"  # inputCapabilities.image: true
VISION_OBJECT = "gemini-3-pro"  # inputCapabilities.image: {multipleImages, requiresUpload}
NO_VISION = "deepseek-v3.2"  # inputCapabilities.image: false
STEALTH = "ghostfalcon-20251215"  # no organization, no image input key
THINKING = "claude-opus-4-5-20251101-thinking-32k"
IMAGE_OUT = "flux-2-pro"  # outputCapabilities.image
IMAGE_EDIT = "gemini-2.5-flash-image-preview (nano-banana)"  # image in, image out
DUPLICATED = "gpt-5.2"  # two ids: a text and a webdev variant

_LINE_RE = re.compile(r"([ab])([0-9a-z]):(.*)", re.DOTALL)
_PUSH_RE = re.compile(r'self\.__next_f\.push\((\[1,"(?:[^"\\]|\\.)*"\])\)</script>')
_ACTION_RE = re.compile(
    r'\(0,(\w+)\.createServerReference\)\("([0-9a-f]+)",\1\.callServer,void 0,'
    r'\1\.findSourceMapURL,"(\w+)"\)'
)


# -- ids -----------------------------------------------------------------------------------


def uuid7() -> str:
    """A UUIDv7 as the browser makes one: 48-bit ms timestamp, version 7, variant 10."""
    value = (int(time.time() * 1000) & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= secrets.randbits(12) << 64
    value |= 0b10 << 62
    value |= secrets.randbits(62)
    return str(uuid.UUID(int=value))


def uuid4() -> str:
    return str(uuid.uuid4())


@dataclass
class Ids:
    """Client-generated ids of one request."""

    session: str
    user: str
    model_a: str
    model_b: str | None = None


def fresh_ids(session: str | None = None, *, model_b: bool = False) -> Ids:
    return Ids(session or uuid7(), uuid7(), uuid7(), uuid7() if model_b else None)


# -- HTTP sessions and cookies -------------------------------------------------------------


def new_http(user_agent: str = USER_AGENT, *, cookies: bool = True) -> aiohttp.ClientSession:
    """A plain client. The cookie jar must accept cookies of an IP host (127.0.0.1)."""
    jar: aiohttp.abc.AbstractCookieJar = (
        aiohttp.CookieJar(unsafe=True) if cookies else aiohttp.DummyCookieJar()
    )
    return aiohttp.ClientSession(
        cookie_jar=jar,
        headers={"User-Agent": user_agent},
        timeout=aiohttp.ClientTimeout(total=15),
    )


def cookie(http: aiohttp.ClientSession, name: str) -> str | None:
    return next((c.value for c in http.cookie_jar if c.key == name), None)


def cookie_names(http: aiohttp.ClientSession) -> set[str]:
    return {c.key for c in http.cookie_jar}


def cookie_header(values: Mapping[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in values.items())


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def session_of(value: str) -> dict[str, Any]:
    """The Supabase session JSON inside an auth cookie value ``base64-<base64url(JSON)>``."""
    assert value.startswith("base64-")
    session = json.loads(b64url_decode(value[len("base64-") :]))
    assert isinstance(session, dict)
    return session


def cookie_of(session: dict[str, Any]) -> str:
    """An auth cookie value for a session JSON (edited sessions in tests)."""
    return "base64-" + b64url_encode(json.dumps(session).encode())


# -- tokens, sign-up -----------------------------------------------------------------------


def token(arena: FakeArena, action: str = "chat_submit") -> str:
    """A valid reCAPTCHA token, as the page script would mint one (tests of the fake only)."""
    return arena.state.recaptcha.mint_for_tests(action)


async def get_page(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(url) as response:
        assert response.status == 200, response.status
        assert response.content_type == "text/html"
        return await response.text()


async def post_text(
    http: aiohttp.ClientSession,
    url: str,
    body: Any,
    *,
    content_type: str = TEXT_PLAIN,
    method: str = "POST",
    headers: Mapping[str, str] | None = None,
) -> tuple[int, str, aiohttp.ClientResponse]:
    """Send ``body`` (JSON-encoded unless already str/bytes) and read the whole answer."""
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    all_headers = {"Content-Type": content_type, **(headers or {})}
    async with http.request(method, url, data=data, headers=all_headers) as response:
        return response.status, await response.text(), response


async def sign_up(http: aiohttp.ClientSession, arena: FakeArena) -> str:
    """Sign up as the page does: load the page, then post the provisional id with a token."""
    await get_page(http, arena.url + "/?mode=direct")
    provisional = cookie(http, PROVISIONAL_COOKIE)
    assert provisional is not None, "the page set no provisional_user_id cookie"
    body = {"recaptchaToken": token(arena, "sign_up"), "provisionalUserId": provisional}
    status, text, _ = await post_text(http, arena.url + "/nextjs-api/sign-up", body)
    assert status == 200, text
    user_id = json.loads(text)["user"]["id"]
    assert isinstance(user_id, str)
    return user_id


def model_id(arena: FakeArena, public_name: str, index: int = 0) -> str:
    found = arena.state.models.by_name(public_name)
    assert len(found) > index, f"no model {public_name!r} #{index}"
    value = found[index]["id"]
    assert isinstance(value, str)
    return value


# -- wire bodies ---------------------------------------------------------------------------


def attachment(key: str, mime: str, url: str) -> dict[str, str]:
    return {"name": key, "contentType": mime, "url": url}


def chat_body(
    *,
    ids: Ids,
    prompt: str,
    recaptcha: str | None,
    model_a_id: str | None,
    model_b_id: str | None = None,
    mode: str | None = "direct",
    modality: str = "chat",
    attachments: list[dict[str, str]] | None = None,
    legacy: bool = False,
) -> dict[str, Any]:
    """A create / post-to body in the current (``userMessage``) or legacy (``messages``) form."""
    body: dict[str, Any] = {"id": ids.session}
    if mode is not None:
        body["mode"] = mode
    if model_a_id is not None:
        body["modelAId"] = model_a_id
    if model_b_id is not None:
        body["modelBId"] = model_b_id
    body["userMessageId"] = ids.user
    body["modelAMessageId"] = ids.model_a
    if ids.model_b is not None:
        body["modelBMessageId"] = ids.model_b
    files = attachments or []
    if legacy:
        body["messages"] = legacy_messages(ids, prompt, model_a_id, files)
    else:
        body["userMessage"] = {"content": prompt, "experimental_attachments": files, "metadata": {}}
    body["modality"] = modality
    if recaptcha is not None:
        body["recaptchaV3Token"] = recaptcha
    return body


def legacy_messages(
    ids: Ids, prompt: str, model_a_id: str | None, files: list[dict[str, str]]
) -> list[dict[str, Any]]:
    """The legacy site form: the pending user message and the pending assistant message."""
    common = {"evaluationSessionId": ids.session, "status": "pending", "failureReason": None}
    return [
        {
            "id": ids.user,
            "role": "user",
            "content": prompt,
            "experimental_attachments": files,
            "parentMessageIds": [],
            "participantPosition": "a",
            "modelId": None,
            **common,
        },
        {
            "id": ids.model_a,
            "role": "assistant",
            "content": "",
            "reasoning": "",
            "experimental_attachments": [],
            "parentMessageIds": [ids.user],
            "participantPosition": "a",
            "modelId": model_a_id,
            **common,
        },
    ]


# -- streams -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    participant: str
    code: str
    payload: Any
    raw: str


@dataclass
class Stream:
    """One answer of a stream endpoint: the status, headers and (for 200) the parsed lines."""

    status: int
    headers: Mapping[str, str]
    body: str
    lines: list[Line] = field(default_factory=list)
    error: BaseException | None = None  # a transport error while reading the body

    def json(self) -> Any:
        return json.loads(self.body)

    def payloads(self, participant: str = "a", code: str = "0") -> list[Any]:
        return [x.payload for x in self.lines if x.participant == participant and x.code == code]

    def text(self, participant: str = "a") -> str:
        return "".join(self.payloads(participant, "0"))

    def reasoning(self, participant: str = "a") -> str:
        return "".join(self.payloads(participant, "g"))

    def prefixes(self) -> list[str]:
        return [x.participant + x.code for x in self.lines]

    def finish(self, participant: str = "a") -> dict[str, Any] | None:
        found = self.payloads(participant, "d")
        assert len(found) <= 1, f"more than one {participant}d: line"
        return found[0] if found else None


def parse_line(raw: str) -> Line:
    """``<participant><code>:<JSON>``; an assertion error for anything else."""
    assert raw.endswith("\n"), f"line not newline-terminated: {raw!r}"
    match = _LINE_RE.fullmatch(raw[:-1])
    assert match is not None, f"not a stream line: {raw!r}"
    try:
        payload = json.loads(match.group(3))
    except ValueError as exc:
        raise AssertionError(f"payload is not JSON: {raw!r}") from exc
    return Line(match.group(1), match.group(2), payload, raw)


async def send_stream(
    http: aiohttp.ClientSession,
    url: str,
    body: Any,
    *,
    content_type: str = TEXT_PLAIN,
    method: str = "POST",
) -> Stream:
    """Send a stream request; a 200 answer is read line by line and every line parsed."""
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    headers = {"Content-Type": content_type, "Accept": "*/*"}
    async with http.request(method, url, data=data, headers=headers) as response:
        if response.status != 200:
            return Stream(response.status, response.headers, await response.text())
        raw_lines: list[str] = []
        error: BaseException | None = None
        try:
            async for raw in response.content:
                raw_lines.append(raw.decode("utf-8"))
        except aiohttp.ClientPayloadError as exc:
            error = exc
        lines = [parse_line(raw) for raw in raw_lines]
        return Stream(200, response.headers, "".join(raw_lines), lines, error)


async def create(
    http: aiohttp.ClientSession,
    arena: FakeArena,
    prompt: str,
    *,
    model: str | None = VISION_TRUE,
    model_b: str | None = None,
    mode: str = "direct",
    modality: str = "chat",
    ids: Ids | None = None,
    legacy: bool = False,
    content_type: str = TEXT_PLAIN,
    attachments: list[dict[str, str]] | None = None,
    recaptcha: str | None = None,
) -> tuple[Stream, Ids]:
    """``POST create-evaluation`` with a fresh token (unless one is given)."""
    ids = ids or fresh_ids(model_b=mode != "direct")
    body = chat_body(
        ids=ids,
        prompt=prompt,
        recaptcha=recaptcha if recaptcha is not None else token(arena),
        model_a_id=model_id(arena, model) if model else None,
        model_b_id=model_id(arena, model_b) if model_b else None,
        mode=mode,
        modality=modality,
        attachments=attachments,
        legacy=legacy,
    )
    stream = await send_stream(http, arena.url + CREATE_PATH, body, content_type=content_type)
    return stream, ids


async def post_to(
    http: aiohttp.ClientSession,
    arena: FakeArena,
    session_id: str,
    prompt: str,
    *,
    model: str | None = VISION_TRUE,
    mode: str | None = "direct",
    model_b_message: bool = False,
    legacy: bool = False,
    content_type: str = TEXT_PLAIN,
) -> tuple[Stream, Ids]:
    """``POST post-to-evaluation/<id>`` with fresh message ids and a fresh token."""
    ids = fresh_ids(session_id, model_b=model_b_message)
    body = chat_body(
        ids=ids,
        prompt=prompt,
        recaptcha=token(arena),
        model_a_id=model_id(arena, model) if model else None,
        mode=mode,
        legacy=legacy,
    )
    url = f"{arena.url}/nextjs-api/stream/post-to-evaluation/{session_id}"
    return await send_stream(http, url, body, content_type=content_type), ids


async def retry(
    http: aiohttp.ClientSession,
    arena: FakeArena,
    session_id: str,
    message_id: str,
    body: dict[str, Any] | None = None,
    *,
    action: str = "chat_retry",
    content_type: str = TEXT_PLAIN,
) -> Stream:
    """``PUT retry-evaluation-session-message/<session>/messages/<message>``."""
    payload = {**(body or {}), "recaptchaV3Token": token(arena, action)}
    url = (
        f"{arena.url}/nextjs-api/stream/retry-evaluation-session-message/{session_id}"
        f"/messages/{message_id}"
    )
    return await send_stream(http, url, payload, content_type=content_type, method="PUT")


# -- the boot page's flight data and chunks ------------------------------------------------


def push_chunks(html: str) -> list[str]:
    """The decoded strings of every ``self.__next_f.push([1,"..."])</script>``."""
    chunks = []
    for match in _PUSH_RE.finditer(html):
        decoded = json.loads(match.group(1))
        assert decoded[0] == 1 and isinstance(decoded[1], str)
        chunks.append(decoded[1])
    return chunks


def flight_rows(html: str) -> list[str]:
    return [row for chunk in push_chunks(html) for row in chunk.split("\n") if row]


def page_props(html: str) -> dict[str, Any]:
    """The props of the row ``<id>:["$","$L..",null,{"initialModels":[...],...}]``.

    The whole row must sit in one push chunk and be valid JSON (what the strictest client
    parser requires)."""
    for chunk in push_chunks(html):
        for row in chunk.split("\n"):
            if '"initialModels"' not in row:
                continue
            element = json.loads(row.split(":", 1)[1])
            assert isinstance(element, list) and len(element) == 4 and element[0] == "$"
            props = element[3]
            assert isinstance(props, dict)
            return props
    raise AssertionError("no initialModels row in any push chunk")


def page_models(html: str) -> list[dict[str, Any]]:
    models = page_props(html)["initialModels"]
    assert isinstance(models, list)
    return models


def evaluation_chunk_paths(html: str) -> list[str]:
    """``static/chunks/...`` paths of the ``I[<n>,[pairs],"Evaluation"]`` row."""
    for row in flight_rows(html):
        head, _, payload = row.partition(":")
        if not payload.startswith("I["):
            continue
        entry = json.loads(payload[1:])
        if entry[-1] == "Evaluation":
            assert re.fullmatch(r"[0-9a-f]+", head), head
            assert isinstance(entry[0], int)
            pairs = entry[1]
            assert len(pairs) % 2 == 0
            return [str(path) for path in pairs[1::2]]
    raise AssertionError("no Evaluation client-module row")


def action_refs(js: str) -> dict[str, str]:
    """``name -> id`` of every ``(0,w.createServerReference)("<id>",...,"<name>")``."""
    return {m.group(3): m.group(2) for m in _ACTION_RE.finditer(js)}


async def discover_actions(http: aiohttp.ClientSession, arena: FakeArena) -> dict[str, str]:
    """Action ids as clients find them: page -> Evaluation row -> chunks (without cookies)."""
    html = await get_page(http, arena.url + "/?mode=direct")
    found: dict[str, str] = {}
    async with new_http(cookies=False) as bare:
        for path in evaluation_chunk_paths(html):
            async with bare.get(f"{arena.url}/_next/{path}") as response:
                assert response.status == 200, path
                found.update(action_refs(await response.text()))
    return found


# -- server actions and storage ------------------------------------------------------------


@dataclass
class ActionAnswer:
    status: int
    content_type: str
    text: str

    def rows(self) -> dict[str, Any]:
        """RSC rows ``<id>:<JSON>`` by id."""
        rows: dict[str, Any] = {}
        for line in self.text.splitlines():
            head, _, payload = line.partition(":")
            rows[head] = json.loads(payload)
        return rows

    def result(self) -> dict[str, Any]:
        result = self.rows()["1"]
        assert isinstance(result, dict)
        return result


async def call_action(
    http: aiohttp.ClientSession,
    url: str,
    action_id: str,
    args: list[Any],
    *,
    content_type: str = TEXT_PLAIN,
) -> ActionAnswer:
    headers = {
        "Next-Action": action_id,
        "Accept": "text/x-component",
        "Content-Type": content_type,
        "Referer": url,
    }
    async with http.post(url, data=json.dumps(args), headers=headers) as response:
        return ActionAnswer(response.status, response.content_type, await response.text())


async def upload(
    http: aiohttp.ClientSession,
    arena: FakeArena,
    actions: Mapping[str, str],
    name: str,
    mime: str,
    data: bytes,
) -> tuple[str, str]:
    """The three upload steps; returns (key, signed GET URL)."""
    page = arena.url + "/?chat-modality=image"
    made = await call_action(http, page, actions["generateUploadUrl"], [name, mime])
    assert made.status == 200, made.text
    result = made.result()
    assert result["success"] is True, result
    key, upload_url = result["data"]["key"], result["data"]["uploadUrl"]
    async with http.put(upload_url, data=data, headers={"Content-Type": mime}) as response:
        assert response.status == 200, await response.text()
    signed = await call_action(http, page, actions["getSignedUrl"], [key])
    assert signed.result()["success"] is True, signed.text
    url = signed.result()["data"]["url"]
    assert isinstance(key, str) and isinstance(url, str)
    return key, url


def png_bytes(size: int = 64) -> bytes:
    """Bytes that start like a PNG (the fake stores them as given)."""
    return PNG_MAGIC + bytes(max(0, size - len(PNG_MAGIC)))
