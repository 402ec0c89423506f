import type { SQL } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";

/** Internal helpers for the ledger's hand-written SQL; not part of the public API. */

/** Runs `query` (built with drizzle's sql template) and returns its rows. */
export async function rows<T extends Record<string, unknown>>(db: DbOrTx, query: SQL): Promise<T[]> {
  return (await db.execute<T>(query)) as unknown as T[];
}

/**
 * Runs a constant statement text with positional parameters as a prepared statement, skipping the
 * SQL builder: for the posting hot path, where the text never changes.
 */
export async function preparedRows<T extends Record<string, unknown>>(db: DbOrTx, text: string, params: unknown[]): Promise<T[]> {
  return db._.session
    .prepareQuery<{ execute: T[]; all: T[]; values: unknown[][] }>({ sql: text, params }, undefined, "ledger", false)
    .execute();
}

/**
 * A PostgreSQL array literal for a list of integers or identifier-like strings, sent as one text
 * parameter and cast in SQL (`$1::bigint[]`), so statements keep one text whatever the list length.
 */
export function pgArray(values: readonly (bigint | string)[]): string {
  return `{${values.map((v) => (typeof v === "string" ? pgArrayItem(v) : v.toString())).join(",")}}`;
}

/** An identifier-like array element (codes, currencies); anything else is refused, not escaped. */
export function pgArrayItem(value: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(value)) throw new Error(`unsafe array element: ${value}`);
  return value;
}

/** sum() over bigint yields numeric; it is read as text and parsed exactly, never through a float. */
export function toBigInt(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value);
  if (value === null || value === undefined) return 0n;
  throw new Error(`expected an integer from the database, got ${String(value)}`);
}
