/**
 * CLI entry: `npm run simulator`, the PSP as its own process (crash tests kill it; state survives in
 * SIMULATOR_STORE, default .data/simulator). Env: SIMULATOR_PORT (12111), SIMULATOR_HOST,
 * SIMULATOR_PUBLIC_URL, SIMULATOR_WEBHOOK_URL, SIMULATOR_WEBHOOK_SECRET, SIMULATOR_STORE, SIMULATOR_STORE_FSYNC,
 * SIMULATOR_DISPUTE_DELAY_MS (2000).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { env } from "../../env";
import { storeFromEnv } from "./persistence/config";
import { startSimulator, type SimulatorOptions } from "./server";

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

async function main(): Promise<void> {
  const raw = process.env;
  const portText = raw.SIMULATOR_PORT ?? "12111";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`SIMULATOR_PORT must be a port number, got '${portText}'`);
  const opts: SimulatorOptions = { port, host: raw.SIMULATOR_HOST || "127.0.0.1" };
  if (raw.SIMULATOR_WEBHOOK_URL) opts.webhookUrl = raw.SIMULATOR_WEBHOOK_URL;
  if (raw.SIMULATOR_WEBHOOK_SECRET) opts.webhookSecret = raw.SIMULATOR_WEBHOOK_SECRET;
  if (raw.SIMULATOR_PUBLIC_URL) opts.publicUrl = raw.SIMULATOR_PUBLIC_URL;
  opts.store = storeFromEnv(env(), PROJECT_ROOT);
  if (raw.SIMULATOR_DISPUTE_DELAY_MS) {
    const delay = Number(raw.SIMULATOR_DISPUTE_DELAY_MS);
    if (!Number.isSafeInteger(delay) || delay < 0) throw new Error(`SIMULATOR_DISPUTE_DELAY_MS must be a non-negative integer, got '${raw.SIMULATOR_DISPUTE_DELAY_MS}'`);
    opts.disputeDelayMs = delay;
  }
  const sim = await startSimulator(opts);
  const where = opts.store ? `state in ${path.relative(process.cwd(), opts.store.dir) || "."}` : "state in memory";
  console.log(`[psp-simulator] listening on ${sim.url} (${where})${opts.webhookUrl ? ` (webhooks -> ${opts.webhookUrl})` : ""}`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`[psp-simulator] ${signal}, shutting down`);
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    // close() answers nothing more, writes the last changes and releases the data folder.
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err: unknown) => {
  console.error("[psp-simulator] failed to start:", err instanceof Error ? err.message : err);
  process.exit(1);
});
