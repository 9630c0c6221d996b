"""The pure wire format: UUIDv7, request bodies, server actions and the stream line parser.

Wire fixtures follow the captures quoted in the protocol reference (sections 2.2, 2.6 and 3).
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest

from lmarena_client import protocol
from lmarena_client.errors import InputError, LMArenaError, ProtocolError, TruncatedStreamError
from lmarena_client.protocol import (
    RECAPTCHA_ACTION_CHAT,
    STREAM_CREATE_PATH,
    Attachment,
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
    build_action_body,
    build_chat_body,
    build_vote_args,
    encode_body,
    is_uuid7,
    parse_action_response,
    stream_post_path,
    uuid7,
)


def parse(wire: str | bytes) -> tuple[list[StreamEvent], StreamParser]:
    data = wire.encode() if isinstance(wire, str) else wire
    parser = StreamParser()
    events = parser.feed(data)
    events += parser.close()
    return events, parser


# --------------------------------------------------------------------------------- uuid7


def test_uuid7_has_version_7_and_rfc_variant() -> None:
    for _ in range(200):
        value = uuid7()
        parsed = uuid.UUID(value)
        assert parsed.version == 7
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == value  # canonical lowercase hyphenated form


def test_uuid7_timestamp_is_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fixed clock and a fresh generator: the stamp is checked exactly, with no race against
    # the wall clock or the ids earlier tests made.
    now_ns = 1_768_644_722_123_456_789
    monkeypatch.setattr(protocol, "_uuid7_state", protocol._Uuid7State())
    monkeypatch.setattr(protocol.time, "time_ns", lambda: now_ns)
    assert uuid.UUID(uuid7()).int >> 80 == now_ns // 1_000_000


def test_uuid7_strictly_increases_within_a_millisecond() -> None:
    values = [uuid7() for _ in range(5000)]
    assert values == sorted(values)
    assert len(set(values)) == len(values)
    stamps = [uuid.UUID(v).int >> 80 for v in values]
    # thousands of ids in a few ms: many share a millisecond, and still sort
    assert len(set(stamps)) < len(stamps)


def test_uuid7_random_part_varies() -> None:
    tails = {uuid7()[-12:] for _ in range(50)}
    assert len(tails) == 50


def test_is_uuid7() -> None:
    assert is_uuid7("019a41a7-b8bc-743a-8f2b-0123456789ab")
    assert is_uuid7("019A41A7-B8BC-743A-8F2B-0123456789AB")
    assert not is_uuid7("983bc566-b783-4d28-b24c-3c8b08eb1086")  # v4 model id
    assert not is_uuid7("019a41a7-b8bc-743a-cf2b-0123456789ab")  # variant 110
    assert not is_uuid7("019a41a7b8bc743a8f2b0123456789ab")
    assert not is_uuid7("019a41a7-b8bc-743a-8f2b-0123456789ab\n")
    assert not is_uuid7("")


# --------------------------------------------------------------------------------- bodies


def test_paths_and_action() -> None:
    assert STREAM_CREATE_PATH == "/nextjs-api/stream/create-evaluation"
    assert stream_post_path("019a41a7-b8bc-743a-8f2b-0123456789ab") == (
        "/nextjs-api/stream/post-to-evaluation/019a41a7-b8bc-743a-8f2b-0123456789ab"
    )
    assert RECAPTCHA_ACTION_CHAT == "chat_submit"


def _body(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "session_id": uuid7(),
        "model_a_id": "983bc566-b783-4d28-b24c-3c8b08eb1086",
        "user_message_id": uuid7(),
        "model_a_message_id": uuid7(),
        "text": "hello",
        "attachments": [],
        "modality": "chat",
        "recaptcha_token": "0cAFcWeA-token",
    }
    args.update(overrides)
    return build_chat_body(**args)


def test_chat_body_has_the_current_form() -> None:
    session, user, model_a = uuid7(), uuid7(), uuid7()
    attachment = Attachment(
        name="u1/1762408030063-cat.png",
        content_type="image/png",
        url="https://storage.example/u1/1762408030063-cat.png?X-Amz-Expires=3600",
    )
    body = _body(
        session_id=session,
        user_message_id=user,
        model_a_message_id=model_a,
        text="describe ✓",
        attachments=[attachment],
        modality="image",
    )
    assert body == {
        "id": session,
        "mode": "direct",
        "modelAId": "983bc566-b783-4d28-b24c-3c8b08eb1086",
        "userMessageId": user,
        "modelAMessageId": model_a,
        "userMessage": {
            "content": "describe ✓",
            "experimental_attachments": [
                {
                    "name": "u1/1762408030063-cat.png",
                    "contentType": "image/png",
                    "url": "https://storage.example/u1/1762408030063-cat.png?X-Amz-Expires=3600",
                }
            ],
            "metadata": {},
        },
        "modality": "image",
        "recaptchaV3Token": "0cAFcWeA-token",
    }
    assert "modelBId" not in body and "messages" not in body


def test_side_by_side_body_names_both_models_and_both_reply_ids() -> None:
    b_id, b_message = str(uuid.uuid4()), uuid7()
    body = _body(mode="side-by-side", model_b_id=b_id, model_b_message_id=b_message)
    assert (body["mode"], body["modelBId"], body["modelBMessageId"]) == (
        "side-by-side",
        b_id,
        b_message,
    )


def test_battle_body_names_no_model() -> None:
    body = _body(mode="battle", model_a_id=None, model_b_message_id=uuid7())
    assert body["mode"] == "battle" and "modelAId" not in body and "modelBId" not in body
    assert is_uuid7(body["modelBMessageId"])


@pytest.mark.parametrize(
    "changes",
    [
        {"mode": "side-by-side"},  # no model B
        {"mode": "battle", "model_b_message_id": None},  # names model A
        {"mode": "direct", "model_b_id": str(uuid.uuid4())},
        {"mode": "direct", "model_b_message_id": uuid7()},
        {"mode": "chaos"},
    ],
)
def test_chat_body_refuses_ids_that_do_not_fit_the_mode(changes: dict[str, object]) -> None:
    if changes.get("mode") == "battle":
        changes = {**changes, "model_b_message_id": uuid7()}
    with pytest.raises(ValueError, match=r"mode|message id"):
        _body(**changes)


def test_vote_args_carry_the_site_verdict_names() -> None:
    ids = (uuid7(), uuid7())
    (args,) = build_vote_args(
        session_id=uuid7(),
        message_ids=ids,
        winner="both_bad",
        turnstile_token="t",
        recaptcha_token="r",
    )
    assert args["result"] == "bothBad" and args["modelBMessageId"] == ids[1]
    with pytest.raises(InputError, match="winner"):
        build_vote_args(
            session_id=uuid7(),
            message_ids=ids,
            winner="draw",
            turnstile_token="t",
            recaptcha_token="r",
        )


@pytest.mark.parametrize("field", ["user_message_id", "model_a_message_id"])
@pytest.mark.parametrize("bad", ["not-a-uuid", str(uuid.uuid4()), ""])
def test_chat_body_refuses_own_ids_that_are_not_uuid7(field: str, bad: str) -> None:
    with pytest.raises(ValueError, match=field):
        _body(**{field: bad})


@pytest.mark.parametrize("bad", ["not-a-uuid", "", "019bcb70-a714-7d9b-bb79"])
def test_chat_body_refuses_a_session_id_that_is_no_uuid(bad: str) -> None:
    with pytest.raises(InputError, match="evaluationSessionId"):
        _body(session_id=bad)


def test_a_resumed_session_id_may_be_any_uuid() -> None:
    session = str(uuid.uuid4())  # the site decides whether it knows it
    assert _body(session_id=session)["id"] == session


def test_encode_body_is_compact_utf8() -> None:
    encoded = encode_body({"a": "héllo ✓", "b": [1, {"c": None}]})
    assert encoded == '{"a":"héllo ✓","b":[1,{"c":null}]}'.encode()
    assert json.loads(encoded) == {"a": "héllo ✓", "b": [1, {"c": None}]}


# --------------------------------------------------------------------------------- actions


def test_action_body_is_a_json_array() -> None:
    assert build_action_body(["secure-view.png", "image/png"]) == b'["secure-view.png","image/png"]'
    assert build_action_body([None]) == b"[null]"
    assert build_action_body(("k/é.png",)) == '["k/é.png"]'.encode()


def test_action_response_returns_data() -> None:
    answer = (
        '0:{"a":"$@1","f":"","b":"bbgfTxRjOMQUfXFBBfpDL"}\n'
        '1:{"success":true,"data":{"uploadUrl":"https://r2.example/put","key":"u/1-a.png"}}\n'
    )
    assert parse_action_response(answer) == {
        "uploadUrl": "https://r2.example/put",
        "key": "u/1-a.png",
    }


def test_action_response_with_crlf_and_no_trailing_newline() -> None:
    answer = '0:{"a":"$@1","f":"","b":"x"}\r\n1:{"success":true,"data":{"url":"https://g"}}'
    assert parse_action_response(answer) == {"url": "https://g"}


def test_action_failure_names_the_error() -> None:
    answer = '0:{"a":"$@1","f":"","b":"x"}\n1:{"success":false,"error":"File too large"}\n'
    with pytest.raises(ProtocolError, match="File too large"):
        parse_action_response(answer)


@pytest.mark.parametrize(
    "answer",
    [
        '0:{"a":"$@1","f":"","b":"x"}\n',  # no result row
        "",
        "1:{not json}\n",
        '1:["success"]\n',
        '1:{"data":{"url":"x"}}\n',  # success missing
        "<html>Server action not found</html>",
    ],
)
def test_action_response_without_success_raises(answer: str) -> None:
    with pytest.raises(ProtocolError):
        parse_action_response(answer)


# --------------------------------------------------------------------------------- stream

DIRECT = 'a0:"Hello "\na0:"there, "\na0:"received!\\n\\n"\nad:{"finishReason":"stop"}\n'


def test_direct_text_reply() -> None:
    events, parser = parse(DIRECT)
    assert events == [
        TextDelta("a", "Hello "),
        TextDelta("a", "there, "),
        TextDelta("a", "received!\n\n"),
        Finish("a", "stop", None),
    ]
    assert parser.text == "Hello there, received!\n\n"


def test_text_property_grows_while_feeding() -> None:
    parser = StreamParser()
    assert parser.text == ""
    parser.feed(b'a0:"one "\n')
    assert parser.text == "one "
    parser.feed(b'a0:"two"\nb0:"other"\n')
    assert parser.text == "one two"


def test_every_prefix_for_both_participants() -> None:
    for p in "ab":
        wire = (
            f'{p}f:{{"messageId":"m1"}}\n'
            f'{p}g:"thinking…"\n'
            f'{p}0:"Answer"\n'
            f'{p}2:[{{"type":"heartbeat"}}]\n'
            f'{p}2:[{{"type":"image","image":"https://r2.example/u/1-m.png","mimeType":"image/png"}}]\n'
            f'{p}c:{{"toolCallId":"citation-source",'
            f'"argsTextDelta":"{{\\"source\\":{{\\"url\\":\\"https://s.example\\",\\"title\\":\\"S\\"}}}}"}}\n'
            f'{p}3:"model overloaded"\n'
            f'{p}d:{{"finishReason":"stop"}}\n'
        )
        if p == "b":
            wire += 'ad:{"finishReason":"stop"}\n'
        events, parser = parse(wire)
        assert events[:8] == [
            UnknownPart(p, f"{p}f", '{"messageId":"m1"}'),
            ReasoningDelta(p, "thinking…"),
            TextDelta(p, "Answer"),
            Heartbeat(p),
            ImageOutput(p, "https://r2.example/u/1-m.png", "image/png"),
            CitationPart(
                p,
                (Citation("https://s.example", "S", {"url": "https://s.example", "title": "S"}),),
            ),
            ErrorPart(p, "model overloaded"),
            Finish(p, "stop", None),
        ]
        assert parser.text == ("Answer" if p == "a" else "")


def test_battle_lines_interleave() -> None:
    wire = (
        'a0:"Based "\nb0:"This "\na0:"on "\nb0:"is "\n'
        'bd:{"finishReason":"stop"}\na0:"that."\nad:{"finishReason":"unknown"}\n'
    )
    events, parser = parse(wire)
    assert [e for e in events if e.participant == "b"] == [
        TextDelta("b", "This "),
        TextDelta("b", "is "),
        Finish("b", "stop", None),
    ]
    assert [e for e in events if e.participant == "a"] == [
        TextDelta("a", "Based "),
        TextDelta("a", "on "),
        TextDelta("a", "that."),
        Finish("a", "unknown", None),
    ]
    assert parser.text == "Based on that."


def test_battle_without_b_finish_is_truncated() -> None:
    with pytest.raises(TruncatedStreamError) as info:
        parse('a0:"x"\nb0:"y"\nad:{"finishReason":"stop"}\n')
    assert info.value.partial_text == "x"


def test_heartbeats_anywhere_even_after_finish() -> None:
    wire = (
        'a2:[{"type":"heartbeat"}]\na0:"hi"\na2:[{"type":"heartbeat"}]\n'
        'ad:{"finishReason":"stop"}\na2:[{"type":"heartbeat"}]\n'
    )
    events, _ = parse(wire)
    assert events == [
        Heartbeat("a"),
        TextDelta("a", "hi"),
        Heartbeat("a"),
        Finish("a", "stop", None),
        Heartbeat("a"),
    ]


def test_image_as_base64_data_becomes_a_data_url() -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()
    wire = f'a2:[{{"type":"image","data":"{png}","mimeType":"image/png"}}]\nad:{{}}\n'
    events, _ = parse(wire)
    assert events[0] == ImageOutput("a", f"data:image/png;base64,{png}", "image/png")
    assert events[1] == Finish("a", None, None)


def test_several_images_and_unknown_data_objects_in_one_line() -> None:
    wire = (
        'a2:[{"type":"image","image":"https://x/1.png","mimeType":"image/png"},'
        '{"type":"routed_model","organization":"openai"},'
        '{"type":"image","image":"https://x/2.webp"}]\n'
        'ad:{"finishReason":"stop"}\n'
    )
    events, _ = parse(wire)
    assert events[0] == ImageOutput("a", "https://x/1.png", "image/png")
    assert isinstance(events[1], UnknownPart)
    assert events[1].code == "a2"
    assert json.loads(events[1].payload) == {"type": "routed_model", "organization": "openai"}
    assert events[2] == ImageOutput("a", "https://x/2.webp", None)


def test_citation_list_form() -> None:
    sources = [
        {"url": "https://a.example", "title": "A", "snippet": "…"},
        {"url": "https://b.example"},
        {"title": "no url"},
    ]
    args = json.dumps({"source": sources})
    line = "ac:" + json.dumps({"toolCallId": "citation-source", "argsTextDelta": args})
    events, _ = parse(line + '\nad:{"finishReason":"stop"}\n')
    assert events[0] == CitationPart(
        "a",
        (
            Citation("https://a.example", "A", sources[0]),
            Citation("https://b.example", None, sources[1]),
            Citation(None, "no url", sources[2]),
        ),
    )


def test_other_tool_calls_are_unknown() -> None:
    line = 'ac:{"toolCallId":"call_1","argsTextDelta":"{\\"q\\":1}"}'
    events, _ = parse(line + '\nad:{"finishReason":"stop"}\n')
    assert events[0] == UnknownPart(
        "a", "ac", '{"toolCallId":"call_1","argsTextDelta":"{\\"q\\":1}"}'
    )


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        ({"promptTokens": 12, "completionTokens": 30}, Usage(12, 30, 42)),
        ({"promptTokens": 12, "completionTokens": 30, "totalTokens": 50}, Usage(12, 30, 50)),
        ({"input_tokens": 5, "output_tokens": 7}, Usage(5, 7, 12)),
        ({"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}, Usage(1, 2, 3)),
        ({"promptTokens": 9}, Usage(9, None, None)),
        ({"promptTokens": "9", "completionTokens": True}, Usage(None, None, None)),
        ({}, Usage(None, None, None)),
    ],
)
def test_usage_variants(usage: dict[str, Any], expected: Usage) -> None:
    line = "ad:" + json.dumps({"finishReason": "stop", "usage": usage})
    events, _ = parse(line + "\n")
    assert events == [Finish("a", "stop", expected)]


def test_finish_with_null_usage_and_reason() -> None:
    events, _ = parse('ad:{"finishReason":null,"usage":null}\n')
    assert events == [Finish("a", None, None)]


def test_finish_reason_error_is_reported_as_is() -> None:
    events, _ = parse('a0:"part"\nad:{"finishReason":"error"}\n')
    assert events[-1] == Finish("a", "error", None)


def test_arena_error_marker_is_an_error_not_text() -> None:
    events, parser = parse('a0:"hasArenaError"\nad:{"finishReason":"stop"}\n')
    assert isinstance(events[0], ErrorPart)
    assert events[0].participant == "a"
    assert "hasArenaError" in events[0].message
    assert parser.text == ""


def test_a3_without_finish_raises_truncated_after_the_error_event() -> None:
    parser = StreamParser()
    events = parser.feed(b'a0:"Partial"\na3:"Resource exhausted. Please try again later."\n')
    assert events == [
        TextDelta("a", "Partial"),
        ErrorPart("a", "Resource exhausted. Please try again later."),
    ]
    with pytest.raises(TruncatedStreamError) as info:
        parser.close()
    assert info.value.partial_text == "Partial"


def test_unknown_prefixes_never_raise() -> None:
    wire = (
        'af:{"messageId":"m"}\n'
        "ae:{}\n"
        "ak:not json at all\n"
        "a9:[1,2\n"
        ": comment\n"
        "garbage without a colon\n"
        'x0:"not a participant"\n'
        'a0:"ok"\n'
        'ad:{"finishReason":"stop"}\n'
        "ae:after the finish\n"
    )
    events, parser = parse(wire)
    assert events == [
        UnknownPart("a", "af", '{"messageId":"m"}'),
        UnknownPart("a", "ae", "{}"),
        UnknownPart("a", "ak", "not json at all"),
        UnknownPart("a", "a9", "[1,2"),
        UnknownPart("", "", " comment"),
        UnknownPart("", "", "garbage without a colon"),
        UnknownPart("", "x0", '"not a participant"'),
        TextDelta("a", "ok"),
        Finish("a", "stop", None),
        UnknownPart("a", "ae", "after the finish"),
    ]
    assert parser.text == "ok"


def test_unknown_lines_are_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG", logger="lmarena_client.protocol")
    parse('af:{"messageId":"m"}\nad:{"finishReason":"stop"}\n')
    assert any("af" in record.getMessage() for record in caplog.records)


def test_missing_finish_is_truncated_with_the_text_so_far() -> None:
    parser = StreamParser()
    parser.feed(b'a0:"Hello "\na0:"wor')
    with pytest.raises(TruncatedStreamError) as info:
        parser.close()  # the cut last line is part of the truncation, not a protocol error
    assert info.value.partial_text == "Hello "


def test_empty_body_is_truncated() -> None:
    parser = StreamParser()
    with pytest.raises(TruncatedStreamError) as info:
        parser.close()
    assert info.value.partial_text == ""


def test_final_line_without_newline_is_flushed() -> None:
    parser = StreamParser()
    assert parser.feed(b'a0:"Hi"\nad:{"finishReason":"stop"}') == [TextDelta("a", "Hi")]
    assert parser.close() == [Finish("a", "stop", None)]


@pytest.mark.parametrize(
    "late_line",
    [
        'a0:"late"',
        'ag:"late"',
        'ad:{"finishReason":"stop"}',
        'a3:"late"',
        'a2:[{"type":"image","image":"u"}]',
    ],
)
def test_known_line_after_finish_is_a_protocol_error(late_line: str) -> None:
    parser = StreamParser()
    parser.feed(b'a0:"done"\nad:{"finishReason":"stop"}\n')
    with pytest.raises(ProtocolError) as info:
        parser.feed(late_line.encode() + b"\n")
    assert getattr(info.value, "partial_text", None) == "done"


def test_b_lines_after_a_finished_are_fine() -> None:
    events, _ = parse('ad:{"finishReason":"stop"}\nb0:"still"\nbd:{"finishReason":"stop"}\n')
    assert events[1:] == [TextDelta("b", "still"), Finish("b", "stop", None)]


def test_crlf_line_ends_and_blank_lines() -> None:
    wire = b'\r\na0:"one"\r\n\r\n\na0:"two\\r\\n"\r\nad:{"finishReason":"stop"}\r\n\r\n'
    events, parser = parse(wire)
    assert events == [TextDelta("a", "one"), TextDelta("a", "two\r\n"), Finish("a", "stop", None)]
    assert parser.text == "onetwo\r\n"


def test_data_prefix_is_stripped() -> None:
    wire = 'data: a0:"one"\ndata:a0:"two"\na0:"three"\ndata: ad:{"finishReason":"stop"}\n\n'
    events, parser = parse(wire)
    assert parser.text == "onetwothree"
    assert events[-1] == Finish("a", "stop", None)


def test_chunks_split_mid_character_and_mid_crlf() -> None:
    data = 'a0:"héllo ✓ 😀"\r\nad:{"finishReason":"stop"}\r\n'.encode()
    parser = StreamParser()
    events: list[StreamEvent] = []
    for i in range(len(data)):
        events += parser.feed(data[i : i + 1])
    events += parser.close()
    assert events == [TextDelta("a", "héllo ✓ 😀"), Finish("a", "stop", None)]


@pytest.mark.parametrize(
    "line",
    [
        "a0:not json",
        'a0:"unterminated',
        "a0:42",
        'ag:["list"]',
        "a2:{}",
        'a2:"heartbeat"',
        "a2:[1]",
        'a2:[{"type":"image"}]',
        'a3:{"message":"x"}',
        'ac:"x"',
        'ac:{"toolCallId":"citation-source","argsTextDelta":"{bad"}',
        'ac:{"toolCallId":"citation-source"}',
        'ac:{"toolCallId":"citation-source","argsTextDelta":"{\\"source\\":\\"u\\"}"}',
        'ad:"stop"',
        'ad:{"finishReason":7}',
        'ad:{"usage":[1]}',
        "a0:" + "[" * 100_000,
        "a0:1" + "0" * 10_000,
    ],
)
def test_malformed_known_lines_raise_protocol_error(line: str) -> None:
    parser = StreamParser()
    parser.feed(b'a0:"so far"\n')
    with pytest.raises(ProtocolError) as info:
        parser.feed(line.encode() + b"\n")
    assert getattr(info.value, "partial_text", None) == "so far"


def test_cut_final_line_of_an_unfinished_stream_is_truncation() -> None:
    parser = StreamParser()
    parser.feed(b'a0:"x"\nad:{"finishReason":')
    with pytest.raises(TruncatedStreamError) as info:
        parser.close()
    assert info.value.partial_text == "x"
    assert isinstance(info.value.__cause__, ProtocolError)


def test_cut_mid_character_of_an_unfinished_stream_is_truncation() -> None:
    parser = StreamParser()
    parser.feed('a0:"ok"\na0:"é'.encode()[:-1])
    with pytest.raises(TruncatedStreamError) as info:
        parser.close()
    assert info.value.partial_text == "ok"


def test_malformed_final_line_of_a_finished_stream_raises_protocol_error() -> None:
    parser = StreamParser()
    parser.feed(b'a0:"x"\nad:{"finishReason":"stop"}\nad:{"finishReason":')
    with pytest.raises(ProtocolError):
        parser.close()


def test_invalid_utf8_raises_protocol_error() -> None:
    parser = StreamParser()
    parser.feed(b'a0:"ok"\n')
    with pytest.raises(ProtocolError) as info:
        parser.feed(b'a0:"\xff\xfe"\n')
    assert not isinstance(info.value, TruncatedStreamError)
    assert getattr(info.value, "partial_text", None) == "ok"


def test_invalid_utf8_in_the_final_line_raises_at_close() -> None:
    parser = StreamParser()
    parser.feed(b'a0:"ok"\nad:{"finishReason":"stop"}\na0:"\xc3')
    with pytest.raises(ProtocolError):
        parser.close()


def test_errors_belong_to_the_library_tree() -> None:
    assert issubclass(TruncatedStreamError, LMArenaError)
    assert issubclass(ProtocolError, LMArenaError)


def test_invalid_utf8_in_the_final_line_of_a_finished_stream_raises_at_close() -> None:
    parser = StreamParser()
    parser.feed(b'a0:"ok"\nad:{"finishReason":"stop"}\nag:"\xc3')
    with pytest.raises(ProtocolError) as info:
        parser.close()
    assert not isinstance(info.value, TruncatedStreamError)
