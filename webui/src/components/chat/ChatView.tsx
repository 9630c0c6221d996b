import { ImagePlus } from "lucide-react";
import { useRef, useState, type DragEvent } from "react";
import { imageFilesFrom } from "../../lib/files";
import { useChats } from "../../stores/chats";
import { ChatHeader } from "./ChatHeader";
import { Composer } from "./Composer";
import { EmptyState } from "./EmptyState";
import { MessageList } from "./MessageList";
import { ModelsNotice } from "./ModelsNotice";
import { useAttachImages } from "./useAttachImages";

function hasFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer.types).includes("Files");
}

/** One chat: header, messages, composer; images can be dropped anywhere on it. */
export function ChatView({ chatId, compact }: { chatId: string; compact: boolean }) {
  const model = useChats((s) => s.chats[chatId]?.model ?? null);
  const running = useChats((s) => Boolean(s.running[chatId]));
  const attach = useAttachImages(chatId, model);
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);

  const onDragEnter = (event: DragEvent): void => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth.current++;
    setDragging(true);
  };
  const onDragLeave = (event: DragEvent): void => {
    if (!hasFiles(event)) return;
    depth.current = Math.max(0, depth.current - 1);
    if (depth.current === 0) setDragging(false);
  };
  const onDragOver = (event: DragEvent): void => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = attach.reason ? "none" : "copy";
  };
  const onDrop = (event: DragEvent): void => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth.current = 0;
    setDragging(false);
    void attach.attach(imageFilesFrom(event.dataTransfer.files));
  };

  return (
    <main
      className="relative flex min-w-0 flex-1 flex-col"
      onDragEnter={onDragEnter}
      onDragLeave={onDragLeave}
      onDragOver={onDragOver}
      onDrop={onDrop}
      data-testid="chat-view"
    >
      <ChatHeader chatId={chatId} compact={compact} />
      <MessageList chatId={chatId}>
        <EmptyState model={model} />
      </MessageList>
      <ModelsNotice />
      <Composer chatId={chatId} model={model} attach={attach} />
      <p className="sr-only" role="status">
        {running ? "The assistant is replying." : ""}
      </p>
      {dragging && (
        <div className="pointer-events-none absolute inset-2 z-20 flex flex-col items-center justify-center gap-2 rounded-2xl border-2 border-dashed border-accent bg-canvas/85 text-sm">
          <ImagePlus className="h-8 w-8 text-accent-text" aria-hidden />
          <p className="font-medium">{attach.reason ?? "Drop images to attach them"}</p>
        </div>
      )}
    </main>
  );
}
