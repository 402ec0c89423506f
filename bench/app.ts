/**
 * Production build check and the `next start` child process. The child runs in its own process
 * group (detached) so stopping it kills next-server too (see shared/STACK.md traps).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export const ROOT = path.resolve(import.meta.dirname, "..");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs `next build` when there is no production build yet. */
export function ensureBuild(log: (m: string) => void): void {
  if (existsSync(path.join(ROOT, ".next", "BUILD_ID"))) return;
  log("no production build (.next/BUILD_ID missing): running next build ...");
  const r = spawnSync("npx", ["next", "build"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
  });
  if (r.status !== 0) throw new Error(`next build failed (exit ${r.status})`);
}

export interface RunningApp {
  url: string;
  pid: number;
  stop(): Promise<void>;
  /** Last lines of the app's stdout/stderr, for failure reports. */
  tail(): string;
}

export interface AppEnv {
  databaseUrl: string;
  pspUrl: string;
  /** STRIPE_SECRET_KEY of the app; unset as under the launcher (the simulator's default key). */
  pspKey?: string;
  /** DB_POOL_MAX; unset = the product's default, as under the launcher. */
  poolMax?: number;
  /** LOG_LEVEL; "silent" unless given, `null` = the product's default (as under the launcher). */
  logLevel?: string | null;
  /** Listen on this port (the simulator's webhook URL needs it before the app starts). */
  port?: number;
  /** Extra environment for the app. */
  extraEnv?: Record<string, string>;
  /** Write the app's stdout and stderr to this file instead of a pipe read by the bench (no driver CPU). */
  logFile?: string;
  /** Node flags (profiling: --cpu-prof); runs `node <flags> next/dist/bin/next start` instead of the .bin shim. */
  nodeArgs?: string[];
}

const live = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

/** Synchronous last resort for process 'exit' and signals: kill every app group we started. */
export function killAllAppsSync(): void {
  for (const c of live) killGroup(c, "SIGKILL");
  live.clear();
}

export async function startApp(env: AppEnv, opts: { readyTimeoutMs?: number } = {}): Promise<RunningApp> {
  const port = env.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const startArgs = ["start", "-p", String(port), "-H", "127.0.0.1"];
  const [cmd, args] = env.nodeArgs
    ? [process.execPath, [...env.nodeArgs, path.join(ROOT, "node_modules", "next", "dist", "bin", "next"), ...startArgs]]
    : [path.join(ROOT, "node_modules", ".bin", "next"), startArgs];
  const logFd = env.logFile ? openSync(env.logFile, "a") : undefined;
  const child = spawn(cmd, args, {
    cwd: ROOT,
    detached: true,
    stdio: env.logFile ? ["ignore", logFd!, logFd!] : ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      DATABASE_URL: env.databaseUrl,
      STRIPE_API_BASE: env.pspUrl,
      ...(env.pspKey ? { STRIPE_SECRET_KEY: env.pspKey } : {}),
      ...(env.poolMax ? { DB_POOL_MAX: String(env.poolMax) } : {}),
      ...(env.logLevel === null ? {} : { LOG_LEVEL: env.logLevel ?? "silent" }),
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      ...env.extraEnv,
    },
  });
  if (logFd !== undefined) closeSync(logFd);
  live.add(child);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const l of chunk.toString().split("\n")) if (l.trim()) lines.push(l);
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited: number | null | undefined;
  const exitedP = new Promise<void>((resolve) =>
    child.once("exit", (code) => {
      exited = code;
      live.delete(child);
      resolve();
    }),
  );

  const stop = async () => {
    if (exited !== undefined) return;
    killGroup(child, "SIGTERM");
    const t = setTimeout(() => killGroup(child, "SIGKILL"), 3000);
    await exitedP;
    clearTimeout(t);
    killGroup(child, "SIGKILL"); // stragglers in the group (next-server)
  };
  const tail = () => (env.logFile ? fileTail(env.logFile) : lines.slice(-30).join("\n"));
  const app: RunningApp = { url, pid: child.pid!, stop, tail };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exited !== undefined) throw new Error(`next start exited (${exited}) before it was ready:\n${app.tail()}`);
    try {
      // Unauthenticated request: a 401 JSON answer means the route handlers are up.
      const res = await fetch(`${url}/v1/payment_intents`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 401) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start not ready after ${opts.readyTimeoutMs ?? 60_000} ms:\n${app.tail()}`);
    }
    await sleep(100);
  }
  return app;
}

/** The last lines of a log file, for failure reports. */
export function fileTail(file: string, n = 30): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-n).join("\n");
  } catch {
    return "";
  }
}
