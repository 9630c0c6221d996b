"""Schemathesis against the API's OpenAPI: generated requests, valid and invalid, never a 5xx
and never a hang.

The app runs in this process (uvicorn in a thread, ``create_app()``) on the hostile stack's
real redis-server, with its real worker and the fake site behind it, so valid chats really run.
Its ``/openapi.json`` does not describe the chat request body (the route reads the body itself),
so the test adds the body schema from the API's own pydantic model before generating; without
that, schemathesis would send only empty bodies to the one route that matters.
"""

from __future__ import annotations

import copy
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from lmarena_api.schemas import ChatCompletionRequest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

CHAT = "/v1/chat/completions"
REQUEST_TIMEOUT = 20.0  # a generated request answered slower than this counts as a hang
# Cases per operation and mode; the GET routes take no input, so hypothesis stops them early.
EXAMPLES = {"faithful": 420, "reaching": 200, "other": 25}


@pytest.fixture(scope="module")
def api_url(checking_api: str) -> str:
    return checking_api


def full_schema(api_url: str) -> dict[str, Any]:
    """The served /openapi.json plus the chat request body from ``ChatCompletionRequest``."""
    raw: dict[str, Any] = httpx.get(f"{api_url}/openapi.json", timeout=10).json()
    post = raw["paths"][CHAT]["post"]
    if "requestBody" in post:  # the API documents its body itself now: use it as served
        return raw
    body = ChatCompletionRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    raw.setdefault("components", {}).setdefault("schemas", {}).update(body.pop("$defs"))
    post["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return raw


def reaching_schema(raw: dict[str, Any], models: list[str]) -> dict[str, Any]:
    """The chat route alone, narrowed so that valid cases reach the worker: a real model, user
    messages with some text, no conversation to resume (a random id is a 400 at once)."""
    narrow = copy.deepcopy(raw)
    narrow["paths"] = {CHAT: narrow["paths"][CHAT]}
    schemas = narrow["components"]["schemas"]
    schemas["Message"]["properties"] = {
        "role": {"enum": ["user"]},
        "content": {"type": "string", "minLength": 1, "maxLength": 300, "pattern": "\\S"},
    }
    schemas["Message"]["required"] = ["role", "content"]
    body = narrow["paths"][CHAT]["post"]["requestBody"]["content"]["application/json"]["schema"]
    body["properties"]["model"] = {"enum": models}
    body["properties"]["messages"]["maxItems"] = 3
    del body["properties"]["conversation"]
    return narrow


@dataclass
class Tally:
    seen: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def run_cases(
    operation: Any,
    mode: GenerationMode,
    variant: str,
    api_url: str,
    session: requests.Session,
    tally: Tally,
) -> None:
    """Up to ``EXAMPLES`` generated cases of one operation in one mode, each sent and judged."""
    name = f"{operation.method.upper()} {operation.path} {variant} {mode.value}"

    @settings(
        max_examples=EXAMPLES[variant if operation.path == CHAT else "other"],
        deadline=None,
        database=None,
        derandomize=True,  # the same cases on every run: a failure reproduces
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        tally.seen[name] += 1
        started = time.monotonic()
        try:
            response = case.call(base_url=api_url, session=session, timeout=REQUEST_TIMEOUT)
        except requests.Timeout:
            tally.failures.append(f"no answer in time: {name} {case.body!r:.300}")
            return
        tally.statuses[response.status_code] += 1
        if response.status_code >= 500:
            tally.failures.append(
                f"{response.status_code} after {time.monotonic() - started:.1f} s: {name} "
                f"{case.body!r:.300} -> {response.text[:300]}"
            )

    try:
        run()
    except Unsatisfiable:
        # No input to get wrong (a GET without parameters): there is no negative case.
        assert mode is GenerationMode.NEGATIVE, name


def test_generated_requests_never_get_a_5xx_or_hang(api_url: str) -> None:
    raw = full_schema(api_url)
    models = [m["id"] for m in httpx.get(f"{api_url}/v1/models", timeout=10).json()["data"]]
    plans = [
        ("faithful", raw, (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)),
        ("reaching", reaching_schema(raw, models), (GenerationMode.POSITIVE,)),
    ]
    tally = Tally()
    with requests.Session() as session:
        for variant, document, modes in plans:
            schema = schemathesis.openapi.from_dict(document)
            for result in schema.get_all_operations():
                assert isinstance(result, Ok), result
                for mode in modes:
                    run_cases(result.ok(), mode, variant, api_url, session, tally)
    total = sum(tally.seen.values())
    report = f"{total} cases {dict(tally.seen)}; statuses {dict(tally.statuses)}"
    print(report)
    assert not tally.failures, f"{len(tally.failures)} failures: {tally.failures[:5]}\n{report}"
    assert total >= 1000, report
    assert tally.statuses[200] >= 100, report  # valid chats really went through the whole stack
    assert sum(v for k, v in tally.statuses.items() if 400 <= k < 500) >= 300, report
