import { env } from "../../server/env";
import { pspMode } from "../../server/psp/mode";
import { storeFromEnv } from "../../server/psp/simulator/persistence/config";
import { startSimulator } from "../../server/psp/simulator/server";
import { PROJECT_ROOT } from "./paths";
import { recordRunningPspUrl } from "./running-url";

export const SIMULATOR_WEBHOOK_SECRET = "whsec_simulator";

export interface PspSetup {
  /** "stripe": real Stripe (STRIPE_SECRET_KEY); "external": STRIPE_API_BASE given; "simulator": started here. */
  kind: "stripe" | "external" | "simulator";
  apiBase?: string;
  /** Extra environment for the Next process. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * How the launcher's simulator reaches the app: webhooks POSTed to /api/webhooks/stripe, signed with
 * the first of the app's secrets (it accepts every one of a comma-separated list, for rotation).
 * Shared with `npm run bench`, which must run the product as the launcher does.
 */
export function simulatorWebhookOptions(appPort: number): { host: string; webhookUrl: string; webhookSecret: string; webhookSecrets: string } {
  const webhookSecrets = env().STRIPE_WEBHOOK_SECRET ?? SIMULATOR_WEBHOOK_SECRET;
  const webhookSecret = webhookSecrets.split(",")[0]!.trim();
  return { host: "127.0.0.1", webhookUrl: `http://127.0.0.1:${appPort}/api/webhooks/stripe`, webhookSecret, webhookSecrets };
}

/** Real Stripe when a key is configured; otherwise the in-process simulator posting webhooks to the app. */
export async function preparePsp(appPort: number): Promise<PspSetup> {
  const noop = async () => {};
  const e = env();
  if (e.STRIPE_API_BASE) return { kind: pspMode(e) === "real" ? "stripe" : "external", apiBase: e.STRIPE_API_BASE, env: {}, close: noop };
  if (e.STRIPE_SECRET_KEY) return { kind: "stripe", env: {}, close: noop };

  const { webhookSecrets, ...webhookOpts } = simulatorWebhookOptions(appPort);
  // Like a real PSP it remembers: state in SIMULATOR_STORE (default .data/simulator) across restarts.
  const opts = { ...webhookOpts, store: storeFromEnv(e, PROJECT_ROOT) };
  const preferred = e.SIMULATOR_PORT ?? 12111;
  const sim = await startSimulator({ ...opts, port: preferred }).catch((err: NodeJS.ErrnoException) => {
    if (/is in use by process/.test(err.message)) {
      // Another launcher holds the simulator's folder: this one runs with a PSP that forgets on exit.
      console.log(`[launcher] ${err.message}; this simulator keeps its state in memory`);
      return startSimulator({ ...opts, store: undefined, port: preferred }).catch(() => startSimulator({ ...opts, store: undefined, port: 0 }));
    }
    if (err.code !== "EADDRINUSE") throw err;
    console.log(`[launcher] port ${preferred} is taken; the simulator uses a free port instead`);
    return startSimulator({ ...opts, port: 0 });
  });
  const forget = recordRunningPspUrl(sim.url);
  return {
    kind: "simulator",
    apiBase: sim.url,
    env: { STRIPE_API_BASE: sim.url, STRIPE_WEBHOOK_SECRET: webhookSecrets },
    close: async () => {
      forget();
      await sim.close();
    },
  };
}
