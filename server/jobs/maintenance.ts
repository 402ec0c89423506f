import type { Database } from "@/db/client";
import { purgeExpiredIdempotencyKeys } from "../idempotency/purge";
import { env } from "../env";
import { safeErrorLog } from "../log-safe";
import { logger } from "../logger";
import { recoverStaleAttempts } from "../payments/recovery";
import type { PspAdapter } from "../psp/types";

/** Arbitrary constant: one advisory lock so only one app instance runs a sweep at a time. */
const MAINTENANCE_LOCK = 7263548124;

export interface MaintenanceOptions {
  recoveryEveryMs?: number;
  purgeEveryMs?: number;
  /** Attempts younger than this are probably still running inside a request. */
  recoverOlderThanMs?: number;
}

/** Runs `work` only if this process wins the session advisory lock on a reserved connection. */
async function exclusively(database: Database, name: string, work: () => Promise<unknown>): Promise<void> {
  const conn = await database.sql.reserve();
  try {
    const [row] = await conn`select pg_try_advisory_lock(${MAINTENANCE_LOCK}) as locked`;
    if (!row?.locked) return;
    try {
      const result = await work();
      logger.debug({ job: name, result }, "maintenance job done");
    } finally {
      await conn`select pg_advisory_unlock(${MAINTENANCE_LOCK})`;
    }
  } catch (e) {
    logger.warn({ job: name, err: safeErrorLog(e) }, "maintenance job failed"); // a DB error's message quotes parameters
  } finally {
    conn.release();
  }
}

/**
 * Periodic sweeps until the async plane's job worker takes them over: resolve PSP calls left in
 * flight by a crash or timeout, and purge expired idempotency keys. Returns a stop function.
 */
export function startMaintenance(database: Database, psp: PspAdapter, opts: MaintenanceOptions = {}): () => void {
  const ctx = { db: database.db, psp };
  const maxTries = env().RECOVERY_MAX_TRIES;
  const recovery = setInterval(
    () => void exclusively(database, "recover-stale-attempts", () => recoverStaleAttempts(ctx, { olderThanMs: opts.recoverOlderThanMs ?? 30_000, maxTries })),
    opts.recoveryEveryMs ?? 15_000,
  );
  const purge = setInterval(
    () => void exclusively(database, "purge-idempotency-keys", () => purgeExpiredIdempotencyKeys(database.db)),
    opts.purgeEveryMs ?? 3_600_000,
  );
  recovery.unref();
  purge.unref();
  return () => {
    clearInterval(recovery);
    clearInterval(purge);
  };
}
