import pytest

from lmarena_api.errors import ApiError
from lmarena_api.schemas import last_user_turn, parse_request

SESSION = "019bcb70-a714-7d9b-bb79-e2ae55270f67"


def turn(body: dict, **limits: int):  # type: ignore[no-untyped-def]
    return last_user_turn(
        parse_request(body),
        max_parts=limits.get("max_parts", 64),
        max_images=limits.get("max_images", 8),
    )


def test_only_the_last_user_message_is_used() -> None:
    t = turn(
        {
            "model": "m",
            "messages": [
                {"role": "system", "content": "be brief"},
                {"role": "user", "content": "first"},
                {"role": "assistant", "content": "ok"},
                {"role": "user", "content": "second"},
                {"role": "assistant", "content": "trailing"},
            ],
        }
    )
    assert t.text == "second"
    assert t.images == []
    assert t.evaluation_session_id is None


def test_text_parts_are_joined_and_images_collected() -> None:
    t = turn(
        {
            "model": "m",
            "conversation": {"evaluationSessionId": SESSION},
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "look"},
                        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                        {"type": "text", "text": "here"},
                    ],
                },
            ],
        }
    )
    assert t.text == "look\nhere"
    assert t.images == [("messages[0].content[1].image_url.url", "data:image/png;base64,AAAA")]
    assert t.evaluation_session_id == SESSION


def test_unknown_openai_fields_are_ignored() -> None:
    t = turn(
        {
            "model": "m",
            "temperature": 0.2,
            "n": 3,
            "tools": [],
            "user": "x",
            "messages": [{"role": "user", "content": "hi", "name": "bob"}],
        }
    )
    assert t.text == "hi"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"messages": [{"role": "user", "content": "x"}]}, "model"),
        ({"model": "m", "messages": []}, "messages"),
        ({"model": "m", "messages": "hi"}, "messages"),
        ({"model": 5, "messages": [{"role": "user", "content": "x"}]}, "model"),
        ({"model": "m", "messages": [{"role": "wizard", "content": "x"}]}, "messages[0].role"),
        ({"model": "m", "messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
        (
            {"model": "m", "stream": "yes please", "messages": [{"role": "user", "content": "x"}]},
            "stream",
        ),
    ],
)
def test_bad_fields_are_named(body: dict, param: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ApiError) as caught:
        parse_request(body)
    assert caught.value.status == 400
    assert caught.value.param == param
    assert param in caught.value.message


def test_body_must_be_an_object() -> None:
    with pytest.raises(ApiError) as caught:
        parse_request([1, 2])
    assert caught.value.status == 400


@pytest.mark.parametrize(
    ("messages", "param"),
    [
        ([{"role": "assistant", "content": "only me"}], "messages"),
        ([{"role": "user", "content": "   "}], "messages[0].content"),
        (
            [{"role": "user", "content": [{"type": "input_audio", "input_audio": {}}]}],
            "messages[0].content[0].type",
        ),
    ],
)
def test_unusable_user_turns(messages: list, param: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ApiError) as caught:
        turn({"model": "m", "messages": messages})
    assert caught.value.status == 400
    assert caught.value.param == param


def test_limits_on_parts_and_images() -> None:
    parts = [{"type": "text", "text": "a"}] * 10
    with pytest.raises(ApiError, match="more than 5 content parts"):
        turn({"model": "m", "messages": [{"role": "user", "content": parts}]}, max_parts=5)
    image = {"type": "image_url", "image_url": {"url": "https://example.org/a.png"}}
    with pytest.raises(ApiError, match="at most 1 images"):
        turn(
            {"model": "m", "messages": [{"role": "user", "content": [image, image]}]}, max_images=1
        )


def test_bad_session_id() -> None:
    with pytest.raises(ApiError) as caught:
        turn(
            {
                "model": "m",
                "conversation": {"evaluationSessionId": "../etc"},
                "messages": [{"role": "user", "content": "x"}],
            }
        )
    assert caught.value.param == "conversation.evaluationSessionId"
