import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { setDeliveriesStatus } from "../webhooks/repository";
import { TASKS } from "./enqueue";

/** A job that used up its attempts: graphile-worker keeps it (never runs it again) until replayed. */
export interface DeadJob {
  id: string;
  task: string;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  key: string | null;
  failedAt: Date;
}

/** The dead-letter list for admins, newest failures first. */
export async function listDeadJobs(db: DbOrTx, opts: { task?: string; limit?: number } = {}): Promise<DeadJob[]> {
  const rows = await db.execute<{
    id: string;
    task: string;
    payload: Record<string, unknown>;
    attempts: number;
    max_attempts: number;
    last_error: string | null;
    key: string | null;
    updated_at: string | Date;
  }>(sql`
    select j.id::text as id, t.identifier as task, j.payload, j.attempts, j.max_attempts, j.last_error, j.key, j.updated_at
    from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id
    where j.attempts >= j.max_attempts and j.locked_at is null
      and (${opts.task ?? null}::text is null or t.identifier = ${opts.task ?? null}::text)
    order by j.updated_at desc
    limit ${opts.limit ?? 100}`);
  return rows.map((r) => ({
    id: r.id,
    task: r.task,
    payload: r.payload,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    lastError: r.last_error,
    key: r.key,
    failedAt: new Date(r.updated_at),
  }));
}

/**
 * Replays dead jobs: their attempts restart from zero and they run now. A webhook delivery job also
 * turns its failed deliveries back to pending so they are sent again, in order.
 */
export async function replayDeadJobs(db: DbOrTx, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const dead = (await listDeadJobs(db, { limit: 10_000 })).filter((j) => ids.includes(j.id));
  for (const job of dead) {
    if (job.task === TASKS.deliverWebhooks) {
      const { endpointId, objectId } = job.payload as { endpointId: string; objectId: string };
      await setDeliveriesStatus(db, endpointId, objectId, "failed", "pending");
    }
  }
  if (dead.length === 0) return 0;
  const idList = sql.join(dead.map((j) => sql`${j.id}::bigint`), sql`, `);
  const rows = await db.execute(sql`select id from graphile_worker.reschedule_jobs(array[${idList}], run_at := now(), attempts := 0)`);
  return rows.length;
}
