"""Faults injected on demand into the next matching stream request(s)."""

from __future__ import annotations

import dataclasses
from collections import deque
from dataclasses import dataclass
from typing import Any

# Faults answered before the request reaches the site's origin logic (no token is spent).
EDGE_KINDS = frozenset({"cloudflare_403", "redirect_301"})
# Faults answered instead of a stream, after the token was checked.
REFUSAL_KINDS = frozenset(
    {"unauthorized_401", "recaptcha_403", "rate_limit_429", "moderation_422", "invalid_content_400"}
)
# Faults that shape an accepted (200) stream.
STREAM_KINDS = frozenset(
    {
        "stream_error",
        "empty_200",
        "cut_stream",
        "no_finish",
        "slow_first_byte",
        "token_delay",
        "finish_unknown",
        "has_arena_error",
    }
)
FAULT_KINDS = EDGE_KINDS | REFUSAL_KINDS | STREAM_KINDS
STREAM_ROUTES = frozenset({"create", "post", "retry"})


@dataclass(frozen=True)
class Fault:
    """One fault. ``times`` requests are affected; ``route`` limits it to create/post/retry.

    ``retry_after`` (429), ``modality="image"`` (429 image-quota headers), ``after_words``
    (stream_error, cut_stream), ``message`` (stream_error) and ``seconds`` (slow_first_byte,
    token_delay) shape the answer.
    """

    kind: str
    times: int = 1
    route: str | None = None
    retry_after: int = 60
    modality: str | None = None
    after_words: int = 3
    message: str = "Resource exhausted. Please try again later."
    seconds: float = 5.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {sorted(FAULT_KINDS)}")
        for name in ("times", "retry_after", "after_words"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"{name} must be an integer")
        if not isinstance(self.seconds, int | float) or isinstance(self.seconds, bool):
            raise ValueError("seconds must be a number")
        if not isinstance(self.message, str):
            raise ValueError("message must be a string")
        if self.modality not in (None, "chat", "image"):
            raise ValueError("modality must be null, 'chat' or 'image'")
        if self.times < 1:
            raise ValueError("times must be at least 1")
        if self.route is not None and self.route not in STREAM_ROUTES:
            raise ValueError(f"route must be one of {sorted(STREAM_ROUTES)}")
        if self.after_words < 0 or self.seconds < 0 or self.retry_after < 0:
            raise ValueError("after_words, seconds and retry_after must not be negative")

    @classmethod
    def from_json(cls, data: Any) -> Fault:
        """A Fault from the control endpoint's JSON; ValueError/TypeError when malformed."""
        if not isinstance(data, dict):
            raise TypeError("a fault is a JSON object")
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        return cls(**data)


class FaultBook:
    """Pending faults in injection order; each is used up by ``times`` matching requests."""

    def __init__(self) -> None:
        self._pending: deque[list[Any]] = deque()  # [fault, remaining]

    def inject(self, fault: Fault) -> None:
        self._pending.append([fault, fault.times])

    def clear(self) -> None:
        self._pending.clear()

    def take(self, kinds: frozenset[str], route: str) -> Fault | None:
        """The first pending fault of one of ``kinds`` that applies to ``route``, used once."""
        for entry in self._pending:
            fault: Fault = entry[0]
            if fault.kind in kinds and fault.route in (None, route):
                entry[1] -= 1
                if entry[1] <= 0:
                    self._pending.remove(entry)
                return fault
        return None

    def __len__(self) -> int:
        return len(self._pending)
