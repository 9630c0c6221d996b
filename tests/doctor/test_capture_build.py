"""Building the capture is pure: a raw trace full of secrets in, a file without them out, in the
shape the fake site's replay reads."""

from __future__ import annotations

import ast
import json
import time
from pathlib import Path

from lmarena_client.doctor.capture import (
    build_capture,
    client_module_rows,
    excerpts,
    initial_models,
    module_names,
)
from lmarena_client.doctor.diagnose import Hop
from lmarena_client.doctor.redact import Redactor
from lmarena_client.doctor.report import Report, StepResult
from lmarena_client.doctor.trace import Exchange, Recorder
from lmarena_client.testing import replay
from lmarena_client.testing.replay import Capture as ReplayCapture

ORIGIN = "https://arena.example"
MODEL_ID = "019a98f7-afcd-779f-8dcb-856cc3b3f078"
USER_ID = "5b0e1c2a-3f4d-4e5f-8a6b-7c8d9e0f1a2b"
SESSION_ID = "019b1111-2222-7333-8444-555566667777"
PROVISIONAL = "7e0e1c2a-3f4d-4e5f-8a6b-7c8d9e0f1a2c"
AUTH = "base64-eyJhY2Nlc3NfdG9rZW4iOiJzZWNyZXQtYWNjZXNzLXRva2VuIn0"
CLEARANCE = "eyJ1YSI6ImFiYyJ9.c2lnbmF0dXJl"
CF_BM = "Zm9vYmFyYmF6cXV4cXV1eHF1dXo0MjQyNDI0Mg"
TOKEN = "0cAF" + "A1b2C3d4" * 10
SIGNATURE = "c0ffee" * 10
UPLOAD_ID = "70" + "ab" * 20
SIGNED_ID = "60" + "cd" * 20
SITE_KEY = "6LeKEYabcdefghijklmnopqrstuvwxyz012345"
PROMPT = "tell me a secret recipe"
REPLY = "Here is the secret recipe"

FLIGHT = (
    f'6:I[398,["1","static/chunks/a-1.js?dpl=dpl_x"],"Evaluation"]\n'
    f'5:["$","$L6",null,{{"initialModels":[{{"id":"{MODEL_ID}","publicName":"m1",'
    '"capabilities":{"inputCapabilities":{"text":true},"outputCapabilities":{"text":true}}}],'
    f'"initialModelAId":"{MODEL_ID}"}}]\n'
    '8:{"userState":{"isAnonymous":true}}\n'
)
HTML = (
    "<html><head><title>LMArena</title>"
    f'<script src="https://www.google.com/recaptcha/enterprise.js?render={SITE_KEY}"></script>'
    '</head><body><textarea name="message"></textarea>'
    f"<script>self.__next_f.push([1,{json.dumps(FLIGHT)}])</script></body></html>"
)
CHUNK_JS = (
    '"use strict";let a=1;'
    f'r0=(0,w.createServerReference)("{UPLOAD_ID}",w.callServer,void 0,w.findSourceMapURL,'
    f'"generateUploadUrl"),r1=(0,w.createServerReference)("{SIGNED_ID}",w.callServer,void 0,'
    'w.findSourceMapURL,"getSignedUrl");' + "x" * 2000
)
SIGNED_URL = (
    f"{ORIGIN}/__storage__/b/{USER_ID}/1-x.png?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    f"&X-Amz-Signature={SIGNATURE}&x-id=GetObject"
)


def _exchange(step: str, kind: str, method: str, path: str, **fields: object) -> Exchange:
    exchange = Exchange(step, kind, method, ORIGIN + path, time.perf_counter())
    for name, value in fields.items():
        setattr(exchange, name, value)
    return exchange


def raw_trace() -> Recorder:
    cookies = (
        f"arena-auth-prod-v1={AUTH}; provisional_user_id={PROVISIONAL}; "
        f"cf_clearance={CLEARANCE}; __cf_bm={CF_BM}"
    )
    recorder = Recorder()
    probe = _exchange("page", "probe", "GET", "/text/direct", status=200)
    probe.response_headers = [
        ("Content-Type", "text/html"),
        ("Set-Cookie", f"provisional_user_id={PROVISIONAL}; Path=/"),
        ("Set-Cookie", f"__cf_bm={CF_BM}; HttpOnly"),
    ]
    catalog = _exchange("models", "catalog", "GET", "/nextjs-api/model-catalog", status=200)
    catalog.response_headers = [("Content-Type", "application/json")]
    catalog.add_body(
        json.dumps([{"arena": "text", "models": [{"id": MODEL_ID, "publicName": "m1"}]}]).encode()
    )
    chunk = _exchange(
        "actions", "chunk", "GET", "/_next/static/chunks/a-1.js?dpl=dpl_x", status=200
    )
    chunk.add_body(CHUNK_JS.encode())
    chat = _exchange("chat", "stream", "POST", "/nextjs-api/stream/create-evaluation", status=200)
    chat.request_headers = [("Cookie", cookies), ("Referer", f"{ORIGIN}/c/{SESSION_ID}")]
    chat.request_body += json.dumps(
        {
            "id": SESSION_ID,
            "modelAId": MODEL_ID,
            "userMessage": {"content": PROMPT, "experimental_attachments": []},
            "recaptchaV3Token": TOKEN,
        }
    ).encode()
    chat.response_headers = [("Content-Type", "text/event-stream")]
    chat.add_body(
        (
            f'a0:"{REPLY}"\n'
            f'a3:"User {USER_ID} does not have access to evaluation session {SESSION_ID}"\n'
            'ad:{"finishReason":"stop"}\n'
        ).encode()
    )
    chat.ended = "eof"
    action = _exchange("upload", "upload", "POST", "/?chat-modality=image", status=200)
    action.request_headers = [("Next-Action", SIGNED_ID), ("Cookie", cookies)]
    action.request_body += json.dumps([f"{USER_ID}/1-x.png"]).encode()
    action.response_headers = [("Content-Type", "text/x-component")]
    action.add_body(
        (
            '0:{"a":"$@1","f":"","b":"build"}\n'
            + "1:"
            + json.dumps({"success": True, "data": {"url": SIGNED_URL}})
        ).encode()
    )
    put = _exchange("upload", "upload", "PUT", "/__storage__/b/x.png", status=200)
    put.url = SIGNED_URL
    put.request_headers = [("Content-Type", "image/png")]
    put.request_body += b"\x89PNG\r\n\x1a\n\x00binary"
    refused = _exchange("chat", "stream", "POST", "/nextjs-api/stream/create-evaluation")
    refused.status = 401
    refused.response_headers = [("Content-Type", "application/json")]
    refused.add_body(json.dumps({"error": f"User {USER_ID} is not allowed"}).encode())
    recorder.exchanges += [probe, catalog, chunk, chat, action, put, refused]
    return recorder


def report() -> Report:
    step = StepResult(id="page", title="page load", status="ok", seconds=0.1)
    return Report(
        client_version="0.1.0",
        origin=ORIGIN,
        final_origin=ORIGIN,
        started_at="2026-01-01T00:00:00+00:00",
        seconds=1.0,
        steps=[step],
        exit_code=0,
    )


def build(*, keep_text: bool = False) -> str:
    capture = build_capture(
        report=report(),
        recorder=raw_trace(),
        redactor=Redactor(keep_text=keep_text),
        html=HTML,
        page_url=ORIGIN + "/text/direct",
        hops=[Hop(ORIGIN + "/text/direct", 200)],
        interstitial_seen=False,
        challenge_clicked=False,
        typed_in_message_box=False,
        settings={"boot_path": "/text/direct"},
    )
    return capture.model_dump_json()


SECRETS = (AUTH, CLEARANCE, CF_BM, TOKEN, SIGNATURE, USER_ID, SESSION_ID, PROVISIONAL)


def test_no_secret_survives() -> None:
    text = build()
    for secret in (*SECRETS, PROMPT, REPLY, "secret-access-token"):
        assert secret not in text, secret


def test_keep_text_keeps_only_the_text() -> None:
    text = build(keep_text=True)
    assert PROMPT in text and REPLY in text
    for secret in SECRETS:
        assert secret not in text, secret


def test_public_facts_stay() -> None:
    data = json.loads(build())
    page = data["page"]
    assert page["site_key"] == SITE_KEY
    assert page["models"][0]["id"] == MODEL_ID
    assert module_names(page["client_modules"]) == ["Evaluation"]
    assert page["markers"]["initial_models"] and page["markers"]["message_box"]
    (chunk,) = data["chunks"]
    assert chunk["path"] == "static/chunks/a-1.js?dpl=dpl_x"
    assert chunk["actions"] == {"generateUploadUrl": UPLOAD_ID, "getSignedUrl": SIGNED_ID}
    assert len(chunk["excerpts"]) == 1 and len(chunk["excerpts"][0]) < 600
    assert data["catalog"]["body"][0]["models"][0]["id"] == MODEL_ID
    chat = next(e for e in data["exchanges"] if e["kind"] == "stream" and e["status"] == 200)
    assert chat["request_body"]["modelAId"] == MODEL_ID
    assert chat["stream"]["lines"][-1] == 'ad:{"finishReason":"stop"}'
    assert chat["stream"]["ended"] == "eof"
    kinds = [e["kind"] for e in data["exchanges"]]
    assert kinds == ["probe", "catalog", "chunk", "stream", "action", "storage", "stream"]
    put = data["exchanges"][5]
    assert put["request_body"]["omitted"] == "binary"


def test_placeholders_are_stable_across_the_file() -> None:
    data = json.loads(build())
    chat = data["exchanges"][3]
    action = data["exchanges"][4]
    cookie = dict(chat["request_headers"])["Cookie"]
    assert cookie == dict(action["request_headers"])["Cookie"]
    session = chat["request_body"]["id"]
    assert session.startswith("<id-") and session in dict(chat["request_headers"])["Referer"]
    assert session in chat["stream"]["lines"][1]  # the same id in the error line


def test_the_fake_reads_what_the_doctor_writes() -> None:
    replay = ReplayCapture.model_validate_json(build())
    assert replay.page is not None and replay.page.site_key == SITE_KEY
    assert replay.action_ids() == {"generateUploadUrl": UPLOAD_ID, "getSignedUrl": SIGNED_ID}
    answers = replay.stream_answers
    assert [a.status for a in answers] == [200, 401]
    assert answers[0].stream is not None and answers[0].stream.lines[-1].startswith("ad:")
    assert not replay.moved


def test_page_helpers() -> None:
    assert initial_models("<html>no flight</html>") is None
    assert initial_models(HTML) == [
        {
            "id": MODEL_ID,
            "publicName": "m1",
            "capabilities": {
                "inputCapabilities": {"text": True},
                "outputCapabilities": {"text": True},
            },
        }
    ]
    rows = client_module_rows(HTML)
    assert rows == ['6:I[398,["1","static/chunks/a-1.js?dpl=dpl_x"],"Evaluation"]']
    js = "a" * 500 + "createServerReference" + "b" * 100 + "createServerReference" + "c" * 500
    (window,) = excerpts(js)  # overlapping windows merge
    assert window.count("createServerReference") == 2


def test_the_fake_parses_captures_with_its_own_code() -> None:
    """The fake site shares no code with the client: replay.py imports only the fake's own
    modules (and third-party ones)."""
    tree = ast.parse(Path(replay.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
    assert imported, "replay.py imports nothing?"
    assert not [m for m in imported if m.startswith(("lmarena_client", "..")) or m == "."]
