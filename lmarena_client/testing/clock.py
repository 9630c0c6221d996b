"""The fake site's clock: wall time plus an offset tests can move forward."""

from __future__ import annotations

import time


class Clock:
    """Seconds since the epoch; ``advance`` lets tests expire tokens and URLs without sleeping."""

    def __init__(self) -> None:
        self._offset = 0.0

    def now(self) -> float:
        return time.time() + self._offset

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> None:
        self._offset += seconds
