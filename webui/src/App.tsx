import { useEffect } from "react";
import { ArenaView } from "./components/arena/ArenaView";
import { ChatView } from "./components/chat/ChatView";
import { preloadMarkdown } from "./components/markdown/Markdown";
import { SystemPromptDialog } from "./components/chat/SystemPromptDialog";
import { SettingsDialog } from "./components/settings/SettingsDialog";
import { MobileDrawer } from "./components/sidebar/MobileDrawer";
import { Sidebar } from "./components/sidebar/Sidebar";
import { ErrorBoundary } from "./components/ui/ErrorBoundary";
import { Notices } from "./components/ui/Notices";
import { ShortcutsDialog } from "./components/ui/ShortcutsDialog";
import { SkipLinks } from "./components/ui/SkipLinks";
import { useMediaQuery } from "./hooks/useMediaQuery";
import { useShortcuts } from "./hooks/useShortcuts";
import { useThemeEffect } from "./hooks/useTheme";
import { startApp } from "./services/bootstrap";
import { useChats } from "./stores/chats";
import { notify } from "./stores/ui";

const noop = (): void => undefined;

export function App() {
  useThemeEffect();
  useShortcuts();
  const wide = useMediaQuery("(min-width: 768px)");
  const activeId = useChats((s) => s.activeId);
  const arena = useChats((s) => Boolean(s.activeId && s.chats[s.activeId]?.arena));

  useEffect(() => {
    preloadMarkdown();
    startApp().catch((error: unknown) => {
      notify(
        `Could not open the local database: ${error instanceof Error ? error.message : String(error)}`,
        "error",
        10000,
      );
    });
  }, []);

  return (
    <div className="flex h-dvh overflow-clip">
      <SkipLinks />
      {wide ? (
        <aside className="w-72 shrink-0 border-r border-line" aria-label="Chat list">
          <Sidebar onNavigate={noop} />
        </aside>
      ) : (
        <MobileDrawer />
      )}
      <ErrorBoundary>
        {activeId && arena ? (
          <ArenaView key={activeId} chatId={activeId} compact={!wide} />
        ) : activeId ? (
          <ChatView key={activeId} chatId={activeId} compact={!wide} />
        ) : (
          <div className="m-auto text-sm text-muted" role="status">
            Loading chats…
          </div>
        )}
      </ErrorBoundary>
      <SettingsDialog />
      <SystemPromptDialog />
      <ShortcutsDialog />
      <Notices />
    </div>
  );
}
