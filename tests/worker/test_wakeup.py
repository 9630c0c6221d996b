import asyncio
import time
import types

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


async def test_start_jobs_skips_the_jobs_already_running() -> None:
    seen: list[list[bytes]] = []

    async def start_jobs(worker: object, job_ids: list[bytes]) -> None:
        seen.append(job_ids)

    worker = types.SimpleNamespace(tasks={"chat-running": object()})
    await wakeup.skipping_running(start_jobs)(worker, [b"chat-running", b"chat-new"])
    assert seen == [[b"chat-new"]]


def test_install_patches_start_jobs_once() -> None:
    import arq.worker

    wakeup.install()
    first = arq.worker.Worker.start_jobs
    wakeup.install()
    assert arq.worker.Worker.start_jobs is first
    assert getattr(first, "__lmarena_skips_running__", False)
