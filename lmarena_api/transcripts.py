"""Stateless clients, pure part: a whole-history request read as a transcript.

OpenAI-style clients send the whole conversation every time. The site keeps history per
session, so the API remembers, per completed turn, a fingerprint of the transcript (each
message's role, text and image digests, and the model) and the session it belongs to
(``history.py`` keeps them). This module turns messages into ``Turn``s, fingerprints them, and
folds an unknown history into one message for a new session.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .schemas import ChatCompletionRequest, ImagePart, Message, TextPart

# How a request was mapped onto the site's sessions (the response's ``conversation.mapping``).
Mapping = Literal["resumed", "continued", "regenerated", "new", "replayed"]

_ROLES = {"developer": "system", "function": "tool"}


@dataclass(frozen=True)
class Turn:
    """One message as the mapping sees it."""

    role: str  # system | user | assistant | tool
    text: str
    images: tuple[str, ...] = ()  # sha256 of each image source (data URI or URL)


def turns_of(messages: Sequence[Message]) -> list[Turn]:
    return [_turn(message) for message in messages]


def _turn(message: Message) -> Turn:
    role = _ROLES.get(message.role, message.role)
    content = message.content
    if content is None:
        return Turn(role, "")
    if isinstance(content, str):
        return Turn(role, content.strip())
    texts = [part.text for part in content if isinstance(part, TextPart)]
    images = tuple(
        hashlib.sha256(part.image_url.url.encode()).hexdigest()
        for part in content
        if isinstance(part, ImagePart)
    )
    return Turn(role, "\n".join(texts).strip(), images)


def fingerprint(scope: str, model: str, turns: Sequence[Turn]) -> str:
    """A digest of the scope (whose conversation: one per API key), the model and every turn;
    equal transcripts give equal fingerprints."""
    rows = [[turn.role, turn.text, list(turn.images)] for turn in turns]
    blob = json.dumps([scope, model, rows], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Transcript:
    """A request split at its last user message: what came before it, and it."""

    scope: str
    model: str
    history: tuple[Turn, ...]  # everything before the last user message
    prompt: Turn  # the last user message

    @property
    def prompt_key(self) -> str:
        """Names the transcript up to and including the prompt (a repeat regenerates)."""
        return fingerprint(self.scope, self.model, (*self.history, self.prompt))

    @property
    def history_key(self) -> str:
        """Names the transcript before the prompt (a match continues its session)."""
        return fingerprint(self.scope, self.model, self.history)

    def answered_key(self, reply: str) -> str:
        """Names the transcript once the reply is part of it."""
        answered = (*self.history, self.prompt, Turn("assistant", reply.strip()))
        return fingerprint(self.scope, self.model, answered)


def transcript_of(request: ChatCompletionRequest, model: str, scope: str = "") -> Transcript:
    """The request's transcript; the last user message is the prompt (later ones are ignored,
    as they are when sending)."""
    turns = turns_of(request.messages)
    index = max(i for i, turn in enumerate(turns) if turn.role == "user")
    return Transcript(scope, model, tuple(turns[:index]), turns[index])


_LABELS = {"system": "System", "user": "User", "assistant": "Assistant", "tool": "Tool"}
FOLD_HEADER = "[Conversation so far]"
FOLD_FOOTER = "[End of the conversation so far. Reply to this last message:]"


def fold(history: Sequence[Turn], prompt: str) -> str:
    """One message that carries a history into a new session::

        [Conversation so far]
        System: ...
        User: ...
        Assistant: ...
        [End of the conversation so far. Reply to this last message:]
        <the prompt>

    Images of earlier turns are named, not sent again (``[image]``).
    """
    lines = [FOLD_HEADER]
    for turn in history:
        images = " [image]" * len(turn.images)
        lines.append(f"{_LABELS.get(turn.role, turn.role.title())}: {turn.text}{images}".rstrip())
    return "\n".join([*lines, FOLD_FOOTER, prompt])
