import { env } from "../env";
import { run, type Runner, type Task, type TaskList } from "graphile-worker";
import { DisputedPaymentNotYetKnown } from "../disputes/apply";
import { isDomainError } from "../errors";
import { NotYetConverged } from "../payments/converge";
import { ObjectNotYetKnown } from "../inbox/handlers";
import { safeErrorLog } from "../log-safe";
import { logger } from "../logger";
import { purgeExpiredIdempotencyKeys } from "../idempotency/purge";
import { processPspEvent } from "../inbox/process";
import type { PaymentsContext } from "../payments/context";
import { recoverStaleAttempts } from "../payments/recovery";
import { runReconciliation } from "../reconciliation";
import { DELIVERY_MAX_ATTEMPTS, DELIVERY_TIMEOUT_MS, DeliveryFailed, deliverPending } from "../webhooks/deliver";
import { enqueueOrphanDeliveries } from "../webhooks/sweep";
import { TASKS } from "./enqueue";
import { workerLogger } from "./migrate";

export interface WorkerOptions {
  connectionString: string;
  ctx: PaymentsContext;
  concurrency?: number;
  /** Cron sweeps on (default). Tests that drive jobs by hand turn them off. */
  crontab?: boolean;
  deliveryTimeoutMs?: number;
}

/** Errors whose messages we wrote (ids and statuses only): expected retries and domain answers. */
const isOwnError = (e: unknown) =>
  isDomainError(e) || e instanceof ObjectNotYetKnown || e instanceof NotYetConverged || e instanceof DisputedPaymentNotYetKnown || e instanceof DeliveryFailed;

/**
 * graphile-worker logs a failed job's error message and stores it in graphile_worker.jobs.last_error.
 * A database error's message quotes query parameters (request data), so only our own errors keep
 * their message; anything else is logged safely here and rethrown as its class and SQL state.
 */
export function withSafeErrors(tasks: TaskList): TaskList {
  return Object.fromEntries(
    Object.entries(tasks).map(([name, task]) => [
      name,
      (async (payload, helpers) => {
        try {
          return await (task as Task)(payload, helpers);
        } catch (e) {
          if (isOwnError(e)) throw e; // our own messages name ids only
          const safe = safeErrorLog(e);
          logger.warn({ task: name, jobId: helpers.job.id, err: safe }, "job failed");
          throw new Error(`${name} failed: ${safe.errorClass}${safe.sqlState ? ` (SQLSTATE ${safe.sqlState})` : ""}`);
        }
      }) satisfies Task,
    ]),
  );
}

/** The worker's jobs. Each is safe to run twice and on several workers at once. */
export function taskList(opts: Pick<WorkerOptions, "ctx" | "deliveryTimeoutMs">): TaskList {
  const { ctx } = opts;
  return withSafeErrors({
    [TASKS.pspEvent]: async (payload) => {
      await processPspEvent(ctx, (payload as { inboxId: string }).inboxId);
    },
    [TASKS.deliverWebhooks]: async (payload, helpers) => {
      const { endpointId, objectId } = payload as { endpointId: string; objectId: string };
      // graphile counts the running attempt already; the last one gives up on the head delivery.
      const lastAttempt = helpers.job.attempts >= Math.min(helpers.job.max_attempts, DELIVERY_MAX_ATTEMPTS);
      await deliverPending(ctx.db, { endpointId, objectId, lastAttempt }, opts.deliveryTimeoutMs ?? DELIVERY_TIMEOUT_MS);
    },
    [TASKS.sweepWebhooks]: async () => {
      await enqueueOrphanDeliveries(ctx.db);
    },
    [TASKS.recoverStale]: async () => {
      await recoverStaleAttempts(ctx, { olderThanMs: 30_000, maxTries: env().RECOVERY_MAX_TRIES });
    },
    [TASKS.purgeIdempotency]: async () => {
      await purgeExpiredIdempotencyKeys(ctx.db);
    },
    [TASKS.reconcile]: async (payload) => {
      await runReconciliation(ctx, reconciliationPeriodOf(payload as ReconcilePayload));
    },
  });
}

/**
 * Sweeps, as graphile-worker cron items: each fires once per slot across all workers (it keeps
 * the schedule in the database), `max=1` so a failed sweep waits for the next slot.
 */
export const CRONTAB = [
  `* * * * * ${TASKS.recoverStale} ?max=1`,
  `* * * * * ${TASKS.sweepWebhooks} ?max=1`,
  `17 * * * * ${TASKS.purgeIdempotency} ?max=1`,
  `10 3 * * * ${TASKS.reconcile} ?max=3`, // yesterday (UTC), once the PSP's day is complete
].join("\n");

/** On demand: `{ from, to, merchantId? }`; from the crontab: graphile's `_cron.ts`, reconciling the UTC day before it. */
type ReconcilePayload = { from?: string; to?: string; merchantId?: string; _cron?: { ts: string } };

export function reconciliationPeriodOf(payload: ReconcilePayload): { from: string; to: string; merchantId?: string } {
  if (payload.from && payload.to) return { from: payload.from, to: payload.to, ...(payload.merchantId ? { merchantId: payload.merchantId } : {}) };
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const at = new Date(payload._cron?.ts ?? Date.now());
  return { from: day(new Date(at.getTime() - 86_400_000)), to: day(at) };
}

/** Starts a worker (runs graphile's migrations first). Several at once are safe: jobs are locked with SKIP LOCKED. */
export function startWorker(opts: WorkerOptions): Promise<Runner> {
  return run({
    connectionString: opts.connectionString,
    concurrency: opts.concurrency ?? 4,
    noHandleSignals: true,
    pollInterval: 2000,
    taskList: taskList(opts),
    crontab: opts.crontab === false ? "" : CRONTAB,
    logger: workerLogger,
  });
}
