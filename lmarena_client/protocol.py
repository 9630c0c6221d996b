"""The site's wire format, as pure functions: ids, request bodies, server actions, stream lines.

Nothing here does I/O. The stream parser turns the reply body of the stream endpoints (lines of
``<participant><code>:<JSON>``) into typed events; the builders produce the request bodies.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from .errors import ActionFailedError, InputError, ProtocolError, TruncatedStreamError

log = logging.getLogger(__name__)

STREAM_CREATE_PATH = "/nextjs-api/stream/create-evaluation"
RECAPTCHA_ACTION_CHAT = "chat_submit"
RECAPTCHA_ACTION_RETRY = "chat_retry"
RECAPTCHA_ACTION_VOTE = "pairwise_feedback"
TURNSTILE_ACTION_VOTE = "pairwise_feedback"
VOTE_ACTION = "createPairwiseFeedback"
# Arena modes: one named model ("direct"), two named models, or two the site picks in secret.
MODE_DIRECT: Final = "direct"
MODE_SIDE_BY_SIDE: Final = "side-by-side"
MODE_BATTLE: Final = "battle"
# Our verdict names and the site's (the vote body is not confirmed by a capture; see docs).
VOTE_WIRE = {"a": "modelA", "b": "modelB", "tie": "tie", "both_bad": "bothBad"}

# ---------------------------------------------------------------------------------------------
# UUIDv7 (RFC 9562): 48-bit unix ms | ver 7 | 12 bits | var 10 | 62 bits.
# The 74 bits after the timestamp act as a randomly seeded counter, so ids made within one
# millisecond in this process still sort in creation order (RFC 9562 section 6.2, method 2).

_RANDOM_BITS = 74
_RANDOM_MAX = (1 << _RANDOM_BITS) - 1
_UUID7_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", re.I)


class _Uuid7State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last_ms = -1
        self.last_random = 0

    def next(self) -> tuple[int, int]:
        with self.lock:
            now_ms = time.time_ns() // 1_000_000
            if now_ms > self.last_ms:
                # Top bit clear leaves room to count up within this millisecond.
                self.last_ms, self.last_random = now_ms, secrets.randbits(_RANDOM_BITS - 1)
            else:
                # Same millisecond (or the clock went back): stay on the last one and count up.
                self.last_random += 1 + secrets.randbits(16)
                if self.last_random > _RANDOM_MAX:
                    self.last_ms += 1
                    self.last_random = secrets.randbits(_RANDOM_BITS - 1)
            return self.last_ms, self.last_random


_uuid7_state = _Uuid7State()


def uuid7() -> str:
    """A fresh UUIDv7 string; strictly increasing within this process."""
    unix_ms, random74 = _uuid7_state.next()
    rand_a = random74 >> 62
    rand_b = random74 & ((1 << 62) - 1)
    value = (unix_ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    hex32 = f"{value:032x}"
    return f"{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}-{hex32[16:20]}-{hex32[20:]}"


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except (ValueError, TypeError, AttributeError):
        return False


def is_uuid7(value: str) -> bool:
    """Whether ``value`` is a hyphenated UUID string of version 7 and the RFC variant."""
    return isinstance(value, str) and _UUID7_RE.fullmatch(value) is not None


# ---------------------------------------------------------------------------------------------
# Values carried by requests and events


@dataclass(frozen=True)
class Attachment:
    """An uploaded file as ``userMessage.experimental_attachments`` lists it."""

    name: str  # the storage key
    content_type: str
    url: str  # signed GET URL


def _token_count(obj: Mapping[str, Any], *keys: str) -> int | None:
    for key in keys:
        value = obj.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> Usage:
        """Reads the camelCase (AI SDK), OpenAI and Anthropic-style key spellings."""
        prompt = _token_count(obj, "promptTokens", "input_tokens", "prompt_tokens")
        completion = _token_count(obj, "completionTokens", "output_tokens", "completion_tokens")
        total = _token_count(obj, "totalTokens", "total_tokens")
        if total is None and prompt is not None and completion is not None:
            total = prompt + completion
        return cls(prompt, completion, total)


@dataclass(frozen=True)
class Citation:
    url: str | None
    title: str | None
    raw: dict[str, Any] = field(hash=False, compare=True)

    @classmethod
    def from_wire(cls, obj: dict[str, Any]) -> Citation:
        url, title = obj.get("url"), obj.get("title")
        return cls(
            url=url if isinstance(url, str) else None,
            title=title if isinstance(title, str) else None,
            raw=obj,
        )


# ---------------------------------------------------------------------------------------------
# Stream events


@dataclass(frozen=True)
class TextDelta:
    participant: str
    text: str


@dataclass(frozen=True)
class ReasoningDelta:
    participant: str
    text: str


@dataclass(frozen=True)
class ImageOutput:
    participant: str
    url: str  # an http(s) URL, or a data: URL built from base64 data
    mime_type: str | None


@dataclass(frozen=True)
class CitationPart:
    participant: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Heartbeat:
    participant: str


@dataclass(frozen=True)
class Finish:
    participant: str
    finish_reason: str | None
    usage: Usage | None


@dataclass(frozen=True)
class ErrorPart:
    participant: str
    message: str


@dataclass(frozen=True)
class UnknownPart:
    """A line (or ``a2`` object) this client does not interpret; kept for logging."""

    participant: str  # "a", "b", or "" when the line has no participant prefix
    code: str  # the prefix before ":", e.g. "af"; "" when the line has no ":"
    payload: str


StreamEvent = (
    TextDelta
    | ReasoningDelta
    | ImageOutput
    | CitationPart
    | Heartbeat
    | Finish
    | ErrorPart
    | UnknownPart
)

ARENA_ERROR_MARKER = "hasArenaError"
CITATION_TOOL_CALL_ID = "citation-source"

_PARTICIPANT_LINE = re.compile(r"([ab])([0-9a-z]):")
_MAX_LOGGED_PAYLOAD = 200


def _malformed(message: str, partial_text: str) -> ProtocolError:
    error = ProtocolError(message)
    # ProtocolError has no partial_text field yet; callers read it with getattr.
    setattr(error, "partial_text", partial_text)  # noqa: B010
    return error


class _BadLine(Exception):
    """A known line whose payload is malformed; turned into ProtocolError with the text so far."""


def _json(payload: str) -> Any:
    try:
        return json.loads(payload)
    except (ValueError, RecursionError) as exc:  # ValueError covers JSONDecodeError
        raise _BadLine(f"invalid JSON ({exc.__class__.__name__})") from exc


def _string(payload: str) -> str:
    value = _json(payload)
    if not isinstance(value, str):
        raise _BadLine(f"expected a JSON string, got {type(value).__name__}")
    return value


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _BadLine(f"expected {what} to be a JSON object, got {type(value).__name__}")
    return value


def _data_parts(participant: str, payload: str) -> list[StreamEvent]:
    items = _json(payload)
    if not isinstance(items, list):
        raise _BadLine(f"expected a JSON array, got {type(items).__name__}")
    events: list[StreamEvent] = []
    for item in items:
        obj = _object(item, "a data item")
        kind = obj.get("type")
        if kind == "heartbeat":
            events.append(Heartbeat(participant))
        elif kind == "image":
            events.append(_image(participant, obj))
        else:
            events.append(UnknownPart(participant, participant + "2", json.dumps(obj)))
    return events


def _image(participant: str, obj: dict[str, Any]) -> ImageOutput:
    mime = obj.get("mimeType")
    mime_type = mime if isinstance(mime, str) and mime else None
    url, data = obj.get("image"), obj.get("data")
    if isinstance(url, str) and url:
        return ImageOutput(participant, url, mime_type)
    if isinstance(data, str) and data:
        return ImageOutput(participant, f"data:{mime_type or 'image/png'};base64,{data}", mime_type)
    raise _BadLine("an image item has neither an 'image' URL nor base64 'data'")


def _tool_call(participant: str, code: str, payload: str) -> StreamEvent:
    obj = _object(_json(payload), "a tool-call delta")
    if obj.get("toolCallId") != CITATION_TOOL_CALL_ID:
        return UnknownPart(participant, code, payload)
    args_text = obj.get("argsTextDelta")
    if not isinstance(args_text, str):
        raise _BadLine("a citation has no argsTextDelta string")
    args = _object(_json(args_text), "citation arguments")
    source = args.get("source")
    sources = source if isinstance(source, list) else [source]
    citations = tuple(Citation.from_wire(_object(item, "a citation source")) for item in sources)
    return CitationPart(participant, citations)


def _finish(participant: str, payload: str) -> Finish:
    obj = _object(_json(payload), "a finish message")
    reason = obj.get("finishReason")
    if reason is not None and not isinstance(reason, str):
        raise _BadLine("finishReason is not a string")
    usage = obj.get("usage")
    if usage is not None:
        usage = Usage.from_wire(_object(usage, "usage"))
    return Finish(participant, reason, usage)


def _known_line(participant: str, code: str, payload: str) -> list[StreamEvent] | None:
    """Events of a line with a known code, or None for an unknown code."""
    kind = code[1]
    if kind == "0":
        text = _string(payload)
        if text == ARENA_ERROR_MARKER:
            return [ErrorPart(participant, "the site reported an arena error (hasArenaError)")]
        return [TextDelta(participant, text)]
    if kind == "g":
        return [ReasoningDelta(participant, _string(payload))]
    if kind == "2":
        return _data_parts(participant, payload)
    if kind == "3":
        return [ErrorPart(participant, _string(payload))]
    if kind == "c":
        return [_tool_call(participant, code, payload)]
    if kind == "d":
        return [_finish(participant, payload)]
    return None


class StreamParser:
    """Incremental parser of the site's line protocol (``<participant><code>:<JSON>\\n``).

    ``feed`` takes chunks split anywhere (mid-line, mid-UTF-8 character, between ``\\r`` and
    ``\\n``); ``close`` flushes a last unterminated line and checks that every participant that
    spoke also finished. Malformed known lines raise ProtocolError with a ``partial_text``
    attribute (the "a" text so far); a stream cut before its finish raises TruncatedStreamError.
    """

    def __init__(self, participants: Sequence[str] = ("a",)) -> None:
        """``participants`` must each finish: model A alone, both sides, or the retried one."""
        self._expected = frozenset(participants)
        self._main = participants[0]
        self._buffer = bytearray()
        self._text_parts: list[str] = []
        self._text_cache: str | None = ""
        self._seen: set[str] = set()
        self._finished: set[str] = set()
        self._closed = False
        self._held_surrogates: dict[tuple[str, type], str] = {}

    @property
    def text(self) -> str:
        """All text of the first expected participant so far."""
        if self._text_cache is None:
            self._text_cache = "".join(self._text_parts)
        return self._text_cache

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        if self._closed:
            raise ProtocolError("data fed to a closed stream parser")
        self._buffer += chunk
        events: list[StreamEvent] = []
        # b"\n" never occurs inside a multi-byte UTF-8 sequence, so splitting bytes is safe.
        start = 0
        try:
            while (end := self._buffer.find(b"\n", start)) >= 0:
                raw = bytes(self._buffer[start:end])
                start = end + 1
                events += self._line(raw)
        finally:
            del self._buffer[:start]
        return events

    def close(self) -> list[StreamEvent]:
        """Flush the last line; raise TruncatedStreamError if a participant never finished."""
        if self._closed:
            return []
        self._closed = True
        raw = bytes(self._buffer)
        self._buffer.clear()
        try:
            events = self._line(raw)
        except ProtocolError as exc:
            # A last line cut short (mid-JSON, mid-character) is a cut stream, if unfinished.
            if self._unfinished():
                raise self._truncated() from exc
            raise
        if self._unfinished():
            raise self._truncated()
        return events

    def _unfinished(self) -> list[str]:
        return sorted((self._expected | self._seen) - self._finished)

    def _truncated(self) -> TruncatedStreamError:
        return TruncatedStreamError(
            f"the stream ended without the finish line of {', '.join(self._unfinished())}",
            partial_text=self.text,
        )

    def _whole_characters(self, event: StreamEvent) -> StreamEvent | None:
        """Deltas as valid Unicode: a character split into two surrogate escapes across deltas
        is joined again, and a surrogate without its pair becomes U+FFFD."""
        if not isinstance(event, TextDelta | ReasoningDelta):
            return event
        key = (event.participant, type(event))
        held = self._held_surrogates.pop(key, "")
        if not held and not any("\ud800" <= c <= "\udfff" for c in event.text):
            return event
        text = held + event.text
        if text and "\ud800" <= text[-1] <= "\udbff":  # a high surrogate: its pair may follow
            self._held_surrogates[key] = text[-1]
            text = text[:-1]
            if not text:
                return None
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        return type(event)(event.participant, text)

    def _line(self, raw: bytes) -> list[StreamEvent]:
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _malformed(f"the stream is not valid UTF-8: {exc.reason}", self.text) from exc
        line = line.removesuffix("\r")
        if line.startswith("data:"):
            line = line[5:].removeprefix(" ")
        if not line.strip():
            return []
        match = _PARTICIPANT_LINE.match(line)
        if match is None:
            return [self._unknown("", line)]
        participant, code, payload = match[1], line[: match.end() - 1], line[match.end() :]
        try:
            events = _known_line(participant, code, payload)
        except _BadLine as exc:
            raise _malformed(f"malformed {code!r} line: {exc}", self.text) from exc
        if events is not None:
            events = [e for e in map(self._whole_characters, events) if e is not None]
        if events is None:
            self._seen.add(participant)
            return [self._unknown(participant, line)]
        self._check_order(participant, code, events)
        self._seen.add(participant)
        for event in events:
            if isinstance(event, TextDelta) and participant == self._main:
                self._text_parts.append(event.text)
                self._text_cache = None
            elif isinstance(event, Finish):
                self._finished.add(participant)
        return events

    def _check_order(self, participant: str, code: str, events: list[StreamEvent]) -> None:
        if participant not in self._finished:
            return
        # Heartbeats keep the connection alive and unknown objects are ignored anyway.
        if all(isinstance(event, Heartbeat | UnknownPart) for event in events):
            return
        raise _malformed(f"a {code!r} line after the finish of {participant!r}", self.text)

    def _unknown(self, participant: str, line: str) -> UnknownPart:
        code, _, payload = line.partition(":") if ":" in line else ("", "", line)
        log.debug("unknown stream line %r: %.*s", code, _MAX_LOGGED_PAYLOAD, payload)
        return UnknownPart(participant, code, payload)


# ---------------------------------------------------------------------------------------------
# Request bodies


def stream_post_path(session_id: str) -> str:
    """The path that continues the evaluation session ``session_id``."""
    return f"/nextjs-api/stream/post-to-evaluation/{session_id}"


def stream_retry_path(session_id: str, message_id: str) -> str:
    """The path that regenerates the reply ``message_id`` (the session's latest)."""
    if not (_is_uuid(session_id) and _is_uuid(message_id)):
        raise InputError("regenerating needs the session's and the reply's ids (UUIDs)")
    return f"/nextjs-api/stream/retry-evaluation-session-message/{session_id}/messages/{message_id}"


def build_retry_body(*, recaptcha_token: str) -> dict[str, Any]:
    """The retry body the site sends today: the token alone (action ``chat_retry``)."""
    return {"recaptchaV3Token": recaptcha_token}


def build_chat_body(
    *,
    session_id: str,
    model_a_id: str | None,
    user_message_id: str,
    model_a_message_id: str,
    text: str,
    attachments: Sequence[Attachment],
    modality: str,
    recaptcha_token: str,
    mode: str = MODE_DIRECT,
    model_b_id: str | None = None,
    model_b_message_id: str | None = None,
) -> dict[str, Any]:
    """The current (``userMessage``) body of create-evaluation and post-to-evaluation.

    A battle names no model (``model_a_id=None``); side-by-side names both; both two-model
    modes carry a message id for model B's reply.
    """
    # Our own ids are UUIDv7; a resumed session's id is the caller's, and the site judges it.
    if not _is_uuid(session_id):
        raise InputError(f"the evaluationSessionId must be a UUID, got {session_id!r}")
    _check_mode(mode, model_a_id, model_b_id, model_b_message_id)
    for name, value in (
        ("user_message_id", user_message_id),
        ("model_a_message_id", model_a_message_id),
        ("model_b_message_id", model_b_message_id or model_a_message_id),
    ):
        if not is_uuid7(value):
            raise ValueError(f"{name} must be a UUIDv7 string, got {value!r}")
    ids: dict[str, Any] = {"modelAId": model_a_id} if model_a_id is not None else {}
    if model_b_id is not None:
        ids["modelBId"] = model_b_id
    ids["userMessageId"] = user_message_id
    ids["modelAMessageId"] = model_a_message_id
    if model_b_message_id is not None:
        ids["modelBMessageId"] = model_b_message_id
    return {
        "id": session_id,
        "mode": mode,
        **ids,
        "userMessage": {
            "content": text,
            "experimental_attachments": [
                {"name": item.name, "contentType": item.content_type, "url": item.url}
                for item in attachments
            ],
            "metadata": {},
        },
        "modality": modality,
        "recaptchaV3Token": recaptcha_token,
    }


def _check_mode(
    mode: str, model_a_id: str | None, model_b_id: str | None, model_b_message_id: str | None
) -> None:
    named = (model_a_id is not None, model_b_id is not None)
    wanted = {MODE_DIRECT: (True, False), MODE_SIDE_BY_SIDE: (True, True)}.get(mode, (False, False))
    if mode not in (MODE_DIRECT, MODE_SIDE_BY_SIDE, MODE_BATTLE) or named != wanted:
        raise ValueError(f"mode {mode!r} does not fit the model ids given")
    if (mode != MODE_DIRECT) != (model_b_message_id is not None):
        raise ValueError("model B's message id goes with the two-model modes only")


def build_vote_args(
    *,
    session_id: str,
    message_ids: tuple[str, str],
    winner: str,
    turnstile_token: str,
    recaptcha_token: str,
) -> list[dict[str, str]]:
    """The argument of ``createPairwiseFeedback``: the verdict on a session's latest turn."""
    if winner not in VOTE_WIRE:
        raise InputError(f"winner must be one of {', '.join(VOTE_WIRE)}; got {winner!r}")
    return [
        {
            "evaluationSessionId": session_id,
            "modelAMessageId": message_ids[0],
            "modelBMessageId": message_ids[1],
            "result": VOTE_WIRE[winner],
            "turnstileToken": turnstile_token,
            "recaptchaV3Token": recaptcha_token,
        }
    ]


def encode_body(body: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON, as the site's own fetch sends it."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


# ---------------------------------------------------------------------------------------------
# Next.js server actions


def build_action_body(args: Sequence[Any]) -> bytes:
    """The positional arguments of a server action, as a JSON array."""
    return json.dumps(list(args), ensure_ascii=False, separators=(",", ":")).encode()


def parse_action_response(text: str) -> Any:
    """The ``data`` of the ``1:`` row of a server action's answer; ProtocolError on failure."""
    for row in text.splitlines():
        if not row.startswith("1:"):
            continue
        try:
            result = json.loads(row[2:])
        except (ValueError, RecursionError) as exc:
            raise ProtocolError("the server action's result row is not JSON") from exc
        if not isinstance(result, dict):
            raise ProtocolError("the server action's result row is not an object")
        if result.get("success") is True:
            return result.get("data")
        raise ActionFailedError(str(result.get("error") or "no reason given"))
    raise ProtocolError("the server action's answer has no result row ('1:')")
