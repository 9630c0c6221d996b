"""A reCAPTCHA Enterprise look-alike whose tokens the fake can verify and nobody can forge.

The script (``/recaptcha/enterprise.js``) asks the anchor endpoint for a client id and a secret,
then signs each token payload with HMAC-SHA256 in the page (``crypto.subtle``). The server keeps
the secrets, so only a page that ran the script can produce a valid token.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from .clock import Clock
from .signing import Signer, b64url_decode, b64url_encode

TOKEN_PREFIX = "0cAF"
TOKEN_LENGTH = 1700
SCRIPT_COOKIE = "_GRECAPTCHA"
CHAT_ACTIONS = {"create": "chat_submit", "post": "chat_submit", "retry": "chat_retry"}
_FUTURE_SKEW_MS = 5_000


@dataclass(frozen=True)
class TokenCheck:
    ok: bool
    reason: str = ""
    action: str = ""


class RecaptchaAuthority:
    """Issues anchor secrets, verifies tokens (signature, key, action, age, single use)."""

    def __init__(self, clock: Clock, site_key: str, ttl: float) -> None:
        self._clock = clock
        self.site_key = site_key
        self.ttl = ttl
        self._clients: dict[str, Signer] = {}
        self._used: set[str] = set()

    def rotate_site_key(self) -> str:
        self.site_key = "6L" + b64url_encode(secrets.token_bytes(28))[:38]
        return self.site_key

    def open_client(self) -> tuple[str, str]:
        """A new anchor client: (client id, secret as base64url) handed to the page script."""
        client_id = b64url_encode(secrets.token_bytes(12))
        signer = Signer()
        self._clients[client_id] = signer
        return client_id, b64url_encode(signer.secret)

    def mint_for_tests(
        self, action: str, *, site_key: str | None = None, issued_ms: int | None = None
    ) -> str:
        """A token exactly as the page script makes one. For tests of the fake site ONLY:
        clients under test must mint tokens in a real browser."""
        client_id, _ = self.open_client()
        payload = {
            "c": client_id,
            "k": self.site_key if site_key is None else site_key,
            "a": action,
            "t": self._clock.now_ms() if issued_ms is None else issued_ms,
            "n": b64url_encode(secrets.token_bytes(12)),
        }
        encoded = b64url_encode(json.dumps(payload, separators=(",", ":")).encode())
        token = TOKEN_PREFIX + encoded + "." + self._clients[client_id].sign(encoded)
        return token + "." + "A" * max(0, TOKEN_LENGTH - len(token) - 1)

    def check(self, token: object, actions: frozenset[str] | None) -> TokenCheck:
        """Verify a token; any outcome but a bad shape uses up its nonce. ``actions=None``
        accepts any action (the v2 fallback)."""
        if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX):
            return TokenCheck(False, "not a token")
        parts = token[len(TOKEN_PREFIX) :].split(".")
        if len(parts) != 3:
            return TokenCheck(False, "malformed token")
        encoded, signature, _filler = parts
        try:
            payload = json.loads(b64url_decode(encoded))
        except ValueError:
            return TokenCheck(False, "malformed payload")
        if not isinstance(payload, dict):
            return TokenCheck(False, "malformed payload")
        signer = self._clients.get(str(payload.get("c")))
        if signer is None:
            return TokenCheck(False, "unknown client")
        if not signer.verify(encoded, signature):
            return TokenCheck(False, "bad signature")
        nonce = f"{payload.get('c')}:{payload.get('n')}"
        if nonce in self._used:
            return TokenCheck(False, "token already used")
        self._used.add(nonce)
        return self._check_claims(payload, actions)

    def _check_claims(
        self, payload: dict[str, object], actions: frozenset[str] | None
    ) -> TokenCheck:
        action = payload.get("a")
        if payload.get("k") != self.site_key:
            return TokenCheck(False, "wrong site key")
        if not isinstance(action, str) or (actions is not None and action not in actions):
            return TokenCheck(False, "wrong action")
        issued = payload.get("t")
        if not isinstance(issued, int) or isinstance(issued, bool):
            return TokenCheck(False, "malformed payload")
        age_ms = self._clock.now_ms() - issued
        if age_ms > self.ttl * 1000 or age_ms < -_FUTURE_SKEW_MS:
            return TokenCheck(False, "token expired")
        return TokenCheck(True, action=action)


RECAPTCHA_JS = r"""/* grecaptcha enterprise (fake) */
(function () {
  var me = document.currentScript;
  var renderKey = me ? new URL(me.src).searchParams.get('render') : null;
  var enc = new TextEncoder();
  function b64url(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function unb64url(text) {
    var s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  function nonce() {
    var a = new Uint8Array(12); crypto.getRandomValues(a); return b64url(a);
  }
  var anchor = fetch('/recaptcha/enterprise/anchor?k=' + encodeURIComponent(renderKey || ''),
                     {method: 'POST', credentials: 'same-origin'})
    .then(function (r) { if (!r.ok) throw new Error('reCAPTCHA anchor refused: ' + r.status); return r.json(); })
    .then(function (d) {
      return crypto.subtle.importKey('raw', unb64url(d.secret), {name: 'HMAC', hash: 'SHA-256'}, false, ['sign'])
        .then(function (key) { return {client: d.client_id, key: key}; });
    });
  anchor.catch(function (e) { console.error(String(e)); });
  function execute(siteKey, options) {
    return anchor.then(function (state) {
      if (siteKey !== renderKey) throw new Error('Invalid site key or not loaded in api.js: ' + siteKey);
      var payload = JSON.stringify({c: state.client, k: siteKey, a: (options && options.action) || '',
                                    t: Date.now(), n: nonce()});
      var encoded = b64url(enc.encode(payload));
      return crypto.subtle.sign('HMAC', state.key, enc.encode(encoded)).then(function (sig) {
        var token = '__PREFIX__' + encoded + '.' + b64url(new Uint8Array(sig));
        var pad = __LENGTH__ - token.length - 1;
        return token + '.' + (pad > 0 ? 'A'.repeat(pad) : '');
      });
    });
  }
  window.grecaptcha = {enterprise: {
    ready: function (cb) { anchor.then(function () { cb(); }); },
    execute: execute
  }};
})();
""".replace("__PREFIX__", TOKEN_PREFIX).replace("__LENGTH__", str(TOKEN_LENGTH))
