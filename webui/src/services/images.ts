/**
 * Generated images arrive as signed URLs that expire (after an hour on LMArena). Each is fetched
 * once when its reply arrives and its bytes are kept in the database; messages show the stored
 * copy and fall back to the URL when the fetch failed (offline, refused, already expired).
 * The server fetches them (`POST /v1/images/content`), since the image's host need not let this
 * page read it; the page's own fetch is the fallback for servers without that route.
 */

import { create } from "zustand";
import { fetchImageContent } from "../api/client";
import { getRepo } from "../db/instance";
import { currentSettings } from "../stores/settings";

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

/** Images written by an import: messages show these copies from now on. */
export function showStoredImages(images: readonly { url: string; blob: Blob }[]): void {
  for (const { url, blob } of images) remember(url, blob);
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
        const blob = await fetchImage(url);
        if (!blob?.type.startsWith("image/")) return;
        await repo.putImage({ url, chatId, messageId, blob });
        remember(url, blob);
      } catch {
        // not fetchable (offline, refused): the URL is shown while it lasts
      }
    }),
  );
}

async function fetchImage(url: string): Promise<Blob | null> {
  try {
    return await fetchImageContent(url, { apiKey: currentSettings().apiKey });
  } catch {
    const response = await fetch(url, { mode: "cors", credentials: "omit" });
    return response.ok ? response.blob() : null;
  }
}
