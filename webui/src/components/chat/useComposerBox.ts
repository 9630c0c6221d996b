import { useEffect, useLayoutEffect, useRef } from "react";
import { useUi } from "../../stores/ui";

/** The prompt textarea's ref: focused when the chat opens (or focus is asked for), and grown
 * with its text up to `maxShare` of the window's height. */
export function useComposerBox(chatId: string, text: string, maxShare: number) {
  const focusTick = useUi((s) => s.composerFocus);
  const textRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    textRef.current?.focus();
  }, [chatId, focusTick]);

  useLayoutEffect(() => {
    const el = textRef.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, Math.round(window.innerHeight * maxShare))}px`;
  }, [text, maxShare]);

  return textRef;
}
