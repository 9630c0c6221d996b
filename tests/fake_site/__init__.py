"""The fake site's own tests: plain HTTP against FakeArena, no browser."""
