import json

from lmarena_api.completions import Completion, api_error, finish_reason, sse_data
from lmarena_worker.contract import ChatResult, CitationInfo, ErrorInfo, UsageInfo

RESULT = ChatResult(
    text="Hello!",
    evaluation_session_id="019bcb70-a714-7d9b-bb79-e2ae55270f67",
    finish_reason="stop",
    usage=UsageInfo(prompt_tokens=5, completion_tokens=3),
    reasoning="thinking",
    images=["https://x/img.png"],
    citations=[CitationInfo(url="https://src", title="Source")],
)


def test_non_stream_response_shape() -> None:
    body = Completion(model="gemini-3-pro").response(RESULT)
    assert body["object"] == "chat.completion"
    assert body["id"].startswith("chatcmpl-")
    assert isinstance(body["created"], int) and body["created"] < 10**11  # seconds, not ms
    choice = body["choices"][0]
    assert choice["message"] == {
        "role": "assistant",
        "content": "Hello!",
        "reasoning_content": "thinking",
    }
    assert choice["finish_reason"] == "stop"
    assert body["usage"] == {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}
    assert body["conversation"] == {"evaluationSessionId": RESULT.evaluation_session_id}
    assert body["images"] == ["https://x/img.png"]
    assert body["citations"] == [{"url": "https://src", "title": "Source"}]


def test_optional_fields_are_left_out() -> None:
    plain = ChatResult(text="x", evaluation_session_id="s")
    body = Completion(model="m").response(plain)
    assert "usage" not in body and "images" not in body and "citations" not in body
    assert "reasoning_content" not in body["choices"][0]["message"]


def test_chunks_share_id_and_created() -> None:
    c = Completion(model="m")
    chunks = [
        c.role_chunk(),
        c.content_chunk("a"),
        c.reasoning_chunk("r"),
        c.final_chunk(RESULT),
        c.usage_chunk(RESULT),
    ]
    assert {ch["id"] for ch in chunks} == {c.id}
    assert {ch["created"] for ch in chunks} == {c.created}
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert chunks[0]["choices"][0]["finish_reason"] is None
    assert chunks[2]["choices"][0]["delta"] == {"reasoning_content": "r"}
    final = chunks[3]
    assert final["choices"][0] == {"index": 0, "delta": {}, "finish_reason": "stop"}
    assert final["conversation"]["evaluationSessionId"] == RESULT.evaluation_session_id
    assert chunks[4]["choices"] == []
    assert chunks[4]["usage"]["total_tokens"] == 8
    assert "conversation" not in chunks[0] and "conversation" not in chunks[1]


def test_the_session_id_rides_early_when_known() -> None:
    resumed = Completion(model="m", session_id="s-1")
    assert resumed.role_chunk()["conversation"] == {"evaluationSessionId": "s-1"}
    fresh = Completion(model="m")
    assert fresh.content_chunk("a", "s-2")["conversation"] == {"evaluationSessionId": "s-2"}
    assert fresh.reasoning_chunk("r", "s-2")["conversation"] == {"evaluationSessionId": "s-2"}
    assert "conversation" not in fresh.content_chunk("b")


def test_site_finish_reasons_map_to_openai_ones() -> None:
    assert finish_reason("unknown") == "stop"
    assert finish_reason(None) == "stop"
    assert finish_reason("length") == "length"


def test_sse_frames_use_lf_and_no_id() -> None:
    frame = sse_data({"a": "é"})
    assert frame == 'data: {"a": "é"}\n\n'
    assert "\r" not in frame and "id:" not in frame
    assert sse_data("[DONE]") == "data: [DONE]\n\n"
    assert json.loads(frame[6:]) == {"a": "é"}


def test_error_kinds_to_statuses() -> None:
    cases = {
        "bad_request": 400,
        "content_rejected": 400,
        "model_not_found": 404,
        "too_large": 413,
        "rate_limited": 429,
        "upstream": 502,
        "unavailable": 503,
        "timeout": 504,
    }
    for kind, status in cases.items():
        err = api_error(ErrorInfo(kind=kind, message="m"))  # type: ignore[arg-type]
        assert err.status == status, kind
    limited = api_error(ErrorInfo(kind="rate_limited", message="slow", retry_after=7))
    assert limited.headers() == {"Retry-After": "7"}
    assert limited.body()["error"]["code"] == "rate_limit_exceeded"
