import { sql } from "drizzle-orm";
import { bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { timestamps } from "./columns";
import { events } from "./events";
import { merchants } from "./merchants";

/** Merchant webhook endpoints (Stripe's /v1/webhook_endpoints). */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id").notNull().references(() => merchants.id),
    url: text("url").notNull(),
    /** Event types, or ['*'] for all. */
    enabledEvents: text("enabled_events").array().notNull(),
    description: text("description"),
    metadata: jsonb("metadata").$type<Record<string, string>>().notNull().default({}),
    disabled: boolean("disabled").notNull().default(false),
    /** The whsec_ signing secret, sealed (AES-256-GCM) when WEBHOOK_ENCRYPTION_KEY is set; never returned after create. */
    secretSealed: text("secret_sealed").notNull(),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    index("webhook_endpoints_merchant_idx").on(t.merchantId, t.createdAt.desc(), t.id.desc()),
    // The relay trigger looks up a merchant's live endpoints on every event.
    index("webhook_endpoints_live_idx").on(t.merchantId).where(sql`${t.disabled} = false and ${t.deletedAt} is null`),
  ],
);

export const DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;

/**
 * One row per (event, endpoint), written by the relay trigger in the same transaction as the event.
 * `seq` is taken at insert time: events of one object are written under that object's row lock, so
 * seq order is their commit order and the delivery job sends them in that order.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    seq: bigserial("seq", { mode: "bigint" }).notNull(),
    merchantId: text("merchant_id").notNull().references(() => merchants.id),
    endpointId: text("endpoint_id").notNull().references(() => webhookEndpoints.id),
    eventId: text("event_id").notNull().references(() => events.id),
    objectId: text("object_id").notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastStatus: integer("last_status"),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_event_endpoint_uq").on(t.eventId, t.endpointId),
    index("webhook_deliveries_pending_idx").on(t.endpointId, t.objectId, t.seq).where(sql`${t.status} = 'pending'`),
  ],
);

/** Every HTTP attempt of a delivery: status (null on network error or timeout), latency, a response snippet. */
export const webhookDeliveryAttempts = pgTable(
  "webhook_delivery_attempts",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    deliveryId: text("delivery_id").notNull().references(() => webhookDeliveries.id),
    httpStatus: integer("http_status"),
    latencyMs: integer("latency_ms").notNull(),
    responseSnippet: text("response_snippet"),
    error: text("error"),
    manual: boolean("manual").notNull().default(false),
    attemptedAt: timestamp("attempted_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("webhook_delivery_attempts_delivery_idx").on(t.deliveryId, t.attemptedAt)],
);
