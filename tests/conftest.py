"""Fixtures shared by every suite: the fake site (``fake_arena``, ``fake_arena_factory``), and a
check that no process the suites started outlives the session.

Every client, worker and server the tests start keeps its site identity in one private state
directory for this run (each fake site's origin gets its own file there), never in the user's.
"""

import os
import sys
import tempfile
from collections.abc import Iterator

import pytest

pytest_plugins = ["lmarena_client.testing.pytest_plugin"]

os.environ["LM_ARENA_STATE_DIR"] = tempfile.mkdtemp(prefix="lmarena-test-state-")


def pytest_sessionfinish() -> None:
    import shutil

    shutil.rmtree(os.environ["LM_ARENA_STATE_DIR"], ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _nothing_left_behind() -> Iterator[None]:
    """No process the fault and hostile suites' helpers started outlives the session."""
    yield
    helpers = sys.modules.get("tests.faults.helpers")
    if helpers is not None:  # not imported: those suites did not run, nothing was started
        helpers.assert_nothing_left()
