import { useEffect } from "react";
import { ChatView } from "./components/chat/ChatView";
import { preloadMarkdown } from "./components/markdown/Markdown";
import { SettingsDialog } from "./components/settings/SettingsDialog";
import { MobileDrawer } from "./components/sidebar/MobileDrawer";
import { Sidebar } from "./components/sidebar/Sidebar";
import { ErrorBoundary } from "./components/ui/ErrorBoundary";
import { Notices } from "./components/ui/Notices";
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

  useEffect(() => {
    preloadMarkdown();
    startApp().catch((error: unknown) => {
      notify(`Could not open the local database: ${error instanceof Error ? error.message : String(error)}`, "error", 10000);
    });
  }, []);

  return (
    <div className="flex h-dvh overflow-hidden">
      {wide ? (
        <aside className="w-72 shrink-0 border-r border-line" aria-label="Chat list">
          <Sidebar onNavigate={noop} />
        </aside>
      ) : (
        <MobileDrawer />
      )}
      <ErrorBoundary>
        {activeId ? (
          <ChatView key={activeId} chatId={activeId} compact={!wide} />
        ) : (
          <div className="m-auto text-sm text-muted" role="status">
            Loading chats…
          </div>
        )}
      </ErrorBoundary>
      <SettingsDialog />
      <Notices />
    </div>
  );
}
