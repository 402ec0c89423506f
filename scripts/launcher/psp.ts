import { startSimulator } from "../../server/psp/simulator/server";
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

/** Real Stripe when a key is configured; otherwise the in-process simulator posting webhooks to the app. */
export async function preparePsp(appPort: number): Promise<PspSetup> {
  const noop = async () => {};
  if (process.env.STRIPE_SECRET_KEY) return { kind: "stripe", env: {}, close: noop };
  if (process.env.STRIPE_API_BASE) return { kind: "external", apiBase: process.env.STRIPE_API_BASE, env: {}, close: noop };

  const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET || SIMULATOR_WEBHOOK_SECRET;
  const opts = { host: "127.0.0.1", webhookUrl: `http://127.0.0.1:${appPort}/api/webhooks/stripe`, webhookSecret };
  const preferred = Number(process.env.SIMULATOR_PORT || 12111);
  const sim = await startSimulator({ ...opts, port: preferred }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "EADDRINUSE") throw err;
    console.log(`[launcher] port ${preferred} is taken; the simulator uses a free port instead`);
    return startSimulator({ ...opts, port: 0 });
  });
  const forget = recordRunningPspUrl(sim.url);
  return {
    kind: "simulator",
    apiBase: sim.url,
    env: { STRIPE_API_BASE: sim.url, STRIPE_WEBHOOK_SECRET: webhookSecret },
    close: async () => {
      forget();
      await sim.close();
    },
  };
}
