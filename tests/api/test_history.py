"""Transcript fingerprints (pure) and the transcript map's decisions (on the in-memory broker)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from lmarena_api.history import HEAD_PREFIX, KEY_PREFIX, TranscriptMap
from lmarena_api.schemas import parse_request
from lmarena_api.transcripts import FOLD_FOOTER, FOLD_HEADER, Turn, fold, transcript_of
from lmarena_worker.contract import ChatResult
from lmarena_worker.embedded import InMemoryBroker


def transcript(*messages: tuple[str, Any], model: str = "m", scope: str = "") -> Any:
    body = {"model": model, "messages": [{"role": r, "content": c} for r, c in messages]}
    return transcript_of(parse_request(body), model, scope)


def result(session: str, text: str, message: str = "msg") -> ChatResult:
    return ChatResult(text=text, evaluation_session_id=session, message_id=message)


@pytest.fixture
async def history() -> AsyncIterator[TranscriptMap]:
    pool = InMemoryBroker().pool()
    yield TranscriptMap(pool, ttl=3600, max_entries=9)
    await pool.aclose()


def test_fingerprints_see_roles_text_images_model_and_scope() -> None:
    base = transcript(("user", "hi"), ("assistant", "hello"), ("user", "next"))
    assert (
        base.history_key
        == transcript(("user", " hi "), ("assistant", "hello"), ("user", "x")).history_key
    )
    for other in (
        transcript(("user", "hi!"), ("assistant", "hello"), ("user", "next")),
        transcript(("system", "hi"), ("assistant", "hello"), ("user", "next")),
        transcript(("user", "hi"), ("assistant", "hello"), ("user", "next"), model="other"),
        transcript(("user", "hi"), ("assistant", "hello"), ("user", "next"), scope="key2"),
        transcript(
            ("user", [{"type": "text", "text": "hi"},
                      {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}}]),
            ("assistant", "hello"), ("user", "next"),
        ),
    ):  # fmt: skip
        assert other.history_key != base.history_key
    assert base.answered_key("r") != base.answered_key("r2") != base.prompt_key


def test_fold_carries_every_turn_in_the_documented_format() -> None:
    text = fold(
        [Turn("system", "be brief"), Turn("user", "a", ("h",)), Turn("assistant", "b")], "c"
    )
    assert text == "\n".join(
        [FOLD_HEADER, "System: be brief", "User: a [image]", "Assistant: b", FOLD_FOOTER, "c"]
    )


async def test_a_recorded_turn_is_continued_then_regenerated(history: TranscriptMap) -> None:
    first = transcript(("user", "one"))
    plan = await history.plan(first, None, "one")
    assert plan.mapping == "new" and plan.text == "one"
    await history.remember(first, plan, result("s1", "reply one", "m1"))
    second = transcript(("user", "one"), ("assistant", "reply one"), ("user", "two"))
    plan2 = await history.plan(second, None, "two")
    assert (plan2.mapping, plan2.session_id, plan2.text, plan2.turn) == (
        "continued",
        "s1",
        "two",
        2,
    )
    await history.remember(second, plan2, result("s1", "reply two", "m2"))
    again = await history.plan(second, None, "two")
    assert (again.mapping, again.regenerate_message_id, again.turn) == ("regenerated", "m2", 2)
    # The first turn is no longer the session's head: repeating it starts over, with history.
    stale = await history.plan(first, None, "one")
    assert stale.mapping == "new"
    # An edited second message: the session holds the unedited one, so the history is carried.
    branch = transcript(("user", "one"), ("assistant", "reply one"), ("user", "two, edited"))
    assert (await history.plan(branch, None, "two, edited")).mapping == "replayed"


async def test_unknown_histories_are_replayed_and_explicit_ids_win(history: TranscriptMap) -> None:
    unknown = transcript(("user", "a"), ("assistant", "b"), ("user", "c"))
    plan = await history.plan(unknown, None, "c")
    assert plan.mapping == "replayed" and plan.session_id is None
    assert plan.text.startswith(FOLD_HEADER) and plan.text.endswith("\nc")
    resumed = await history.plan(unknown, "0199f060-0000-7000-8000-000000000000", "c")
    assert resumed.mapping == "resumed" and resumed.text == "c"
    system_only = transcript(("system", "rules"), ("user", "hi"))
    carried = await history.plan(system_only, None, "hi")
    assert carried.mapping == "new" and "System: rules" in carried.text


async def test_the_map_keeps_at_most_max_entries(history: TranscriptMap) -> None:
    for i in range(10):
        one = transcript(("user", f"q{i}"))
        await history.remember(one, await history.plan(one, None, f"q{i}"), result(f"s{i}", "r"))
    keys = [key async for key in history._redis.scan_iter(match=KEY_PREFIX + "*")]
    heads = [key async for key in history._redis.scan_iter(match=HEAD_PREFIX + "*")]
    assert (len(keys), len(heads)) == (6, 3)  # three keys per turn: the three newest remain
    newest = transcript(("user", "q9"), ("assistant", "r"), ("user", "more"))
    assert (await history.plan(newest, None, "more")).mapping == "continued"
    oldest = transcript(("user", "q0"), ("assistant", "r"), ("user", "more"))
    assert (await history.plan(oldest, None, "more")).mapping == "replayed"
