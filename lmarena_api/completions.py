"""Pure builders of OpenAI chat-completion objects, chunks and SSE frames."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from lmarena_worker.contract import ChatResult, ErrorInfo

from .errors import ApiError

# Where each failure kind of the worker lands in HTTP.
_STATUS: dict[str, tuple[int, str, str | None]] = {
    "bad_request": (400, "invalid_request_error", None),
    "content_rejected": (400, "invalid_request_error", "content_rejected"),
    "model_not_found": (404, "invalid_request_error", "model_not_found"),
    "conversation_not_found": (404, "invalid_request_error", "conversation_not_found"),
    # The chat's owner identity is gone for good: start a new chat (no evaluationSessionId).
    "conversation_lost": (410, "invalid_request_error", "conversation_lost"),
    "too_large": (413, "invalid_request_error", "request_too_large"),
    # The site refused a vote: given already (maybe by another client), or not this chat's.
    "vote_refused": (409, "invalid_request_error", "vote_refused"),
    "rate_limited": (429, "rate_limit_error", "rate_limit_exceeded"),
    "upstream": (502, "upstream_error", "upstream_error"),
    "unavailable": (503, "service_unavailable", "worker_unavailable"),
    "cancelled": (503, "service_unavailable", "job_cancelled"),
    "timeout": (504, "timeout", "timeout"),
    "internal": (500, "server_error", None),
    "auth": (502, "upstream_error", "upstream_auth"),
}


def api_error(info: ErrorInfo) -> ApiError:
    status, kind, code = _STATUS.get(info.kind, (500, "server_error", None))
    return ApiError(status, info.message, type=kind, code=code, retry_after=info.retry_after)


@dataclass
class Completion:
    """The identity shared by every chunk of one response."""

    model: str
    session_id: str | None = None  # known up front when the request resumes a chat
    mapping: str | None = None  # how the request was mapped onto a session (history.Plan)
    id: str = field(default_factory=lambda: f"chatcmpl-{uuid.uuid4().hex}")
    created: int = field(default_factory=lambda: int(time.time()))

    def _chunk(self, choices: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": choices,
            **extra,
        }

    def role_chunk(self) -> dict[str, Any]:
        return self._delta({"role": "assistant", "content": ""}, self.session_id)

    def content_chunk(self, text: str, session_id: str | None = None) -> dict[str, Any]:
        return self._delta({"content": text}, session_id)

    def reasoning_chunk(self, text: str, session_id: str | None = None) -> dict[str, Any]:
        return self._delta({"reasoning_content": text}, session_id)

    def _delta(self, delta: dict[str, Any], session_id: str | None) -> dict[str, Any]:
        extra = {"conversation": self._conversation(session_id)} if session_id else {}
        return self._chunk([{"index": 0, "delta": delta, "finish_reason": None}], **extra)

    def final_chunk(self, result: ChatResult) -> dict[str, Any]:
        choice = {"index": 0, "delta": {}, "finish_reason": finish_reason(result.finish_reason)}
        return self._chunk([choice], **self._vendor(result))

    def usage_chunk(self, result: ChatResult) -> dict[str, Any]:
        return self._chunk([], usage=usage(result))

    def response(self, result: ChatResult) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": result.text}
        if result.reasoning:
            message["reasoning_content"] = result.reasoning
        body: dict[str, Any] = {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": finish_reason(result.finish_reason),
                }
            ],
        }
        if result.usage is not None:
            body["usage"] = usage(result)
        body.update(self._vendor(result))
        return body

    def _conversation(self, session_id: str) -> dict[str, str]:
        found = {"evaluationSessionId": session_id}
        if self.mapping is not None:
            found["mapping"] = self.mapping
        return found

    def _vendor(self, result: ChatResult) -> dict[str, Any]:
        fields = vendor_fields(result)
        fields["conversation"] = self._conversation(result.evaluation_session_id)
        return fields


def finish_reason(site_reason: str | None) -> str:
    """OpenAI's finish reasons only; anything else the site says is a plain stop."""
    if site_reason in ("length", "content_filter", "tool_calls"):
        return site_reason
    return "stop"


def usage(result: ChatResult) -> dict[str, int]:
    u = result.usage
    prompt = (u.prompt_tokens if u else None) or 0
    completion = (u.completion_tokens if u else None) or 0
    total = (u.total_tokens if u else None) or prompt + completion
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": total}


def vendor_fields(result: ChatResult) -> dict[str, Any]:
    fields: dict[str, Any] = {"conversation": {"evaluationSessionId": result.evaluation_session_id}}
    if result.images:
        fields["images"] = list(result.images)
    if result.citations:
        fields["citations"] = [c.model_dump(exclude_none=True) for c in result.citations]
    return fields


def sse_data(payload: dict[str, Any] | str) -> str:
    """One SSE event (LF line ends, no id: field)."""
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return f"data: {data}\n\n"
