"""Garbage into the pure parsers: only the library's own errors may come out.

tests/unit/test_stream_parser_properties.py covers chunking and random bytes. This file aims at
what random bytes almost never produce: deep nesting (which exhausts the JSON decoder's
recursion), huge numbers, lone surrogates, JSON of the wrong shape in the right place, and
page or chunk text around the markers the discovery parsers look for.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lmarena_client import discovery
from lmarena_client.errors import ImageError, LMArenaError, ProtocolError, SiteError
from lmarena_client.images import load_image
from lmarena_client.protocol import ReasoningDelta, StreamParser, TextDelta, parse_action_response
from lmarena_client.site_errors import error_for_response

FUZZ = settings(
    max_examples=200,
    deadline=timedelta(seconds=2),  # also catches a pathological regular expression
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def nested(draw: st.DrawFn) -> str:
    """JSON-ish text nested far deeper than the decoder's recursion limit, or just below it."""
    depth = draw(st.sampled_from([10, 900, 1100, 5000, 100_000]))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}"), ('{"source":', "}")]))
    closed = draw(st.booleans())
    return opener * depth + ("1" + closer * depth if closed else "")


garbage_json = st.one_of(
    json_values.map(json.dumps),
    nested(),
    st.sampled_from(
        [
            "NaN",
            "-Infinity",
            "1e999999",
            "9" * 5000,  # past Python's int-from-string digit limit
            '"\\ud800"',
            '"\\udc00\\ud800"',
            '"\\u0000"',
            '{"finishReason": 1}',
            '{"usage": []}',
            '[{"type": "image"}]',
            '[{"type": "image", "image": 5}]',
            '{"toolCallId": "citation-source", "argsTextDelta": 5}',
            '{"toolCallId": "citation-source", "argsTextDelta": "[[[[["}',
            '{"toolCallId": "citation-source", "argsTextDelta": "{\\"source\\": [1, null]}"}',
        ]
    ),
    st.text(max_size=40),
)

DEEP_CITATION = {"toolCallId": "citation-source", "argsTextDelta": "[" * 5000}

line_prefixes = st.sampled_from(
    ["a0:", "ag:", "a2:", "a3:", "ac:", "ad:", "b0:", "bd:", "af:", "ae:", "data: a0:", "0:", ""]
)


@st.composite
def stream_bytes(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(st.tuples(line_prefixes, garbage_json), min_size=1, max_size=6))
    ends = draw(st.sampled_from([b"\n", b"\r\n"]))
    raw = ends.join(
        (prefix + payload).encode("utf-8", "surrogatepass") for prefix, payload in lines
    )
    if draw(st.booleans()):
        raw += draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\n"]))
    return raw


def _feed_all(data: bytes, cuts: list[int]) -> StreamParser:
    parser = StreamParser()
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    for start, end in itertools.pairwise(points):
        parser.feed(data[start:end])
    parser.close()
    return parser


@FUZZ
@given(stream_bytes(), st.lists(st.integers(min_value=0, max_value=1 << 20), max_size=8))
@example(b'a0:"' + b"[" * 100_000, [])
@example(b"ac:" + json.dumps(DEEP_CITATION).encode(), [])
def test_stream_parser_raises_only_library_errors(data: bytes, cuts: list[int]) -> None:
    with contextlib.suppress(LMArenaError):  # ProtocolError, TruncatedStreamError
        _feed_all(data, cuts)


text_payloads = st.one_of(
    st.text(max_size=6).map(json.dumps),
    st.sampled_from(['"\\ud83d"', '"\\ude42"', '"a\\ud800b"', '"\\udfff"']),
)


@FUZZ
@given(st.lists(text_payloads, min_size=1, max_size=6))
@example(['"\\ud83d"', '"\\ude42"'])  # an emoji whose surrogate halves came in two deltas
@example(['"\\ud800"'])
def test_text_deltas_are_always_valid_unicode(payloads: list[str]) -> None:
    """Deltas go on as JSON (worker events, SSE): a lone surrogate cannot be encoded there.

    JSON allows escaped surrogate halves, and a producer that splits UTF-16 text between two
    deltas sends them; the parser must hand on text that encodes as UTF-8 (pair the halves, or
    replace a lone one), never a str that breaks the next JSON encoder.
    """
    wire = b"".join(b"a0:" + p.encode() + b"\n" for p in payloads)
    parser = StreamParser()
    try:
        events = parser.feed(wire + b'ad:{"finishReason":"stop"}\n') + parser.close()
    except LMArenaError:
        return
    for event in events:
        if isinstance(event, TextDelta | ReasoningDelta):
            event.text.encode("utf-8")  # UnicodeEncodeError on a lone surrogate
    parser.text.encode("utf-8")


page_markers = st.sampled_from(
    [
        '"initialModels":',
        '"initialModels": ',
        '\\"initialModels\\":',
        "1:I",
        "a:I",
        'self.__next_f.push([1,"',
        "createServerReference)(",
        'createServerReference("' + "a" * 42 + '",callServer,void 0,findSourceMapURL,"',
        "recaptcha/enterprise.js?render=",
        "grecaptcha.enterprise.execute('",
        "<script>",
        '"Evaluation"]',
    ]
)


@st.composite
def page_text(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(page_markers, garbage_json, st.text(max_size=30)), max_size=8))
    return "".join(parts)


def _discover_everything(text: str) -> None:
    discovery.flight_text(text)
    discovery.parse_models_from_html(text)
    discovery.parse_evaluation_chunk_paths(text)
    discovery.parse_action_ids(text)
    discovery.parse_site_key(text)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        data = text
    models = discovery.parse_model_catalog(data)
    registry = discovery.ModelRegistry(models)
    registry.names()
    with contextlib.suppress(LMArenaError):
        registry.get(text[:50])


@FUZZ
@given(page_text())
@example('"initialModels": ' + "[" * 100_000)
@example("1:I" + "[" * 100_000)
@example(
    "<script>self.__next_f.push([1,"
    + json.dumps('"initialModels":' + "[" * 100_000)
    + "])</script>"
)
def test_discovery_parsers_raise_only_library_errors(text: str) -> None:
    with contextlib.suppress(LMArenaError):
        _discover_everything(text)


@FUZZ
@given(json_values)
def test_model_catalog_of_any_json_shape(data: Any) -> None:
    for shaped in (data, [data], [{"models": [data]}], [{"publicName": "x", "id": data}]):
        try:
            models = discovery.parse_model_catalog(shaped)
        except LMArenaError:
            continue
        discovery.ModelRegistry(models).names()


headers = st.dictionaries(
    st.sampled_from(["Retry-After", "retry-after", "ratelimit", "RateLimit", "Content-Type"]),
    st.one_of(
        st.text(max_size=30),
        st.sampled_from(["inf", "1e400", "nan", "-5", "Wed, 21 Oct 2015 07:28:00 GMT"]),
    ),
    max_size=3,
)


@FUZZ
@given(
    st.sampled_from([400, 401, 402, 403, 404, 405, 422, 429, 500, 502, 503]),
    headers,
    st.one_of(garbage_json, st.text(max_size=200)),
)
@example(500, {}, "[" * 100_000)
@example(403, {}, '{"error":' * 5000)
def test_site_error_answers_never_raise(status: int, head: dict[str, str], body: str) -> None:
    """``error_for_response`` says it never raises: a broken error page is still a SiteError."""
    error = error_for_response(status, head, body)
    assert isinstance(error, SiteError)


@FUZZ
@given(headers)
@example({"Retry-After": "1e400"})
@example({"Retry-After": "inf"})
def test_retry_after_is_finite(head: dict[str, str]) -> None:
    """The wait the API passes on in ``Retry-After`` must be a finite number of seconds:
    ``ApiError.headers`` rounds it, and ``round(inf)`` raises OverflowError (a 500)."""
    error = error_for_response(429, head, "Too many requests")
    wait = getattr(error, "retry_after", None)
    assert wait is None or (math.isfinite(wait) and wait >= 0), wait


@FUZZ
@given(st.one_of(page_text(), st.text(max_size=100).map(lambda t: "1:" + t)))
@example("1:" + "[" * 100_000)
def test_server_action_answers_raise_only_protocol_errors(text: str) -> None:
    with contextlib.suppress(ProtocolError):
        parse_action_response(text)


data_uris = st.builds(
    lambda mime, b64, payload: f"data:{mime}{';base64' if b64 else ''},{payload}",
    st.sampled_from(["image/png", "image/jpeg", "", "text/plain", "image/png;charset=x"]),
    st.booleans(),
    st.one_of(st.text(max_size=60), st.binary(max_size=60).map(lambda b: b.hex())),
)


@FUZZ
@given(st.one_of(data_uris, st.text(max_size=40).map(lambda t: "data:" + t)))
def test_data_uris_raise_only_image_errors(uri: str) -> None:
    with contextlib.suppress(ImageError):
        asyncio.run(load_image(uri, None, max_bytes=1024))
