import { Eye, ImageIcon } from "lucide-react";
import type { ModelCapabilities } from "../../api/types";

interface CapabilityBadgesProps {
  capabilities: ModelCapabilities;
  compact?: boolean;
}

/** Vision and image output, from the models list's `capabilities` field. */
export function CapabilityBadges({ capabilities, compact }: CapabilityBadgesProps) {
  const badges = [
    capabilities.vision && { key: "vision", icon: Eye, label: "Vision", hint: "Accepts images" },
    capabilities.imageOutput && {
      key: "image",
      icon: ImageIcon,
      label: "Image output",
      hint: "Generates images",
    },
  ].filter((b): b is Exclude<typeof b, false> => Boolean(b));
  if (!badges.length) return null;
  return (
    <span className="flex shrink-0 items-center gap-1">
      {badges.map(({ key, icon: Icon, label, hint }) => (
        <span
          key={key}
          title={hint}
          data-capability={key}
          className="inline-flex items-center gap-1 rounded-md bg-accent/10 px-1.5 py-0.5 text-[11px] font-medium text-accent-text"
        >
          <Icon className="h-3 w-3" aria-hidden />
          <span className={compact ? "sr-only" : undefined}>{label}</span>
        </span>
      ))}
    </span>
  );
}
