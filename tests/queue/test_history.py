"""Stateless clients: the official openai SDK sends whole histories without our vendor field,
and each request lands in the right site session (one worker, two API replicas, real Redis).

The fake's replies say which turn of its session they are and what the previous prompt was, so
a test can tell what the model saw."""

from __future__ import annotations

import uuid
from typing import Any

import openai
import pytest

from harness.proc import Proc

from .conftest import fake_control

pytestmark = pytest.mark.browser

MODEL = "gemini-3-pro"
OTHER_MODEL = "gpt-5.2"


def sdk(api: Proc) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{api.extra['url']}/v1", api_key="unused", max_retries=0)


def ask(
    api: Proc, messages: list[dict[str, Any]], model: str = MODEL
) -> tuple[str, dict[str, Any]]:
    """The reply's text and the vendor ``conversation`` field."""
    resp = sdk(api).chat.completions.create(model=model, messages=messages)  # type: ignore[arg-type]
    return str(resp.choices[0].message.content), resp.model_dump()["conversation"]


def stream_ask(api: Proc, messages: list[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    chunks = list(
        sdk(api).chat.completions.create(model=MODEL, messages=messages, stream=True)  # type: ignore[arg-type]
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    conversation = [c.model_dump().get("conversation") for c in chunks]
    return text, next(c for c in reversed(conversation) if c)


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def assistant(text: str) -> dict[str, Any]:
    return {"role": "assistant", "content": text}


def fresh(label: str) -> str:
    return f"{label} {uuid.uuid4().hex[:8]}"  # the fake echoes it: unique per test


def test_three_turns_continue_one_session_across_replicas(stack: dict[str, Proc]) -> None:
    first, second, third = fresh("first"), fresh("second"), fresh("third")
    history = [user(first)]
    reply1, conv1 = ask(stack["api1"], history)
    assert conv1["mapping"] == "new" and "Turn 1 of this session" in reply1
    history += [assistant(reply1), user(second)]
    reply2, conv2 = ask(stack["api2"], history)  # the other replica knows the transcript
    assert conv2 == {"evaluationSessionId": conv1["evaluationSessionId"], "mapping": "continued"}
    assert "Turn 2 of this session" in reply2 and f"Previous prompt: “{first}”" in reply2
    history += [assistant(reply2), user(third)]
    reply3, conv3 = stream_ask(stack["api1"], history)
    assert conv3["mapping"] == "continued"
    assert conv3["evaluationSessionId"] == conv1["evaluationSessionId"]
    assert "Turn 3 of this session" in reply3 and f"Previous prompt: “{second}”" in reply3


def test_resending_a_history_regenerates_instead_of_adding_a_turn(stack: dict[str, Proc]) -> None:
    one, two, three = fresh("one"), fresh("two"), fresh("three")
    reply1, conv = ask(stack["api1"], [user(one)])
    asked = [user(one), assistant(reply1), user(two)]
    reply2, _ = ask(stack["api1"], asked)
    again, regen = ask(stack["api2"], asked)  # the same request once more
    assert regen == {"evaluationSessionId": conv["evaluationSessionId"], "mapping": "regenerated"}
    assert "Turn 2 of this session" in again  # the same turn, written again
    follow, cont = stream_ask(stack["api1"], [*asked, assistant(again), user(three)])
    assert cont["mapping"] == "continued"
    assert "Turn 3 of this session" in follow  # no duplicate turn was added
    # The replaced reply's branch is not the session any more: it is carried over instead.
    branch, moved = ask(stack["api2"], [*asked, assistant(reply2), user(three)])
    assert (
        moved["mapping"] == "replayed"
        and moved["evaluationSessionId"] != conv["evaluationSessionId"]
    )
    assert "Turn 1 of this session" in branch and reply2.split(".")[0] in branch


def test_an_edited_history_or_another_model_is_carried_into_a_new_session(
    stack: dict[str, Proc],
) -> None:
    one, two = fresh("one"), fresh("two")
    reply1, conv = ask(stack["api1"], [user(one)])
    edited, conv_edit = ask(stack["api1"], [user(one + " (edited)"), assistant(reply1), user(two)])
    assert conv_edit["mapping"] == "replayed"
    assert conv_edit["evaluationSessionId"] != conv["evaluationSessionId"]
    assert "Turn 1 of this session" in edited
    assert "[Conversation so far]" in edited and f"User: {one} (edited)" in edited
    switched, conv_model = ask(
        stack["api2"], [user(one), assistant(reply1), user(two)], OTHER_MODEL
    )
    assert conv_model["mapping"] == "replayed" and "Turn 1 of this session" in switched


def test_a_system_message_is_carried(stack: dict[str, Proc]) -> None:
    rule = fresh("Answer like a pirate")
    reply, conv = ask(stack["api2"], [{"role": "system", "content": rule}, user("hello")])
    assert conv["mapping"] == "new"
    assert f"System: {rule}" in reply


def test_an_explicit_session_id_wins_over_the_mapping(stack: dict[str, Proc]) -> None:
    one, two = fresh("one"), fresh("two")
    _, conv = ask(stack["api1"], [user(one)])
    other, _ = ask(stack["api1"], [user(fresh("elsewhere"))])
    resp = sdk(stack["api2"]).chat.completions.create(
        model=MODEL,
        messages=[user(one), assistant(other), user(two)],  # type: ignore[list-item]
        extra_body={"conversation": {"evaluationSessionId": conv["evaluationSessionId"]}},
    )
    vendor = resp.model_dump()["conversation"]
    assert vendor == {"evaluationSessionId": conv["evaluationSessionId"], "mapping": "resumed"}
    assert "Turn 2 of this session" in str(resp.choices[0].message.content)


PNG_1X1 = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
    "DwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def test_a_known_transcript_never_uploads_its_images_again(stack: dict[str, Proc]) -> None:
    def picture(text: str) -> dict[str, Any]:
        parts = [
            {"type": "text", "text": text},
            {"type": "image_url", "image_url": {"url": PNG_1X1}},
        ]
        return {"role": "user", "content": parts}

    seen = fresh("what is this")
    before = fake_control(stack["fake"], "counters")["uploads"]
    reply1, _ = ask(stack["api1"], [picture(seen)])
    after_first = fake_control(stack["fake"], "counters")["uploads"]
    assert after_first >= before  # uploaded, or already in the worker's signed-URL cache
    _, conv = ask(stack["api2"], [picture(seen), assistant(reply1), user("and now?")])
    assert conv["mapping"] == "continued"
    assert fake_control(stack["fake"], "counters")["uploads"] == after_first
    carried, moved = ask(
        stack["api1"], [picture(seen + " (edited)"), assistant(reply1), user("so?")]
    )
    assert moved["mapping"] == "replayed" and "[image]" in carried
