/** A fresh database and fresh stores for each store test. */

import "fake-indexeddb/auto";
import { setRepo } from "../db/instance";
import { Repo } from "../db/repo";
import { useChats } from "../stores/chats";
import { useDrafts } from "../stores/drafts";
import { useSettings } from "../stores/settings";
import { DEFAULT_SETTINGS } from "../types";

let counter = 0;

export async function freshStores(): Promise<Repo> {
  const repo = await Repo.open(`test-db-${++counter}-${Math.random()}`);
  setRepo(repo);
  useChats.setState({ ready: false, chats: {}, activeId: null, threads: {}, running: {}, filled: {} });
  useSettings.setState({ ...DEFAULT_SETTINGS, loaded: true });
  useDrafts.setState({ drafts: {} });
  return repo;
}
