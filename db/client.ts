import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

export type Db = PostgresJsDatabase<typeof schema>;
/** A database handle or an open transaction; data access functions take either. */
export type DbOrTx = Db | Parameters<Parameters<Db["transaction"]>[0]>[0];

export interface Database {
  db: Db;
  sql: postgres.Sql;
  close(): Promise<void>;
}

type AnySql = postgres.Sql | postgres.TransactionSql;

/**
 * Drizzle sends its statements unnamed, so PostgreSQL parses and plans each one every time. This
 * wrapper asks postgres.js to name them instead: each connection prepares a statement text once
 * and reuses it (drizzle's texts are stable; values are always parameters).
 */
function preparing<T extends AnySql>(client: T): T {
  return new Proxy(client, {
    get(target, prop) {
      if (prop === "unsafe") {
        return (query: string, params?: unknown[], options?: { prepare?: boolean }) =>
          (target as postgres.Sql).unsafe(query, params as never, { ...options, prepare: true });
      }
      if (prop === "begin" || prop === "savepoint") {
        return (...args: unknown[]) => {
          const fn = args.pop() as (tx: AnySql) => unknown;
          const method = (target as unknown as Record<string, (...a: unknown[]) => unknown>)[prop]!;
          return method.call(target, ...args, (tx: AnySql) => fn(preparing(tx)));
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export function createDatabase(url: string, opts: { max?: number } = {}): Database {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    // bigint columns come back as JS bigint: money never passes through a float.
    types: { bigint: postgres.BigInt },
    // Short OLTP statements: PostgreSQL's JIT compiles a plan whose estimated cost crosses a
    // threshold (stale statistics after a bulk load are enough) and spends 100+ ms doing it, per
    // statement (measured: reconciliation batches 0.25-0.5 s each with it, a few ms without).
    connection: { jit: "off" },
  });
  const db = drizzle(preparing(sql), { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

/** Where a developer's local PostgreSQL is (trust auth); used when DATABASE_URL is unset. */
export const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/payrail";
