import { Monitor, Moon, Sun } from "lucide-react";
import { updateSettings, useSettings } from "../../stores/settings";
import type { ThemeSetting } from "../../types";
import { RadioGroup } from "../ui/RadioGroup";

const THEMES = [
  { value: "light", label: "Light", icon: <Sun className="h-4 w-4" aria-hidden /> },
  { value: "dark", label: "Dark", icon: <Moon className="h-4 w-4" aria-hidden /> },
  { value: "system", label: "System", icon: <Monitor className="h-4 w-4" aria-hidden /> },
] as const;

export function AppearanceSection() {
  const theme = useSettings((s) => s.theme);
  return (
    <RadioGroup<ThemeSetting>
      name="theme"
      legend="Theme"
      value={theme}
      options={THEMES}
      onChange={(value) => void updateSettings({ theme: value })}
    />
  );
}
