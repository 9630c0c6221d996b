/**
 * Starts `lmarena-server --fake-arena` on a free port, waits for `GET /ready`, and stops it after
 * the run. The URL reaches the tests through E2E_BASE_URL (workers inherit the environment).
 * With E2E_BASE_URL already set, an existing server is used instead.
 */

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, openSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "../..");

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`lmarena-server exited with code ${child.exitCode}; see test-results/server.log`);
    try {
      const response = await fetch(`${url}/ready`);
      if (response.ok) return;
      last = `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(
    `lmarena-server was not ready after ${timeoutMs / 1000} s (${last}); see test-results/server.log`,
  );
}

export default async function globalSetup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.E2E_BASE_URL) return undefined;
  const binary = process.env.LMARENA_SERVER ?? resolve(repoRoot, ".venv/bin/lmarena-server");
  if (!existsSync(binary))
    throw new Error(`${binary} not found: install the Python package first (scripts/setup)`);
  if (!existsSync(resolve(repoRoot, "lmarena_api/webui_dist/index.html"))) {
    throw new Error("lmarena_api/webui_dist is not built: run `npm run build` first");
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  mkdirSync(resolve(here, "../test-results"), { recursive: true });
  const log = openSync(resolve(here, "../test-results/server.log"), "w");
  const env: NodeJS.ProcessEnv = { ...process.env, LM_ARENA_BROWSER_HEADLESS: "1" };
  delete env.LM_ARENA_REDIS_URL; // one process, in-memory broker
  delete env.LM_ARENA_API_KEYS; // the key tests fake their 401s
  const child = spawn(binary, ["--fake-arena", "--port", String(port)], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", log, log],
    detached: true,
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    process.kill(-child.pid, "SIGTERM");
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }, 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitReady(url, child, 90_000);
  } catch (error) {
    await stop();
    throw error;
  }
  process.env.E2E_BASE_URL = url;
  return stop;
}
