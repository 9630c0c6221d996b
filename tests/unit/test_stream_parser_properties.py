"""Properties of the stream parser: chunking never matters, and it fails only in the error tree.

The wire renderer below is written for these tests from the protocol reference (section 3); it
shares nothing with the parser.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lmarena_client.errors import LMArenaError
from lmarena_client.protocol import (
    Citation,
    CitationPart,
    ErrorPart,
    Finish,
    Heartbeat,
    ImageOutput,
    ReasoningDelta,
    StreamEvent,
    StreamParser,
    TextDelta,
    UnknownPart,
    Usage,
)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def render(event: StreamEvent) -> str:
    """One wire line (without its line end) for an event."""
    p = event.participant
    if isinstance(event, TextDelta):
        return f"{p}0:{dumps(event.text)}"
    if isinstance(event, ReasoningDelta):
        return f"{p}g:{dumps(event.text)}"
    if isinstance(event, Heartbeat):
        return f'{p}2:[{{"type":"heartbeat"}}]'
    if isinstance(event, ImageOutput):
        item = {"type": "image", "image": event.url}
        if event.mime_type is not None:
            item["mimeType"] = event.mime_type
        return f"{p}2:{dumps([item])}"
    if isinstance(event, ErrorPart):
        return f"{p}3:{dumps(event.message)}"
    if isinstance(event, CitationPart):
        args = {"source": [c.raw for c in event.citations]}
        return f"{p}c:{dumps({'toolCallId': 'citation-source', 'argsTextDelta': dumps(args)})}"
    if isinstance(event, Finish):
        body: dict[str, Any] = {"finishReason": event.finish_reason}
        if event.usage is not None:
            body["usage"] = {
                "promptTokens": event.usage.prompt_tokens,
                "completionTokens": event.usage.completion_tokens,
                "totalTokens": event.usage.total_tokens,
            }
        return f"{p}d:{dumps(body)}"
    assert isinstance(event, UnknownPart)
    return f"{event.code}:{event.payload}"


texts = st.text(max_size=40).filter(lambda text: text != "hasArenaError")
urls = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789/-._", min_size=1, max_size=20).map(
    lambda path: "https://r2.example/" + path
)
citations = st.builds(
    lambda url, title: Citation(url, title, {"url": url, "title": title}),
    st.one_of(st.none(), urls),
    st.one_of(st.none(), texts),
)


def body_events(participant: str) -> st.SearchStrategy[StreamEvent]:
    p = st.just(participant)
    return st.one_of(
        st.builds(TextDelta, p, texts),
        st.builds(ReasoningDelta, p, texts),
        st.builds(Heartbeat, p),
        st.builds(ImageOutput, p, urls, st.sampled_from([None, "image/png", "image/webp"])),
        st.builds(ErrorPart, p, texts),
        st.builds(CitationPart, p, st.lists(citations, min_size=1, max_size=3).map(tuple)),
        st.builds(
            UnknownPart,
            p,
            st.sampled_from([participant + c for c in "f8e9"]),
            st.text(max_size=20).filter(lambda s: "\n" not in s and "\r" not in s),
        ),
    )


def finishes(participant: str) -> st.SearchStrategy[Finish]:
    counts = st.one_of(st.none(), st.integers(0, 10**6))
    usage = st.one_of(
        st.none(),
        st.builds(lambda a, b: Usage(a, b, a + b), st.integers(0, 10**6), st.integers(0, 10**6)),
        st.builds(Usage, counts, counts, st.integers(0, 10**6)),
    )
    reason = st.sampled_from([None, "stop", "length", "unknown", "error"])
    return st.builds(Finish, st.just(participant), reason, usage)


@st.composite
def streams(draw: st.DrawFn) -> list[StreamEvent]:
    """A well-formed reply: body lines (a, or interleaved a and b), finishes, late heartbeats."""
    battle = draw(st.booleans())
    participant_events = (
        st.one_of(body_events("a"), body_events("b")) if battle else body_events("a")
    )
    events: list[StreamEvent] = draw(st.lists(participant_events, max_size=12))
    ends: list[StreamEvent] = [draw(finishes("a"))]
    if battle:
        ends.insert(draw(st.integers(0, 1)), draw(finishes("b")))
    events += ends
    events += draw(st.lists(st.builds(Heartbeat, st.sampled_from(["a"])), max_size=2))
    return events


@st.composite
def wires(draw: st.DrawFn) -> tuple[list[StreamEvent], bytes]:
    events = draw(streams())
    lines = []
    for event in events:
        lines += [""] * draw(st.integers(0, 1))  # blank lines are skipped
        prefix = draw(st.sampled_from(["", "", "data: ", "data:"]))
        lines.append(prefix + render(event))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    wire = ending.join(lines)
    if draw(st.booleans()):
        wire += ending  # the last line may or may not be terminated
    return events, wire.encode("utf-8")


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(cut, len(data)) for cut in cuts})
    bounds = [0, *points, len(data)]
    return [data[start:end] for start, end in itertools.pairwise(bounds)]


def run(chunks: list[bytes]) -> tuple[list[StreamEvent], str]:
    parser = StreamParser()
    events: list[StreamEvent] = []
    for chunk in chunks:
        events += parser.feed(chunk)
    events += parser.close()
    return events, parser.text


@SETTINGS
@given(wires(), st.lists(st.integers(min_value=0, max_value=10_000), max_size=30))
def test_any_chunking_gives_the_events_that_were_rendered(
    case: tuple[list[StreamEvent], bytes], cuts: list[int]
) -> None:
    events, wire = case
    whole_events, whole_text = run([wire])
    assert whole_events == events
    assert whole_text == "".join(
        e.text for e in events if isinstance(e, TextDelta) and e.participant == "a"
    )
    chunked_events, chunked_text = run(split(wire, cuts))
    assert chunked_events == whole_events
    assert chunked_text == whole_text


@SETTINGS
@given(wires())
def test_byte_by_byte_feeding_matches(case: tuple[list[StreamEvent], bytes]) -> None:
    events, wire = case
    assert run([wire[i : i + 1] for i in range(len(wire))])[0] == events


def outcome(chunks: list[bytes]) -> tuple[str, Any]:
    try:
        return "ok", run(chunks)
    except LMArenaError as exc:
        return type(exc).__name__, str(exc)


@SETTINGS
@given(st.binary(max_size=400), st.lists(st.integers(min_value=0, max_value=400), max_size=10))
def test_arbitrary_bytes_raise_only_library_errors(data: bytes, cuts: list[int]) -> None:
    whole = outcome([data])  # anything but an LMArenaError propagates and fails the test
    assert outcome(split(data, cuts)) == whole


LINE_PREFIXES = ["a0:", "ag:", "a2:", "a3:", "ac:", "ad:", "af:", "b0:", "bd:", "data: ", ""]
PAYLOADS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            '"x"',
            "[]",
            "{}",
            "null",
            '[{"type":"image"}]',
            '[{"type":"image","data":"AAAA"}]',
            '[{"type":"heartbeat"},7]',
            '{"toolCallId":"citation-source","argsTextDelta":"{\\"source\\":[1]}"}',
            '{"toolCallId":"citation-source","argsTextDelta":"[]"}',
            '{"finishReason":"stop","usage":{"promptTokens":1e400}}',
            '{"finishReason":"stop","usage":"x"}',
            "[" * 5000,
            "1" * 5000,
            '"hasArenaError"',
        ]
    ),
)


@SETTINGS
@given(
    st.lists(st.tuples(st.sampled_from(LINE_PREFIXES), PAYLOADS), max_size=15),
    st.sampled_from([b"\n", b"\r\n", b"\r"]),
    st.lists(st.integers(min_value=0, max_value=20_000), max_size=10),
)
def test_plausible_garbage_lines_raise_only_library_errors(
    lines: list[tuple[str, str]], ending: bytes, cuts: list[int]
) -> None:
    data = ending.join((prefix + payload).encode() for prefix, payload in lines)
    whole = outcome([data])
    assert outcome(split(data, cuts)) == whole
