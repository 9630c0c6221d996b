"""Fixtures shared by every suite: the fake site (``fake_arena``, ``fake_arena_factory``)."""

pytest_plugins = ["lmarena_client.testing.pytest_plugin"]
