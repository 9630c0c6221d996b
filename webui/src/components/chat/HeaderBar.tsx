import { Menu, SquarePen } from "lucide-react";
import type { ReactNode } from "react";
import { openDrawer } from "../../stores/ui";

interface HeaderBarProps {
  /** The chat's title: the page's (hidden) heading. */
  title: string;
  /** Phone layout: the chat list is in a drawer opened from here, and New chat sits here. */
  compact: boolean;
  onNewChat: () => void;
  children: ReactNode;
}

/** The bar above a chat or an arena chat: the drawer button, its content, New chat. */
export function HeaderBar({ title, compact, onNewChat, children }: HeaderBarProps) {
  return (
    <header className="flex h-14 shrink-0 items-center gap-1 border-b border-line px-2 sm:px-4">
      {compact && (
        <button type="button" className="icon-btn" aria-label="Open chat list" onClick={() => openDrawer()}>
          <Menu className="h-5 w-5" aria-hidden />
        </button>
      )}
      <h1 className="sr-only">{title}</h1>
      {children}
      {compact && (
        <button type="button" className="icon-btn h-8 w-8" aria-label="New chat" onClick={onNewChat}>
          <SquarePen className="h-4 w-4" aria-hidden />
        </button>
      )}
    </header>
  );
}
