"""The OpenAI-style HTTP API (not built yet: see issue 4)."""
