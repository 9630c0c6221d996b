"""Fixtures of the fault suite: one shared stack for the site-fault, disconnect and soak tests.

Tests that kill a process start stacks of their own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .helpers import Stack, start_stack

# The worker gives up on a first byte after 2 s and on a silent stream after 3 s, so the
# timeout faults answer quickly; 100 jobs at once and a deep queue for the disconnect storm.
TRANSCRIPT_MAX = 40  # the soak shows the transcript map stays within its cap

FAULT_WORKER_ENV = {
    "LM_ARENA_FIRST_BYTE_TIMEOUT": "2",
    "LM_ARENA_IDLE_TIMEOUT": "3",
    "LM_ARENA_WORKER_MAX_JOBS": "100",
}
FAULT_API_ENV = {"LM_ARENA_MAX_QUEUE": "200", "LM_ARENA_TRANSCRIPT_MAX": str(TRANSCRIPT_MAX)}


@pytest.fixture(scope="session")
def fault_stack() -> Iterator[Stack]:
    with start_stack(
        worker_env=FAULT_WORKER_ENV, api_env=FAULT_API_ENV, fake_flags=("--legacy-origin",)
    ) as stack:
        yield stack
