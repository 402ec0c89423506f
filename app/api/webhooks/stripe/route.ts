import { getDatabase } from "@/server/db";
import { env } from "@/server/env";
import { parseWebhookSecrets, receivePspWebhook } from "@/server/inbox/receive";

export const dynamic = "force-dynamic";

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

/** Raw body -> verify signature -> record in the inbox (+ enqueue) -> 200. No domain work here. */
export async function POST(request: Request): Promise<Response> {
  const rawBody = await request.text();
  const result = await receivePspWebhook(getDatabase().db, {
    psp: "stripe",
    rawBody,
    signature: request.headers.get("stripe-signature"),
    secrets: parseWebhookSecrets(env().STRIPE_WEBHOOK_SECRET),
  });
  if (!result.ok) return new Response(JSON.stringify({ error: { type: "invalid_request_error", message: "Webhook signature verification failed." } }), { status: 400, headers: JSON_HEADERS });
  return new Response(JSON.stringify({ received: true, duplicate: result.duplicate }), { status: 200, headers: JSON_HEADERS });
}
