"""Strict parsing of stream request bodies (both the ``userMessage`` and legacy ``messages`` form).

Only the shape is checked here; ids, models, sessions and tokens are checked by the stream
handlers, which know the site's state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .ids import is_uuid
from .refusals import bad_request

MODES = frozenset({"direct", "direct-battle", "side-by-side", "battle"})
TWO_MODEL_MODES = frozenset({"direct-battle", "side-by-side", "battle"})
MODALITIES = frozenset({"chat", "webdev", "search", "image", "p2l", "video"})
TOKEN_FIELDS = ("recaptchaV3Token", "recaptchaV2Token")
_CHAT_KEYS = frozenset(
    {
        "id",
        "mode",
        "modelAId",
        "modelBId",
        "userMessageId",
        "modelAMessageId",
        "modelBMessageId",
        "userMessage",
        "messages",
        "modality",
        "featureFlags",
        *TOKEN_FIELDS,
    }
)
_RETRY_KEYS = frozenset({"messages", "modelId", "featureFlags", *TOKEN_FIELDS})
_USER_MESSAGE_KEYS = frozenset({"content", "experimental_attachments", "metadata"})
_ATTACHMENT_KEYS = frozenset({"name", "contentType", "url"})
_LEGACY_MESSAGE_KEYS = frozenset(
    {
        "id",
        "role",
        "content",
        "reasoning",
        "experimental_attachments",
        "parentMessageIds",
        "participantPosition",
        "modelId",
        "evaluationSessionId",
        "status",
        "failureReason",
        "metadata",
        "evaluationId",
        "createdAt",
        "updatedAt",
    }
)


@dataclass
class ChatRequest:
    session_id: str | None
    mode: str | None
    modality: str
    model_a_id: str | None
    model_b_id: str | None
    user_message_id: str
    model_a_message_id: str
    model_b_message_id: str | None
    content: str
    attachments: list[dict[str, str]] = field(default_factory=list)
    form: str = "userMessage"


def _expect(value: Any, kind: type | tuple[type, ...], name: str) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise bad_request(f"Invalid request body: {name} has the wrong type")
    return value


def _optional_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    return None if value is None else str(_expect(value, str, key))


def _no_unknown_keys(obj: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise bad_request(f"Invalid request body: unrecognized key(s) in {where}: {unknown}")


def parse_chat(body: Any) -> ChatRequest:
    """A create or post-to body; Refusal(400) when malformed."""
    _expect(body, dict, "body")
    _no_unknown_keys(body, _CHAT_KEYS, "object")
    mode = _optional_str(body, "mode")
    if mode is not None and mode not in MODES:
        raise bad_request(f"Invalid request body: unknown mode {mode!r}")
    modality = body.get("modality")
    if not isinstance(modality, str) or modality not in MODALITIES:
        raise bad_request("Invalid request body: modality is missing or unknown")
    if "featureFlags" in body:
        _expect(body["featureFlags"], dict, "featureFlags")
    request = ChatRequest(
        session_id=_optional_str(body, "id"),
        mode=mode,
        modality=modality,
        model_a_id=_optional_str(body, "modelAId"),
        model_b_id=_optional_str(body, "modelBId"),
        user_message_id=_expect(body.get("userMessageId"), str, "userMessageId"),
        model_a_message_id=_expect(body.get("modelAMessageId"), str, "modelAMessageId"),
        model_b_message_id=_optional_str(body, "modelBMessageId"),
        content="",
    )
    if ("userMessage" in body) == ("messages" in body):
        raise bad_request("Invalid request body: send either userMessage or messages")
    if "userMessage" in body:
        request.content, request.attachments = _user_message(body["userMessage"])
    else:
        request.content, request.attachments = _legacy_messages(body["messages"], request)
        request.form = "messages"
    if not request.content.strip():
        raise bad_request("Invalid request body: message content is empty")
    return request


def _user_message(message: Any) -> tuple[str, list[dict[str, str]]]:
    _expect(message, dict, "userMessage")
    _no_unknown_keys(message, _USER_MESSAGE_KEYS, "userMessage")
    content = _expect(message.get("content"), str, "userMessage.content")
    if "metadata" in message:
        _expect(message["metadata"], dict, "userMessage.metadata")
    return content, _attachments(message.get("experimental_attachments", []))


def _attachments(items: Any) -> list[dict[str, str]]:
    _expect(items, list, "experimental_attachments")
    checked = []
    for item in items:
        _expect(item, dict, "experimental_attachments[]")
        if set(item) != _ATTACHMENT_KEYS:
            raise bad_request("Invalid request body: an attachment needs name, contentType, url")
        for key in _ATTACHMENT_KEYS:
            _expect(item[key], str, f"experimental_attachments[].{key}")
        checked.append(dict(item))
    return checked


def _legacy_messages(messages: Any, request: ChatRequest) -> tuple[str, list[dict[str, str]]]:
    """The pending user message of the legacy form; earlier messages are only shape-checked."""
    _expect(messages, list, "messages")
    pending_user: dict[str, Any] | None = None
    for message in messages:
        _expect(message, dict, "messages[]")
        _no_unknown_keys(message, _LEGACY_MESSAGE_KEYS, "messages[]")
        if not is_uuid(message.get("id")):
            raise bad_request("Invalid request body: messages[].id must be a UUID")
        if message.get("role") not in ("user", "assistant"):
            raise bad_request("Invalid request body: messages[].role must be user or assistant")
        _expect(message.get("content"), str, "messages[].content")
        _expect(message.get("experimental_attachments", []), list, "experimental_attachments")
        _expect(message.get("parentMessageIds", []), list, "messages[].parentMessageIds")
        if message["id"] == request.user_message_id:
            if message["role"] != "user":
                raise bad_request("Invalid request body: userMessageId is not a user message")
            pending_user = message
    if pending_user is None:
        raise bad_request("Invalid request body: no message has the id userMessageId")
    return pending_user["content"], _attachments(pending_user.get("experimental_attachments", []))


@dataclass
class RetryRequest:
    model_id: str | None


def parse_retry(body: Any) -> RetryRequest:
    _expect(body, dict, "body")
    _no_unknown_keys(body, _RETRY_KEYS, "object")
    if "messages" in body:
        _expect(body["messages"], list, "messages")
    if "featureFlags" in body:
        _expect(body["featureFlags"], dict, "featureFlags")
    return RetryRequest(_optional_str(body, "modelId"))
