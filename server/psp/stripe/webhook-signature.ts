import Stripe from "stripe";

/** Stripe's default: a signed timestamp older than five minutes is a replay. */
export const SIGNATURE_TOLERANCE_S = 300;

/**
 * Verifies `Stripe-Signature` on the raw body with the SDK against each accepted secret (several
 * during a rotation) and returns the parsed event. Throws on a bad or stale signature, or a body
 * that is not an event.
 */
export interface VerifiedEvent {
  id: string;
  type: string;
  data?: { object?: Record<string, unknown> };
}

export function verifyStripeEvent(rawBody: string, header: string | null, secrets: string[]): VerifiedEvent {
  if (!header) throw new Error("missing Stripe-Signature header");
  if (secrets.length === 0) throw new Error("no webhook secret configured");
  let last: unknown;
  for (const secret of secrets) {
    try {
      const event = Stripe.webhooks.constructEvent(rawBody, header, secret, SIGNATURE_TOLERANCE_S);
      if (!event || typeof event.id !== "string" || typeof event.type !== "string") throw new Error("body is not a Stripe event");
      return event as unknown as VerifiedEvent;
    } catch (e) {
      last = e;
    }
  }
  throw last instanceof Error ? last : new Error("signature verification failed");
}
