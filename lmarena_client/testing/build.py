"""The fake deployment: build id, JS chunk names and the server-action ids inside one chunk."""

from __future__ import annotations

import secrets
import string

ACTION_NAMES = (
    "generateUploadUrl",
    "getSignedUrl",
    "deleteEvaluationSession",
    "updateTouConsent",
    "getHistoryPage",
    "getEvaluationSession",
    "createPointwiseFeedback",
    "createPairwiseFeedback",
)
# Next.js prefixes an action id with a byte that encodes its argument shape.
_ID_PREFIX = {"updateTouConsent": "00", "generateUploadUrl": "70"}
_ALNUM = string.ascii_letters + string.digits


def _chunk_name() -> str:
    return f"{secrets.randbelow(9000) + 1000}-{secrets.token_hex(8)}.js"


def _action_id(name: str) -> str:
    return _ID_PREFIX.get(name, "60") + secrets.token_hex(20)


class Build:
    """One deployment. ``rotate_actions`` is a new deployment: new ids and a new chunk name."""

    def __init__(self) -> None:
        self.build_id = "".join(secrets.choice(_ALNUM) for _ in range(21))
        self.deployment = "dpl_" + "".join(secrets.choice(_ALNUM) for _ in range(28))
        self.module_id = 398
        self.filler_chunks = [_chunk_name() for _ in range(5)]
        self.actions_chunk = _chunk_name()
        self.chunk_ids = [str(secrets.randbelow(9000) + 1000) for _ in range(6)]
        self.action_ids: dict[str, str] = {}
        self.rotate_actions()

    def rotate_actions(self) -> None:
        self.action_ids = {name: _action_id(name) for name in ACTION_NAMES}
        self.actions_chunk = _chunk_name()
        self.build_id = "".join(secrets.choice(_ALNUM) for _ in range(21))

    def evaluation_chunks(self) -> list[str]:
        """Chunk files of the Evaluation module, in page order (the actions chunk is inside)."""
        files = list(self.filler_chunks)
        files.insert(3, self.actions_chunk)
        return files

    def action_name(self, action_id: str) -> str | None:
        return next((n for n, i in self.action_ids.items() if i == action_id), None)

    def chunk_text(self, file_name: str) -> str | None:
        """A minified one-line chunk, or None for an unknown file."""
        if file_name == self.actions_chunk:
            return self._actions_chunk()
        if file_name in self.filler_chunks:
            index = self.filler_chunks.index(file_name)
            return (
                f'"use strict";(self.webpackChunk_N_E=self.webpackChunk_N_E||[]).push([[{index}],'
                f"{{{4100 + index}:(e,t,a)=>{{a.d(t,{{default:()=>n}});var r=a(95155),s=a(12115);"
                f'function n(e){{let{{className:t,...a}}=e;return(0,r.jsx)("div",{{className:'
                f'(0,s.cn)("flex items-center gap-{index}",t),...a}})}}}}}}]);'
            )
        return None

    def _actions_chunk(self) -> str:
        refs = ",".join(
            f'r{i}=(0,w.createServerReference)("{action_id}",w.callServer,void 0,'
            f'w.findSourceMapURL,"{name}")'
            for i, (name, action_id) in enumerate(self.action_ids.items())
        )
        return (
            '"use strict";(self.webpackChunk_N_E=self.webpackChunk_N_E||[]).push([[7551],'
            "{47423:(e,t,a)=>{a.d(t,{Evaluation:()=>lL});var w=a(34979),l=a(95155),"
            f"c=a(12115);let {refs};"
            'let EV="recaptcha validation failed";'
            "function lL(e){let{initialModels:t,initialModelAId:a}=e,[s,n]=(0,c.useState)(a);"
            'return(0,l.jsx)("div",{"data-sentry-element":"Evaluation",children:s})}}}]);'
        )
