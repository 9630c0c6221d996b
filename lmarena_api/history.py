"""Stateless clients: which site session a whole-history request belongs to.

After each completed turn the API records, in Redis (shared by every replica; the in-memory
broker in one process), two fingerprints of the transcript (``transcripts.py``):

- the transcript with the reply: a later request whose history matches it *continues* that
  session, and only its new message is sent;
- the transcript up to the prompt: a request that repeats it *regenerates* the reply (the
  site's retry) instead of adding a duplicate turn.

Any other history is *replayed*: a new session whose first message carries it. A request with
``conversation.evaluationSessionId`` is *resumed* as before; one without history is *new*.
Keys (fingerprints and session heads) expire after ``ttl`` seconds, and the oldest go past
``max_entries``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from lmarena_worker.contract import ChatResult

from .transcripts import Mapping, Transcript, fold

_M = TypeVar("_M", bound=BaseModel)

KEY_PREFIX = "lmarena:transcript:"
INDEX_KEY = "lmarena:transcripts"  # every entry by the time it was written

# Per session, the fingerprints of its latest turn: a record is used only while it still
# describes the session's head (an edited or branched history is replayed, not continued).
HEAD_PREFIX = "lmarena:transcript-head:"


class SessionHead(BaseModel):
    prompt: str  # fingerprint of the transcript up to the latest prompt
    answered: str  # ... and with the latest reply


class TranscriptRecord(BaseModel):
    session_id: str
    model: str
    turn: int | None = None  # the turn's number in its session, when known
    message_id: str | None = None  # the reply's id (on prompt records: what a repeat retries)


@dataclass(frozen=True)
class Plan:
    """What to send for a request, and how it was mapped."""

    mapping: Mapping
    session_id: str | None
    text: str
    regenerate_message_id: str | None = None
    turn: int | None = None


class TranscriptMap:
    def __init__(self, redis: Any, *, ttl: int, max_entries: int) -> None:
        self._redis = redis
        self._ttl = ttl
        self._max = max_entries

    async def get(self, fingerprint: str) -> TranscriptRecord | None:
        """The record, if it still describes its session's latest turn."""
        record = _parsed(TranscriptRecord, await self._redis.get(KEY_PREFIX + fingerprint))
        if record is None:
            return None
        head = _parsed(SessionHead, await self._redis.get(HEAD_PREFIX + record.session_id))
        if head is None or fingerprint not in (head.prompt, head.answered):
            return None
        return record

    async def put(self, records: dict[str, TranscriptRecord], head: SessionHead) -> None:
        """Write the records and their session's head (with the TTL), then drop the oldest
        past ``max_entries``."""
        now = time.time()
        session_id = next(iter(records.values())).session_id
        head_key = HEAD_PREFIX + session_id
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(head_key, head.model_dump_json(), ex=self._ttl)
            pipe.zadd(INDEX_KEY, {head_key: now})  # heads count against the cap too
            for fingerprint, record in records.items():
                key = KEY_PREFIX + fingerprint
                pipe.set(key, record.model_dump_json(), ex=self._ttl)
                pipe.zadd(INDEX_KEY, {key: now})
            pipe.zremrangebyscore(INDEX_KEY, "-inf", now - self._ttl)
            pipe.zcard(INDEX_KEY)
            *_, size = await pipe.execute()
        if size > self._max:
            oldest = await self._redis.zpopmin(INDEX_KEY, size - self._max)
            if oldest:
                await self._redis.delete(*(key for key, _ in oldest))

    async def plan(self, transcript: Transcript, explicit_session: str | None, prompt: str) -> Plan:
        """How to serve a request; ``prompt`` is its last user message as it is sent."""
        if explicit_session is not None:
            return Plan("resumed", explicit_session, prompt)
        talk = [turn for turn in transcript.history if turn.role in ("user", "assistant")]
        if not talk:  # nothing said yet; system messages ride along in the first message
            text = fold(transcript.history, prompt) if transcript.history else prompt
            return Plan("new", None, text, turn=1)
        repeated = await self.get(transcript.prompt_key)
        if repeated is not None and repeated.message_id is not None:
            return Plan(
                "regenerated", repeated.session_id, prompt, repeated.message_id, repeated.turn
            )
        known = await self.get(transcript.history_key)
        if known is not None:
            turn = known.turn + 1 if known.turn is not None else None
            return Plan("continued", known.session_id, prompt, turn=turn)
        return self.replay(transcript, prompt)

    def replay(self, transcript: Transcript, prompt: str) -> Plan:
        """A new session whose first message carries the whole history."""
        return Plan("replayed", None, fold(transcript.history, prompt), turn=1)

    async def remember(self, transcript: Transcript, plan: Plan, result: ChatResult) -> None:
        """Record a completed turn under both of its fingerprints."""
        record = TranscriptRecord(
            session_id=result.evaluation_session_id,
            model=transcript.model,
            turn=plan.turn,
            message_id=result.message_id,
        )
        answered = transcript.answered_key(result.text)
        head = SessionHead(prompt=transcript.prompt_key, answered=answered)
        await self.put({answered: record, transcript.prompt_key: record}, head)


def _parsed(model: type[_M], raw: bytes | str | None) -> _M | None:
    if raw is None:
        return None
    try:
        return model.model_validate_json(raw)
    except ValidationError:
        return None  # written by another version; a miss is safe (the history is replayed)
