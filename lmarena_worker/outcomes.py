"""Pure mapping from library objects (replies, errors, models) to the contract's models."""

from __future__ import annotations

from lmarena_client import ChatReply, ModelInfo
from lmarena_client.errors import (
    BrowserError,
    ContentRejectedError,
    ConversationLostError,
    ConversationNotFoundError,
    DiscoveryError,
    ImageTooLargeError,
    InputError,
    LMArenaError,
    ModelNotFoundError,
    RateLimitError,
    SiteTimeoutError,
    StreamError,
    VoteRefusedError,
)
from lmarena_client.protocol import Attachment

from .contract import AttachmentRef, ChatResult, CitationInfo, ErrorInfo, ModelCard, UsageInfo


def chat_result(reply: ChatReply) -> ChatResult:
    usage = reply.usage
    return ChatResult(
        text=reply.text,
        model=reply.model or None,
        evaluation_session_id=reply.evaluation_session_id,
        message_id=reply.message_id or None,
        finish_reason=reply.finish_reason,
        usage=UsageInfo(
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            total_tokens=usage.total_tokens,
        )
        if usage
        else None,
        reasoning=reply.reasoning,
        images=list(reply.images),
        citations=[CitationInfo(url=c.url, title=c.title) for c in reply.citations],
    )


def attachment_ref(attachment: Attachment) -> AttachmentRef:
    return AttachmentRef(
        name=attachment.name, content_type=attachment.content_type, url=attachment.url
    )


def attachment(ref: AttachmentRef) -> Attachment:
    return Attachment(name=ref.name, content_type=ref.content_type, url=ref.url)


def error_info(exc: LMArenaError, partial_text: str = "") -> ErrorInfo:
    """The contract's view of a library error (the API turns ``kind`` into a status)."""
    if isinstance(exc, StreamError):
        partial_text = exc.partial_text or partial_text
    retry_after = exc.retry_after if isinstance(exc, RateLimitError) else None
    return ErrorInfo(
        kind=_kind(exc), message=str(exc), retry_after=retry_after, partial_text=partial_text
    )


def _kind(exc: LMArenaError) -> str:
    kinds: list[tuple[type[LMArenaError], str]] = [
        (ModelNotFoundError, "model_not_found"),
        (ConversationNotFoundError, "conversation_not_found"),
        (ConversationLostError, "conversation_lost"),
        (ImageTooLargeError, "too_large"),
        (VoteRefusedError, "vote_refused"),
        (InputError, "bad_request"),
        (RateLimitError, "rate_limited"),
        (ContentRejectedError, "content_rejected"),
        (SiteTimeoutError, "timeout"),
        (BrowserError, "unavailable"),
        (DiscoveryError, "unavailable"),
    ]
    for kind_type, kind in kinds:
        if isinstance(exc, kind_type):
            return kind
    return "upstream"


def model_card(model: ModelInfo) -> ModelCard:
    return ModelCard(
        id=model.public_name,
        organization=model.organization,
        display_name=model.display_name,
        text_output=model.text_output,
        vision=model.vision,
        image_output=model.image_output,
        multiple_images=model.multiple_images,
    )
