"""Run a Python program with no connection off loopback and no DNS query.

``python -m harness.netguard SCRIPT [ARGS...]`` runs SCRIPT (e.g. the ``lmarena-worker``
console script) as ``__main__`` after installing the guard, configured by environment:

* ``LMTEST_GUARD_LOG``: every refused connection or name lookup is appended here.
* ``LMTEST_HOSTS``: JSON {name: [addresses]}, the only names that resolve; IP literals and
  numeric forms resolve locally, "localhost" through the system; anything else does not.
* ``LMTEST_PUBLIC_STANDIN``: one loopback address the image fetcher's address policy treats as
  public, standing in for an attacker's public server (its redirects are what is tested).
"""

from __future__ import annotations

import asyncio
import asyncio.selector_events
import contextlib
import ipaddress
import json
import os
import runpy
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

WRAPPER = [sys.executable, "-m", "harness.netguard"]  # put before a command to guard it

_GetAddrInfo = list[Any]  # typeshed's exact tuple union differs between Python versions


def _loopback(host: object) -> bool:
    try:
        address = ipaddress.ip_address(str(host).split("%")[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def install(log: str, hosts: dict[str, list[str]], standin: str) -> None:
    """Patch this process (only a guarded program's, never the test runner's)."""

    def note(what: str) -> None:
        if log:
            with open(log, "a") as out:
                out.write(what + "\n")

    # The selector loop (what asyncio runs on Linux) has its own sock_connect: guard that one,
    # which aiohttp's connections go through.
    loop_class = asyncio.selector_events.BaseSelectorEventLoop
    sock_connect = loop_class.sock_connect

    async def guarded_sock_connect(self: Any, sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            note(f"connect {address!r}")
            raise ConnectionRefusedError(f"test guard: no traffic to {address[0]}")
        await sock_connect(self, sock, address)

    loop_class.sock_connect = guarded_sock_connect  # type: ignore[method-assign]

    getaddrinfo = socket.getaddrinfo
    numeric = socket.AI_NUMERICHOST

    def guarded_getaddrinfo(
        host: bytes | str | None,
        port: bytes | str | int | None,
        family: int = 0,
        type: int = 0,
        proto: int = 0,
        flags: int = 0,
    ) -> _GetAddrInfo:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and name.lower() in hosts:
            found: _GetAddrInfo = []
            for text in hosts[name.lower()]:
                found += getaddrinfo(text, port, family, type, proto, flags | numeric)
            return found
        try:
            return getaddrinfo(host, port, family, type, proto, flags | numeric)
        except socket.gaierror:
            if name in (None, "localhost"):
                return getaddrinfo(host, port, family, type, proto, flags)
            note(f"resolve {name!r}")
            raise socket.gaierror(socket.EAI_NONAME, "test guard: no DNS") from None

    socket.getaddrinfo = guarded_getaddrinfo

    if standin:
        from lmarena_client import safe_fetch

        reason = safe_fetch.forbidden_reason
        public = ipaddress.ip_address(standin)

        def forbidden_reason(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
            return None if address == public else reason(address)

        safe_fetch.forbidden_reason = forbidden_reason


@contextlib.contextmanager
def guard_env(
    hosts: dict[str, list[str]] | None = None, standin: str = ""
) -> Iterator[tuple[dict[str, str], Path]]:
    """Environment for a guarded program, and the guard's log (empty while nothing was
    refused); run the program behind ``WRAPPER``."""
    with tempfile.TemporaryDirectory(prefix="lmtest-guard-") as folder:
        log = Path(folder, "guard.log")
        log.touch()
        env = {
            "LMTEST_GUARD_LOG": str(log),
            "LMTEST_HOSTS": json.dumps(hosts or {}),
            "LMTEST_PUBLIC_STANDIN": standin,
        }
        yield env, log


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit("usage: python -m harness.netguard SCRIPT [ARGS...]")
    install(
        os.environ.get("LMTEST_GUARD_LOG", ""),
        json.loads(os.environ.get("LMTEST_HOSTS", "{}")),
        os.environ.get("LMTEST_PUBLIC_STANDIN", ""),
    )
    sys.argv = sys.argv[1:]
    runpy.run_path(sys.argv[0], run_name="__main__")


if __name__ == "__main__":
    main()
