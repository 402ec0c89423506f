import type { DbOrTx } from "@/db/client";
import { env } from "../env";
import { findEvent } from "../payments/repository";
import { serializeEvent } from "../payments/serialize";
import { findDelivery, findEndpointById, pendingDeliveries, recordAttempt, setDeliveriesStatus, type WebhookDeliveryRow, type WebhookEndpointRow } from "./repository";
import { openSecret } from "./secrets";
import { signWebhookPayload } from "./sign";

/** A receiver that has not answered in this time counts as failed. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Past this age an undeliverable event is given up (Stripe retries for up to three days). */
export const GIVE_UP_AFTER_MS = 3 * 24 * 3600 * 1000;
/**
 * graphile-worker retries a failed job after exp(min(attempt, 10)) seconds: 3 s, 7 s, 20 s, 55 s, 2.5 min,
 * ... then every 6.1 h. 21 attempts span about 2.95 days.
 */
export const DELIVERY_MAX_ATTEMPTS = 21;

export interface AttemptResult {
  httpStatus: number | null;
  latencyMs: number;
  responseSnippet: string | null;
  error: string | null;
  ok: boolean;
}

/** One signed POST of the Stripe event JSON. Never throws: failures are results. */
export async function postEvent(url: string, body: string, secret: string, timeoutMs = DELIVERY_TIMEOUT_MS): Promise<AttemptResult> {
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", "user-agent": "Payrail/1.0 (+webhooks)", "stripe-signature": signWebhookPayload(body, secret) },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "manual",
    });
    const text = await res.text().catch(() => "");
    return { httpStatus: res.status, latencyMs: Math.round(performance.now() - started), responseSnippet: text.slice(0, 500), error: null, ok: res.status >= 200 && res.status < 300 };
  } catch (e) {
    const error = e instanceof Error ? (e.name === "TimeoutError" ? `timeout after ${timeoutMs} ms` : e.message) : String(e);
    return { httpStatus: null, latencyMs: Math.round(performance.now() - started), responseSnippet: null, error: error.slice(0, 500), ok: false };
  }
}

async function eventBody(db: DbOrTx, d: WebhookDeliveryRow): Promise<string | null> {
  const event = await findEvent(db, d.merchantId, d.eventId);
  return event ? JSON.stringify(serializeEvent(event)) : null;
}

const secretOf = (e: WebhookEndpointRow) => openSecret(e.secretSealed, env().WEBHOOK_ENCRYPTION_KEY);

export class DeliveryFailed extends Error {}

/**
 * Task `webhooks_deliver` for one (endpoint, object): sends its pending deliveries in seq order and
 * stops at the first failure (throws, so the job is retried with backoff), so a merchant never sees
 * an object's events out of order. On the job's last attempt, or past three days, the head delivery
 * is marked failed and the rest follow on the next run.
 */
export async function deliverPending(
  db: DbOrTx,
  job: { endpointId: string; objectId: string; lastAttempt: boolean },
  timeoutMs = DELIVERY_TIMEOUT_MS,
): Promise<{ delivered: number }> {
  const endpoint = await findEndpointById(db, job.endpointId);
  if (!endpoint || endpoint.disabled || endpoint.deletedAt) {
    await setDeliveriesStatus(db, job.endpointId, job.objectId, "pending", "failed");
    return { delivered: 0 };
  }
  const secret = secretOf(endpoint);
  let delivered = 0;
  for (;;) {
    const batch = await pendingDeliveries(db, job.endpointId, job.objectId);
    if (batch.length === 0) return { delivered };
    for (const d of batch) {
      const body = await eventBody(db, d);
      if (body === null) {
        await recordAttempt(db, d.id, { httpStatus: null, latencyMs: 0, responseSnippet: null, error: "event not found", manual: false }, { status: "failed" });
        continue;
      }
      const r = await postEvent(endpoint.url, body, secret, timeoutMs);
      const expired = Date.now() - d.createdAt.getTime() > GIVE_UP_AFTER_MS;
      const status = r.ok ? "succeeded" : job.lastAttempt || expired ? "failed" : undefined;
      await recordAttempt(db, d.id, { httpStatus: r.httpStatus, latencyMs: r.latencyMs, responseSnippet: r.responseSnippet, error: r.error, manual: false }, { status });
      if (!r.ok) {
        if (job.lastAttempt) await setDeliveriesStatus(db, job.endpointId, job.objectId, "pending", "failed");
        throw new DeliveryFailed(`delivery ${d.id} to ${endpoint.id}: ${r.httpStatus ?? r.error}`);
      }
      delivered++;
    }
  }
}

/** Sends one delivery again now, by hand (whatever its status), and records the attempt as manual. */
export async function resendDelivery(db: DbOrTx, deliveryId: string, timeoutMs = DELIVERY_TIMEOUT_MS): Promise<AttemptResult> {
  const d = await findDelivery(db, deliveryId);
  if (!d) throw new Error(`no such delivery ${deliveryId}`);
  const endpoint = await findEndpointById(db, d.endpointId);
  const body = await eventBody(db, d);
  if (!endpoint || endpoint.deletedAt || body === null) throw new Error(`delivery ${deliveryId} can no longer be sent`);
  const r = await postEvent(endpoint.url, body, secretOf(endpoint), timeoutMs);
  await recordAttempt(
    db,
    d.id,
    { httpStatus: r.httpStatus, latencyMs: r.latencyMs, responseSnippet: r.responseSnippet, error: r.error, manual: true },
    { status: r.ok ? "succeeded" : undefined },
  );
  return r;
}
