import { listInput } from "@/server/payments/schemas";
import { env } from "../env";
import { DomainError } from "../errors";
import { derivedId, newId } from "../ids";
import type { PaymentsContext } from "../payments/context";
import { serializeList } from "../payments/serialize";
import { findEndpoint, insertEndpoint, listEndpoints, updateEndpoint, type WebhookEndpointRow } from "./repository";
import type { createWebhookEndpointInput, updateWebhookEndpointInput } from "./schemas";
import { generateEndpointSecret, openSecret, sealSecret } from "./secrets";
import type { z } from "zod";

/** Merchant webhook endpoints (Stripe's /v1/webhook_endpoints): the signing secret is shown by create only. */
type Ctx = Pick<PaymentsContext, "db"> & { merchantId: string };

const API_VERSION = "2026-10-28.endive";

export function serializeEndpoint(e: WebhookEndpointRow, secret?: string) {
  return {
    id: e.id,
    object: "webhook_endpoint" as const,
    api_version: API_VERSION,
    application: null,
    created: Math.floor(e.createdAt.getTime() / 1000),
    description: e.description,
    enabled_events: e.enabledEvents,
    livemode: false,
    metadata: e.metadata,
    status: e.disabled ? ("disabled" as const) : ("enabled" as const),
    url: e.url,
    ...(secret ? { secret } : {}),
  };
}

/**
 * Creates an endpoint. The response carries the secret, so it is not stored as an idempotent
 * response (that would keep the secret in clear): instead the id is derived from the
 * Idempotency-Key, and a retry with the same key returns the same endpoint and secret.
 */
export async function createWebhookEndpoint(ctx: Ctx, input: z.infer<typeof createWebhookEndpointInput>, idempotencyKey?: string) {
  const id = idempotencyKey ? derivedId("we", ctx.merchantId, idempotencyKey) : newId("we");
  const existing = idempotencyKey ? await findEndpoint(ctx.db, ctx.merchantId, id) : undefined;
  if (existing) return { row: existing, secret: openSecret(existing.secretSealed, env().WEBHOOK_ENCRYPTION_KEY) };
  const secret = generateEndpointSecret();
  const row = await insertEndpoint(ctx.db, {
    id,
    merchantId: ctx.merchantId,
    url: input.url,
    enabledEvents: [...new Set(input.enabled_events)],
    description: input.description ?? null,
    metadata: input.metadata ?? {},
    secretSealed: sealSecret(secret, env().WEBHOOK_ENCRYPTION_KEY),
  });
  return { row, secret };
}

function missing(id: string): never {
  throw new DomainError("resource_missing", `No such webhook endpoint: '${id}'`, { param: "id" });
}

export async function getWebhookEndpoint(ctx: Ctx, id: string) {
  return serializeEndpoint((await findEndpoint(ctx.db, ctx.merchantId, id)) ?? missing(id));
}

export async function updateWebhookEndpoint(ctx: Ctx, id: string, input: z.infer<typeof updateWebhookEndpointInput>) {
  const current = (await findEndpoint(ctx.db, ctx.merchantId, id)) ?? missing(id);
  const row = await updateEndpoint(ctx.db, ctx.merchantId, id, {
    url: input.url,
    enabledEvents: input.enabled_events ? [...new Set(input.enabled_events)] : undefined,
    description: input.description,
    // Stripe merges metadata keys; an empty value unsets a key.
    metadata: input.metadata ? Object.fromEntries(Object.entries({ ...current.metadata, ...input.metadata }).filter(([, v]) => v !== "")) : undefined,
    disabled: input.disabled,
  });
  return row ?? missing(id);
}

/** Soft delete: deliveries and attempts keep their endpoint for the audit trail. */
export async function deleteWebhookEndpoint(ctx: Ctx, id: string) {
  const row = (await updateEndpoint(ctx.db, ctx.merchantId, id, { deletedAt: new Date(), disabled: true })) ?? missing(id);
  return { id: row.id, object: "webhook_endpoint" as const, deleted: true as const };
}

export async function listWebhookEndpointsPage(ctx: Ctx, params: URLSearchParams) {
  const parsed = listInput.safeParse(Object.fromEntries(params));
  if (!parsed.success) throw new DomainError("parameter_invalid", `Invalid list parameters: ${parsed.error.issues[0]?.message}`, { param: "limit" });
  const { rows, hasMore } = await listEndpoints(ctx.db, {
    merchantId: ctx.merchantId,
    limit: parsed.data.limit,
    startingAfter: parsed.data.starting_after,
    endingBefore: parsed.data.ending_before,
  });
  return serializeList("/v1/webhook_endpoints", rows.map((r) => serializeEndpoint(r)), hasMore);
}
