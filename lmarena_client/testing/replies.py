"""Scripted, deterministic replies in the site's line protocol (``<participant><code>:<JSON>``).

A reply names its turn number, echoes the prompt and the previous prompt, so tests can see that
history is kept per session. ``[fake: words=40 delay_ms=20 ...]`` in a prompt overrides the
:class:`ReplyScript` for that reply.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from typing import Any

from .faults import Fault
from .options import ReplyScript

_DIRECTIVE = re.compile(r"\[fake:([^\]]*)\]")
_MAX_WORDS = 20_000
_FILLER = (
    "The",
    "answer",
    "keeps",
    "going",
    "with",
    "naïve",
    "café",
    "words,",
    "Grüße",
    "aus",
    "Zürich,",
    "日本語",
    "テキスト,",
    "emoji",
    "🙂",
    "and",
    '"quoted"',
    "text",
    "—",
    "fine.",
)


@dataclass(frozen=True)
class Line:
    participant: str
    code: str
    payload: Any

    def render(self) -> bytes:
        payload = json.dumps(self.payload, ensure_ascii=False, separators=(",", ":"))
        return f"{self.participant}{self.code}:{payload}\n".encode()

    @property
    def is_text(self) -> bool:
        return self.code == "0"


def split_directive(prompt: str, base: ReplyScript) -> tuple[str, ReplyScript]:
    """The prompt without its ``[fake: ...]`` directive, and the script it selects."""
    overrides: dict[str, Any] = {}
    for match in _DIRECTIVE.finditer(prompt):
        for pair in match.group(1).split():
            key, _, raw = pair.partition("=")
            try:
                value = int(raw)
            except ValueError:
                continue
            if key == "words":
                overrides["words"] = max(0, min(value, _MAX_WORDS))
            elif key == "delay_ms":
                overrides["delay"] = max(0, value) / 1000
            elif key == "first_byte_ms":
                overrides["first_byte_delay"] = max(0, value) / 1000
            elif key in ("reasoning", "usage"):
                overrides[key] = bool(value)
            elif key in ("images", "citations", "heartbeats"):
                overrides[key] = max(0, min(value, 50))
    clean = " ".join(_DIRECTIVE.sub(" ", prompt).split())
    return clean, dataclasses.replace(base, **overrides)


def reply_text(
    *,
    turn: int,
    prompt: str,
    previous: str | None,
    model_name: str,
    words: int,
    regeneration: int = 0,
) -> list[str]:
    """Word-sized deltas of a text reply; a regenerated one says which take it is."""
    earlier = f"“{previous}”" if previous is not None else "none"
    take = f" (take {regeneration + 1})" if regeneration else ""
    head = (
        f"Turn {turn} of this session, answered by {model_name}{take}. "
        f"You said: “{prompt}”. Previous prompt: {earlier}."
    )
    parts = head.split(" ")
    if words:
        parts[-1] += "\n\n"
        parts += [_FILLER[i % len(_FILLER)] for i in range(words)]
    return [
        p + " " if i < len(parts) - 1 and not p.endswith("\n") else p for i, p in enumerate(parts)
    ]


def reasoning_deltas(turn: int, prompt: str) -> list[str]:
    text = f"Thinking about turn {turn}: the user wrote {len(prompt)} characters, so I answer."
    words = text.split(" ")
    return [w + " " for w in words[:-1]] + [words[-1]]


def citation_line(participant: str, index: int) -> Line:
    source = {
        "title": f"Source {index}",
        "url": f"https://example.org/fake-source-{index}",
        "snippet": f"Snippet of source {index}.",
    }
    return Line(
        participant,
        "c",
        {"toolCallId": "citation-source", "argsTextDelta": json.dumps({"source": source})},
    )


def finish_line(participant: str, reason: str, usage: dict[str, int] | None) -> Line:
    payload: dict[str, Any] = {"finishReason": reason}
    if usage is not None:
        payload["usage"] = usage
    return Line(participant, "d", payload)


@dataclass(frozen=True)
class ParticipantReply:
    participant: str
    text: list[str]
    reasoning: list[str]
    image_urls: list[str]
    citations: int
    prompt_tokens: int


def participant_lines(reply: ParticipantReply, script: ReplyScript) -> list[Line]:
    """Lines of one participant, without its finish line."""
    p = reply.participant
    lines = [Line(p, "g", delta) for delta in reply.reasoning]
    lines += [Line(p, "0", delta) for delta in reply.text]
    lines += [citation_line(p, i + 1) for i in range(reply.citations)]
    lines += [
        Line(p, "2", [{"type": "image", "image": url, "mimeType": "image/png"}])
        for url in reply.image_urls
    ]
    return lines


def assemble(
    replies: list[ParticipantReply], script: ReplyScript, fault: Fault | None
) -> tuple[list[Line], bool]:
    """All lines of the response and whether the connection is to be cut after them."""
    per = [participant_lines(r, script) for r in replies]
    lines: list[Line] = []
    for i in range(max(len(x) for x in per)):
        lines += [x[i] for x in per if i < len(x)]
    lead = replies[0].participant  # "a", or the one side a retry regenerates
    heartbeat = Line(lead, "2", [{"type": "heartbeat"}])
    for i in range(script.heartbeats):
        lines.insert(min(len(lines), i * 4), heartbeat)
    kind = fault.kind if fault else ""
    if kind == "has_arena_error":
        lines = [heartbeat, Line(lead, "0", "hasArenaError")]
    if kind in ("stream_error", "cut_stream"):
        assert fault is not None
        lines = _cut_after_words(lines, fault.after_words, lead)
        if kind == "stream_error":
            lines.append(Line(lead, "3", fault.message))
        return lines, kind == "cut_stream"
    if kind == "no_finish":
        return lines, False
    reason = "unknown" if kind == "finish_unknown" else "stop"
    for reply in reversed(replies):
        usage = (
            {"promptTokens": reply.prompt_tokens, "completionTokens": len(reply.text)}
            if script.usage
            else None
        )
        lines.append(finish_line(reply.participant, reason, usage))
    return lines, False


def _cut_after_words(lines: list[Line], words: int, lead: str) -> list[Line]:
    kept: list[Line] = []
    seen = 0
    for line in lines:
        if line.is_text and line.participant == lead:
            if seen == words:
                break
            seen += 1
        kept.append(line)
    return kept
