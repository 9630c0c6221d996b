import pytest

from lmarena_api.worker_state import WorkerView


@pytest.mark.parametrize(
    ("queued", "running", "waiting"),
    [(0, 0, 0), (3, 0, 3), (3, 2, 1), (2, 2, 0), (1, 4, 0)],  # arq keeps running jobs queued
)
def test_running_jobs_are_not_waiting(queued: int, running: int, waiting: int) -> None:
    assert WorkerView(None, None, queued, running, 0.0).waiting == waiting
