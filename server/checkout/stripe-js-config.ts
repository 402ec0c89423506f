import { env } from "../env";
import type { PspOrigins } from "../http/csp";
import { pspMode } from "../psp/mode";

/** A publishable key the simulator accepts for tokenization (payment methods are global there). */
const SIMULATOR_PUBLISHABLE_KEY = "pk_test_payrail_simulator";

export interface StripeJsConfig {
  publishableKey: string;
  /** The simulator's Stripe.js-compatible script; null with real Stripe (loadStripe fetches Stripe.js itself). */
  scriptUrl: string | null;
  /** The only origin besides ours the page loads anything from. */
  pspOrigin: string;
}

/** What the hosted page hands to @stripe/stripe-js: one code path, two PSP modes. */
export function stripeJsConfig(): StripeJsConfig | null {
  const e = env();
  if (pspMode(e) === "real") {
    return e.STRIPE_PUBLISHABLE_KEY ? { publishableKey: e.STRIPE_PUBLISHABLE_KEY, scriptUrl: null, pspOrigin: "https://js.stripe.com" } : null;
  }
  if (!e.STRIPE_API_BASE) return null;
  const origin = new URL(e.STRIPE_API_BASE).origin;
  return { publishableKey: SIMULATOR_PUBLISHABLE_KEY, scriptUrl: `${origin}/v3/`, pspOrigin: origin };
}

/** The PSP origins the hosted checkout's CSP must allow (Stripe's documented list with real Stripe). */
export function checkoutPspOrigins(): PspOrigins {
  const config = stripeJsConfig();
  if (!config) return { script: [], frame: [], connect: [] };
  if (config.scriptUrl === null) {
    return { script: ["https://js.stripe.com"], frame: ["https://js.stripe.com", "https://hooks.stripe.com"], connect: ["https://api.stripe.com"] };
  }
  return { script: [config.pspOrigin], frame: [config.pspOrigin], connect: [config.pspOrigin] };
}
