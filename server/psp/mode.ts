import type { Env } from "../env";

/**
 * Which PSP this deployment talks to. Real only when a Stripe secret key is configured and no other
 * API base replaces Stripe's; everything else (the launcher's simulator, STRIPE_API_BASE pointing
 * at a simulator) is simulated, and says so: banner, every page, test keys only.
 */
export type PspMode = "real" | "simulated";

const STRIPE_HOST = "api.stripe.com";

export function pspMode(e: Pick<Env, "STRIPE_SECRET_KEY" | "STRIPE_API_BASE">): PspMode {
  if (!e.STRIPE_SECRET_KEY) return "simulated";
  if (e.STRIPE_API_BASE && new URL(e.STRIPE_API_BASE).hostname !== STRIPE_HOST) return "simulated";
  return "real";
}

/**
 * With NODE_ENV=production and PAYRAIL_REQUIRE_PSP=1 a simulated PSP is a configuration error:
 * the server must not start and take orders it will never charge. Returns the reason, if any.
 */
export function pspConfigurationError(e: Pick<Env, "NODE_ENV" | "PAYRAIL_REQUIRE_PSP" | "STRIPE_SECRET_KEY" | "STRIPE_API_BASE">): string | undefined {
  if (e.NODE_ENV !== "production" || !e.PAYRAIL_REQUIRE_PSP) return undefined;
  if (pspMode(e) === "real") return undefined;
  return "PAYRAIL_REQUIRE_PSP=1 in production, but no real PSP is configured: set STRIPE_SECRET_KEY (and leave STRIPE_API_BASE unset or https://api.stripe.com).";
}

/** Live secret keys only make sense against a real PSP; with the simulator every key must be sk_test_. */
export const isLiveKey = (key: string) => key.startsWith("sk_live_");
