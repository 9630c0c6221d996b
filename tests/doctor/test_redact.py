"""Pure redaction: every kind of secret becomes a stable placeholder, public facts stay."""

from __future__ import annotations

import json

from lmarena_client.doctor.redact import Redactor, is_placeholder, placeholders_only

MODEL_ID = "019a98f7-afcd-779f-8dcb-856cc3b3f078"
USER_ID = "5b0e1c2a-3f4d-4e5f-8a6b-7c8d9e0f1a2b"
SESSION_ID = "019b1111-2222-7333-8444-555566667777"
TOKEN = "0cAFcWeA" + "x" * 60
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
SESSION_COOKIE = "base64-eyJhY2Nlc3NfdG9rZW4iOiJleUpoYkdjaU9pSklVekkxTmlKOS4uLiJ9"


def test_the_same_secret_gets_the_same_placeholder_and_others_get_others() -> None:
    redactor = Redactor()
    first = redactor.secret("cookie", "value-one-long-enough")
    assert redactor.secret("cookie", "value-one-long-enough") == first
    assert redactor.secret("token", "value-one-long-enough") == first  # the value decides
    second = redactor.secret("cookie", "value-two-long-enough")
    assert second != first
    assert is_placeholder(first) and is_placeholder(second)


def test_cookie_headers_keep_names_and_lose_values() -> None:
    redactor = Redactor()
    header = f"arena-auth-prod-v1={SESSION_COOKIE}; cf_clearance=abc.def; sidebar_state=true"
    redacted = redactor.header("Cookie", header)
    assert SESSION_COOKIE not in redacted and "abc.def" not in redacted
    assert "true" not in redacted
    assert redacted.startswith("arena-auth-prod-v1=<cookie-1>; cf_clearance=<cookie-2>")
    assert placeholders_only(redacted)
    # The same value in a Set-Cookie later: the same placeholder, attributes kept.
    set_cookie = redactor.header("Set-Cookie", f"arena-auth-prod-v1={SESSION_COOKIE}; Path=/")
    assert set_cookie == "arena-auth-prod-v1=<cookie-1>; Path=/"


def test_auth_headers_are_replaced_whole() -> None:
    redactor = Redactor()
    for name in ("Authorization", "X-Recaptcha-Token", "Proxy-Authorization"):
        assert is_placeholder(redactor.header(name, "Bearer sk-secret-" + name))


def test_signed_urls_lose_their_query_and_credentials() -> None:
    redactor = Redactor()
    url = (
        f"https://user:pw@bucket.example/{USER_ID}/1-x.png?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIA%2F20261130&X-Amz-Date=20261130T000000Z&X-Amz-Expires=3600"
        "&X-Amz-Signature=deadbeef&x-id=GetObject"
    )
    redacted = redactor.url(url)
    assert redacted.startswith("https://bucket.example/<id-1:uuid4>/1-x.png?<signed-query-1>")
    for secret in ("user:pw", "deadbeef", "AKIA", USER_ID):
        assert secret not in redacted
    assert redactor.url(url) == redacted  # stable


def test_harmless_query_values_stay_and_others_go() -> None:
    redactor = Redactor()
    redacted = redactor.url("https://arena.ai/recaptcha/enterprise.js?render=6LeKEY&session=s3cr3t")
    assert "render=6LeKEY" in redacted
    assert "s3cr3t" not in redacted


def test_chat_body_tokens_text_and_ids() -> None:
    redactor = Redactor(public=[MODEL_ID])
    body = {
        "id": SESSION_ID,
        "modelAId": MODEL_ID,
        "userMessage": {"content": "my private prompt", "experimental_attachments": []},
        "recaptchaV3Token": TOKEN,
    }
    redacted = redactor.json_value(body)
    text = json.dumps(redacted)
    assert TOKEN not in text and "my private prompt" not in text
    assert redacted["id"] == "<id-1:uuid7>"
    assert redacted["modelAId"] == MODEL_ID  # public
    assert redacted["recaptchaV3Token"] == "<token-1>"


def test_keep_text_keeps_prompts_and_replies_but_not_secrets() -> None:
    redactor = Redactor(keep_text=True)
    body = redactor.json_value({"userMessage": {"content": "hello"}, "recaptchaV3Token": TOKEN})
    assert body["userMessage"]["content"] == "hello"
    assert TOKEN not in json.dumps(body)
    assert redactor.stream_line('a0:"a reply"') == 'a0:"a reply"'


def test_stream_lines() -> None:
    redactor = Redactor()
    assert redactor.stream_line('a0:"Hello "') == 'a0:"<text-1>"'
    assert redactor.stream_line('ag:"thinking"') == 'ag:"<text-2>"'
    assert redactor.stream_line('a0:"Hello "') == 'a0:"<text-1>"'
    finish = 'ad:{"finishReason":"stop","usage":{"promptTokens":3,"completionTokens":5}}'
    assert redactor.stream_line(finish) == finish
    image = redactor.stream_line(
        'a2:[{"type":"image","image":"https://r2.example/k.png?X-Amz-Signature=abc"}]'
    )
    assert "X-Amz-Signature" not in image and "<signed-query-1>" in image
    error = redactor.stream_line(f'a3:"User {USER_ID} does not have access"')
    assert USER_ID not in error and "<id-1:uuid4>" in error
    assert redactor.stream_line("not a stream line") == "not a stream line"


def test_the_sweep_finds_secrets_by_shape_and_by_value() -> None:
    redactor = Redactor(public=[MODEL_ID])
    redactor.header("Cookie", "provisional_user_id=" + USER_ID)
    text = (
        f"token {TOKEN} jwt {JWT} session {SESSION_COOKIE} user {USER_ID} "
        f"model {MODEL_ID} mail someone@example.org sig Signature=abcdef"
    )
    swept = redactor.sweep_text(text)
    for secret in (TOKEN, JWT, SESSION_COOKIE, USER_ID, "someone@example.org", "abcdef"):
        assert secret not in swept, secret
    assert MODEL_ID in swept
    assert "<cookie-1>" in swept  # the provisional id is the cookie's placeholder everywhere
    nested = redactor.sweep({"a": [f"x {USER_ID}"], "b": 3, "c": None})
    assert nested == {"a": ["x <cookie-1>"], "b": 3, "c": None}


def test_placeholders_are_not_redacted_again() -> None:
    redactor = Redactor()
    placeholder = redactor.secret("cookie", "some-long-cookie-value")
    assert redactor.sweep_text(placeholder) == placeholder
    assert redactor.secret("cookie", placeholder) == placeholder
