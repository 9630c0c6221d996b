"""Async client for LMArena (arena.ai): a real Chromium for identity and tokens, aiohttp for calls."""

__version__ = "0.1.0"
