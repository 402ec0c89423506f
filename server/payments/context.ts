import type { Db, DbOrTx } from "@/db/client";
import type { DomainError } from "../errors";
import type { PspAdapter } from "../psp/types";

export interface PaymentsContext {
  db: Db;
  psp: PspAdapter;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: DomainError };

/**
 * Called inside the transaction that makes an operation's effect durable, so the caller can store
 * its response (idempotency) atomically with the effect.
 */
export type Finalize = (tx: DbOrTx, outcome: Outcome<unknown>) => Promise<void>;

export interface CallOptions {
  finalize?: Finalize;
  /** The same request is being retried after an unresolved PSP call: resume it instead of refusing. */
  resume?: boolean;
  /** Identifies the caller's request (its idempotency reservation): ids derived from it let a resumed run find its own earlier work. */
  requestKey?: string;
}

/** Hands an operation's outcome to the caller's finalize hook, inside the given transaction. */
export async function finish(tx: DbOrTx, opts: CallOptions, outcome: Outcome<unknown>): Promise<void> {
  if (opts.finalize) await opts.finalize(tx, outcome);
}
