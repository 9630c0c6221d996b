import { useEffect, useState } from "react";
import { getRepo } from "../../db/instance";

/** Chats whose messages contain `query` (searched in IndexedDB, debounced), with a snippet each. */
export function useMessageSearch(query: string): Map<string, string> | null {
  const [hits, setHits] = useState<Map<string, string> | null>(null);
  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setHits(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      void getRepo()
        .then((repo) => repo.searchMessages(q))
        .then((found) => {
          if (live) setHits(new Map(found.map((h) => [h.chatId, h.snippet])));
        });
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query]);
  return hits;
}
