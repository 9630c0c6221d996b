import type { MouseEvent } from "react";
import { focusComposer } from "../../stores/ui";

const link =
  "sr-only focus:not-sr-only focus:fixed focus:left-3 focus:top-3 focus:z-[60] focus:rounded-lg focus:bg-raised focus:px-3 focus:py-2 focus:text-sm focus:font-medium focus:text-ink focus:shadow-lg";

/** The page's first Tab stops: straight to the message box or to the messages. */
export function SkipLinks() {
  const toComposer = (event: MouseEvent): void => {
    event.preventDefault();
    focusComposer();
  };
  const toMessages = (event: MouseEvent): void => {
    event.preventDefault();
    document.getElementById("messages")?.focus();
  };
  return (
    <>
      <a href="#message-input" className={link} onClick={toComposer}>
        Skip to message box
      </a>
      <a href="#messages" className={link} onClick={toMessages}>
        Skip to messages
      </a>
    </>
  );
}
