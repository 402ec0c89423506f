import { z } from "zod";

/** Merchant event types, named as Stripe names them; `*` subscribes to all. */
export const WEBHOOK_EVENT_TYPES = [
  "payment_intent.created",
  "payment_intent.requires_action",
  "payment_intent.amount_capturable_updated",
  "payment_intent.succeeded",
  "payment_intent.payment_failed",
  "payment_intent.canceled",
  "charge.succeeded",
  "charge.captured",
  "charge.refunded",
  "refund.created",
  "refund.updated",
  "charge.dispute.created",
  "charge.dispute.updated",
  "charge.dispute.closed",
  "charge.dispute.funds_withdrawn",
  "charge.dispute.funds_reinstated",
] as const;

const eventType = z.enum(["*", ...WEBHOOK_EVENT_TYPES]);
// Form bodies give `enabled_events[0]=...` as an object keyed by index, JSON gives an array.
const eventList = z
  .union([z.array(eventType), z.record(z.string(), eventType).transform((o) => Object.values(o))])
  .refine((l) => l.length > 0, "at least one event type");
const metadata = z
  .record(z.string().max(40), z.union([z.string().max(500), z.number()]).transform(String))
  .refine((m) => Object.keys(m).length <= 50, "at most 50 keys");
const bool = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);
const url = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL");

export const createWebhookEndpointInput = z.object({
  url,
  enabled_events: eventList,
  description: z.string().max(5000).optional(),
  metadata: metadata.optional(),
  api_version: z.string().optional(),
});

export const updateWebhookEndpointInput = z.object({
  url: url.optional(),
  enabled_events: eventList.optional(),
  description: z.string().max(5000).optional(),
  metadata: metadata.optional(),
  disabled: bool.optional(),
});
