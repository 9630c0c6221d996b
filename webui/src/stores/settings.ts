/** User settings, kept in IndexedDB (the theme is mirrored to localStorage for the first paint). */

import { create } from "zustand";
import { getRepo } from "../db/instance";
import { clampMaxChats } from "../lib/prune";
import { broadcast } from "../services/sync";
import { DEFAULT_SETTINGS, type Settings } from "../types";

export const THEME_MIRROR_KEY = "lmarena-webui-theme";

export interface SettingsState extends Settings {
  loaded: boolean;
}

export const useSettings = create<SettingsState>(() => ({ ...DEFAULT_SETTINGS, loaded: false }));

/** Keeps only known keys with valid values. */
export function sanitizeSettings(raw: Partial<Settings>): Settings {
  const s = { ...DEFAULT_SETTINGS };
  if (raw.theme === "light" || raw.theme === "dark" || raw.theme === "system") s.theme = raw.theme;
  if (typeof raw.streaming === "boolean") s.streaming = raw.streaming;
  if (typeof raw.maxChats === "number") s.maxChats = clampMaxChats(raw.maxChats);
  if (raw.sendKey === "enter" || raw.sendKey === "ctrl-enter") s.sendKey = raw.sendKey;
  if (typeof raw.apiKey === "string") s.apiKey = raw.apiKey;
  if (typeof raw.lastModel === "string") s.lastModel = raw.lastModel;
  return s;
}

export function currentSettings(): Settings {
  const { loaded: _loaded, ...settings } = useSettings.getState();
  void _loaded;
  return settings;
}

function mirrorTheme(theme: Settings["theme"]): void {
  try {
    localStorage.setItem(THEME_MIRROR_KEY, theme);
  } catch {
    // storage may be unavailable (private mode); the theme still applies after load
  }
}

export async function loadSettings(): Promise<void> {
  const repo = await getRepo();
  const settings = sanitizeSettings(await repo.loadSettings());
  useSettings.setState({ ...settings, loaded: true });
  mirrorTheme(settings.theme);
}

export async function updateSettings(patch: Partial<Settings>): Promise<Settings> {
  const next = sanitizeSettings({ ...currentSettings(), ...patch });
  useSettings.setState(next);
  if (patch.theme) mirrorTheme(next.theme);
  const repo = await getRepo();
  await repo.saveSettings(next);
  broadcast({ kind: "settings" });
  return next;
}
