"""The arena's pure pieces: two-choice completions the official SDK parses, the relay's repair
of a two-sided reply, and one vote per chat across replicas (claim, give back)."""

from __future__ import annotations

import asyncio

import fakeredis
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from lmarena_api.arena_book import ArenaBook
from lmarena_api.arena_completions import ArenaCompletion
from lmarena_api.completions import Completion
from lmarena_api.relay_repair import RelayRepair
from lmarena_api.reply_frames import ArenaFrames
from lmarena_worker.contract import (
    ArenaRecord,
    ChatResult,
    DoneEvent,
    JobOutcome,
    TextEvent,
    UsageInfo,
    arena_key,
)

SESSION = "019b0f6e-2c84-7a39-b5d1-93f4e7a60c28"


def _result(text: str, tokens: int) -> ChatResult:
    usage = UsageInfo(prompt_tokens=5, completion_tokens=tokens)
    return ChatResult(text=text, evaluation_session_id=SESSION, finish_reason="stop", usage=usage)


def _frames(mode: str = "side-by-side") -> ArenaFrames:
    names = ("m-a", "m-b") if mode == "side-by-side" else (None, None)
    base = Completion(model="m-a" if names[0] else "battle", mapping="new")
    return ArenaFrames(ArenaCompletion(base, mode, names))


def test_a_whole_answer_has_two_choices_the_sdk_reads() -> None:
    done = DoneEvent(seq=3, result=_result("left", 2), result_b=_result("right", 3))
    body = _frames().response(done)
    parsed = ChatCompletion.model_validate(body)
    assert [c.index for c in parsed.choices] == [0, 1]
    assert [c.message.content for c in parsed.choices] == ["left", "right"]
    assert [c.model_extra["model"] for c in parsed.choices] == ["m-a", "m-b"]  # type: ignore[index]
    assert parsed.usage is not None and parsed.usage.completion_tokens == 5
    assert parsed.usage.prompt_tokens == 5  # both read one prompt
    assert body["conversation"] == {
        "evaluationSessionId": SESSION,
        "mapping": "new",
        "mode": "side-by-side",
    }


def test_a_regenerated_side_answers_alone_with_its_own_usage() -> None:
    base = Completion(model="m-a", mapping="regenerated", session_id=SESSION)
    frames = ArenaFrames(ArenaCompletion(base, "side-by-side", ("m-a", "m-b"), ("b",)))
    done = DoneEvent(seq=3, result=_result("", 0), result_b=_result("anew", 4))
    parsed = ChatCompletion.model_validate(frames.response(done))
    assert [(c.index, c.message.content) for c in parsed.choices] == [(1, "anew")]
    assert parsed.usage is not None and parsed.usage.completion_tokens == 4
    role = ChatCompletionChunk.model_validate(frames.role_chunk())
    assert [c.index for c in role.choices] == [1]
    final, usage, end = frames.frames(done, include_usage=True)
    last = ChatCompletionChunk.model_validate_json(final.removeprefix("data: ").strip())
    assert [(c.index, c.finish_reason) for c in last.choices] == [(1, "stop")]
    totals = ChatCompletionChunk.model_validate_json(usage.removeprefix("data: ").strip()).usage
    assert totals is not None and totals.total_tokens == 9  # prompt 5 + model B's 4
    assert end.strip() == "data: [DONE]"


def test_stream_frames_say_the_side_and_each_side_finishes() -> None:
    frames = _frames("battle")
    role = ChatCompletionChunk.model_validate(frames.role_chunk())
    assert [c.index for c in role.choices] == [0, 1]
    delta = frames.frames(TextEvent(seq=1, text="hi", side="b"), include_usage=False)
    (chunk,) = [ChatCompletionChunk.model_validate_json(f[6:]) for f in delta]
    assert chunk.choices[0].index == 1 and chunk.choices[0].delta.content == "hi"
    assert chunk.choices[0].model_extra["model"] is None  # type: ignore[index]
    done = DoneEvent(seq=2, result=_result("a", 1), result_b=_result("b", 1))
    end = frames.frames(done, include_usage=True)
    assert end[-1] == "data: [DONE]\n\n"
    final = ChatCompletionChunk.model_validate_json(end[0][6:])
    assert [(c.index, c.finish_reason) for c in final.choices] == [(0, "stop"), (1, "stop")]


def test_a_repaired_relay_completes_both_sides_once() -> None:
    """Pub/sub lost events after two deltas: the stored outcome supplies exactly the rest."""
    repair = RelayRepair(30.0, 0.0)
    repair.begin(0.0)
    repair.heard(TextEvent(seq=0, text="Hel", side="a"), 0.1)
    repair.heard(TextEvent(seq=1, text="Wor", side="b"), 0.2)
    assert repair.lost("connection reset").check
    outcome = JobOutcome(chat=_result("Hello", 2), chat_b=_result("World", 2))
    step = repair.judged(outcome, worker_known=True, at=1.0)
    texts = [(e.side, e.text) for e in step.emit if isinstance(e, TextEvent)]
    assert texts == [("a", "lo"), ("b", "ld")]
    (done,) = [e for e in step.emit if isinstance(e, DoneEvent)]
    assert done.result_b is not None and done.result_b.text == "World"
    assert repair.finished


def test_two_replicas_voting_at_once_send_one_vote() -> None:
    async def scenario() -> list[bool]:
        server = fakeredis.FakeServer()
        books = [ArenaBook(fakeredis.FakeAsyncRedis(server=server)) for _ in range(2)]
        claims = await asyncio.gather(*(b.claim_vote(SESSION, "a") for b in books * 5))
        await books[0].release_vote(SESSION)  # the vote failed short of the site: give it back
        return [*claims, await books[1].claim_vote(SESSION, "b")]

    results = asyncio.run(scenario())
    assert results[:-1].count(True) == 1 and results[-1] is True


def test_a_damaged_record_reads_as_unknown_not_as_a_crash() -> None:
    async def scenario() -> tuple[object, object]:
        redis = fakeredis.FakeAsyncRedis()
        book = ArenaBook(redis)
        await redis.set(arena_key(SESSION), b'{"mode": "battle"')
        damaged = await book.get(SESSION)
        good = ArenaRecord(mode="battle", message_ids=("x", "y"))
        await redis.set(arena_key(SESSION), good.model_dump_json())
        return damaged, await book.get(SESSION)

    damaged, good = asyncio.run(scenario())
    assert damaged is None and isinstance(good, ArenaRecord) and good.models is None
