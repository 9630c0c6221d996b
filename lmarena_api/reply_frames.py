"""How a chat job's events become OpenAI answers: the whole JSON, or SSE frames; for one model
(``DirectFrames``) or two (``ArenaFrames``). Pure: no I/O."""

from __future__ import annotations

from typing import Any, Protocol

from lmarena_worker.contract import DoneEvent, ErrorEvent, JobEvent, ReasoningEvent, TextEvent

from .arena_completions import ArenaCompletion
from .completions import Completion, api_error, sse_data
from .errors import ApiError


class ReplyFrames(Protocol):
    def role_chunk(self) -> dict[str, Any]: ...

    def frames(self, event: JobEvent, include_usage: bool) -> list[str]: ...

    def response(self, done: DoneEvent) -> dict[str, Any]: ...


def _error_frames(event: ErrorEvent) -> list[str]:
    return [sse_data(api_error(event.error).body()), sse_data("[DONE]")]


class DirectFrames:
    def __init__(self, completion: Completion) -> None:
        self.completion = completion

    def role_chunk(self) -> dict[str, Any]:
        return self.completion.role_chunk()

    def frames(self, event: JobEvent, include_usage: bool) -> list[str]:
        completion = self.completion
        if isinstance(event, TextEvent):
            return [sse_data(completion.content_chunk(event.text, event.evaluation_session_id))]
        if isinstance(event, ReasoningEvent):
            chunk = completion.reasoning_chunk(event.text, event.evaluation_session_id)
            return [sse_data(chunk)]
        if isinstance(event, DoneEvent):
            frames = [sse_data(completion.final_chunk(event.result))]
            if include_usage:
                frames.append(sse_data(completion.usage_chunk(event.result)))
            return [*frames, sse_data("[DONE]")]
        if isinstance(event, ErrorEvent):
            return _error_frames(event)
        return []  # "started": nothing to tell the client

    def response(self, done: DoneEvent) -> dict[str, Any]:
        return self.completion.response(done.result)


class ArenaFrames:
    def __init__(self, completion: ArenaCompletion) -> None:
        self.completion = completion

    def role_chunk(self) -> dict[str, Any]:
        return self.completion.role_chunk()

    def frames(self, event: JobEvent, include_usage: bool) -> list[str]:
        completion = self.completion
        if isinstance(event, TextEvent | ReasoningEvent):
            key = "content" if isinstance(event, TextEvent) else "reasoning_content"
            chunk = completion.delta_chunk(
                event.side, {key: event.text}, event.evaluation_session_id
            )
            return [sse_data(chunk)]
        if isinstance(event, DoneEvent):
            a, b = event.result, _side_b(event)
            frames = [sse_data(completion.final_chunk(a, b))]
            if include_usage:
                frames.append(sse_data(completion.usage_chunk(a, b)))
            return [*frames, sse_data("[DONE]")]
        if isinstance(event, ErrorEvent):
            return _error_frames(event)
        return []

    def response(self, done: DoneEvent) -> dict[str, Any]:
        return self.completion.response(done.result, _side_b(done))


def _side_b(done: DoneEvent) -> Any:
    if done.result_b is None:
        raise ApiError(502, "the arena reply has no model B", type="upstream_error")
    return done.result_b
