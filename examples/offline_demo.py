"""Offline demo: the README's library examples against the fake site, in a real Chromium.

Run with ``scripts/demo`` (or ``.venv/bin/python examples/offline_demo.py``). Set
``LM_ARENA_BROWSER_HEADLESS=0`` to watch a headful browser (under Xvfb when there is no display).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time

from lmarena_client import Client
from lmarena_client.testing import FakeArena, FakeArenaOptions

PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63f8dfc0f01f000680027f104c1be10000000049454e44ae426082"
)


async def main() -> None:
    options = FakeArenaOptions(interstitial=True)
    async with FakeArena(options, host="127.0.0.1", port=0) as arena:
        print(f"fake site at {arena.url} (with a Cloudflare-style interstitial)")
        headless = os.environ.get("LM_ARENA_BROWSER_HEADLESS", "1") not in ("0", "false")
        async with Client(origin=arena.url, browser_headless=headless) as client:
            started = time.perf_counter()
            await client.bootstrap()
            print(f"bootstrapped in {time.perf_counter() - started:.2f} s")
            print("models:", ", ".join(await client.list_models()))

            chat = await client.chats.create(model="gemini-3-pro")
            r1 = await chat.send("1+1=")
            print("reply:", r1.text)
            print("evaluationSessionId:", r1.evaluation_session_id)

            session_id = r1.evaluation_session_id
            chat2 = await client.chats.resume(model="gemini-3-pro", chat_id=session_id)
            r2 = await chat2.send("add 5 to the result")
            print("resumed reply:", r2.text)

            prompt = "write a short article [fake: words=30 delay_ms=30]"
            stream = await chat2.send(prompt, stream=True)
            print("streamed: ", end="")
            async for delta in stream:
                print(delta, end="", flush=True)
            print()

            r3 = await chat2.send("What's in this image?", images=[(PNG_1X1, "dot.png")])
            print("image reply:", r3.text)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO if "-v" in sys.argv else logging.WARNING)
    asyncio.run(main())
