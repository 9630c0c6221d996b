"""The arq worker that owns the browser.

``lmarena_worker.contract`` is importable on its own (no browser code); ``WorkerSettings`` is
loaded on first use, so importing the contract does not start nodriver imports.
"""

from typing import Any

__all__ = ["WorkerSettings"]


def __getattr__(name: str) -> Any:
    if name == "WorkerSettings":
        from .settings import WorkerSettings

        return WorkerSettings
    raise AttributeError(f"module 'lmarena_worker' has no attribute {name!r}")
