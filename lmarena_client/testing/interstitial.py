"""A Cloudflare-style "Just a moment..." gate that a real browser passes and plain HTTP does not.

The challenge page runs a small proof of work with ``crypto.subtle`` (optionally only after a
trusted click on the Turnstile-like box) and posts it back; the answer sets ``cf_clearance``,
an HttpOnly cookie bound to the User-Agent that solved it.
"""

from __future__ import annotations

import hashlib
import json
import secrets

from .clock import Clock
from .signing import Signer, b64url_decode, b64url_encode

CLEARANCE_COOKIE = "cf_clearance"
CHALLENGE_PATH = "/cdn-cgi/challenge-platform/h/g/flow/ov1/{ray}"
DIFFICULTY = "00"  # leading hex zeros of sha256(nonce + ":" + n)
NONCE_TTL = 300.0


def _ua_tag(user_agent: str) -> str:
    return hashlib.sha256(user_agent.encode()).hexdigest()[:24]


class ChallengeGate:
    def __init__(self, clock: Clock, *, turnstile: bool, clearance_ttl: float) -> None:
        self._clock = clock
        self._turnstile = turnstile
        self._clearance_ttl = clearance_ttl
        self._signer = Signer()
        self._used_nonces: set[str] = set()

    def has_clearance(self, cookie: str | None, user_agent: str) -> bool:
        if not cookie or cookie.count(".") != 1:
            return False
        body, signature = cookie.split(".")
        if not self._signer.verify(body, signature):
            return False
        try:
            claims = json.loads(b64url_decode(body))
        except ValueError:
            return False
        return (
            isinstance(claims, dict)
            and claims.get("ua") == _ua_tag(user_agent)
            and float(claims.get("exp", 0)) > self._clock.now()
        )

    def new_nonce(self) -> str:
        body = b64url_encode(
            json.dumps({"r": secrets.token_hex(8), "exp": self._clock.now() + NONCE_TTL}).encode()
        )
        return body + "." + self._signer.sign("nonce:" + body)

    def solve(self, answer: object, user_agent: str) -> str | None:
        """The clearance cookie for a correct, fresh, unused answer; None otherwise."""
        if not isinstance(answer, dict) or not user_agent:
            return None
        nonce, counter = answer.get("nonce"), answer.get("n")
        if not isinstance(nonce, str) or not isinstance(counter, int) or nonce.count(".") != 1:
            return None
        body, signature = nonce.split(".")
        if not self._signer.verify("nonce:" + body, signature) or nonce in self._used_nonces:
            return None
        try:
            claims = json.loads(b64url_decode(body))
        except ValueError:
            return None
        if not isinstance(claims, dict) or float(claims.get("exp", 0)) < self._clock.now():
            return None
        digest = hashlib.sha256(f"{nonce}:{counter}".encode()).hexdigest()
        if not digest.startswith(DIFFICULTY):
            return None
        if self._turnstile and answer.get("interaction") is not True:
            return None
        self._used_nonces.add(nonce)
        payload = {"ua": _ua_tag(user_agent), "exp": self._clock.now() + self._clearance_ttl}
        clearance_body = b64url_encode(json.dumps(payload).encode())
        return clearance_body + "." + self._signer.sign(clearance_body)

    def page(self) -> str:
        """The 403 challenge page (a fresh nonce each time)."""
        ray = secrets.token_hex(8)
        widget = (
            '<div style="display: grid;"><div id="cf-turnstile" style="width:300px;height:65px;'
            'border:1px solid #ccc;display:flex;align-items:center;padding:0 12px">'
            '<input type="checkbox" id="cf-chl-box" style="width:28px;height:28px;margin:0 10px 0 0">'
            '<label for="cf-chl-box">Verify you are human</label></div></div>'
            if self._turnstile
            else ""
        )
        script = (
            _CHALLENGE_JS.replace("__NONCE__", json.dumps(self.new_nonce()))
            .replace("__PATH__", json.dumps(CHALLENGE_PATH.format(ray=ray)))
            .replace("__DIFFICULTY__", json.dumps(DIFFICULTY))
            .replace("__INTERACTIVE__", "true" if self._turnstile else "false")
        )
        return (
            '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
            '<meta http-equiv="content-type" content="text/html; charset=UTF-8">'
            '<meta name="robots" content="noindex,nofollow"></head><body>'
            '<div class="main-wrapper" role="main"><div class="main-content">'
            '<h1 class="zone-name-title h1">127.0.0.1</h1>'
            '<p id="cf-spinner-please-wait">Verifying you are human. This may take a few seconds.</p>'
            f"{widget}"
            '<noscript><div id="challenge-error-title">Enable JavaScript and cookies to continue'
            "</div></noscript></div></div>"
            f'<div class="footer">Ray ID: <code>{ray}</code></div>'
            f"<script>{script}</script></body></html>"
        )


_CHALLENGE_JS = r"""(async function () {
  var nonce = __NONCE__, path = __PATH__, difficulty = __DIFFICULTY__, interactive = __INTERACTIVE__;
  var enc = new TextEncoder();
  if (interactive) {
    await new Promise(function (resolve) {
      document.getElementById('cf-chl-box').addEventListener('click', function (e) {
        if (e.isTrusted) resolve();
      });
    });
  }
  var n = 0;
  for (;;) {
    var digest = new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(nonce + ':' + n)));
    var hex = Array.from(digest, function (b) { return b.toString(16).padStart(2, '0'); }).join('');
    if (hex.startsWith(difficulty)) break;
    n++;
  }
  var r = await fetch(path, {method: 'POST', credentials: 'same-origin',
                             body: JSON.stringify({nonce: nonce, n: n, interaction: interactive})});
  if (r.ok) location.reload();
})();"""
