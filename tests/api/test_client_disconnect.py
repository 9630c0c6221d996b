"""A client that goes away in the middle of sending its body is an expected event: the server
logs no ERROR and no traceback, and keeps answering.

The API runs as its own process under uvicorn with uvicorn's default logging (what an operator
sees), on the in-memory broker (no worker: the request never gets past its body).
"""

from __future__ import annotations

import socket
import sys
import textwrap
from collections.abc import Iterator

import httpx
import pytest

from harness.ports import free_port
from harness.proc import Proc, spawn
from harness.waiting import http_ok, wait_until

SERVER = textwrap.dedent(
    """
    import logging
    import sys
    import uvicorn
    from lmarena_api.app import create_app
    from lmarena_api.config import ApiSettings
    from lmarena_worker.embedded import InMemoryBroker

    # the API's own one-liner for this event, so the test sees that the event happened
    quiet = logging.getLogger("lmarena_api.requests")
    quiet.setLevel(logging.DEBUG)
    quiet.addHandler(logging.StreamHandler())
    app = create_app(ApiSettings(), redis=InMemoryBroker().pool())
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="info")
    """
)


GONE = "a client went away while sending its request body"


@pytest.fixture
def api() -> Iterator[tuple[Proc, str]]:
    port = free_port()
    proc = spawn("api-disconnect", [sys.executable, "-c", SERVER, str(port)])
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: proc.alive() and http_ok(f"{url}/health"), 30, "API")
        yield proc, url
    finally:
        proc.stop()


def _send_part_and_close(port: int, declared: int, sent: int) -> None:
    head = (
        "POST /v1/chat/completions HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head + b'{"model": "m", "messages": [' + b" " * sent)


def _noticed(proc: Proc) -> int:
    """Disconnects the server has handled: quietly, or (the bug) with a traceback."""
    log = proc.log.read_text(errors="replace")
    return log.count(GONE) + log.count("Exception in ASGI application")


def test_a_client_gone_mid_upload_is_not_an_error(api: tuple[Proc, str]) -> None:
    proc, url = api
    port = int(url.rsplit(":", 1)[1])
    for _ in range(3):
        _send_part_and_close(port, declared=1_000_000, sent=64 * 1024)
    wait_until(lambda: _noticed(proc) == 3, 30, "the server noticing three disconnects")
    assert httpx.get(f"{url}/health", timeout=10).status_code == 200
    proc.stop()  # uvicorn's graceful stop waits for open requests: every log line is written
    log = proc.log.read_text(errors="replace")
    assert "Finished server process" in log, log[-4000:]
    assert "Traceback" not in log, log[-4000:]
    assert "ERROR" not in log, log[-4000:]
    assert "ClientDisconnect" not in log, log[-4000:]
