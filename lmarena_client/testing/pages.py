"""The boot page: HTML with Next.js flight data, the reCAPTCHA script tag and the page script."""

from __future__ import annotations

import json
from typing import Any

from .build import Build
from .identity import AUTH_COOKIE, PROVISIONAL_COOKIE
from .turnstile import SCRIPT_PATH as TURNSTILE_SCRIPT


def js_string(text: str) -> str:
    """A JS string literal as Next.js writes flight data (``<`` escaped for HTML)."""
    return json.dumps(text, ensure_ascii=False).replace("<", "\\u003c")


def flight_rows(build: Build, models: list[dict[str, Any]], session_id: str | None) -> str:
    """The newline-separated RSC rows of the page, including the models and Evaluation rows."""
    pairs: list[str] = []
    for chunk_id, file_name in zip(build.chunk_ids, build.evaluation_chunks(), strict=True):
        pairs += [chunk_id, f"static/chunks/{file_name}?dpl={build.deployment}"]
    model_a = models[0]["id"] if models else None
    model_b = models[1]["id"] if len(models) > 1 else None
    props = {
        "initialModels": models,
        "initialModelAId": model_a,
        "initialModelBId": model_b,
        "initialEvaluationSessionId": session_id,
        "data-sentry-element": "Evaluation",
        "data-sentry-source-file": "page.tsx",
    }

    def dumps(value: Any, **kw: Any) -> str:
        return json.dumps(value, separators=(",", ":"), **kw)

    rows = [
        '1:"$Sreact.fragment"',
        f'2:I[{build.module_id - 11},{dumps([build.chunk_ids[0], pairs[1]])},"ThemeProvider"]',
        f'6:I[{build.module_id},{dumps(pairs)},"Evaluation"]',
        '7:["$","meta","0",{"name":"next-size-adjust","content":""}]',
        '8:{"userState":{"isAnonymous":true}}',
        f'5:["$","$L6",null,{dumps(props, ensure_ascii=False)}]',
        f'0:{{"P":null,"b":"{build.build_id}","p":"","c":["",""],"i":false,'
        '"f":[[["",{"children":["__PAGE__",{}]},"$undefined","$undefined",true],'
        '["",["$","$1","c",{"children":["$","$L5",null,{}]}],null],null]],"S":false}',
    ]
    return "\n".join(rows) + "\n"


def render_page(
    build: Build,
    models: list[dict[str, Any]],
    site_key: str,
    *,
    session_id: str | None,
    signup_on_input: bool,
) -> str:
    flight = js_string(flight_rows(build, models, session_id))
    script = (
        _PAGE_JS.replace("__SITE_KEY__", json.dumps(site_key))
        .replace("__ON_INPUT__", "true" if signup_on_input else "false")
        .replace("__AUTH__", json.dumps(AUTH_COOKIE))
        .replace("__PROVISIONAL__", json.dumps(PROVISIONAL_COOKIE))
    )
    chunk_tags = "".join(
        f'<script src="/_next/static/chunks/{name}?dpl={build.deployment}" async=""></script>'
        for name in build.evaluation_chunks()[:2]
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
        "<title>LMArena</title>"
        f"{chunk_tags}"
        f'<script src="/recaptcha/enterprise.js?render={site_key}"></script>'
        f'<script src="{TURNSTILE_SCRIPT}?render=explicit" async="" defer=""></script>'
        '</head><body class="no-js __className_fake antialiased">'
        '<main><form id="chat-form"><textarea name="message" placeholder="Ask anything..." '
        'rows="2"></textarea><button type="submit">Send</button></form></main>'
        "<script>(self.__next_f=self.__next_f||[]).push([0])</script>"
        f"<script>self.__next_f.push([1,{flight}])</script>"
        f"<script>{script}</script>"
        "</body></html>"
    )


_PAGE_JS = r"""(function () {
  document.body.classList.remove('no-js');
  var SITE_KEY = __SITE_KEY__, ON_INPUT = __ON_INPUT__;
  function cookie(name) {
    var m = document.cookie.match(new RegExp('(?:^|; )' + name.replace(/[.]/g, '\\.') + '=([^;]*)'));
    return m ? decodeURIComponent(m[1]) : null;
  }
  function signedIn() { return document.cookie.indexOf(__AUTH__) >= 0; }
  function whenGrecaptcha() {
    return new Promise(function (resolve) {
      (function poll() {
        var g = window.grecaptcha && window.grecaptcha.enterprise;
        if (g) g.ready(function () { resolve(g); }); else setTimeout(poll, 20);
      })();
    });
  }
  var busy = false;
  async function signUp(attempt) {
    if (signedIn() || busy) return;
    busy = true;
    try {
      var g = await whenGrecaptcha();
      var token = await g.execute(SITE_KEY, {action: 'sign_up'});
      var r = await fetch('/nextjs-api/sign-up', {method: 'POST', credentials: 'same-origin',
        body: JSON.stringify({recaptchaToken: token, provisionalUserId: cookie(__PROVISIONAL__)})});
      if (!r.ok && r.status !== 400 && attempt < 5) setTimeout(function () { signUp(attempt + 1); }, 500);
    } catch (e) {
      if (attempt < 5) setTimeout(function () { signUp(attempt + 1); }, 500);
    } finally {
      busy = false;
    }
  }
  if (ON_INPUT) {
    var box = document.querySelector('textarea[name="message"]');
    var start = function () { signUp(0); };
    box.addEventListener('keydown', start);
    box.addEventListener('input', start);
  } else {
    signUp(0);
  }
})();"""
