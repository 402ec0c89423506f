import type { Db } from "@/db/client";
import { TASKS, addJob } from "../jobs/enqueue";
import { logger } from "../logger";
import { type VerifiedEvent, verifyStripeEvent } from "../psp/stripe/webhook-signature";
import { insertPspEvent } from "./repository";

export type ReceiveResult = { ok: true; inboxId: string; duplicate: boolean } | { ok: false; reason: string };

/** STRIPE_WEBHOOK_SECRET may list several secrets (comma-separated) while one is being rotated. */
export function parseWebhookSecrets(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Inbound PSP webhook: verify the signature on the raw body, then store the event once and enqueue
 * its processing in the same transaction. Nothing else happens in the request. A rejected request
 * stores nothing and logs one line without the body.
 */
export async function receivePspWebhook(
  db: Db,
  req: { psp: string; rawBody: string; signature: string | null; secrets: string[] },
): Promise<ReceiveResult> {
  let event: VerifiedEvent;
  try {
    event = verifyStripeEvent(req.rawBody, req.signature, req.secrets);
  } catch (e) {
    const reason = e instanceof Error ? e.message.split("\n")[0]!.slice(0, 200) : "invalid";
    logger.warn({ psp: req.psp, bytes: req.rawBody.length, reason }, "psp webhook rejected");
    return { ok: false, reason };
  }
  const id = event.data?.object?.id;
  const objectId = typeof id === "string" ? id : null;
  return db.transaction(async (tx) => {
    const stored = await insertPspEvent(tx, { psp: req.psp, eventId: event.id, type: event.type, objectId, rawBody: req.rawBody });
    if (stored.created) await addJob(tx, TASKS.pspEvent, { inboxId: stored.id }, { maxAttempts: 25 });
    return { ok: true as const, inboxId: stored.id, duplicate: !stored.created };
  });
}
