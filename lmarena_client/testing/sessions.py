"""Evaluation sessions as the site keeps them: owner, mode, models and every turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Turn:
    number: int
    prompt: str
    user_message_id: str
    model_a_message_id: str
    model_b_message_id: str | None
    model_a_id: str
    model_b_id: str | None
    attachments: list[dict[str, Any]]
    replies: dict[str, str] = field(default_factory=dict)  # participant "a"/"b" -> text
    regenerations: int = 0


@dataclass
class EvaluationSession:
    id: str
    owner: str
    mode: str
    modality: str
    model_a_id: str
    model_b_id: str | None
    turns: list[Turn] = field(default_factory=list)
    vote: str | None = None  # the pairwise verdict, once given (one per session)

    @property
    def prompts(self) -> list[str]:
        return [turn.prompt for turn in self.turns]

    def turn_of_message(self, message_id: str) -> tuple[Turn, str] | None:
        """The turn whose model A or B reply has ``message_id``, and that participant."""
        for turn in self.turns:
            if turn.model_a_message_id == message_id:
                return turn, "a"
            if turn.model_b_message_id == message_id:
                return turn, "b"
        return None


class SessionBook:
    """All sessions, plus every id ever used (session and message ids are single-use)."""

    def __init__(self) -> None:
        self.sessions: dict[str, EvaluationSession] = {}
        self.used_ids: set[str] = set()

    def any_used(self, ids: list[str]) -> bool:
        return any(i in self.used_ids for i in ids)

    def use(self, ids: list[str]) -> None:
        self.used_ids.update(ids)
