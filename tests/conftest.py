"""Fixtures shared by every suite: the fake site (``fake_arena``, ``fake_arena_factory``).

Every client, worker and server the tests start keeps its site identity in one private state
directory for this run (each fake site's origin gets its own file there), never in the user's.
"""

import os
import tempfile

pytest_plugins = ["lmarena_client.testing.pytest_plugin"]

os.environ["LM_ARENA_STATE_DIR"] = tempfile.mkdtemp(prefix="lmarena-test-state-")


def pytest_sessionfinish() -> None:
    import shutil

    shutil.rmtree(os.environ["LM_ARENA_STATE_DIR"], ignore_errors=True)
