/** The app's one database connection, opened on first use (tests install their own). */

import { Repo } from "./repo";

let current: Promise<Repo> | null = null;

export function getRepo(): Promise<Repo> {
  current ??= Repo.open();
  return current;
}

export function setRepo(repo: Repo | null): void {
  current = repo ? Promise.resolve(repo) : null;
}
