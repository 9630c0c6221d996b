"""``POST /v1/images/generations``: OpenAI's images API over the site's image models.

Each of the ``n`` images is one new chat with an image-output model. ``b64_json`` images are
fetched by the worker under the same rules as image inputs (no private addresses, size cap).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from lmarena_worker.contract import ChatJob, ChatResult, DoneEvent, ErrorEvent, ModelCard

from .broker import Broker
from .chat_run import ChatRun
from .completions import api_error
from .config import ApiSettings
from .errors import ApiError
from .requests import body_of, read_json

router = APIRouter()
MAX_IMAGES = 4  # each image is one chat on the site, whose image quota is small
_TICK = 0.5


class ImageRequest(BaseModel):
    # OpenAI's other fields (size, quality, style, user) are accepted and left to the model.
    model_config = ConfigDict(extra="ignore")

    prompt: str = Field(min_length=1, max_length=32_000)
    model: str | None = Field(None, min_length=1, max_length=200)
    n: int = Field(1, ge=1, le=MAX_IMAGES)
    response_format: Literal["url", "b64_json"] = "url"


async def _image_model(broker: Broker, name: str | None) -> ModelCard:
    listing = (await broker.require_models()).models
    makers = [card for card in listing if card.image_output]
    found = next((card for card in makers if name in (None, card.id)), None)
    if found is not None:
        return found
    known = any(card.id == name for card in listing)
    names = ", ".join(card.id for card in makers[:5]) or "none now"
    raise ApiError(
        400 if known else 404,
        f"model: {name!r} does not make images (image models: {names})",
        param="model",
        code="model_not_found",
    )


@router.post("/v1/images/generations")
async def images_generations(request: Request) -> dict[str, Any]:
    settings: ApiSettings = request.app.state.settings
    broker: Broker = request.app.state.broker
    req = body_of(ImageRequest, await read_json(request, settings.max_body_bytes))
    if len(req.prompt.encode("utf-8", "surrogatepass")) > settings.max_prompt_bytes:
        raise ApiError(413, "prompt: too large (LM_ARENA_MAX_PROMPT_BYTES)", param="prompt")
    card = await _image_model(broker, req.model)
    await broker.require_worker()
    job = ChatJob(model=card.id, text=req.prompt, images_as_data=req.response_format == "b64_json")
    results = await _all(broker, job, req.n)
    return {
        "created": int(time.time()),
        "data": [_item(url, req.response_format) for result in results for url in result.images],
    }


async def _all(broker: Broker, job: ChatJob, count: int) -> list[ChatResult]:
    """``count`` images at once; the first failure stops (and aborts) the others."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(_one(broker, job)) for _ in range(count)]
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None
    return [task.result() for task in tasks]


async def _one(broker: Broker, job: ChatJob) -> ChatResult:
    run = await broker.start_chat(job)
    try:
        return await _result(run)
    except BaseException:
        await run.abort()
        raise
    finally:
        await run.close()


async def _result(run: ChatRun) -> ChatResult:
    async for event in run.events(_TICK):
        if isinstance(event, DoneEvent):
            if not event.result.images:
                raise ApiError(502, "the model answered without an image", type="upstream_error")
            return event.result
        if isinstance(event, ErrorEvent):
            raise api_error(event.error)
    raise ApiError(502, "the reply ended without a result", type="upstream_error")


def _item(url: str, response_format: str) -> dict[str, str]:
    if response_format == "url":
        return {"url": url}
    _, _, data = url.partition(";base64,")
    return {"b64_json": data}
