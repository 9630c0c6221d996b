/**
 * Generated images arrive as signed URLs that expire (after an hour on LMArena). Each is fetched
 * once when its reply arrives and its bytes are kept in the database; messages show the stored
 * copy and fall back to the URL when the fetch failed (CORS, offline, already expired).
 */

import { create } from "zustand";
import { getRepo } from "../db/instance";

interface ImageCache {
  /** URL → object URL of the stored copy, or null when there is none. */
  resolved: Record<string, string | null>;
}

export const useImageCache = create<ImageCache>(() => ({ resolved: {} }));

/** Only http(s) URLs expire; data: and blob: URLs are already the image. */
export function isRemoteImage(url: string): boolean {
  return /^https?:/i.test(url);
}

function remember(url: string, blob: Blob | null): void {
  const objectUrl = blob ? URL.createObjectURL(blob) : null;
  useImageCache.setState((s) => {
    const old = s.resolved[url];
    if (old) URL.revokeObjectURL(old);
    return { resolved: { ...s.resolved, [url]: objectUrl } };
  });
}

const looking = new Set<string>();

/** Looks up the stored copy of `url` (once per URL and page). */
export async function resolveImage(url: string): Promise<void> {
  if (!isRemoteImage(url) || looking.has(url) || url in useImageCache.getState().resolved) return;
  looking.add(url);
  try {
    const stored = await (await getRepo()).getImage(url);
    remember(url, stored?.blob ?? null);
  } catch {
    remember(url, null);
  } finally {
    looking.delete(url);
  }
}

/** Fetches the reply's images and stores their bytes; failures leave the URLs in use. */
export async function keepImages(chatId: string, messageId: string, urls: readonly string[]): Promise<void> {
  const repo = await getRepo();
  await Promise.all(
    urls.filter(isRemoteImage).map(async (url) => {
      try {
        if (await repo.getImage(url)) return;
        const response = await fetch(url, { mode: "cors", credentials: "omit" });
        if (!response.ok) return;
        const blob = await response.blob();
        if (!blob.type.startsWith("image/")) return;
        await repo.putImage({ url, chatId, messageId, blob });
        remember(url, blob);
      } catch {
        // not fetchable from the page (no CORS, offline): the URL is shown while it lasts
      }
    }),
  );
}
