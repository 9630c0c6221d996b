import { Search, Settings, SquarePen, X } from "lucide-react";
import { useState } from "react";
import { newChat, useChats } from "../../stores/chats";
import { useSettings } from "../../stores/settings";
import { openSettings } from "../../stores/ui";
import { ArenaStartButtons } from "../arena/ArenaStartButtons";
import { ChatList } from "./ChatList";

/** The chat list with New chat, search and Settings (a column on wide screens, a drawer on phones). */
interface SidebarProps {
  /** Called after the user opened or started a chat (closes the phone drawer). */
  onNavigate: () => void;
  /** Shown as a close button when the sidebar is a drawer. */
  onClose?: () => void;
}

export function Sidebar({ onNavigate, onClose }: SidebarProps) {
  const [query, setQuery] = useState("");
  const startChat = (): void => {
    const { activeId, chats } = useChats.getState();
    const model = (activeId ? chats[activeId]?.model : null) ?? useSettings.getState().lastModel;
    void newChat(model ?? null);
    onNavigate();
  };
  return (
    <div className="flex h-full w-full flex-col bg-surface">
      <div className="flex items-center gap-1 pb-2 pl-4 pr-2 pt-3">
        <span className="flex items-center gap-2 text-sm font-semibold">
          <span
            className="flex h-6 w-6 items-center justify-center rounded-md bg-accent text-[11px] font-bold text-accent-ink"
            aria-hidden
          >
            LA
          </span>
          LMArena chat
        </span>
        <span className="flex-1" />
        <button
          type="button"
          className="icon-btn"
          aria-label="New chat"
          title="New chat (Ctrl+Shift+O)"
          onClick={startChat}
        >
          <SquarePen className="h-[18px] w-[18px]" aria-hidden />
        </button>
        {onClose && (
          <button type="button" className="icon-btn -ml-1" aria-label="Close chat list" onClick={onClose}>
            <X className="h-[18px] w-[18px]" aria-hidden />
          </button>
        )}
      </div>
      <ArenaStartButtons onStarted={onNavigate} />
      <div className="px-3 pb-1">
        <div className="relative">
          <Search
            className="pointer-events-none absolute left-2.5 top-1/2 h-4 w-4 -translate-y-1/2 text-muted"
            aria-hidden
          />
          <input
            type="search"
            aria-label="Search chats"
            placeholder="Search chats"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape" && query) {
                e.stopPropagation();
                setQuery("");
              }
            }}
            className="field py-1.5 pl-8"
          />
        </div>
      </div>
      <ChatList query={query} onOpened={onNavigate} />
      <div className="border-t border-line p-2">
        <button type="button" className="btn-ghost w-full justify-start" onClick={() => openSettings()}>
          <Settings className="h-4 w-4" aria-hidden /> Settings
        </button>
      </div>
    </div>
  );
}
