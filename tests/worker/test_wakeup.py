import asyncio
import time

from lmarena_worker import wakeup


async def test_wake_cuts_the_poll_wait_short() -> None:
    ticks: list[float] = []

    async def loop() -> None:
        async for _ in wakeup.wakeable_poll(10.0):
            ticks.append(time.monotonic())
            if len(ticks) == 3:
                return

    task = asyncio.create_task(loop())
    await asyncio.sleep(0.05)
    wakeup.wake()
    await asyncio.sleep(0.05)
    wakeup.wake()
    await asyncio.wait_for(task, 2.0)  # would take 20 s without the wake-ups
    assert len(ticks) == 3


async def test_without_wake_it_polls_on_its_step() -> None:
    count = 0

    async def loop() -> None:
        nonlocal count
        async for _ in wakeup.wakeable_poll(0.01):
            count += 1
            if count == 5:
                return

    await asyncio.wait_for(loop(), 2.0)
    assert count == 5


def test_install_patches_arq() -> None:
    import arq.worker

    wakeup.install()
    assert arq.worker.poll is wakeup.wakeable_poll  # type: ignore[attr-defined]
