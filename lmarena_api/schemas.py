"""Request models of the OpenAI-style API, and the pure step from a request to a chat job."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

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
    type: str


ContentPart = TextPart | ImagePart | OtherPart


class Message(_Lenient):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[Annotated[ContentPart, Field(union_mode="left_to_right")]] | None = None


class ConversationRef(_Lenient):
    evaluationSessionId: str = Field(min_length=1, max_length=64)


class StreamOptions(_Lenient):
    include_usage: bool = False


class ChatCompletionRequest(_Lenient):
    model: str = Field(min_length=1, max_length=200)
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    conversation: ConversationRef | None = None


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
        return ChatCompletionRequest.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        param = _param_path(first["loc"])
        raise ApiError(400, f"{param}: {first['msg']}", param=param) from None


def _param_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in ("str", "list[...]") or part.startswith(("function-", "list[")):
            continue  # pydantic's union branch names, not fields
        elif part in ("TextPart", "ImagePart", "OtherPart"):
            continue
        else:
            path += f".{part}" if path else part
    return path or "body"


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
            raise ApiError(
                400, f"{param}: content part type {part.type!r} is not supported", param=param
            )
    return texts, images
