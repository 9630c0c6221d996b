import { RefreshCw, Square } from "lucide-react";
import type { Message } from "../../types";
import { Markdown } from "../markdown/Markdown";
import { CopyButton } from "../ui/CopyButton";
import { Citations } from "./Citations";
import { ImageGrid } from "./ImageGrid";
import { MessageErrorNotice } from "./MessageErrorNotice";
import { Reasoning } from "./Reasoning";
import { ReplyTiming } from "./ReplyTiming";
import { SessionNote } from "./SessionNote";

interface AssistantMessageProps {
  message: Message;
  /** A failed reply asks again (offered on the last reply only). */
  onRetry?: () => void;
  /** Replaces the reply with a new one (offered on the last reply only). */
  onRegenerate?: () => void;
}

function TypingDots() {
  return (
    <div className="flex h-7 items-center gap-1" aria-hidden>
      {[0, 150, 300].map((delay) => (
        <span
          key={delay}
          className="h-1.5 w-1.5 animate-bounce rounded-full bg-muted"
          style={{ animationDelay: `${delay}ms` }}
        />
      ))}
    </div>
  );
}

/** A reply: model name, reasoning, Markdown text, images, sources, status and actions. */
export function AssistantMessage({ message, onRetry, onRegenerate }: AssistantMessageProps) {
  const streaming = message.status === "streaming";
  return (
    <article aria-label="Assistant message" aria-busy={streaming} className="group">
      {(message.model || message.mapping === "replayed") && (
        <div className="mb-1 flex flex-wrap items-center gap-x-2 text-xs text-muted">
          {message.model && <span className="font-medium">{message.model}</span>}
          {message.mapping === "replayed" && <SessionNote />}
        </div>
      )}
      {message.reasoning ? (
        <Reasoning text={message.reasoning} thinking={streaming && !message.content} />
      ) : null}
      {message.content ? (
        <Markdown text={message.content} streaming={streaming} />
      ) : streaming && !message.reasoning ? (
        <TypingDots />
      ) : null}
      {message.images?.length ? (
        <div className="mt-3">
          <ImageGrid images={message.images} label="Generated image" size="large" />
        </div>
      ) : null}
      {message.citations?.length ? <Citations citations={message.citations} /> : null}
      {message.status === "stopped" && (
        <p className="mt-2 inline-flex items-center gap-1.5 rounded-md bg-ink/5 px-2 py-0.5 text-xs text-muted">
          <Square className="h-3 w-3" aria-hidden /> Stopped
        </p>
      )}
      {message.status === "error" && message.error && (
        <MessageErrorNotice error={message.error} {...(onRetry ? { onRetry } : {})} />
      )}
      {!streaming && (
        <div className="mt-1 flex flex-wrap items-center gap-x-2 text-xs text-muted opacity-100 transition-opacity focus-within:opacity-100 sm:opacity-0 sm:group-hover:opacity-100">
          {message.content && <CopyButton text={message.content} label="Copy reply" />}
          {onRegenerate && (
            <button
              type="button"
              className="icon-btn h-8 w-8"
              aria-label="Regenerate reply"
              title="Regenerate reply"
              onClick={onRegenerate}
            >
              <RefreshCw className="h-4 w-4" aria-hidden />
            </button>
          )}
          <ReplyTiming message={message} />
          {message.usage && <span>· {message.usage.completionTokens} tokens</span>}
        </div>
      )}
    </article>
  );
}
