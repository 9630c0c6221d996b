"""``POST /v1/arena/votes``: judge an arena chat's latest turn; the answer names both models."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from lmarena_worker.contract import VoteJob

from .broker import Broker
from .completions import api_error
from .config import ApiSettings
from .errors import ApiError
from .requests import body_of, read_json

router = APIRouter()


class VoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    evaluationSessionId: str = Field(min_length=1, max_length=64)
    winner: Literal["a", "b", "tie", "both_bad"]


@router.post("/v1/arena/votes")
async def arena_votes(request: Request) -> dict[str, object]:
    settings: ApiSettings = request.app.state.settings
    broker: Broker = request.app.state.broker
    vote = body_of(VoteRequest, await read_json(request, settings.max_body_bytes))
    session_id = vote.evaluationSessionId
    record = await broker.arena.require(
        session_id, param="evaluationSessionId", note="direct chats cannot be voted on"
    )
    await broker.require_worker()
    if not await broker.arena.claim_vote(session_id, vote.winner):
        raise ApiError(409, "this chat was voted on already", code="already_voted")
    job = VoteJob(
        evaluation_session_id=session_id,
        winner=vote.winner,
        message_ids=record.message_ids,
        models=record.models,
    )
    try:
        outcome = await broker.queue.vote(job)
    except BaseException:
        await broker.arena.release_vote(session_id)
        raise
    if outcome.error is not None:
        await broker.arena.release_vote(session_id)  # the site's word stands, not our claim
        raise api_error(outcome.error)
    if outcome.revealed is None:
        raise ApiError(502, "the vote job returned nothing", type="upstream_error")
    return {
        "evaluationSessionId": session_id,
        "winner": vote.winner,
        "models": dict(outcome.revealed),
    }
