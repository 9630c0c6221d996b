import { useEffect } from "react";
import { useSettings } from "../stores/settings";
import { useMediaQuery } from "./useMediaQuery";

/** Applies the theme setting to <html>; "system" follows the OS live (matchMedia change events). */
export function useThemeEffect(): void {
  const theme = useSettings((s) => s.theme);
  const loaded = useSettings((s) => s.loaded);
  const systemDark = useMediaQuery("(prefers-color-scheme: dark)");
  const dark = theme === "dark" || (theme === "system" && systemDark);
  useEffect(() => {
    if (!loaded) return; // index.html applied the saved theme before the first paint
    const root = document.documentElement;
    root.classList.toggle("dark", dark);
    root.style.colorScheme = dark ? "dark" : "light";
    root.dataset.theme = dark ? "dark" : "light";
  }, [dark, loaded]);
}
