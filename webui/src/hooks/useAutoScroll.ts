import { useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from "react";

/** How close to the bottom (px) still counts as "at the bottom". */
const SLACK = 64;

/**
 * Keeps a scroll container pinned to the bottom while its content grows, until the user scrolls
 * up; scrolling back down (or `jumpToLatest`) pins it again. `resetKey` (the chat id) re-pins.
 */
export function useAutoScroll(
  scrollRef: RefObject<HTMLElement | null>,
  contentRef: RefObject<HTMLElement | null>,
  resetKey: string | null,
): { atBottom: boolean; jumpToLatest: () => void } {
  const pinned = useRef(true);
  const [atBottom, setAtBottom] = useState(true);

  const toBottom = useCallback(() => {
    const el = scrollRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [scrollRef]);

  const jumpToLatest = useCallback(() => {
    pinned.current = true;
    setAtBottom(true);
    toBottom();
  }, [toBottom]);

  useLayoutEffect(() => {
    pinned.current = true;
    setAtBottom(true);
    toBottom();
  }, [resetKey, toBottom]);

  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    let lastTop = el.scrollTop;
    const onScroll = (): void => {
      const distance = el.scrollHeight - el.scrollTop - el.clientHeight;
      const movedUp = el.scrollTop < lastTop - 2;
      lastTop = el.scrollTop;
      const next = distance <= SLACK && !(movedUp && distance > 4);
      if (next !== pinned.current) {
        pinned.current = next;
        setAtBottom(next);
      }
    };
    // A wheel or touch move upwards is a clear sign: stop following at once.
    const onWheel = (event: WheelEvent): void => {
      if (event.deltaY < 0 && pinned.current && el.scrollHeight > el.clientHeight) {
        pinned.current = false;
        setAtBottom(false);
      }
    };
    el.addEventListener("scroll", onScroll, { passive: true });
    el.addEventListener("wheel", onWheel, { passive: true });
    return () => {
      el.removeEventListener("scroll", onScroll);
      el.removeEventListener("wheel", onWheel);
    };
  }, [scrollRef]);

  useEffect(() => {
    const content = contentRef.current;
    if (!content || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => {
      if (pinned.current) toBottom();
    });
    observer.observe(content);
    return () => observer.disconnect();
  }, [contentRef, toBottom]);

  return { atBottom, jumpToLatest };
}
