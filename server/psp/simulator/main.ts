/** CLI entry: `npm run simulator`. Env: SIMULATOR_PORT (12111), SIMULATOR_HOST, SIMULATOR_PUBLIC_URL, SIMULATOR_WEBHOOK_URL, SIMULATOR_WEBHOOK_SECRET, SIMULATOR_DISPUTE_DELAY_MS (2000). */
import { startSimulator, type SimulatorOptions } from "./server";

async function main(): Promise<void> {
  const env = process.env;
  const portText = env.SIMULATOR_PORT ?? "12111";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`SIMULATOR_PORT must be a port number, got '${portText}'`);
  const opts: SimulatorOptions = { port, host: env.SIMULATOR_HOST || "127.0.0.1" };
  if (env.SIMULATOR_WEBHOOK_URL) opts.webhookUrl = env.SIMULATOR_WEBHOOK_URL;
  if (env.SIMULATOR_WEBHOOK_SECRET) opts.webhookSecret = env.SIMULATOR_WEBHOOK_SECRET;
  if (env.SIMULATOR_PUBLIC_URL) opts.publicUrl = env.SIMULATOR_PUBLIC_URL;
  if (env.SIMULATOR_DISPUTE_DELAY_MS) {
    const delay = Number(env.SIMULATOR_DISPUTE_DELAY_MS);
    if (!Number.isSafeInteger(delay) || delay < 0) throw new Error(`SIMULATOR_DISPUTE_DELAY_MS must be a non-negative integer, got '${env.SIMULATOR_DISPUTE_DELAY_MS}'`);
    opts.disputeDelayMs = delay;
  }
  const sim = await startSimulator(opts);
  console.log(`[psp-simulator] listening on ${sim.url}${opts.webhookUrl ? ` (webhooks -> ${opts.webhookUrl})` : ""}`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`[psp-simulator] ${signal}, shutting down`);
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
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
