import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { DEFAULT_DATABASE_URL } from "../../db/client";
import { env } from "../../server/env";
import { RUNNING_DB_URL_FILE } from "./paths";

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
