"""Pure builders of two-choice completions for the arena modes: choice 0 is model A, choice 1
model B, each with a vendor ``model`` key (the public name; ``None`` in a battle until the
vote) and its own ``finish_reason``. A regenerated side answers with its choice alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lmarena_worker.contract import ChatResult, Side

from .completions import Completion, finish_reason, vendor_fields

INDEX: dict[Side, int] = {"a": 0, "b": 1}


@dataclass
class ArenaCompletion:
    """The identity and side names shared by every chunk of one arena response."""

    base: Completion
    mode: str  # "side-by-side" or "battle"
    models: tuple[str | None, str | None]  # the public names; (None, None) in a battle
    sides: tuple[Side, ...] = ("a", "b")  # the sides that answer (one when regenerated)

    def role_chunk(self) -> dict[str, Any]:
        choices = [self._choice(side, {"role": "assistant", "content": ""}) for side in self.sides]
        return self._with_conversation(self.base._chunk(choices), self.base.session_id)

    def delta_chunk(
        self, side: Side, delta: dict[str, Any], session_id: str | None
    ) -> dict[str, Any]:
        return self._with_conversation(self.base._chunk([self._choice(side, delta)]), session_id)

    def final_chunk(self, a: ChatResult, b: ChatResult) -> dict[str, Any]:
        choices = [
            self._choice(side, {}, finish_reason(result.finish_reason))
            for side, result in self._answering(a, b)
        ]
        return {**self.base._chunk(choices), **self._vendor(a, b)}

    def usage_chunk(self, a: ChatResult, b: ChatResult) -> dict[str, Any]:
        return self.base._chunk([], usage=self._usage(a, b))

    def response(self, a: ChatResult, b: ChatResult) -> dict[str, Any]:
        return {
            "id": self.base.id,
            "object": "chat.completion",
            "created": self.base.created,
            "model": self.base.model,
            "choices": [self._whole(side, result) for side, result in self._answering(a, b)],
            "usage": self._usage(a, b),
            **self._vendor(a, b),
        }

    def _answering(self, a: ChatResult, b: ChatResult) -> list[tuple[Side, ChatResult]]:
        """The answering sides with their results, in order."""
        return [(side, a if side == "a" else b) for side in self.sides]

    def _usage(self, a: ChatResult, b: ChatResult) -> dict[str, int]:
        return summed_usage([result for _, result in self._answering(a, b)])

    def _whole(self, side: Side, result: ChatResult) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": result.text}
        if result.reasoning:
            message["reasoning_content"] = result.reasoning
        extra = {k: v for k, v in vendor_fields(result).items() if k != "conversation"}
        index = INDEX[side]
        return {
            "index": index,
            "message": message,
            "finish_reason": finish_reason(result.finish_reason),
            "model": self.models[index],
            **extra,
        }

    def _choice(
        self, side: Side, delta: dict[str, Any], reason: str | None = None
    ) -> dict[str, Any]:
        index = INDEX[side]
        model = self.models[index]
        return {"index": index, "delta": delta, "finish_reason": reason, "model": model}

    def _with_conversation(self, chunk: dict[str, Any], session_id: str | None) -> dict[str, Any]:
        if session_id:
            chunk["conversation"] = self._conversation(session_id)
        return chunk

    def _conversation(self, session_id: str) -> dict[str, Any]:
        return {**self.base._conversation(session_id), "mode": self.mode}

    def _vendor(self, a: ChatResult, b: ChatResult) -> dict[str, Any]:
        session_id = a.evaluation_session_id or b.evaluation_session_id
        return {"conversation": self._conversation(session_id)}


def summed_usage(results: Sequence[ChatResult]) -> dict[str, int]:
    """The sides' tokens, with the prompt counted once (both models read the same one)."""

    def count(result: ChatResult, name: str) -> int:
        value = getattr(result.usage, name, None) if result.usage else None
        return value if isinstance(value, int) else 0

    prompt = max((count(r, "prompt_tokens") for r in results), default=0)
    completion = sum(count(r, "completion_tokens") for r in results)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
