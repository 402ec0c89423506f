import { randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Stripe's client_secret: `<intent id>_secret_<random>`. It lets a browser holding a publishable
 * key (the hosted checkout) act on this one intent, so it is stored to be shown to the merchant and
 * checked later, and never logged.
 */
export function newClientSecret(paymentIntentId: string): string {
  return `${paymentIntentId}_secret_${randomBytes(18).toString("base64url")}`;
}

/** Constant-time check of a presented secret against the stored one; the id prefix must match too. */
export function clientSecretMatches(stored: string | null, presented: string): boolean {
  if (!stored) return false;
  const a = Buffer.from(stored);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
