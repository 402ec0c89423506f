/**
 * The product as `npm start` runs it (scripts/launcher/launch.ts), on the bench database: the job
 * queue's schema, the simulator with webhooks aimed at /api/webhooks/stripe signed with the
 * launcher's secret, the job worker process (the launcher's spawnWorker), `next start` with the
 * launcher's environment (product defaults for DB_POOL_MAX and LOG_LEVEL unless the bench is told
 * otherwise), then one merchant with one webhook endpoint for every event (`*`) pointing at a
 * receiver in this process. Logs of the app and the worker go to files, not through this process.
 */
import type { ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createDatabase } from "../db/client";
import { migrateJobQueue } from "../server/jobs/migrate";
import { createMerchant } from "../server/merchants/service";
import { SIMULATOR_SECRET_KEY } from "../server/psp";
import { startSimulator, type RunningSimulator } from "../server/psp/simulator/server";
import { simulatorWebhookOptions } from "../scripts/launcher/psp";
import { spawnWorker, stopWorker } from "../scripts/launcher/worker";
import { fileTail, freePort, startApp, type RunningApp } from "./app";
import { startReceiver, type RunningReceiver } from "./receiver";

export interface ProductStack {
  app: RunningApp;
  sim: RunningSimulator;
  worker: { pid: number; tail(): string };
  receiver: RunningReceiver;
  merchant: { id: string; secretKey: string };
  endpointId: string;
  /** The key the app calls the simulator with (the launcher sets none: the simulator's default). */
  pspKey: string;
  /** Stops the app and the worker (the simulator and receiver stay up for the checks). */
  stopProcesses(): Promise<void>;
  stop(): Promise<void>;
}

export interface StackOptions {
  databaseUrl: string;
  stamp: string;
  /** Log files of next start and the worker. */
  appLog: string;
  workerLog: string;
  /** DB_POOL_MAX / LOG_LEVEL overrides; unset = the product's defaults, as under the launcher. */
  poolMax?: number;
  logLevel?: string;
}

let liveWorker: ChildProcess | undefined;

/** Synchronous last resort (process 'exit'): the worker is not in a process group of its own. */
export function killWorkerSync(): void {
  if (liveWorker && liveWorker.exitCode === null && liveWorker.signalCode === null) liveWorker.kill("SIGKILL");
}

async function waitForLine(file: string, needle: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fileTail(file, 200).includes(needle)) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the job worker exited (${child.exitCode ?? child.signalCode}):\n${fileTail(file)}`);
    if (Date.now() > deadline) throw new Error(`the job worker did not start within ${timeoutMs / 1000}s:\n${fileTail(file)}`);
    await sleep(100);
  }
}

export async function startProductStack(opts: StackOptions): Promise<ProductStack> {
  const { databaseUrl } = opts;
  const stack: Partial<ProductStack> = {};
  let worker: ChildProcess | undefined;
  let simDir: string | undefined;
  const stopProcesses = async () => {
    await stack.app?.stop().catch(() => {});
    if (worker) await stopWorker(worker).catch(() => {});
  };
  const stop = async () => {
    await stopProcesses();
    await stack.sim?.close().catch(() => {});
    if (simDir) rmSync(simDir, { recursive: true, force: true });
    await stack.receiver?.close().catch(() => {});
  };
  try {
    // Launcher order: PSP (its webhook URL needs the app's port), job queue schema, worker, app.
    const appPort = await freePort();
    const { webhookSecrets, ...simOpts } = simulatorWebhookOptions(appPort);
    // The launcher's simulator keeps its state durably (a journal write per call): so does the bench's, in a folder of its own.
    simDir = mkdtempSync(path.join(os.tmpdir(), "payrail-bench-psp-"));
    stack.sim = await startSimulator({ ...simOpts, port: 0, store: { dir: simDir } });
    const pspEnv = { STRIPE_API_BASE: stack.sim.url, STRIPE_WEBHOOK_SECRET: webhookSecrets };
    const overrides = { ...(opts.poolMax ? { DB_POOL_MAX: String(opts.poolMax) } : {}), ...(opts.logLevel ? { LOG_LEVEL: opts.logLevel } : {}) };
    await migrateJobQueue(databaseUrl);

    const fd = openSync(opts.workerLog, "a");
    worker = spawnWorker({ DATABASE_URL: databaseUrl, ...pspEnv, ...overrides }, { output: fd });
    closeSync(fd);
    liveWorker = worker;
    await waitForLine(opts.workerLog, "[worker] running", worker, 60_000);
    const workerPid = worker.pid!;
    stack.worker = { pid: workerPid, tail: () => fileTail(opts.workerLog) };

    stack.app = await startApp({
      databaseUrl,
      pspUrl: stack.sim.url,
      port: appPort,
      poolMax: opts.poolMax,
      logLevel: opts.logLevel ?? null,
      logFile: opts.appLog,
      extraEnv: { STRIPE_WEBHOOK_SECRET: webhookSecrets },
    });

    const setup = createDatabase(databaseUrl, { max: 1 });
    const merchant = await createMerchant(setup.db, { name: `bench ${opts.stamp}` }).finally(() => setup.close());
    stack.merchant = { id: merchant.merchantId, secretKey: merchant.secretKey };

    stack.receiver = await startReceiver();
    const body = new URLSearchParams({ url: stack.receiver.url, "enabled_events[]": "*", description: "bench receiver" });
    const res = await fetch(`${stack.app.url}/v1/webhook_endpoints`, {
      method: "POST",
      headers: { authorization: `Bearer ${merchant.secretKey}`, "content-type": "application/x-www-form-urlencoded" },
      body,
    });
    const json = (await res.json()) as { id?: string; secret?: string; error?: { message?: string } };
    if (!res.ok || !json.id || !json.secret) throw new Error(`webhook endpoint registration failed: ${res.status} ${json.error?.message ?? ""}`);
    stack.receiver.setSecret(json.secret);
    stack.endpointId = json.id;

    return { ...(stack as Required<Omit<ProductStack, "stop" | "stopProcesses" | "pspKey">>), pspKey: SIMULATOR_SECRET_KEY, stopProcesses, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
