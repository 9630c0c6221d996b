"""What the fake site has seen, for assertions in tests and the control endpoint."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Counters:
    requests: dict[str, int] = field(default_factory=dict)
    tokens_checked: int = 0
    tokens_refused: int = 0
    tokens_accepted: int = 0
    sign_ups: int = 0
    refreshes: int = 0  # page GETs that refreshed an expired session (rotating its token)
    stale_refreshes: int = 0  # page GETs refused for an already-used refresh token
    auth_cookies_cleared: int = 0  # page GETs that cleared a refused auth cookie (any reason)
    uploads: int = 0
    votes: int = 0
    streams_started: int = 0
    streams_completed: int = 0
    active_streams: int = 0
    max_active_streams: int = 0

    def count_request(self, route: str) -> None:
        self.requests[route] = self.requests.get(route, 0) + 1

    def stream_opened(self) -> None:
        self.streams_started += 1
        self.active_streams += 1
        self.max_active_streams = max(self.max_active_streams, self.active_streams)

    def stream_closed(self, completed: bool) -> None:
        self.active_streams -= 1
        if completed:
            self.streams_completed += 1

    def reset(self) -> None:
        """Zero everything except the streams still open (they will close later)."""
        active = self.active_streams
        for f in dataclasses.fields(self):
            setattr(self, f.name, f.default_factory() if callable(f.default_factory) else f.default)
        self.active_streams = active

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
