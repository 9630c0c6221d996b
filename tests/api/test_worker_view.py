import time

import pytest

from lmarena_api.broker import WorkerView
from lmarena_worker.contract import Heartbeat


def beat(active_jobs: int) -> Heartbeat:
    now = time.time()
    return Heartbeat(state="ready", pid=1, started_at=now, updated_at=now, active_jobs=active_jobs)


@pytest.mark.parametrize(
    ("queued", "active", "waiting"),
    [(0, 0, 0), (3, 0, 3), (3, 2, 1), (2, 2, 0), (1, 4, 0)],  # arq keeps running jobs queued
)
def test_running_jobs_are_not_waiting(queued: int, active: int, waiting: int) -> None:
    assert WorkerView(beat(active), None, queued, 0.0).waiting == waiting


def test_without_a_worker_everything_queued_is_waiting() -> None:
    assert WorkerView(None, None, 5, 0.0).waiting == 5
