"""Pure: how the relay of one chat job gets to its end, whatever is lost on the way.

Fed with what the relay observed (an event heard, the feed broken, a quiet tick, the job's
verdict), it says what to do next: events to yield, whether to stop reading the channel, whether
to ask Redis for the job's verdict. A gap in the numbers or a broken feed switches to following
the job's verdict alone; a verdict (or the worker's silence past the idle timeout) ends the relay
through ``_end``, which adds the text the events missed and the last event. No I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from lmarena_worker.contract import (
    ChatResult,
    DoneEvent,
    ErrorEvent,
    ErrorInfo,
    JobEvent,
    JobOutcome,
    Side,
    TextEvent,
)

_E = TypeVar("_E", bound=JobEvent)

# While no event comes, ask Redis about the job this often (seconds).
LIVENESS_CHECK = 1.0


@dataclass(frozen=True)
class Step:
    """What the relay does after one observation. ``None`` in ``emit`` is a quiet tick (a ping).
    A step with ``check`` emits nothing: the verdict asked for (``judged``) decides."""

    emit: tuple[JobEvent | None, ...] = ()
    unsubscribe: bool = False
    check: bool = False
    note: str = ""  # why the relay stopped reading the channel


class RelayRepair:
    """The relay's state: the next event number, the text passed on, whether it follows the
    verdict alone, and how it ended (``finished``, ``result``)."""

    def __init__(self, idle_timeout: float, at: float) -> None:
        self.idle_timeout = idle_timeout
        self.next_seq = 0
        self.text_sent: dict[Side, int] = {"a": 0, "b": 0}  # characters passed on, per side
        self.following = False
        self.finished = False
        self.result: ChatResult | None = None
        self._heard = self._checked = at

    def begin(self, at: float) -> None:
        """The relay starts listening: silence counts from now."""
        self._heard = self._checked = at

    def heard(self, event: JobEvent, at: float) -> Step:
        if event.seq != self.next_seq:
            return self._follow(f"expected event {self.next_seq}, got {event.seq}")
        self._heard = at
        return Step(emit=(self._track(event),))

    def lost(self, reason: str) -> Step:
        """The event feed broke (Redis error, malformed message)."""
        return self._follow(f"event feed broken ({reason})")

    def quiet(self, at: float) -> Step:
        if self.following or at - self._checked >= LIVENESS_CHECK:
            return Step(check=True)
        return Step(emit=(None,))

    def judged(self, outcome: JobOutcome | None, *, worker_known: bool, at: float) -> Step:
        """The job's verdict (None: it may still deliver); ``worker_known``: a worker took it."""
        self._checked = at
        silent = at - self._heard
        if outcome is None and worker_known and silent >= self.idle_timeout:
            outcome = failed("timeout", f"no word from the worker for {silent:.0f} s")
        if outcome is None:
            return Step(emit=(None,))
        return Step(emit=self._end(outcome))

    def _follow(self, note: str) -> Step:
        self.following = True
        return Step(unsubscribe=True, check=True, note=note)

    def _end(self, outcome: JobOutcome) -> tuple[JobEvent, ...]:
        """The one way out of a repair: the missing text and the last event."""
        if outcome.chat is None:
            error = outcome.error or ErrorInfo(kind="internal", message="the job left no result")
            return (self._track(ErrorEvent(seq=self.next_seq, error=error)),)
        ending: list[JobEvent] = []
        sides: tuple[tuple[Side, ChatResult | None], ...] = (
            ("a", outcome.chat),
            ("b", outcome.chat_b),
        )
        for side, result in sides:
            rest = result.text[self.text_sent[side] :] if result is not None else ""
            if rest:
                ending.append(self._track(TextEvent(seq=self.next_seq, text=rest, side=side)))
        done = DoneEvent(seq=self.next_seq, result=outcome.chat, result_b=outcome.chat_b)
        ending.append(self._track(done))
        return tuple(ending)

    def _track(self, event: _E) -> _E:
        self.next_seq = event.seq + 1
        if isinstance(event, TextEvent):
            self.text_sent[event.side] += len(event.text)
        elif isinstance(event, (DoneEvent, ErrorEvent)):
            self.finished = True
            self.result = event.result if isinstance(event, DoneEvent) else None
        return event


def failed(kind: str, message: str) -> JobOutcome:
    """An outcome that tells the client the job failed."""
    return JobOutcome(error=ErrorInfo.model_validate({"kind": kind, "message": message}))
