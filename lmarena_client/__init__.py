"""Async client for LMArena (arena.ai): Chromium for identity and tokens, aiohttp for calls."""

__version__ = "0.1.0"
