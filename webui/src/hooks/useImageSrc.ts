import { useEffect } from "react";
import { isRemoteImage, resolveImage, useImageCache } from "../services/images";

/**
 * What an <img> shows for `url`: the stored copy of a generated image when there is one, else
 * the URL itself. Null while the stored copy is being looked up (so an expired URL is not asked).
 */
export function useImageSrc(url: string): string | null {
  const remote = isRemoteImage(url);
  const resolved = useImageCache((s) => (remote ? s.resolved[url] : undefined));
  useEffect(() => {
    if (remote && resolved === undefined) void resolveImage(url);
  }, [remote, resolved, url]);
  if (!remote) return url;
  if (resolved === undefined) return null;
  return resolved ?? url;
}
