import { Logger, runMigrations } from "graphile-worker";
import { logger } from "../logger";

/** graphile-worker's log lines through our structured logger. */
export const workerLogger = new Logger((scope) => (level, message, meta) => {
  const fields = { worker: scope.workerId, task: scope.taskIdentifier, jobId: scope.jobId, ...(meta ?? {}) };
  if (level === "error") logger.error(fields, message);
  else if (level === "warning") logger.warn(fields, message);
  else if (level === "info") logger.info(fields, message);
  else logger.debug(fields, message);
});

/** Creates or upgrades graphile-worker's own schema (graphile_worker); idempotent and safe to run concurrently. */
export async function migrateJobQueue(connectionString: string): Promise<void> {
  await runMigrations({ connectionString, logger: workerLogger });
}
