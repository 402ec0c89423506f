/**
 * `npm run worker`: the job worker on its own (the launcher also starts one beside the app).
 * Reads DATABASE_URL and the PSP settings like the app does; stops cleanly on SIGINT/SIGTERM.
 */
import { DEFAULT_DATABASE_URL } from "@/db/client";
import { getDatabase } from "../db";
import { env } from "../env";
import { logger } from "../logger";
import { getPsp } from "../psp";
import { startWorker } from "./worker";

async function main(): Promise<void> {
  const database = getDatabase();
  const runner = await startWorker({
    connectionString: env().DATABASE_URL ?? DEFAULT_DATABASE_URL,
    ctx: { db: database.db, psp: getPsp() },
    concurrency: env().WORKER_CONCURRENCY,
  });
  logger.info({ pid: process.pid }, "job worker started");
  console.log(`[worker] running (pid ${process.pid})`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await runner.stop().catch(() => {});
    await database.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
  await runner.promise;
}

main().catch((e: unknown) => {
  console.error("[worker]", e instanceof Error ? e.message : e);
  process.exit(1);
});
