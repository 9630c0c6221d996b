"""A Cloudflare Turnstile look-alike: a widget script whose tokens only a browser can earn.

``turnstile.render(element, {sitekey, action, callback})`` asks for a challenge, solves a small
proof of work with ``crypto.subtle`` and trades the answer for a token. The server signs tokens
and keeps every secret, so a token is proof that a page ran the widget. Tokens are bound to the
sitekey and the action, live 300 s and are good for one verification, as Cloudflare's are.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from .clock import Clock
from .signing import Signer, b64url_decode, b64url_encode

# The site's public sitekey (shared/reference/arena-protocol.md §5).
DEFAULT_TURNSTILE_SITE_KEY = "0x4AAAAAAA65vWDmG-O_lPtT"
SCRIPT_PATH = "/cdn-cgi/turnstile/v0/api.js"
CHALLENGE_PATH = "/cdn-cgi/turnstile/v0/challenge"
ANSWER_PATH = "/cdn-cgi/turnstile/v0/answer"
TOKEN_PREFIX = "0."
TOKEN_TTL = 300.0
_NONCE_TTL = 60.0
_DIFFICULTY = "00"  # leading hex zeros of sha256(nonce + ":" + n)


@dataclass(frozen=True)
class TurnstileCheck:
    ok: bool
    reason: str = ""


class TurnstileAuthority:
    """Hands out challenges, trades solved ones for tokens and verifies tokens once."""

    def __init__(self, clock: Clock, site_key: str) -> None:
        self._clock = clock
        self.site_key = site_key
        self._signer = Signer()
        self._used: set[str] = set()
        self.tokens_issued = 0

    def challenge(self, site_key: object, action: object) -> str | None:
        """A signed nonce for the widget of ``site_key``; None for a key this site lacks."""
        if site_key != self.site_key or not isinstance(action, str) or len(action) > 32:
            return None
        claims = {"a": action, "r": secrets.token_hex(8), "exp": self._clock.now() + _NONCE_TTL}
        body = b64url_encode(json.dumps(claims).encode())
        return body + "." + self._signer.sign("nonce:" + body)

    def answer(self, answer: object) -> str | None:
        """A token for a correct, fresh, unused solution from a non-automated browser."""
        if not isinstance(answer, dict) or answer.get("webdriver") is not False:
            return None
        nonce, counter = answer.get("nonce"), answer.get("n")
        if not isinstance(nonce, str) or not isinstance(counter, int) or nonce.count(".") != 1:
            return None
        claims = self._verified(nonce, "nonce:")
        if claims is None or float(claims.get("exp", 0)) < self._clock.now():
            return None
        digest = hashlib.sha256(f"{nonce}:{counter}".encode()).hexdigest()
        if not digest.startswith(_DIFFICULTY) or nonce in self._used:
            return None
        self._used.add(nonce)
        self.tokens_issued += 1
        token_claims = {
            "k": self.site_key,
            "a": claims.get("a", ""),
            "t": self._clock.now(),
            "n": secrets.token_hex(8),
        }
        body = b64url_encode(json.dumps(token_claims).encode())
        return TOKEN_PREFIX + body + "." + self._signer.sign("token:" + body)

    def check(self, token: object, action: str) -> TurnstileCheck:
        """Siteverify: signature, sitekey, action, age, and single use."""
        if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX):
            return TurnstileCheck(False, "missing-input-response")
        claims = self._verified(token[len(TOKEN_PREFIX) :], "token:")
        if claims is None:
            return TurnstileCheck(False, "invalid-input-response")
        if token in self._used:
            return TurnstileCheck(False, "timeout-or-duplicate")
        self._used.add(token)
        if claims.get("k") != self.site_key or claims.get("a") != action:
            return TurnstileCheck(False, "invalid-input-response")
        if self._clock.now() - float(claims.get("t", 0)) > TOKEN_TTL:
            return TurnstileCheck(False, "timeout-or-duplicate")
        return TurnstileCheck(True)

    def _verified(self, signed: str, purpose: str) -> dict[str, Any] | None:
        body, _, signature = signed.partition(".")
        if not signature or not self._signer.verify(purpose + body, signature):
            return None
        try:
            claims = json.loads(b64url_decode(body))
        except ValueError:
            return None
        return claims if isinstance(claims, dict) else None


TURNSTILE_JS = (
    r"""/* turnstile (fake) */
(function () {
  if (window.turnstile) return;
  var enc = new TextEncoder(), widgets = {}, next = 0;
  function post(path, body) {
    return fetch(path, {method: 'POST', credentials: 'same-origin', body: JSON.stringify(body)})
      .then(function (r) { if (!r.ok) throw new Error('turnstile ' + r.status); return r.json(); });
  }
  async function solve(nonce) {
    for (var n = 0; ; n++) {
      var d = new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(nonce + ':' + n)));
      var hex = Array.from(d, function (b) { return b.toString(16).padStart(2, '0'); }).join('');
      if (hex.startsWith(__DIFFICULTY__)) return n;
    }
  }
  async function run(id, options) {
    try {
      var c = await post(__CHALLENGE__, {sitekey: options.sitekey, action: options.action || ''});
      var n = await solve(c.nonce);
      var t = await post(__ANSWER__,
                         {nonce: c.nonce, n: n, webdriver: navigator.webdriver === true});
      if (!widgets[id]) return;
      widgets[id].token = t.token;
      if (options.callback) options.callback(t.token);
    } catch (e) {
      if (options['error-callback']) options['error-callback'](String(e));
    }
  }
  window.turnstile = {
    render: function (container, options) {
      var el = typeof container === 'string' ? document.querySelector(container) : container;
      if (!el || !el.isConnected) throw new Error('turnstile: the container is not in the page');
      var id = 'cf-chl-widget-' + (next++);
      var frame = document.createElement('div');
      frame.id = id;
      frame.setAttribute('data-sitekey', options.sitekey);
      el.appendChild(frame);
      widgets[id] = {el: frame, token: null};
      run(id, options);
      return id;
    },
    getResponse: function (id) { return widgets[id] ? widgets[id].token : undefined; },
    reset: function (id) { if (widgets[id]) widgets[id].token = null; },
    remove: function (id) {
      if (widgets[id]) { widgets[id].el.remove(); delete widgets[id]; }
    },
    ready: function (cb) { cb(); }
  };
})();
""".replace("__DIFFICULTY__", json.dumps(_DIFFICULTY))
    .replace("__CHALLENGE__", json.dumps(CHALLENGE_PATH))
    .replace("__ANSWER__", json.dumps(ANSWER_PATH))
)
