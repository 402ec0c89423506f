import { env } from "../env";

/** The origin customers reach this deployment at (PAYRAIL_PUBLIC_URL, else localhost:PORT). */
export function publicOrigin(): string {
  const e = env();
  return (e.PAYRAIL_PUBLIC_URL ?? `http://localhost:${e.PORT ?? 3000}`).replace(/\/+$/, "");
}

export const hostedCheckoutUrl = (token: string) => `${publicOrigin()}/c/pay/${token}`;

/** Stripe substitutes the literal {CHECKOUT_SESSION_ID} in success_url when redirecting. */
export const successUrlFor = (successUrl: string, sessionId: string) => successUrl.replaceAll("{CHECKOUT_SESSION_ID}", sessionId);
