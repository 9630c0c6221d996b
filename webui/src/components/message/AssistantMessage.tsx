import { Square } from "lucide-react";
import type { Message } from "../../types";
import { Markdown } from "../markdown/Markdown";
import { CopyButton } from "../ui/CopyButton";
import { Citations } from "./Citations";
import { ImageGrid } from "./ImageGrid";
import { MessageErrorNotice } from "./MessageErrorNotice";
import { Reasoning } from "./Reasoning";

interface AssistantMessageProps {
  message: Message;
  onRetry?: () => void;
}

function TypingDots() {
  return (
    <div className="flex h-7 items-center gap-1" aria-hidden>
      {[0, 150, 300].map((delay) => (
        <span key={delay} className="h-1.5 w-1.5 animate-bounce rounded-full bg-muted" style={{ animationDelay: `${delay}ms` }} />
      ))}
    </div>
  );
}

/** A reply: model name, reasoning, Markdown text, images, sources, status and actions. */
export function AssistantMessage({ message, onRetry }: AssistantMessageProps) {
  const streaming = message.status === "streaming";
  return (
    <article aria-label="Assistant message" aria-busy={streaming} className="group">
      {message.model && <div className="mb-1 text-xs font-medium text-muted">{message.model}</div>}
      {message.reasoning ? <Reasoning text={message.reasoning} thinking={streaming && !message.content} /> : null}
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
        <div className="mt-1 flex items-center gap-2 text-xs text-muted opacity-100 transition-opacity focus-within:opacity-100 sm:opacity-0 sm:group-hover:opacity-100">
          {message.content && <CopyButton text={message.content} label="Copy reply" />}
          {message.usage && <span>{message.usage.completionTokens} tokens</span>}
        </div>
      )}
    </article>
  );
}
