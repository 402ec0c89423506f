import { createDatabase, type Database, DEFAULT_DATABASE_URL } from "@/db/client";
import { env } from "./env";

let shared: Database | undefined;

/** The process-wide pool used by route handlers, tRPC and the maintenance sweeps, configured from env. */
export function getDatabase(): Database {
  shared ??= createDatabase(env().DATABASE_URL ?? DEFAULT_DATABASE_URL, { max: env().DB_POOL_MAX ?? 10 });
  return shared;
}
