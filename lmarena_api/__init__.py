"""The OpenAI-style HTTP API: ``create_app()``; the ``lmarena-server`` launcher.

The app imports only ``lmarena_worker.contract`` from the worker, never the browser code.
"""

from .app import create_app

__all__ = ["create_app"]
