import { index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { merchants } from "./merchants";

/**
 * Merchant-visible events (Stripe's /v1/events), written in the same transaction as the state
 * change. Delivery state (webhooks) comes with the dispatcher that writes it.
 */
export const events = pgTable(
  "events",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id").notNull().references(() => merchants.id),
    type: text("type").notNull(),
    objectId: text("object_id").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    /** The API request that caused the event (Stripe's event.request); null for automatic events. */
    requestId: text("request_id"),
    requestIdempotencyKey: text("request_idempotency_key"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("events_merchant_created_idx").on(t.merchantId, t.createdAt.desc(), t.id.desc()),
    index("events_object_idx").on(t.objectId),
  ],
);
