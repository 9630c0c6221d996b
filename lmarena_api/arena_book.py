"""The arena chats the worker recorded (``contract.ArenaRecord``) and one vote per chat.

A vote is claimed with ``SET NX`` before it is sent, so two requests (on two replicas) cannot
both send one; a vote that fails gives its claim back, and the site stays the judge.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from lmarena_worker.contract import ARENA_RECORD_TTL, ArenaRecord, arena_key, arena_vote_key

from .errors import ApiError


class ArenaBook:
    def __init__(self, redis: Any) -> None:
        self._redis = redis

    async def get(self, session_id: str) -> ArenaRecord | None:
        raw = await self._redis.get(arena_key(session_id))
        if raw is None:
            return None
        try:
            return ArenaRecord.model_validate_json(raw)
        except ValidationError:
            return None

    async def require(self, session_id: str, *, param: str, note: str = "") -> ArenaRecord:
        """The chat's record, or the 404 for a chat that is no arena chat recorded here."""
        record = await self.get(session_id)
        if record is None:
            raise ApiError(
                404,
                "no side-by-side or battle chat with this evaluationSessionId is known here"
                + (f" ({note})" if note else ""),
                param=param,
                code="arena_session_not_found",
            )
        return record

    async def claim_vote(self, session_id: str, winner: str) -> bool:
        """True for the first claim of this chat's vote; False when it was voted on."""
        key = arena_vote_key(session_id)
        return bool(await self._redis.set(key, winner, nx=True, ex=ARENA_RECORD_TTL))

    async def release_vote(self, session_id: str) -> None:
        await self._redis.delete(arena_vote_key(session_id))
