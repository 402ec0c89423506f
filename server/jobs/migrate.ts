import { Logger, runMigrations } from "graphile-worker";
import { safeErrorLog } from "../log-safe";
import { logger } from "../logger";

/**
 * graphile-worker's log lines through our structured logger. Its meta can hold a whole pg client,
 * a job with its payload, or an error whose message quotes query parameters: only ids and a safe
 * summary of the error are kept.
 */
export const workerLogger = new Logger((scope) => (level, message, meta) => {
  const job = meta?.job as { id?: string; attempts?: number } | undefined;
  const fields = {
    worker: scope.workerId,
    task: scope.taskIdentifier,
    jobId: scope.jobId ?? job?.id,
    ...(job?.attempts !== undefined ? { attempts: job.attempts } : {}),
    ...(meta?.error !== undefined ? { err: safeErrorLog(meta.error) } : {}),
  };
  // A failed attempt is retried with backoff (an event before its object, a receiver down): a warning;
  // jobs that exhaust their attempts are listed by server/jobs/dead-letter.ts.
  if (level === "error" && !message.startsWith("Failed task")) logger.error(fields, message);
  else if (level === "error") logger.warn(fields, message);
  else if (level === "warning") logger.warn(fields, message);
  // One "Completed task" line per job is noise at load; the worker's own start/stop lines stay at info.
  else if (level === "info" && !message.startsWith("Completed task")) logger.info(fields, message);
  else logger.debug(fields, message);
});

/** Creates or upgrades graphile-worker's own schema (graphile_worker); idempotent and safe to run concurrently. */
export async function migrateJobQueue(connectionString: string): Promise<void> {
  await runMigrations({ connectionString, logger: workerLogger });
}
