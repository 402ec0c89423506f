import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { DEFAULT_DATABASE_URL } from "../../db/client";
import { env } from "../../server/env";
import { DATA_DIR, RUNNING_DB_URL_FILE, RUNNING_PSP_URL_FILE } from "./paths";

/**
 * While `npm run dev`/`npm start` run on the embedded cluster, its URL is kept in .data so the
 * operator commands (ledger:verify, db:migrate) reach the same database without configuration.
 */
export function recordRunningDatabaseUrl(url: string): () => void {
  writeFileSync(RUNNING_DB_URL_FILE, url, { mode: 0o600 });
  return () => rmSync(RUNNING_DB_URL_FILE, { force: true });
}

/** DATABASE_URL, else the running embedded cluster, else the local server's `payrail` database. */
export function resolveDatabaseUrl(): string {
  const configured = env().DATABASE_URL;
  if (configured) return configured;
  if (existsSync(RUNNING_DB_URL_FILE)) return readFileSync(RUNNING_DB_URL_FILE, "utf8").trim();
  return DEFAULT_DATABASE_URL;
}

/** Kept while the launcher's in-process simulator runs (it may be on a free port, not the default one). */
export function recordRunningPspUrl(url: string): () => void {
  mkdirSync(DATA_DIR, { recursive: true }); // absent when the database is external
  writeFileSync(RUNNING_PSP_URL_FILE, url, { mode: 0o600 });
  return () => rmSync(RUNNING_PSP_URL_FILE, { force: true });
}

/** The running launcher's simulator URL, if one runs. */
export function runningPspUrl(): string | undefined {
  return existsSync(RUNNING_PSP_URL_FILE) ? readFileSync(RUNNING_PSP_URL_FILE, "utf8").trim() || undefined : undefined;
}
