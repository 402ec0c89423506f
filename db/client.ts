import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { env } from "../server/env";
import * as schema from "./schema";

export type Db = PostgresJsDatabase<typeof schema>;
/** A database handle or an open transaction; data access functions take either. */
export type DbOrTx = Db | Parameters<Parameters<Db["transaction"]>[0]>[0];

export interface Database {
  db: Db;
  sql: postgres.Sql;
  close(): Promise<void>;
}

export function createDatabase(url: string, opts: { max?: number } = {}): Database {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    // bigint columns come back as JS bigint: money never passes through a float.
    types: { bigint: postgres.BigInt },
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

export const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/payrail";

let shared: Database | undefined;
/** The process-wide pool used by route handlers and tRPC. */
export function getDatabase(): Database {
  shared ??= createDatabase(env().DATABASE_URL ?? DEFAULT_DATABASE_URL, { max: env().DB_POOL_MAX ?? 10 });
  return shared;
}
