import Stripe from "stripe";

export interface StripeClientConfig {
  secretKey: string;
  /** A Stripe-compatible base URL (the simulator); absent means api.stripe.com. */
  apiBase?: string;
  timeoutMs?: number;
  /** The SDK repeats failed network calls with the same Idempotency-Key, which is safe. */
  maxNetworkRetries?: number;
}

export function createStripeClient(cfg: StripeClientConfig): Stripe {
  const options: ConstructorParameters<typeof Stripe>[1] = {
    timeout: cfg.timeoutMs ?? 10_000,
    maxNetworkRetries: cfg.maxNetworkRetries ?? 2,
    telemetry: false,
    appInfo: { name: "Payrail" },
  };
  if (cfg.apiBase) {
    const u = new URL(cfg.apiBase);
    options.host = u.hostname;
    options.port = u.port || (u.protocol === "https:" ? 443 : 80);
    options.protocol = u.protocol === "https:" ? "https" : "http";
  }
  return new Stripe(cfg.secretKey, options);
}
