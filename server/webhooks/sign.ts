import { createHmac } from "node:crypto";

/**
 * The `Stripe-Signature` header for an outbound merchant webhook: `t=<unix>,v1=<hex HMAC-SHA256 of
 * "t.body" keyed by the endpoint's whsec_ secret>`, which `stripe.webhooks.constructEvent` accepts.
 */
export function signWebhookPayload(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac("sha256", secret).update(`${timestamp}.${payload}`, "utf8").digest("hex");
  return `t=${timestamp},v1=${v1}`;
}
