import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";

/** Task names, shared by producers (SQL add_job) and the worker's task list; letters, digits and `_` only (graphile crontab syntax). */
export const TASKS = {
  pspEvent: "psp_event",
  deliverWebhooks: "webhooks_deliver",
  sweepWebhooks: "webhooks_sweep",
  recoverStale: "payments_recover_stale",
  purgeIdempotency: "idempotency_purge",
  reconcile: "reconciliation_run",
} as const;

export interface AddJobOptions {
  jobKey?: string;
  maxAttempts?: number;
  queueName?: string;
}

/**
 * Adds a graphile-worker job with SQL on the given handle, so it commits (or rolls back) with the
 * caller's transaction. The worker picks it up through LISTEN/NOTIFY in tens of milliseconds.
 */
export async function addJob(db: DbOrTx, task: string, payload: Record<string, unknown>, opts: AddJobOptions = {}): Promise<void> {
  await db.execute(
    sql`select graphile_worker.add_job(${task}, ${JSON.stringify(payload)}::json, queue_name := ${opts.queueName ?? null}::text, max_attempts := ${opts.maxAttempts ?? null}::int, job_key := ${opts.jobKey ?? null}::text)`,
  );
}
