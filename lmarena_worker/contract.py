"""What the API and the worker agree on: job names, payloads, events, Redis names.

This module is the only part of ``lmarena_worker`` the API imports. It must stay free of the
browser (no nodriver, no ``lmarena_client.browser``): only pydantic models and names.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

QUEUE_NAME = "lmarena:queue"
JOB_CHAT = "chat"
JOB_UPLOAD = "upload"
JOB_VOTE = "vote"
MODELS_KEY = "lmarena:models"
HEARTBEAT_KEY = "lmarena:worker:heartbeat"
WAKE_CHANNEL = "lmarena:wake"
HEARTBEAT_INTERVAL = 1.0  # seconds between heartbeats
HEARTBEAT_TTL = 5  # seconds; a worker silent this long is down
MODELS_TTL = 300  # seconds; the worker refreshes the list with every heartbeat
# job id -> id of the worker running it (see queue_gate: waiting = queue size - running)
RUNNING_KEY = "lmarena:running"
# One active worker: "<worker id> <epoch>" while it holds the lease (see lease.py).
LEASE_KEY = "lmarena:worker:lease"
LEASE_EPOCH_KEY = "lmarena:worker:lease:epoch"  # the fencing counter, +1 per takeover
LEADER_KEY = "lmarena:worker:leader"  # the last active worker's id
# The site identity the active worker uses (auth cookies: a credential, see README).
IDENTITY_KEY = "lmarena:identity"


def job_state_key(job_id: str) -> str:
    """A job's fate, set once: ``started:<worker id>`` or ``cancelled``."""
    return f"lmarena:job:{job_id}:state"


def job_delivered_key(job_id: str) -> str:
    """Set by the API once it delivered the job's reply: its stored result may go."""
    return f"lmarena:job:{job_id}:delivered"


# A worker's liveness key is prefix + worker id + suffix (Lua scripts build it the same way).
WORKER_ALIVE_PREFIX = "lmarena:worker:"
WORKER_ALIVE_SUFFIX = ":alive"


def worker_alive_key(worker_id: str) -> str:
    """Exists while the worker beats (TTL ``HEARTBEAT_TTL``); its jobs die with it."""
    return f"{WORKER_ALIVE_PREFIX}{worker_id}{WORKER_ALIVE_SUFFIX}"


# An arena chat's latest turn, kept by the worker for votes (see ArenaRecord).
ARENA_RECORD_TTL = 7 * 24 * 3600


def arena_key(session_id: str) -> str:
    return f"lmarena:arena:{session_id}"


def arena_vote_key(session_id: str) -> str:
    """Claimed (SET NX) by the API before it sends a vote: one vote per chat."""
    return f"lmarena:arena:{session_id}:vote"


def events_channel(job_id: str) -> str:
    """The pub/sub channel on which a job's events are published."""
    return f"lmarena:events:{job_id}"


class _Model(BaseModel):
    # Ignore unknown fields: during a rolling deploy an older API reads a newer worker's
    # heartbeat, events and results.
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Job(_Model):
    # A job field an older worker does not know must fail loudly, not be silently dropped.
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- jobs ----------------------------------------------------------------------------------


class AttachmentRef(_Model):
    """An image already uploaded to the site (what an upload job returns)."""

    name: str
    content_type: str
    url: str


Side = Literal["a", "b"]
Winner = Literal["a", "b", "tie", "both_bad"]


class ArenaSpec(_Job):
    """Two models at once: ``side-by-side`` names model B (the job's ``model`` is model A);
    a ``battle`` names neither (the site picks two in secret). ``regenerate`` asks one side for
    a new reply to the latest turn (whose reply ids are ``message_ids``) instead of sending."""

    mode: Literal["side-by-side", "battle"]
    model_b: str | None = None
    regenerate: Side | None = None
    message_ids: tuple[str, str] | None = None

    @model_validator(mode="after")
    def _regenerate_names_the_turn(self) -> ArenaSpec:
        if self.regenerate is not None and self.message_ids is None:
            raise ValueError("regenerating a side needs the latest turn's message_ids")
        return self


class ChatJob(_Job):
    """Send one user message; the worker streams the reply as events."""

    model: str  # model A in the arena modes ("battle" in a battle)
    text: str
    evaluation_session_id: str | None = None
    attachments: list[AttachmentRef] = Field(default_factory=list)
    # Regenerate this reply of the session (the site's retry) instead of sending ``text``.
    regenerate_message_id: str | None = None
    arena: ArenaSpec | None = None
    # Return generated images as data: URLs, fetched by the worker under the image-URL rules.
    images_as_data: bool = False

    @model_validator(mode="after")
    def _regenerate_in_a_known_chat(self) -> ChatJob:
        if self.arena is not None and self.arena.regenerate and not self.evaluation_session_id:
            raise ValueError("regenerating a side needs the chat's evaluation_session_id")
        return self


class ArenaRecord(_Model):
    """What a vote needs of an arena chat: its mode, models and latest reply ids (A, B)."""

    mode: Literal["side-by-side", "battle"]
    models: tuple[str, str] | None = None  # side-by-side's public names; None in a battle
    message_ids: tuple[str, str]


class VoteJob(_Job):
    """Judge the latest turn of an arena chat (its reply ids); answers both models' names."""

    evaluation_session_id: str
    winner: Winner
    message_ids: tuple[str, str]
    models: tuple[str, str] | None = None  # side-by-side's; None in a battle


class UploadJob(_Job):
    """Load one image (a data URI or an http(s) URL) and upload it to the site for ``model``."""

    model: str
    source: str = Field(description="data:image/...;base64,... or an http(s) URL")
    filename: str | None = None


# -- results -------------------------------------------------------------------------------


class UsageInfo(_Model):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None


class CitationInfo(_Model):
    url: str | None = None
    title: str | None = None


ErrorKind = Literal[
    "bad_request",
    "model_not_found",
    "conversation_not_found",
    "conversation_lost",
    "vote_refused",
    "too_large",
    "auth",
    "rate_limited",
    "content_rejected",
    "upstream",
    "timeout",
    "unavailable",
    "cancelled",
    "internal",
]


class ErrorInfo(_Model):
    """A failure, as the API needs it to pick a status and an OpenAI error."""

    kind: ErrorKind
    message: str
    retry_after: float | None = None
    partial_text: str = ""


class ChatResult(_Model):
    text: str
    model: str | None = None  # the public name (None in a battle until the vote)
    evaluation_session_id: str
    message_id: str | None = None  # the reply's id on the site (what a regenerate retries)
    finish_reason: str | None = None
    usage: UsageInfo | None = None
    reasoning: str = ""
    images: list[str] = Field(default_factory=list)
    citations: list[CitationInfo] = Field(default_factory=list)


class JobOutcome(_Model):
    """What a job returns to arq: a result or an error, never an exception to unpickle."""

    chat: ChatResult | None = None
    chat_b: ChatResult | None = None  # model B's reply in the arena modes
    attachment: AttachmentRef | None = None
    revealed: dict[Side, str] | None = None  # a vote's answer: both models' names
    error: ErrorInfo | None = None


# -- events --------------------------------------------------------------------------------


class _Event(_Model):
    seq: int = Field(ge=0, description="0, 1, 2, ... per job; a gap means lost events")


class TextEvent(_Event):
    type: Literal["text"] = "text"
    text: str
    side: Side = "a"  # model B's deltas in the arena modes say "b"
    # On the job's first delta only: the chat's id, so a client that stops early can resume.
    evaluation_session_id: str | None = None


class ReasoningEvent(_Event):
    type: Literal["reasoning"] = "reasoning"
    text: str
    side: Side = "a"
    evaluation_session_id: str | None = None


class StartedEvent(_Event):
    """The worker picked the job up (the queue wait is over)."""

    type: Literal["started"] = "started"
    # Which worker runs the job (its liveness key tells whether it still does).
    worker_id: str


class DoneEvent(_Event):
    """The last event of a successful job; carries the whole result."""

    type: Literal["done"] = "done"
    result: ChatResult
    result_b: ChatResult | None = None  # model B's, in the arena modes


class ErrorEvent(_Event):
    """The last event of a failed job."""

    type: Literal["error"] = "error"
    error: ErrorInfo


JobEvent = Annotated[
    StartedEvent | TextEvent | ReasoningEvent | DoneEvent | ErrorEvent, Field(discriminator="type")
]


_EVENT_ADAPTER: TypeAdapter[JobEvent] = TypeAdapter(JobEvent)


def parse_event(raw: str | bytes) -> JobEvent:
    """One pub/sub message (JSON) back into its event; pydantic.ValidationError if malformed."""
    return _EVENT_ADAPTER.validate_json(raw)


# -- worker state --------------------------------------------------------------------------

WorkerState = Literal["standby", "booting", "ready", "degraded", "stopping"]


class Heartbeat(_Model):
    """The active worker's state (standbys only keep their liveness keys)."""

    state: WorkerState
    worker_id: str
    pid: int
    started_at: float
    updated_at: float
    active_jobs: int = 0
    detail: str = ""
    standbys: int = 0  # workers waiting to take over


class ModelCard(_Model):
    """One model as the worker publishes it for ``/v1/models``."""

    id: str = Field(description="the public name")
    organization: str | None = None
    display_name: str | None = None
    text_output: bool
    vision: bool
    image_output: bool
    multiple_images: bool


class ModelList(_Model):
    models: list[ModelCard]
    updated_at: float
