import { Pencil, Pin, PinOff, Trash2 } from "lucide-react";
import { useEffect, useLayoutEffect, useRef, type CSSProperties, type KeyboardEvent } from "react";

export type ChatAction = "rename" | "pin" | "delete";

interface ChatActionsMenuProps {
  /** The element the menu opens from (its position is read on open). */
  anchor: HTMLElement;
  pinned: boolean;
  chatTitle: string;
  onAction: (action: ChatAction) => void;
  /** Closed without an action (Escape, Tab, a click elsewhere). */
  onClose: () => void;
}

const WIDTH = 176;

function placement(anchor: HTMLElement): CSSProperties {
  const rect = anchor.getBoundingClientRect();
  const viewport = document.documentElement.clientWidth;
  const left = Math.max(8, Math.min(rect.right - WIDTH, viewport - WIDTH - 8));
  const below = rect.bottom + 4;
  const fitsBelow = below + 140 < window.innerHeight;
  return fitsBelow
    ? { position: "fixed", top: below, left, width: WIDTH }
    : { position: "fixed", bottom: window.innerHeight - rect.top + 4, left, width: WIDTH };
}

/** A chat's actions (ARIA menu): Rename, Pin or Unpin, Delete; arrow keys move, Escape closes. */
export function ChatActionsMenu({ anchor, pinned, chatTitle, onAction, onClose }: ChatActionsMenuProps) {
  const ref = useRef<HTMLDivElement>(null);
  const style = useRef(placement(anchor)).current;

  useLayoutEffect(() => {
    ref.current?.querySelector<HTMLElement>("[role=menuitem]")?.focus({ preventScroll: true });
  }, []);

  useEffect(() => {
    const onPointer = (event: PointerEvent): void => {
      const target = event.target as Node;
      if (!ref.current?.contains(target) && !anchor.contains(target)) onClose();
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, [anchor, onClose]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    const items = Array.from(ref.current?.querySelectorAll<HTMLElement>("[role=menuitem]") ?? []);
    const at = items.indexOf(document.activeElement as HTMLElement);
    const move = (index: number): void => items[(index + items.length) % items.length]?.focus();
    if (event.key === "ArrowDown") move(at + 1);
    else if (event.key === "ArrowUp") move(at - 1);
    else if (event.key === "Home") move(0);
    else if (event.key === "End") move(items.length - 1);
    else if (event.key === "Escape" || event.key === "ArrowLeft" || event.key === "Tab") onClose();
    else return;
    event.preventDefault();
    event.stopPropagation();
  };

  const item =
    "flex w-full items-center gap-2 rounded-md px-2.5 py-1.5 text-left text-sm hover:bg-ink/5 focus:bg-ink/5 focus:outline-none";
  return (
    <div
      ref={ref}
      role="menu"
      aria-label={`Actions for “${chatTitle}”`}
      style={style}
      onKeyDown={onKeyDown}
      className="z-40 rounded-lg border border-line bg-raised p-1 shadow-xl"
    >
      <button type="button" role="menuitem" tabIndex={-1} className={item} onClick={() => onAction("rename")}>
        <Pencil className="h-3.5 w-3.5" aria-hidden /> Rename
      </button>
      <button type="button" role="menuitem" tabIndex={-1} className={item} onClick={() => onAction("pin")}>
        {pinned ? (
          <PinOff className="h-3.5 w-3.5" aria-hidden />
        ) : (
          <Pin className="h-3.5 w-3.5" aria-hidden />
        )}
        {pinned ? "Unpin" : "Pin"}
      </button>
      <button
        type="button"
        role="menuitem"
        tabIndex={-1}
        className={`${item} text-danger`}
        onClick={() => onAction("delete")}
      >
        <Trash2 className="h-3.5 w-3.5" aria-hidden /> Delete
      </button>
    </div>
  );
}
