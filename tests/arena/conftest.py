"""Arena modes use the library's end-to-end fixtures: the fake site and headless Clients."""

from tests.e2e.conftest import arena, client, make_client

__all__ = ["arena", "client", "make_client"]
