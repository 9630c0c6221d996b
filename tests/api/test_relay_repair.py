"""The relay's repair logic (pure), driven by scripted observations the way ``ChatRun`` feeds it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lmarena_api.job_watch import REDIS_GRACE, redis_outage
from lmarena_api.relay_repair import LIVENESS_CHECK, RelayRepair, Step, failed
from lmarena_worker.contract import (
    ChatResult,
    DoneEvent,
    ErrorEvent,
    JobEvent,
    JobOutcome,
    StartedEvent,
    TextEvent,
)

IDLE = 30.0


@dataclass(frozen=True)
class Heard:
    event: JobEvent


@dataclass(frozen=True)
class Lost:
    reason: str = "connection reset"


@dataclass(frozen=True)
class Quiet:
    pass


Seen = Heard | Lost | Quiet


@dataclass
class Trace:
    emitted: list[JobEvent | None]
    unsubscribed: int
    checks: list[bool]  # read_result of each verdict asked for


def relay(
    script: list[tuple[float, Seen]],
    verdicts: Iterator[JobOutcome | None],
    *,
    worker_known: bool = True,
) -> tuple[RelayRepair, Trace]:
    """Feeds ``script`` (time, observation) to a ``RelayRepair`` as ``ChatRun.events`` does,
    answering each verdict it asks for with the next of ``verdicts``; stops once it finished."""
    repair = RelayRepair(IDLE, 0.0)
    repair.begin(0.0)
    trace = Trace([], 0, [])
    for at, seen in script:
        if repair.finished:
            break
        step = _observe(repair, seen, at)
        trace.unsubscribed += step.unsubscribe
        if step.check:
            trace.checks.append(repair.following)
            step = repair.judged(next(verdicts), worker_known=worker_known, at=at)
        trace.emitted.extend(step.emit)
    return repair, trace


def _observe(repair: RelayRepair, seen: Seen, at: float) -> Step:
    if isinstance(seen, Heard):
        return repair.heard(seen.event, at)
    if isinstance(seen, Lost):
        return repair.lost(seen.reason)
    return repair.quiet(at)


def result(text: str) -> JobOutcome:
    return JobOutcome(chat=ChatResult(text=text, evaluation_session_id="s"))


def texts(emitted: list[JobEvent | None]) -> str:
    return "".join(e.text for e in emitted if isinstance(e, TextEvent))


def never() -> Iterator[JobOutcome | None]:
    raise AssertionError("no verdict was expected")
    yield None  # pragma: no cover


def forever(outcome: JobOutcome | None = None) -> Iterator[JobOutcome | None]:
    while True:
        yield outcome


START = StartedEvent(seq=0, worker_id="w1")


def test_a_normal_reply_passes_through_without_asking_redis() -> None:
    done = DoneEvent(seq=3, result=ChatResult(text="Hello there", evaluation_session_id="s"))
    script: list[tuple[float, Seen]] = [
        (0.1, Heard(START)),
        (0.2, Heard(TextEvent(seq=1, text="Hello "))),
        (0.3, Heard(TextEvent(seq=2, text="there"))),
        (0.4, Heard(done)),
        (0.5, Quiet()),  # never reached: the relay finished
    ]
    repair, trace = relay(script, never())
    assert trace.emitted == [s.event for _, s in script[:4]]  # type: ignore[union-attr]
    assert repair.finished and repair.result == done.result
    assert trace.unsubscribed == 0


def test_quiet_ticks_ping_and_ask_only_once_per_liveness_check() -> None:
    script: list[tuple[float, Seen]] = [(0.5 * i, Quiet()) for i in range(1, 6)]
    repair, trace = relay(script, forever(None))
    assert trace.emitted == [None] * 5  # every quiet tick is a ping
    assert len(trace.checks) == int(2.5 / LIVENESS_CHECK)  # at 1.0 and 2.0 s
    assert trace.checks == [False, False]  # the events are still read: no stored result
    assert not repair.finished


def test_a_gap_in_seq_ends_in_the_stored_result_without_doubling_text() -> None:
    script: list[tuple[float, Seen]] = [
        (0.1, Heard(START)),
        (0.2, Heard(TextEvent(seq=1, text="one "))),
        (0.3, Heard(TextEvent(seq=3, text="three "))),  # seq 2 was lost
    ]
    repair, trace = relay(script, iter([result("one two three four")]))
    assert trace.unsubscribed == 1
    assert trace.checks == [True]  # following now: the stored result is read
    assert texts(trace.emitted) == "one two three four"  # nothing lost, nothing doubled
    assert isinstance(trace.emitted[-1], DoneEvent)
    assert [e.seq for e in trace.emitted if e is not None] == [0, 1, 2, 3]
    assert repair.finished and repair.result is not None


def test_a_lost_feed_pings_while_silent_then_ends_in_the_result_found() -> None:
    script: list[tuple[float, Seen]] = [
        (0.1, Heard(START)),
        (0.2, Heard(TextEvent(seq=1, text="Hi"))),
        (0.3, Lost()),
        (0.8, Quiet()),
        (1.3, Quiet()),
        (1.8, Quiet()),
    ]
    verdicts = iter([None, None, result("Hi all")])
    repair, trace = relay(script, verdicts)
    assert trace.emitted[2:4] == [None, None]  # pings while the result is not there yet
    assert trace.checks == [True, True, True]  # following: every tick asks
    assert texts(trace.emitted) == "Hi all"
    assert isinstance(trace.emitted[-1], DoneEvent) and repair.finished


def test_a_gone_worker_ends_with_its_error_and_keeps_the_text_sent() -> None:
    gone = failed("unavailable", "the worker running this job stopped")
    script: list[tuple[float, Seen]] = [
        (0.1, Heard(START)),
        (0.2, Heard(TextEvent(seq=1, text="partial"))),
        (1.5, Quiet()),
    ]
    repair, trace = relay(script, iter([gone]))
    last = trace.emitted[-1]
    assert isinstance(last, ErrorEvent) and last.seq == 2
    assert last.error.kind == "unavailable"
    assert texts(trace.emitted) == "partial"
    assert repair.finished and repair.result is None


def test_redis_down_is_borne_within_its_grace_then_ends_with_an_error() -> None:
    # The feed breaks with Redis; JobWatch then sees Redis silent for longer and longer.
    ticks = [0.5 * i for i in range(1, int(REDIS_GRACE / 0.5) + 3)]
    script: list[tuple[float, Seen]] = [(0.1, Heard(START)), (0.2, Lost())]
    script += [(0.2 + t, Quiet()) for t in ticks]
    outages = iter([0.0, *ticks])
    verdicts = (
        redis_outage(lost_for, may_still_run=False, error="Timeout reading from socket")
        for lost_for in outages
    )
    repair, trace = relay(script, verdicts)
    pings = [e for e in trace.emitted if e is None]
    assert len(pings) == int(REDIS_GRACE / 0.5)  # one per verdict within the grace
    last = trace.emitted[-1]
    assert isinstance(last, ErrorEvent) and last.error.kind == "unavailable"
    assert "unreachable" in last.error.message and repair.finished


def test_redis_down_is_borne_past_its_grace_while_a_waiting_job_could_still_run() -> None:
    assert redis_outage(REDIS_GRACE * 3, may_still_run=True, error="x") is None
    assert redis_outage(REDIS_GRACE - 0.1, may_still_run=False, error="x") is None
    assert redis_outage(REDIS_GRACE, may_still_run=False, error="x") is not None


def test_a_cancelled_job_ends_with_the_cancellation() -> None:
    script: list[tuple[float, Seen]] = [(1.0, Quiet())]
    repair, trace = relay(script, iter([failed("cancelled", "the job was cancelled")]))
    assert len(trace.emitted) == 1
    last = trace.emitted[0]
    assert isinstance(last, ErrorEvent) and last.seq == 0 and last.error.kind == "cancelled"
    assert repair.finished


def test_a_silent_worker_times_out_only_once_it_is_known() -> None:
    script: list[tuple[float, Seen]] = [(IDLE + 1.0, Quiet())]
    waiting, trace = relay(script, forever(None), worker_known=False)
    assert trace.emitted == [None] and not waiting.finished  # queued: the queue deadline rules
    running, trace = relay(script, forever(None), worker_known=True)
    last = trace.emitted[-1]
    assert isinstance(last, ErrorEvent) and last.error.kind == "timeout"
    assert running.finished


def test_a_job_without_result_or_error_ends_as_internal() -> None:
    repair, trace = relay([(1.0, Quiet())], iter([JobOutcome()]))
    last = trace.emitted[-1]
    assert isinstance(last, ErrorEvent) and last.error.kind == "internal"
    assert repair.finished and repair.result is None
