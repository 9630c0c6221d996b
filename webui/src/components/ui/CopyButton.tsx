import { Check, Copy } from "lucide-react";
import { useCopy } from "../../hooks/useCopy";

interface CopyButtonProps {
  text: string | (() => string);
  label: string;
  className?: string;
  showText?: boolean;
}

/** A copy button that says "Copied" for a moment; always visible, also to keyboard users. */
export function CopyButton({ text, label, className, showText }: CopyButtonProps) {
  const { copied, copy } = useCopy();
  return (
    <button
      type="button"
      className={className ?? "icon-btn h-8 w-8"}
      aria-label={copied ? "Copied" : label}
      title={copied ? "Copied" : label}
      onClick={() => void copy(typeof text === "function" ? text() : text)}
    >
      {copied ? <Check className="h-4 w-4" aria-hidden /> : <Copy className="h-4 w-4" aria-hidden />}
      {showText && <span>{copied ? "Copied" : "Copy"}</span>}
    </button>
  );
}

/** The copy icon alone, for a disabled stand-in. */
CopyButton.Icon = function CopyIcon() {
  return <Copy className="h-4 w-4" aria-hidden />;
};
