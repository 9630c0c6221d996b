import { useEffect, useRef } from "react";
import { openDrawer, useUi } from "../../stores/ui";
import { Sidebar } from "./Sidebar";

/** The chat list on a phone: a modal drawer from the left (Escape or the backdrop closes it). */
export function MobileDrawer() {
  const open = useUi((s) => s.drawerOpen);
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog || !open) return;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    dialog.querySelector<HTMLElement>("input[type=search]")?.blur();
    dialog.querySelector<HTMLElement>("[aria-current=page]")?.focus();
    return () => {
      if (dialog.open) dialog.close();
      if (previous?.isConnected) previous.focus();
    };
  }, [open]);

  if (!open) return null;
  return (
    <dialog
      ref={ref}
      aria-label="Chats"
      onCancel={(e) => {
        e.preventDefault();
        openDrawer(false);
      }}
      onClick={(e) => {
        if (e.target === ref.current) openDrawer(false);
      }}
      className="m-0 h-dvh max-h-none w-[min(20rem,85vw)] max-w-none border-r border-line bg-surface p-0 text-ink shadow-2xl"
    >
      <Sidebar onNavigate={() => openDrawer(false)} onClose={() => openDrawer(false)} />
    </dialog>
  );
}
