"""Request models of the OpenAI-style API, and the pure step from a request to a chat job."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError
from pydantic_core import ErrorDetails

from .errors import ApiError

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class _Lenient(BaseModel):
    # OpenAI fields this server cannot honour (temperature, tools, n, ...) are accepted and ignored.
    model_config = ConfigDict(extra="ignore")


class ImageUrl(_Lenient):
    url: str = Field(min_length=1)


class TextPart(_Lenient):
    type: Literal["text"]
    text: str


class ImagePart(_Lenient):
    type: Literal["image_url"]
    image_url: ImageUrl


class OtherPart(_Lenient):
    # Any other type (input_audio, refusal, ...): accepted here, refused only in the user turn.
    type: str = Field(json_schema_extra={"not": {"enum": ["text", "image_url"]}})


def _part_tag(value: Any) -> str | None:
    """Route a part by its ``type`` so that a broken text or image part reports its own
    field, instead of falling through to another union branch."""
    if isinstance(value, dict):
        kind = value.get("type")
    elif isinstance(value, BaseModel):
        kind = getattr(value, "type", None)
    else:
        return None  # not an object: the custom error below
    return f"part:{kind}" if kind in ("text", "image_url") else "part:other"


def _content_tag(value: Any) -> str | None:
    if value is None:
        return "content:none"
    if isinstance(value, str):
        return "content:str"
    if isinstance(value, list):
        return "content:list"
    return None


ContentPart = Annotated[
    Annotated[TextPart, Tag("part:text")]
    | Annotated[ImagePart, Tag("part:image_url")]
    | Annotated[OtherPart, Tag("part:other")],
    Discriminator(
        _part_tag,
        custom_error_type="part_not_object",
        custom_error_message="a content part must be an object",
    ),
]

Content = Annotated[
    Annotated[str, Tag("content:str")]
    | Annotated[list[ContentPart], Tag("content:list")]
    | Annotated[None, Tag("content:none")],
    Discriminator(
        _content_tag,
        custom_error_type="content_type",
        custom_error_message="content must be a string or a list of content parts",
    ),
]


class Message(_Lenient):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: Content = None


class ConversationRef(_Lenient):
    evaluationSessionId: str = Field(min_length=1, max_length=64)


class StreamOptions(_Lenient):
    include_usage: bool = False


class ArenaRequest(_Lenient):
    """Vendor object: two models at once. ``model`` is model A in side-by-side; a battle
    takes ``"model": "battle"`` and the site picks both."""

    mode: Literal["side-by-side", "battle"]
    model_b: str | None = Field(None, min_length=1, max_length=200)
    # A new reply of one side to the latest turn (the chat's evaluationSessionId is required).
    regenerate: Literal["a", "b"] | None = None


BATTLE_MODEL = "battle"  # the model name of a battle (listed in /v1/models)


class ChatCompletionRequest(_Lenient):
    model: str = Field(min_length=1, max_length=200)
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    conversation: ConversationRef | None = None
    arena: ArenaRequest | None = None


class UserTurn(BaseModel):
    """What is sent to the site: the last user message's text and images."""

    text: str
    images: list[tuple[str, str]]  # (param path, data URI or http(s) URL)
    evaluation_session_id: str | None


def parse_request(raw: Any) -> ChatCompletionRequest:
    """Validate a decoded JSON body; a 400 naming the first bad field otherwise."""
    if not isinstance(raw, dict):
        raise ApiError(400, "the request body must be a JSON object", param=None)
    try:
        request = ChatCompletionRequest.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        param = _param_path(first["loc"])
        raise ApiError(400, f"{param}: {_plain(first)}", param=param) from None
    _check_arena(request)
    return request


def _check_arena(request: ChatCompletionRequest) -> None:
    """``"model": "battle"`` alone means a battle; otherwise the arena object must fit."""
    arena = request.arena
    if arena is None:
        if request.model == BATTLE_MODEL:
            request.arena = ArenaRequest(mode="battle")
        return
    if arena.regenerate is not None and request.conversation is None:
        raise ApiError(
            400,
            "arena.regenerate: regenerating a side needs conversation.evaluationSessionId",
            param="arena.regenerate",
        )
    if arena.mode == "battle":
        if request.model != BATTLE_MODEL:
            raise ApiError(400, 'model: a battle takes "model": "battle"', param="model")
        if arena.model_b is not None:
            raise ApiError(400, "arena.model_b: a battle names no models", param="arena.model_b")
    elif arena.model_b is None or arena.model_b == request.model:
        raise ApiError(
            400,
            "arena.model_b: side-by-side needs a second model, other than `model`",
            param="arena.model_b",
        )


def _param_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in ("str", "list[...]") or part.startswith(("function-", "list[")):
            continue  # pydantic's union branch names, not fields
        elif part.startswith(("part:", "content:")):
            continue  # our own union tags (ContentPart, Content)
        else:
            path += f".{part}" if path else part
    return path or "body"


_JSON_KINDS: tuple[tuple[type, str], ...] = (
    (bool, "a boolean"),  # before int: bool is an int subclass
    (int, "a number"),
    (float, "a number"),
    (str, "a string"),
    (list, "a list"),
    (dict, "an object"),
    (type(None), "null"),
)


def _json_kind(value: Any) -> str:
    return next((name for kind, name in _JSON_KINDS if isinstance(value, kind)), "a value")


def _plain(error: ErrorDetails) -> str:
    """Pydantic's wording in the words of the JSON the client sent (no Python class names)."""
    kind = error["type"]
    got = _json_kind(error.get("input"))
    if kind == "missing":
        return "this field is required but missing"
    if kind == "string_type":
        return f"must be a string, not {got}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be an object, not {got}"
    if kind == "list_type":
        return f"must be a list, not {got}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "part_not_object":
        return f'a content part must be an object like {{"type": "text", "text": "..."}}, not {got}'
    if kind == "content_type":
        return f"must be a string or a list of content parts, not {got}"
    return error["msg"]


def last_user_turn(request: ChatCompletionRequest, *, max_parts: int, max_images: int) -> UserTurn:
    """The last user message only: LMArena keeps the history per evaluationSessionId."""
    index = next(
        (i for i in range(len(request.messages) - 1, -1, -1) if request.messages[i].role == "user"),
        None,
    )
    if index is None:
        raise ApiError(400, "messages: there is no user message", param="messages")
    content = request.messages[index].content
    where = f"messages[{index}].content"
    texts, images = _split_content(content, where, max_parts)
    if len(images) > max_images:
        raise ApiError(400, f"{where}: at most {max_images} images per message", param=where)
    text = "\n".join(t for t in texts if t)
    if not text.strip() and not images:
        raise ApiError(400, f"{where}: the last user message is empty", param=where)
    session = request.conversation.evaluationSessionId.strip() if request.conversation else None
    if session is not None and not _UUID.match(session):
        param = "conversation.evaluationSessionId"
        raise ApiError(400, f"{param}: not an evaluationSessionId (a UUID)", param=param)
    return UserTurn(text=text, images=images, evaluation_session_id=session)


def history_images(request: ChatCompletionRequest) -> list[tuple[str, str]]:
    """(param path, source) of every image in the user messages before the last one."""
    last = max(i for i, message in enumerate(request.messages) if message.role == "user")
    return [
        (f"messages[{i}].content[{j}].image_url.url", part.image_url.url)
        for i, message in enumerate(request.messages[:last])
        if message.role == "user" and isinstance(message.content, list)
        for j, part in enumerate(message.content)
        if isinstance(part, ImagePart)
    ]


def _split_content(
    content: str | list[Any] | None, where: str, max_parts: int
) -> tuple[list[str], list[tuple[str, str]]]:
    if content is None:
        return [], []
    if isinstance(content, str):
        return [content], []
    if len(content) > max_parts:
        raise ApiError(400, f"{where}: more than {max_parts} content parts", param=where)
    texts: list[str] = []
    images: list[tuple[str, str]] = []
    for j, part in enumerate(content):
        if isinstance(part, TextPart):
            texts.append(part.text)
        elif isinstance(part, ImagePart):
            images.append((f"{where}[{j}].image_url.url", part.image_url.url))
        else:
            param = f"{where}[{j}].type"
            shown = part.type if len(part.type) <= 40 else part.type[:40] + "..."
            raise ApiError(
                400,
                f"{param}: content part type {shown!r} is not supported "
                '(use "text" or "image_url")',
                param=param,
            )
    return texts, images
