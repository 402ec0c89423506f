import { env } from "../env";
import { createStripeClient } from "./stripe/client";
import { StripeAdapter } from "./stripe/adapter";
import type { PspAdapter } from "./types";

export const SIMULATOR_SECRET_KEY = "sk_test_payrail_simulator";
export const DEFAULT_SIMULATOR_URL = "http://127.0.0.1:12111";

/** Real Stripe when a key is configured without an API base; otherwise the local simulator. */
export function createPspFromEnv(): PspAdapter {
  const e = env();
  const apiBase = e.STRIPE_API_BASE ?? (e.STRIPE_SECRET_KEY ? undefined : DEFAULT_SIMULATOR_URL);
  return new StripeAdapter(
    createStripeClient({
      secretKey: e.STRIPE_SECRET_KEY ?? SIMULATOR_SECRET_KEY,
      apiBase,
      timeoutMs: e.PSP_TIMEOUT_MS,
      maxNetworkRetries: e.PSP_MAX_NETWORK_RETRIES,
    }),
  );
}

let shared: PspAdapter | undefined;
export function getPsp(): PspAdapter {
  shared ??= createPspFromEnv();
  return shared;
}
export type { PspAdapter } from "./types";
