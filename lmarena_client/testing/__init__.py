"""A local fake of the LMArena site, faithful to its wire protocol and as strict as the real one.

Everything the project tests, benchmarks and demos runs against it::

    async with FakeArena(FakeArenaOptions(interstitial=True)) as arena:
        async with Client(origin=arena.url) as client:
            ...

Out of process: ``python -m lmarena_client.testing --host 127.0.0.1 --port 8787``; faults and
drift are then injected through ``POST /__fake__/faults`` and ``POST /__fake__/rotate``.
Anonymous identities are expired or revoked through ``POST /__fake__/expire`` and
``POST /__fake__/revoke``, and shown by ``GET /__fake__/users`` and ``POST /__fake__/whoami``.
It shares no protocol code with the client: it writes and checks the wire format on its own.
"""

from .arena import FakeArena
from .faults import FAULT_KINDS, Fault
from .options import FakeArenaOptions, ReplyScript

__all__ = ["FAULT_KINDS", "FakeArena", "FakeArenaOptions", "Fault", "ReplyScript"]
