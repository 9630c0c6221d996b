import { Download, MessageSquareCode } from "lucide-react";
import { fileNameFor } from "../../lib/markdownExport";
import { downloadText } from "../../lib/download";
import { chatMarkdown } from "../../services/backup";
import { newChat, updateChat, useChats } from "../../stores/chats";
import { updateSettings } from "../../stores/settings";
import { editSystemPrompt } from "../../stores/ui";
import { HeaderBar } from "./HeaderBar";
import { SessionIdButton } from "./SessionIdButton";
import { ModelPicker } from "./ModelPicker";

interface ChatHeaderProps {
  chatId: string;
  /** Phone layout: the chat list is in a drawer opened from here. */
  compact: boolean;
}

/** Above the messages: the model, the session id and the chat's Markdown export. */
export function ChatHeader({ chatId, compact }: ChatHeaderProps) {
  const chat = useChats((s) => s.chats[chatId]);
  const started = useChats((s) => (s.threads[chatId]?.ids.length ?? 0) > 0);
  if (!chat) return null;
  const exportMarkdown = (): void => {
    const text = chatMarkdown(chatId);
    if (text) downloadText(fileNameFor(chat.title, "md"), text, "text/markdown");
  };
  return (
    <HeaderBar title={chat.title} compact={compact} onNewChat={() => void newChat(chat.model)}>
      <div className="min-w-0 flex-1">
        <ModelPicker
          value={chat.model}
          note={
            started
              ? "The conversation so far goes with it: the next reply comes from the model you choose."
              : null
          }
          onChange={(model) => {
            void updateChat(chatId, { model });
            void updateSettings({ lastModel: model });
          }}
        />
      </div>
      <button
        type="button"
        className={`icon-btn h-8 w-8 ${chat.systemPrompt ? "text-accent-text" : ""}`}
        aria-label={chat.systemPrompt ? "System prompt (set)" : "System prompt"}
        title={
          chat.systemPrompt ? `System prompt: ${chat.systemPrompt.slice(0, 120)}` : "Set a system prompt"
        }
        onClick={() => editSystemPrompt(chatId)}
      >
        <MessageSquareCode className="h-4 w-4" aria-hidden />
      </button>
      <SessionIdButton sessionId={chat.evaluationSessionId} />
      <button
        type="button"
        className="icon-btn h-8 w-8"
        aria-label="Export chat as Markdown"
        title="Export chat as Markdown"
        onClick={exportMarkdown}
        disabled={!started}
      >
        <Download className="h-4 w-4" aria-hidden />
      </button>
    </HeaderBar>
  );
}
