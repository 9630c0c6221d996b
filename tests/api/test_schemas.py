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


def _chat_with_part(part: object) -> dict:  # type: ignore[type-arg]
    content = [{"type": "text", "text": "look"}, part]
    return {"model": "m", "messages": [{"role": "user", "content": content}]}


@pytest.mark.parametrize(
    ("part", "param", "says"),
    [
        ({"type": "text"}, "messages[0].content[1].text", "required"),
        ({"type": "text", "text": 5}, "messages[0].content[1].text", "must be a string"),
        ({"type": "text", "text": None}, "messages[0].content[1].text", "must be a string"),
        ({"type": "image_url"}, "messages[0].content[1].image_url", "required"),
        ({"type": "image_url", "image_url": 5}, "messages[0].content[1].image_url", "object"),
        (
            {"type": "image_url", "image_url": "https://x.test/a.png"},
            "messages[0].content[1].image_url",
            "must be an object, not a string",
        ),
        (
            {"type": "image_url", "image_url": {}},
            "messages[0].content[1].image_url.url",
            "required",
        ),
        (
            {"type": "image_url", "image_url": {"url": 5}},
            "messages[0].content[1].image_url.url",
            "must be a string",
        ),
        (
            {"type": "image_url", "image_url": {"url": ""}},
            "messages[0].content[1].image_url.url",
            "empty",
        ),
        ({"type": "input_audio"}, "messages[0].content[1].type", "'input_audio' is not supported"),
        ({"type": 5}, "messages[0].content[1].type", "must be a string"),
        ({"text": "no type"}, "messages[0].content[1].type", "required"),
        (5, "messages[0].content[1]", "must be an object"),
        ("look", "messages[0].content[1]", "must be an object"),
        (["text"], "messages[0].content[1]", "must be an object"),
        (None, "messages[0].content[1]", "must be an object"),
    ],
)
def test_a_malformed_content_part_is_named_exactly(part: object, param: str, says: str) -> None:
    with pytest.raises(ApiError) as caught:
        turn(_chat_with_part(part))
    error = caught.value
    assert error.status == 400
    assert error.param == param
    assert error.message.startswith(f"{param}: "), error.message
    assert says in error.message, error.message
    for jargon in ("Input should", "instance of", "ImageUrl", "TextPart", "dictionary"):
        assert jargon not in error.message


@pytest.mark.parametrize(
    ("content", "says"), [(5, "a string or a list of content parts"), ({"a": 1}, "not an object")]
)
def test_content_of_the_wrong_kind_is_named(content: object, says: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_request({"model": "m", "messages": [{"role": "user", "content": content}]})
    assert caught.value.param == "messages[0].content"
    assert says in caught.value.message


def test_other_part_types_in_earlier_messages_are_ignored() -> None:
    t = turn(
        {
            "model": "m",
            "messages": [
                {"role": "assistant", "content": [{"type": "refusal", "refusal": "no"}]},
                {"role": "user", "content": [{"type": "text", "text": "hi"}]},
            ],
        }
    )
    assert t.text == "hi"
