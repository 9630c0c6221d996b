"""A streaming chat request to the API, read as SSE by aiohttp, timed to its first content."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import aiohttp


class BenchError(RuntimeError):
    """A request of the benchmark did not go as expected."""


def chat_body(model: str, prompt: str) -> bytes:
    body = {"model": model, "messages": [{"role": "user", "content": prompt}], "stream": True}
    return json.dumps(body).encode()


def first_content(line: bytes) -> bool:
    """Whether an SSE line is a chunk with non-empty ``delta.content``."""
    if not line.startswith(b"data: {"):
        return False
    chunk = json.loads(line[6:])
    choices = chunk.get("choices") or [{}]
    return bool(choices[0].get("delta", {}).get("content"))


@dataclass(frozen=True)
class StreamTiming:
    started: float  # perf_counter when the request was sent
    first: float  # perf_counter when the first content arrived
    ended: float  # perf_counter after [DONE]
    wall_started: float  # time.time() when the request was sent

    @property
    def ttft(self) -> float:
        return self.first - self.started

    @property
    def wall_first(self) -> float:
        return self.wall_started + self.ttft


async def timed_stream(session: aiohttp.ClientSession, api_url: str, body: bytes) -> StreamTiming:
    """POST a streaming chat and read it to the end; times its first content chunk."""
    headers = {"Content-Type": "application/json"}
    wall_started = time.time()
    started = time.perf_counter()
    first = 0.0
    done = False
    async with session.post(f"{api_url}/v1/chat/completions", data=body, headers=headers) as resp:
        if resp.status != 200:
            raise BenchError(f"API answered {resp.status}: {(await resp.text())[:300]}")
        async for line in resp.content:
            if not first and first_content(line):
                first = time.perf_counter()
            elif line.startswith(b"data: [DONE]"):
                done = True
    if not first or not done:
        raise BenchError("the stream ended without content or without [DONE]")
    return StreamTiming(started, first, time.perf_counter(), wall_started)
